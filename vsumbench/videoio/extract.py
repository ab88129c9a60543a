"""Videos -> an eccv16 file: sampled GoogLeNet features, KTS shots, one group per video.

One decoding pass per video: every frame is counted and thumbnailed, every
``sample_every``-th frame goes to the CNN in batches. Shots: KTS on the samples, boundaries
refined to the frame of the cut, shots longer than a cap split (see `vsumbench.videoio.kts`).
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from vsumbench.data.eccv16 import Video
from vsumbench.errors import DataError
from vsumbench.videoio.decode import VIDEO_EXTENSIONS, FrameScan, VideoInfo
from vsumbench.videoio.features import FrameFeatures
from vsumbench.videoio.kts import cap_shots, kts, refine_boundaries

__all__ = [
    "ExtractReport",
    "TextSource",
    "ExtractedVideo",
    "extract_files",
    "extract_video",
    "find_videos",
    "shot_cap_frames",
]

SAMPLE_EVERY = 15  # the datasets' 2 fps convention (every 15th frame of ~30 fps video)
#: Longest segment KTS considers, in samples (4 minutes at 2 fps). It bounds memory and time
#: (linear in the video's length) without touching the content: real shots are far shorter.
#: The summarisability cap is applied afterwards (`cap_shots`), so it never distorts where
#: KTS puts the cuts.
KTS_MAX_SAMPLES = 480
MAX_SHOT_FRACTION = 0.15  # no shot longer than the standard 15% budget: always summarisable
MAX_SHOT_SECONDS = 60.0  # and no shot longer than a minute (split after KTS)


@dataclass(frozen=True, eq=False)
class ExtractedVideo:
    video: Video  # eccv16 fields (features, picks, shots, ...)
    info: VideoInfo  # exact frame count, frame rate, size

    @property
    def fps(self) -> Fraction:
        return self.info.fps


@dataclass
class ExtractReport:
    written: dict[str, str] = field(default_factory=dict)  # key -> source video
    failed: dict[str, str] = field(default_factory=dict)  # source video -> error message


def find_videos(inputs: Iterable[str | os.PathLike]) -> list[Path]:
    """Files as given, directories expanded to their video files (sorted, non-recursive)."""
    out: list[Path] = []
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            found = sorted(
                p for p in path.iterdir() if p.is_file() and p.suffix.lower() in VIDEO_EXTENSIONS
            )
            if not found:
                raise DataError(
                    f"no video files ({', '.join(VIDEO_EXTENSIONS)}) in this directory", file=path
                )
            out.extend(found)
        elif path.is_file():
            out.append(path)
        else:
            raise DataError("no such file or directory", file=path)
    return out


def shot_cap_frames(
    n_frames: int,
    fps: float,
    max_shot_fraction: float = MAX_SHOT_FRACTION,
    max_shot_seconds: float | None = MAX_SHOT_SECONDS,
) -> int:
    """Longest shot allowed, in frames: ``floor(fraction * n_frames)``, at most
    ``max_shot_seconds``, at least 1. With ``fraction`` <= the summary budget, a knapsack over
    the shots always selects something."""
    cap = math.floor(max_shot_fraction * n_frames)
    if max_shot_seconds is not None:
        cap = min(cap, round(max_shot_seconds * fps))
    return max(1, cap)


def extract_video(
    path: str | os.PathLike,
    features: FrameFeatures,
    *,
    key: str = "video_1",
    sample_every: int = SAMPLE_EVERY,
    max_shot_fraction: float = MAX_SHOT_FRACTION,
    max_shot_seconds: float | None = MAX_SHOT_SECONDS,
    vmax: float = 1.0,
    progress: bool = False,
    field: str = "features",
) -> ExtractedVideo:
    """Decode ``path`` once and build its eccv16 group (no annotations); the features go to
    ``field`` (``features_clip_image`` for CLIP)."""
    import torch

    from vsumbench.progress import progress_bar

    path = Path(path)
    scan = FrameScan(
        path, sample_every=sample_every, short_side=features.resize_to, crop=features.image_size
    )
    chunks: list[torch.Tensor] = []
    batch: list[np.ndarray] = []
    bar = progress_bar(desc=path.name, unit="step", disable=not progress, leave=False)
    for _, image in scan:
        batch.append(image)
        if len(batch) == features.batch_size:
            chunks.append(features.encode(np.stack(batch)))
            bar.update(len(batch))
            batch = []
    if batch:
        chunks.append(features.encode(np.stack(batch)))
        bar.update(len(batch))
    bar.close()
    info, change = scan.info, scan.frame_change
    assert info is not None and change is not None
    if info.n_frames < sample_every:
        raise DataError(
            f"the video has {info.n_frames} frames, fewer than one sampled step "
            f"({sample_every} frames); it is too short to summarise",
            file=path,
        )
    feats = torch.cat(chunks).float().cpu().numpy()
    picks = np.arange(0, info.n_frames, sample_every, dtype=np.int64)
    assert len(picks) == len(feats)
    cap = shot_cap_frames(info.n_frames, float(info.fps), max_shot_fraction, max_shot_seconds)
    # desc_rate: the penalty of the length before sampling, as the reference's cpd_auto;
    # without it, KTS on every 15th frame is 15x less sensitive than on every frame.
    ends = kts(feats, vmax=vmax, max_len=KTS_MAX_SAMPLES, desc_rate=sample_every)
    starts = refine_boundaries(ends, picks, change)
    shots = cap_shots(starts, info.n_frames, cap)
    video = Video(
        key=key,
        n_frames=info.n_frames,
        n_steps=len(picks),
        picks=picks,
        change_points=shots,
        n_frame_per_seg=shots[:, 1] - shots[:, 0] + 1,
        video_name=path.name,
        **{field: feats.astype(np.float32)},
    )
    return ExtractedVideo(video, info)


def write_extracted(out: str | os.PathLike, videos: dict[str, ExtractedVideo], attrs: dict) -> None:
    """`vsumbench.data.write_videos` plus a per-video ``fps`` dataset, atomically."""
    from vsumbench.data.eccv16 import write_videos

    write_videos(
        out,
        {k: v.video for k, v in videos.items()},
        attrs=attrs,
        extra={k: {"fps": np.float64(v.fps)} for k, v in videos.items()},
    )


def extract_files(
    inputs: Iterable[str | os.PathLike],
    out: str | os.PathLike,
    *,
    weights: str | Path = "imagenet",
    device: str = "auto",
    batch_size: int = 64,
    image_size: int = 224,
    sample_every: int = SAMPLE_EVERY,
    max_shot_fraction: float = MAX_SHOT_FRACTION,
    max_shot_seconds: float | None = MAX_SHOT_SECONDS,
    progress: bool = True,
    text: TextSource | None = None,
) -> ExtractReport:
    """Extract every video of ``inputs`` (files and directories) into one eccv16 file.

    Keys are ``video_1`` ... in input order; ``video_name`` holds the file name. With more
    than one video, a bad file is skipped and reported (``ExtractReport.failed``); a single
    bad video, or no good one, raises `DataError`. ``text`` (CLIP only): the encoder, and the
    captions or query whose text features go beside the image features.
    """
    import vsumbench
    from vsumbench.progress import progress_bar

    paths = find_videos(inputs)
    if text is None:
        features: Any = FrameFeatures(weights, device=device, batch_size=batch_size,
                                      image_size=image_size)  # fmt: skip
        field, described = (
            "features",
            f"torchvision googlenet pool5, resize {features.resize_to}, centre crop {image_size}",
        )
    else:
        features = text.encoder
        field, described = (
            "features_clip_image",
            f"open_clip {features.source}, CLIP normalisation, crop {image_size}",
        )
    report = ExtractReport()
    done: dict[str, ExtractedVideo] = {}
    for path in progress_bar(
        paths, desc="extract", unit="video", disable=not progress or len(paths) < 2
    ):
        key = f"video_{len(done) + 1}"
        try:
            one = extract_video(path, features, key=key, sample_every=sample_every,
                                max_shot_fraction=max_shot_fraction,
                                max_shot_seconds=max_shot_seconds, progress=progress,
                                field=field)  # fmt: skip
            done[key] = one if text is None else text.add(one, path, single=len(paths) == 1)
        except DataError as exc:
            if len(paths) == 1 or exc.field and str(exc.field).startswith("captions"):
                raise
            report.failed[str(path)] = str(exc)
            continue
        report.written[key] = str(path)
    if not done:
        raise DataError(
            f"none of the {len(paths)} videos could be read: " + "; ".join(report.failed.values())
        )
    attrs = {
        "vsumbench_synthetic": 0,
        "vsumbench_extracted": 1,
        "vsumbench_version": getattr(vsumbench, "__version__", "unknown"),
        "backbone": features.source,
        "feature_extractor": described,
        "sample_every": sample_every,
        "shots": f"KTS (linear kernel, vmax 1) on the samples, refined to frames, cap {max_shot_fraction} of the video / {max_shot_seconds} s",
    }
    write_extracted(out, done, attrs)
    return report


@dataclass
class TextSource:
    """CLIP extraction's text side: the encoder, and captions (a parsed ``--captions`` file)
    or one ``query``; with neither, the file holds image features only."""

    encoder: Any  # vsumbench.videoio.clip_features.ClipFeatures
    captions: Any = None
    captions_file: str | None = None
    query: str | None = None

    def add(self, extracted: ExtractedVideo, path: Path, *, single: bool) -> ExtractedVideo:
        """The video with ``features_clip_txt``, ``captions`` and ``caption_times``."""
        from dataclasses import replace

        from vsumbench.videoio.captions import Caption, captions_for

        duration = extracted.info.n_frames / float(extracted.info.fps)
        if self.captions is not None:
            items = captions_for(self.captions, path, duration, file=self.captions_file,
                                 single=single)  # fmt: skip
        elif self.query is not None:
            items = [Caption(0.0, duration, self.query)]
        else:
            return extracted
        sentences = [c.text for c in items]
        video = replace(extracted.video, features_clip_txt=self.encoder.encode_text(sentences),
                        captions=tuple(sentences),
                        caption_times=np.array([[c.start, c.end] for c in items]))  # fmt: skip
        return ExtractedVideo(video, extracted.info)
