"""One video end to end: extract, score with a trained summarizer, knapsack over the KTS
shots (the evaluation protocol's own `keyshot_summary`), write the summary video and a JSON
of the selected shots."""

from __future__ import annotations

import os
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from vsumbench.errors import ConfigError, DataError

__all__ = ["SummaryResult", "summarize_video", "write_summary_video"]

#: Output containers and the muxer to use (H.264 in all of them).
_FORMATS = {".mp4": "mp4", ".m4v": "mp4", ".mov": "mov", ".mkv": "matroska"}


@dataclass(frozen=True)
class SummaryResult:
    record: dict[str, Any]  # what the JSON holds
    summary: np.ndarray  # (n_frames,) uint8 keyshot summary


def _codec() -> str:
    import av

    return "libx264" if "libx264" in av.codecs_available else "mpeg4"


def write_summary_video(
    src: str | os.PathLike, dst: str | os.PathLike, keep: np.ndarray, fps: Fraction
) -> int:
    """Re-decode ``src`` and encode the frames where ``keep`` is true into ``dst`` (H.264,
    the source frame rate; odd sizes cropped by one pixel for yuv420p), atomically.
    Returns the number of frames written."""
    import av

    from vsumbench.atomic import atomic_path
    from vsumbench.videoio.decode import open_video

    dst = Path(dst)
    fmt = _FORMATS.get(dst.suffix.lower())
    if fmt is None:
        raise ConfigError(
            f"--out {dst}: unsupported container {dst.suffix!r}; use one of {', '.join(_FORMATS)}"
        )
    written = 0
    with atomic_path(dst) as tmp:
        container, stream = open_video(src)
        try:
            with av.open(str(tmp), "w", format=fmt) as out:
                ostream = None
                for index, frame in enumerate(container.decode(stream)):
                    if index >= len(keep) or not keep[index]:
                        continue
                    if ostream is None:
                        ostream = out.add_stream(_codec(), rate=fps)
                        ostream.width, ostream.height = frame.width // 2 * 2, frame.height // 2 * 2
                        ostream.pix_fmt = "yuv420p"
                    img = frame.reformat(
                        format="yuv420p", width=ostream.width, height=ostream.height
                    )
                    img.pts = written
                    img.time_base = 1 / Fraction(fps)
                    out.mux(ostream.encode(img))
                    written += 1
                if ostream is not None:
                    out.mux(ostream.encode(None))
        finally:
            container.close()
    return written


def _extract(video: str | os.PathLike, model: str, text: Any, budget: float, *, weights: Any,
             device: Any, image_size: int, sample_every: int, progress: bool) -> tuple:  # fmt: skip
    """``(extracted video, encoder description)`` with the features the model reads:
    GoogLeNet's, or CLIP's with the text of the query or captions."""
    from vsumbench.models import get_spec
    from vsumbench.models.inputs import reads_clip
    from vsumbench.videoio.extract import MAX_SHOT_FRACTION, extract_video
    from vsumbench.videoio.features import FrameFeatures

    inputs = get_spec(model).inputs
    clip = reads_clip(inputs)
    no_text = text is None or (text.captions is None and text.query is None)
    if clip and (text is None or ("features_clip_txt" in inputs and no_text)):
        raise ConfigError(f"{model} reads CLIP features of the video and of its text: pass "
                          f"--query TEXT (a query-focused summary) or --captions FILE")  # fmt: skip
    features = text.encoder if clip else FrameFeatures(weights, device=device,
                                                       image_size=image_size)  # fmt: skip
    ext = extract_video(video, features, sample_every=sample_every, progress=progress,
                        max_shot_fraction=min(budget, MAX_SHOT_FRACTION),
                        field="features_clip_image" if clip else "features")  # fmt: skip
    return (text.add(ext, Path(video), single=True) if clip else ext), features.source


def _shots(v: Any, scores: np.ndarray, summary: np.ndarray, fps: float) -> list[dict]:
    """Every shot: frames, seconds, the model's shot score and whether it was selected."""
    from vsumbench.protocol.keyshot import frame_scores, shot_scores

    per_shot = shot_scores(frame_scores(scores, v.picks, v.n_frames), v.change_points)
    return [
        {
            "shot": i,
            "start_frame": int(a),
            "end_frame": int(b),  # inclusive
            "start_s": a / fps,
            "end_s": (b + 1) / fps,  # end of the last frame
            "score": float(per_shot[i]),
            "selected": bool(summary[a]),
        }
        for i, (a, b) in enumerate(v.change_points.tolist())
    ]


def summarize_video(
    video: str | os.PathLike,
    model: str,
    checkpoint: str | os.PathLike,
    *,
    budget: float = 0.15,
    out: str | os.PathLike | None = None,
    json_path: str | os.PathLike | None = None,
    weights: str | Path = "imagenet",
    device: str = "auto",
    image_size: int = 224,
    sample_every: int = 15,
    progress: bool = True,
    text: Any = None,
) -> SummaryResult:
    """Summarise one video with a trained ``model`` checkpoint.

    The longest shot is capped at ``min(budget, 0.15)`` of the video, so the knapsack always
    selects at least one shot. Returns the JSON record and the frame-level summary. A model
    that reads CLIP features (CLIP-It) gets them from ``text``'s encoder, with the text of
    its query or captions (`vsumbench.videoio.extract.TextSource`).
    """
    from vsumbench.atomic import write_json
    from vsumbench.models import get_spec
    from vsumbench.models.inputs import check_inputs, model_input
    from vsumbench.protocol.keyshot import keyshot_summary
    from vsumbench.runner.environment import resolve_device
    from vsumbench.runner.loop import score_videos
    from vsumbench.runner.predict import load_trained_model

    if not 0.0 < budget <= 1.0:
        raise ConfigError(f"--budget must be in (0, 1], found {budget}")
    dev = resolve_device(device)
    net, _ = load_trained_model(model, checkpoint, dev)  # first: a bad checkpoint fails fast
    inputs = get_spec(model).inputs
    ext, source = _extract(video, model, text, budget, weights=weights, device=dev,
                           image_size=image_size, sample_every=sample_every, progress=progress)  # fmt: skip
    v = ext.video
    if int(v.n_frames * budget) < 1:
        raise DataError(
            f"a budget of {budget} of {v.n_frames} frames is less than one frame", file=video
        )
    check_inputs({v.key: v}, inputs, model, file=video)
    objective = get_spec(model).make_objective()
    scores = score_videos(net, {v.key: model_input(v, inputs, "cpu")}, objective)[v.key]
    if not np.all(np.isfinite(scores)):
        raise DataError(f"summarizer {model!r} produced NaN/inf scores", file=video)
    summary = keyshot_summary(scores, v.change_points, v.n_frames, v.picks, proportion=budget)
    fps = float(ext.fps)
    shots = _shots(v, scores, summary, fps)
    selected = [s for s in shots if s["selected"]]
    record: dict[str, Any] = {
        "video": str(video),
        "model": model,
        "checkpoint": str(checkpoint),
        "backbone": source,
        **({"text": list(v.captions)} if v.captions else {}),
        "budget": budget,
        "n_frames": v.n_frames,
        "fps": fps,
        "duration_s": v.n_frames / fps,
        "summary_frames": int(summary.sum()),
        "summary_s": int(summary.sum()) / fps,
        "segments": [
            {k: s[k] for k in ("shot", "start_frame", "end_frame", "start_s", "end_s", "score")}
            for s in selected
        ],
        "shots": [
            {k: s[k] for k in ("start_frame", "end_frame", "score", "selected")} for s in shots
        ],
        "step_scores": scores,
    }
    if out is not None:
        record["summary_video"] = str(out)
        written = write_summary_video(video, out, summary.astype(bool), ext.fps)
        assert written == record["summary_frames"]
    if json_path is not None:
        write_json(json_path, record)
    return SummaryResult(record, summary)
