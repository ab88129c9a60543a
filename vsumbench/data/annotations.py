"""TVSum per-annotator importance scores (``ydata-anno.tsv``, optionally gzipped).

One row per (video, annotator): YouTube id, category, comma-separated per-frame scores 1-5.
Group ``video_N`` of the TVSum HDF5 file is the N-th distinct video of this file, in file
order; that mapping is the only link between the two files, so it lives here, once.
"""

from __future__ import annotations

import gzip
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from vsumbench.errors import DataError

N_ANNOTATORS = 20
SCORE_RANGE = (1, 5)


@dataclass(frozen=True)
class VideoAnnotations:
    """All annotators' frame scores of one video."""

    key: str  # video_N
    youtube_id: str
    category: str
    scores: np.ndarray  # (n_annotators, n_frames) int8, values 1..5


def _read_bytes(path: Path) -> bytes:
    """The file's bytes, gunzipped when it ends in .gz; a truncated or corrupt archive is a
    `DataError` naming the file (gzip's own EOFError would reach the user as "Aborted!")."""
    import zlib

    if path.suffix != ".gz":
        return path.read_bytes()
    try:
        with gzip.open(path, "rb") as fh:
            return fh.read()
    except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
        cause = "it ends too early (truncated)" if isinstance(exc, EOFError) else str(exc)
        raise DataError(
            f"not a readable gzip file: {cause}; download or copy it again", file=path
        ) from None


def _parse_scores(text: bytes) -> np.ndarray:
    """Comma-separated integers; fast path for the usual single-digit "4,4,1,..." rows.

    Parsing dominates `vsumbench evaluate` on TVSum, so the common case reads the bytes
    directly (digits at even offsets, commas at odd ones) instead of splitting strings.
    """
    raw = np.frombuffer(text, dtype=np.uint8)
    if raw.size % 2 == 1 and (raw.size == 1 or (raw[1::2] == 44).all()):  # 44 = ord(",")
        digits = raw[::2] - np.uint8(48)  # 48 = ord("0"); bytes below "0" wrap above 9
        if digits.max() <= 9:
            return digits.astype(np.int8)
    return np.array(text.decode("ascii", "replace").split(","), dtype=np.int64)


def load_annotations(
    path: str | os.PathLike, *, n_annotators: int | None = N_ANNOTATORS
) -> dict[str, VideoAnnotations]:
    """Read ``ydata-anno.tsv[.gz]`` into ``{video_N: VideoAnnotations}`` in file order.

    Validates: three tab-separated columns, integer scores in 1..5, equal length for all
    annotators of a video, and ``n_annotators`` rows per video (pass None to skip).
    """
    path = Path(path)
    rows: dict[str, list[np.ndarray]] = {}
    meta: dict[str, str] = {}
    for lineno, line in enumerate(_read_bytes(path).split(b"\n"), 1):
        line = line.rstrip(b"\r")
        if not line.strip():
            continue
        parts = line.split(b"\t")
        if len(parts) != 3:
            raise DataError(
                f"line {lineno}: expected 3 tab-separated columns (id, category, scores), "
                f"found {len(parts)}",
                file=path,
            )
        vid, cat, text = (
            parts[0].decode("utf-8", "replace"),
            parts[1].decode("utf-8", "replace"),
            parts[2],
        )
        try:
            values = _parse_scores(text)
        except ValueError as exc:
            raise DataError(
                f"line {lineno}: scores are not comma-separated integers ({exc})",
                file=path,
                video=vid,
                field="scores",
            ) from None
        if values.size == 0 or values.min() < SCORE_RANGE[0] or values.max() > SCORE_RANGE[1]:
            raise DataError(
                f"line {lineno}: scores must lie in {SCORE_RANGE[0]}..{SCORE_RANGE[1]}, "
                f"found {values.min() if values.size else 'none'}..{values.max() if values.size else ''}",
                file=path,
                video=vid,
                field="scores",
            )
        rows.setdefault(vid, []).append(values.astype(np.int8, copy=False))
        meta.setdefault(vid, cat)
    if not rows:
        raise DataError("no annotation rows found", file=path)
    out: dict[str, VideoAnnotations] = {}
    for index, (vid, arrays) in enumerate(rows.items(), 1):
        key = f"video_{index}"
        lengths = {a.size for a in arrays}
        if len(lengths) != 1:
            raise DataError(
                f"annotators disagree on the frame count: {sorted(lengths)}",
                file=path,
                video=f"{key} ({vid})",
                field="scores",
            )
        if n_annotators is not None and len(arrays) != n_annotators:
            raise DataError(
                f"expected {n_annotators} annotators, found {len(arrays)}",
                file=path,
                video=f"{key} ({vid})",
                field="annotators",
            )
        out[key] = VideoAnnotations(key, vid, meta[vid], np.stack(arrays))
    return out


def load_annotations_cached(
    path: str | os.PathLike, *, n_annotators: int | None = N_ANNOTATORS
) -> dict[str, VideoAnnotations]:
    """`load_annotations`, remembered on disk between runs.

    Parsing the 14 MB TSV is the largest part of a TVSum evaluation after start-up; the
    parsed arrays are kept as an ``.npz`` keyed by the file's path, size and modification
    time, so an edited file is parsed again. A cache that cannot be read or written is
    ignored (the file is parsed as usual).
    """
    from vsumbench.atomic import atomic_path
    from vsumbench.data.disk_cache import cache_file, file_identity, read_npz

    path = Path(path)
    cache = cache_file("annotations", file_identity(path), n_annotators, 1)
    npz = read_npz(cache)
    try:
        if npz is not None:
            ids, cats = npz["ids"].tolist(), npz["categories"].tolist()
            return {
                f"video_{i}": VideoAnnotations(f"video_{i}", vid, cat, npz[f"scores_{i}"])
                for i, (vid, cat) in enumerate(zip(ids, cats, strict=True), 1)
            }
    except (KeyError, ValueError):  # a damaged entry: parse again and replace it
        pass
    out = load_annotations(path, n_annotators=n_annotators)
    arrays = {f"scores_{i}": a.scores for i, a in enumerate(out.values(), 1)}
    try:
        with atomic_path(cache) as tmp, open(tmp, "wb") as fh:
            np.savez(
                fh,
                ids=np.array([a.youtube_id for a in out.values()]),
                categories=np.array([a.category for a in out.values()]),
                **arrays,
            )
    except OSError:
        pass  # a read-only home or a full disk: parse again next time
    return out


def check_frame_counts(
    annotations: Mapping[str, VideoAnnotations],
    n_frames: Mapping[str, int],
    *,
    file: str | os.PathLike | None = None,
) -> list[DataError]:
    """Problems between annotations and a dataset's ``n_frames`` (missing videos, lengths)."""
    problems: list[DataError] = []
    for key, frames in n_frames.items():
        ann = annotations.get(key)
        if ann is None:
            problems.append(DataError("video has no annotations", file=file, video=key))
        elif ann.scores.shape[1] != int(frames):
            problems.append(
                DataError(
                    f"annotations have {ann.scores.shape[1]} frames, n_frames is {int(frames)}",
                    file=file,
                    video=f"{key} ({ann.youtube_id})",
                    field="n_frames",
                )
            )
    return problems


def write_annotations(path: str | os.PathLike, annotations: Mapping[str, VideoAnnotations]) -> None:
    """Write ``ydata-anno.tsv`` (gzipped if the name ends in .gz), videos in mapping order."""
    from vsumbench.atomic import atomic_path

    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    with atomic_path(path) as tmp, opener(tmp, "wt", encoding="utf-8") as fh:
        for ann in annotations.values():
            for row in ann.scores:
                fh.write(f"{ann.youtube_id}\t{ann.category}\t{','.join(map(str, row.tolist()))}\n")
