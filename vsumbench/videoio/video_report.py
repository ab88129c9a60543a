"""``summarize --report DIR``: one page per summarized video, opened from disk.

A timeline of the video's shots (width: duration, height: the model's shot score, the
selected shots coloured), a strip of thumbnails of the selected shots (their middle frames,
read with PyAV), the summary video in an HTML5 ``<video>`` element, and the segments table.
"""

from __future__ import annotations

import html
import os
import shutil
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["frames_at", "write_video_report"]

THUMB_SIDE = 160


def frames_at(path: str | os.PathLike, indices: list[int], side: int = THUMB_SIDE) -> dict:
    """``{frame index: RGB image}`` of the requested frames, in one decoding pass (the
    shorter side scaled to ``side``)."""
    from vsumbench.videoio.decode import open_video

    wanted, out = set(indices), {}
    container, stream = open_video(path)
    try:
        for index, frame in enumerate(container.decode(stream)):
            if index in wanted:
                scale = side / min(frame.width, frame.height)
                w, h = max(1, round(frame.width * scale)), max(1, round(frame.height * scale))
                out[index] = frame.reformat(width=w, height=h, format="rgb24").to_ndarray()
                if len(out) == len(wanted):
                    break
    finally:
        container.close()
    return out


def _timeline(shots: list[dict], n_frames: int, width: int = 1000, height: int = 80) -> str:
    scores = np.array([s["score"] for s in shots], dtype=float)
    low, span = float(scores.min()), float(np.ptp(scores)) or 1.0
    rects = []
    for s in shots:
        x = s["start_frame"] / n_frames * width
        w = max((s["end_frame"] - s["start_frame"] + 1) / n_frames * width, 0.5)
        h = 10 + (height - 10) * (s["score"] - low) / span
        color = "#e8892b" if s["selected"] else "#b9b9b9"
        rects.append(f'<rect x="{x:.2f}" y="{height - h:.2f}" width="{w:.2f}" height="{h:.2f}" '
                     f'fill="{color}" stroke="#fff" stroke-width="0.5"><title>frames '
                     f'{s["start_frame"]}-{s["end_frame"]}, score {s["score"]:.3f}</title></rect>')  # fmt: skip
    return (f'<svg class="timeline" viewBox="0 0 {width} {height}" width="{width}" '
            f'height="{height}">{"".join(rects)}</svg>')  # fmt: skip


def write_video_report(record: dict[str, Any], video: str | os.PathLike, out_dir: str | os.PathLike,
                       summary_video: str | os.PathLike | None = None) -> Path:  # fmt: skip
    """Write ``out_dir/index.html`` (with its thumbnails and the summary video); its path."""
    import matplotlib.image

    out = Path(out_dir)
    (out / "thumbs").mkdir(parents=True, exist_ok=True)
    segments = record["segments"]
    middles = [(s["start_frame"] + s["end_frame"]) // 2 for s in segments]
    images = frames_at(video, middles)
    thumbs = []
    for seg, middle in zip(segments, middles, strict=True):
        if middle in images:
            name = f"thumbs/shot{seg['shot']}.png"
            matplotlib.image.imsave(out / name, images[middle])
            thumbs.append(f'<figure><img src="{name}" alt="shot {seg["shot"]}"><figcaption>'
                          f'{seg["start_s"]:.1f}-{seg["end_s"]:.1f} s</figcaption></figure>')  # fmt: skip
    player = ""
    if summary_video is not None and Path(summary_video).is_file():
        target = out / Path(summary_video).name
        if Path(summary_video).resolve() != target.resolve():
            shutil.copyfile(summary_video, target)
        player = f'<video controls src="{html.escape(target.name)}" width="640"></video>'
    rows = "".join(f"<tr><td>{s['shot']}</td><td>{s['start_s']:.2f}</td><td>{s['end_s']:.2f}</td>"
                   f"<td>{s['score']:.3f}</td></tr>" for s in segments)  # fmt: skip
    text = record.get("text")
    query = f"<p>Text: {html.escape('; '.join(text))}</p>" if text else ""
    page = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Summary of {html.escape(Path(video).name)}</title><style>body{{font-family:sans-serif;
margin:1.5em}}figure{{display:inline-block;margin:4px}}img{{height:90px}}td,th{{border:1px solid
#ccc;padding:2px 6px}}table{{border-collapse:collapse}}</style></head><body>
<h1>Summary of {html.escape(Path(video).name)}</h1>
<p>{html.escape(record["model"])} ({html.escape(str(record["checkpoint"]))}): {len(segments)} of
{len(record["shots"])} shots, {record["summary_s"]:.1f} s of {record["duration_s"]:.1f} s
(budget {record["budget"]:.0%}).</p>{query}
<h2>Shots</h2>{_timeline(record["shots"], record["n_frames"])}
<h2>Selected shots</h2><div class="strip">{"".join(thumbs)}</div>
<h2>Summary video</h2>{player or "<p>No summary video was written.</p>"}
<h2>Segments</h2><table><tr><th>shot</th><th>start s</th><th>end s</th><th>score</th></tr>{rows}
</table></body></html>
"""
    path = out / "index.html"
    path.write_text(page, encoding="utf-8")
    return path
