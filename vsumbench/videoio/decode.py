"""Decoding videos with PyAV: exact frame counts, the frame rate, sampled frames and a
per-frame change signal, all in one pass.

Container metadata is not trusted: ``stream.frames`` is missing or wrong for many files
(and the eccv16 ``n_frames`` counts decoded frames), so every frame is decoded and counted.
Only every ``sample_every``-th frame is converted to an RGB image for the CNN; every frame
gets a 32x32 thumbnail, compared with the previous one, so that shot boundaries found on the
samples can later be moved to the exact frame of the cut (see ``vsumbench.videoio.kts``).
Memory is one float per frame plus the current batch of sampled images.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np

from vsumbench.errors import DataError

__all__ = ["FrameScan", "VideoInfo", "VIDEO_EXTENSIONS", "open_video", "read_info"]

#: Extensions picked up when a directory is given (case-insensitive).
VIDEO_EXTENSIONS = (
    ".mp4",
    ".m4v",
    ".mov",
    ".mkv",
    ".webm",
    ".avi",
    ".mpg",
    ".mpeg",
    ".wmv",
    ".flv",
    ".ts",
)

#: Frame durations may differ by this share of the mean and still count as constant (timestamp
#: rounding, e.g. 33/34 ms ticks at 30 fps in a 1/1000 time base, stays far below it).
VFR_TOLERANCE = 0.10

_THUMB = 32  # thumbnail side for the per-frame change signal


@dataclass(frozen=True)
class VideoInfo:
    """What one decoding pass learned about a video."""

    path: str
    n_frames: int  # decoded frames, exact
    fps: Fraction  # constant frame rate (checked)
    width: int
    height: int

    @property
    def seconds(self) -> float:
        return self.n_frames / float(self.fps)


def open_video(path: str | os.PathLike):
    """``(container, video_stream)``; a clear `DataError` naming the file otherwise."""
    import av

    path = Path(path)
    if not path.is_file():
        raise DataError("video file not found", file=path)
    try:
        container = av.open(str(path))
    except (av.FFmpegError, OSError, ValueError) as exc:
        raise DataError(f"cannot open as a video: {exc}", file=path) from None
    if not container.streams.video:
        container.close()
        raise DataError("no video stream in this file", file=path)
    stream = container.streams.video[0]
    stream.thread_type = "AUTO"  # FFmpeg's own decoding threads; frame order is unchanged
    return container, stream


def _frame_rate(
    pts: list[int | None], declared: Fraction | None, time_base: Fraction | None, path: Path
) -> Fraction:
    """The constant frame rate, or a `DataError` for a variable-frame-rate video."""
    known = np.array([p for p in pts if p is not None], dtype=np.int64)
    if len(known) < len(pts) or len(known) < 3 or time_base is None:
        # No usable timestamps (raw streams): the declared rate is all there is.
        if not declared or declared <= 0:
            raise DataError(
                "the frame rate cannot be determined (no timestamps, no declared rate)", file=path
            )
        return Fraction(declared)
    known = np.sort(known)
    deltas = np.diff(known)
    mean = (known[-1] - known[0]) / (len(known) - 1)
    worst = float(np.max(np.abs(deltas - mean)))
    if mean <= 0 or worst > max(1.0, VFR_TOLERANCE * mean):
        lo, hi = float(deltas.min() * time_base), float(deltas.max() * time_base)
        raise DataError(
            f"variable frame rate: frame durations range from {lo * 1000:.1f} ms to "
            f"{hi * 1000:.1f} ms (a constant rate is expected, within {VFR_TOLERANCE:.0%}); "
            "re-encode at a constant rate first, e.g. `ffmpeg -i IN -vf fps=30 OUT.mp4`",
            file=path,
        )
    measured = 1.0 / (mean * float(time_base))
    if declared and abs(float(declared) - measured) <= 0.01 * measured:
        return Fraction(declared)  # exact rational such as 30000/1001
    return Fraction(measured).limit_denominator(1001)


class FrameScan:
    """One decoding pass. Iterating yields ``(frame_index, image)`` for frames
    ``0, sample_every, 2*sample_every, ...``; afterwards ``info`` and ``frame_change`` are set.

    ``image`` is RGB uint8: the frame resized so its shorter side is ``short_side`` and
    centre-cropped to ``crop`` x ``crop`` (either may be None: keep the size / no crop).
    ``frame_change[i]`` is the mean absolute difference between the thumbnails of frames
    ``i-1`` and ``i`` (0 for frame 0): large at a cut.
    """

    def __init__(
        self,
        path: str | os.PathLike,
        *,
        sample_every: int = 15,
        short_side: int | None = 256,
        crop: int | None = 224,
    ) -> None:
        if sample_every < 1:
            raise ValueError(f"sample_every must be >= 1, found {sample_every}")
        self.path = Path(path)
        self.sample_every = int(sample_every)
        self.short_side = short_side
        self.crop = crop
        self.info: VideoInfo | None = None
        self.frame_change: np.ndarray | None = None

    def _image(self, frame) -> np.ndarray:
        w, h = frame.width, frame.height
        if self.short_side:
            scale = self.short_side / min(w, h)
            w, h = max(1, round(w * scale)), max(1, round(h * scale))
        img = frame.reformat(width=w, height=h, format="rgb24").to_ndarray()
        if self.crop:
            c = self.crop
            if h < c or w < c:  # only when short_side < crop: pad by resizing up
                img = frame.reformat(width=max(w, c), height=max(h, c), format="rgb24").to_ndarray()
                h, w = img.shape[:2]
            top, left = (h - c) // 2, (w - c) // 2
            img = img[top : top + c, left : left + c]
        return np.ascontiguousarray(img)

    def __iter__(self) -> Iterator[tuple[int, np.ndarray]]:
        import av

        container, stream = open_video(self.path)
        # Read before decoding: a closed container's stream fields are not valid.
        declared = stream.average_rate or stream.guessed_rate or stream.base_rate
        time_base = stream.time_base
        pts: list[int | None] = []
        change: list[float] = []
        prev: np.ndarray | None = None
        width = height = 0
        index = 0
        try:
            try:
                for frame in container.decode(stream):
                    time_base = time_base or frame.time_base
                    if index == 0:
                        width, height = frame.width, frame.height
                    thumb = frame.reformat(width=_THUMB, height=_THUMB, format="rgb24").to_ndarray()
                    thumb = thumb.astype(np.int16)
                    change.append(0.0 if prev is None else float(np.abs(thumb - prev).mean()))
                    prev = thumb
                    pts.append(frame.pts)
                    if index % self.sample_every == 0:
                        yield index, self._image(frame)
                    index += 1
            except av.FFmpegError as exc:
                raise DataError(
                    f"decoding failed at frame {index}: {exc}", file=self.path
                ) from None
        finally:
            container.close()
        if index == 0:
            raise DataError("the video has no decodable frames", file=self.path)
        fps = _frame_rate(pts, declared and Fraction(declared), time_base, self.path)
        self.info = VideoInfo(str(self.path), index, fps, width, height)
        self.frame_change = np.asarray(change, dtype=np.float32)


def read_info(path: str | os.PathLike) -> VideoInfo:
    """Decode every frame (without converting them) and return the exact `VideoInfo`."""
    scan = FrameScan(path, sample_every=1 << 62, short_side=None, crop=None)
    for _ in scan:
        pass
    assert scan.info is not None
    return scan.info
