"""Mr.HiSum's ``mr_hisum.h5``, read as its authors ship it (docs/protocol.md section 9).

One group per video (``video_<n>``) with ``features`` (T x 1024, one step per second; absent
until `vsumbench data mrhisum-features` fills them from YouTube-8M), ``gtscore`` (T),
``change_points`` (pairs) and the ground-truth summary, named ``gt_summary`` by the code and
``gtsummary`` by the README (both accepted). There is no ``n_frames`` and no ``picks``: one
step is one frame.

Each field's checks are a `Rule` (`RULES` lists them), so ``data check`` and the loader say
the same thing. Two things are reported rather than refused, because the released file could
not be inspected here: which change-point convention the pairs follow (shots that tile the
video inclusively, ``[0, 4], [5, 9]``, or that share their end points, ``[0, 5], [5, 10]``),
and whether ``gt_summary`` has ``sum(end - start)`` entries (what the official F1 step needs)
or ``T``. Torch-free; features are read per video (`read_features`), never all at once.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from vsumbench.data.eccv16 import Video, natural_sorted
from vsumbench.errors import DataError, DataNotFoundError

__all__ = [
    "FILL_HINT",
    "RULES",
    "Rule",
    "check_mrhisum",
    "cp_convention",
    "load_mrhisum",
    "mrhisum_keys",
    "read_features",
]

SUMMARY_NAMES = ("gt_summary", "gtsummary")
FILL_HINT = (
    "fill them from the YouTube-8M shards with `vsumbench data mrhisum-features --yt8m DIR "
    "--metadata metadata.csv --h5 FILE`"
)


@dataclass(frozen=True)
class Rule:
    """One check of one field: ``check(arrays, T) -> problem or None`` (``T`` is the
    number of steps, from ``gtscore``)."""

    field: str
    says: str
    check: Callable[[dict[str, np.ndarray], int], str | None]


def _gtscore(a: dict[str, np.ndarray], n: int) -> str | None:
    g = a["gtscore"]
    if g.ndim != 1 or g.size == 0 or g.dtype.kind not in "biuf":
        return f"expected a non-empty 1-D numeric array, found {g.dtype} of shape {g.shape}"
    if not np.all(np.isfinite(g)) or g.min() < -1e-6 or g.max() > 1 + 1e-6:
        return f"expected finite values in [0, 1], found min {g.min()} and max {g.max()}"
    return None


def _features(a: dict[str, np.ndarray], n: int) -> str | None:
    if "features" not in a:
        return f"not filled yet: {FILL_HINT}"
    f = a["features"]
    if f.ndim != 2 or f.dtype.kind != "f":
        return f"expected a 2-D float array (T x D), found {f.dtype} of shape {f.shape}"
    if f.shape[0] != n:
        return f"has {f.shape[0]} steps, gtscore has {n}"
    if not np.all(np.isfinite(f)):
        return "holds NaN or infinite values"
    return None


def _change_points(a: dict[str, np.ndarray], n: int) -> str | None:
    cps = a["change_points"]
    if cps.ndim != 2 or cps.shape[1] != 2 or cps.shape[0] == 0 or cps.dtype.kind not in "iuf":
        return f"expected (shots, 2) pairs, found {cps.dtype} of shape {cps.shape}"
    if np.any(cps != np.round(cps)) or np.any(cps[:, 1] < cps[:, 0]):
        return "expected whole-number pairs with start <= end"
    if cps.min() < 0 or cps.max() > n:
        return f"pairs run outside the video's {n} steps (min {cps.min()}, max {cps.max()})"
    if np.any(cps[1:, 0] < cps[:-1, 1]):
        return "shots overlap or are out of order"
    return None


def _summary(a: dict[str, np.ndarray], n: int) -> str | None:
    name = next((k for k in SUMMARY_NAMES if k in a), None)
    if name is None:
        return f"missing (neither {' nor '.join(SUMMARY_NAMES)})"
    s = a[name]
    cps = a.get("change_points")
    official = int((cps[:, 1] - cps[:, 0]).sum()) if cps is not None and cps.ndim == 2 else None
    if s.ndim != 1 or s.size not in {n, official}:
        return (
            f"{name} has shape {s.shape}; expected sum(end - start) = {official} entries (what "
            f"the official F1 compares) or T = {n}"
        )
    if not np.all(np.isin(s, (0, 1))):
        return f"{name} must hold 0/1 values"
    return None


#: The checks of every video, in order; a field's later checks assume its earlier ones.
RULES = (
    Rule("gtscore", "1-D, finite, in [0, 1]; its length is the video's T steps", _gtscore),
    Rule("change_points", "(shots, 2) whole-number pairs inside [0, T], in order", _change_points),
    Rule("gt_summary", "0/1, sum(end - start) or T entries (or named gtsummary)", _summary),
    Rule("features", "T x D floats, finite (filled by `data mrhisum-features`)", _features),
)


def cp_convention(cps: np.ndarray, n: int) -> str:
    """``inclusive`` (``[0, 4], [5, 9]``: each next start is the end + 1), ``shared``
    (``[0, 5], [5, 10]``: each next start is the end), or ``other``."""
    cps = np.asarray(cps).reshape(-1, 2)
    gaps = cps[1:, 0] - cps[:-1, 1]
    if np.all(gaps == 1) and cps[0, 0] == 0 and cps[-1, 1] == n - 1:
        return "inclusive"
    if np.all(gaps == 0) and cps[0, 0] == 0 and cps[-1, 1] in (n - 1, n):
        return "shared"
    return "other"


def mrhisum_keys(path: str | os.PathLike) -> list[str]:
    """The video keys of a Mr.HiSum file, in natural order."""
    import h5py

    with _open(path) as h5:
        return natural_sorted(k for k in h5 if isinstance(h5[k], h5py.Group))


def _open(path: str | os.PathLike):
    import h5py

    path = Path(path)
    if not path.is_file():
        raise DataNotFoundError("file not found", file=path)
    try:
        return h5py.File(path, "r")
    except OSError as exc:
        raise DataError(f"not a readable HDF5 file ({exc})", file=path) from None


_NAMES = ("gtscore", "change_points", *SUMMARY_NAMES)


def _arrays(group, features: bool) -> dict[str, np.ndarray]:
    """The fields of one video (``features`` only when asked: they are most of the file);
    one listing of the group and one read per field (h5py's ``in`` costs a lookup each)."""
    wanted = (*_NAMES, "features") if features else _NAMES
    return {name: np.asarray(group[name][()]) for name in group.keys() if name in wanted}


def _problems(key: str, arrays: dict[str, np.ndarray], file: Path, features: bool):
    """Every broken field of one video (a field after a broken one it depends on is skipped)."""
    out: list[DataError] = []
    if "gtscore" not in arrays:
        return [DataError("missing", file=file, video=key, field="gtscore")]
    n = int(arrays["gtscore"].shape[0]) if arrays["gtscore"].ndim else 0
    for rule in RULES:
        if rule.field == "features" and not features:
            continue
        if rule.field not in ("gtscore", "gt_summary", "features") and rule.field not in arrays:
            out.append(DataError("missing", file=file, video=key, field=rule.field))
            continue
        problem = rule.check(arrays, n)
        if problem:
            out.append(DataError(problem, file=file, video=key, field=rule.field))
            if rule.field in ("gtscore", "change_points"):
                break
    return out


def _video(key: str, a: dict[str, np.ndarray]) -> Video:
    n = int(a["gtscore"].shape[0])
    cps = np.asarray(a["change_points"], dtype=np.int64)
    summary = next(a[k] for k in SUMMARY_NAMES if k in a)
    return Video(
        key=key,
        n_frames=n,
        n_steps=n,
        picks=np.arange(n, dtype=np.int64),
        change_points=cps,
        n_frame_per_seg=cps[:, 1] - cps[:, 0],  # the official lengths (protocol.md 9)
        features=a["features"].astype(np.float32) if "features" in a else None,
        gtscore=a["gtscore"].astype(np.float32),
        gtsummary=np.asarray(summary, dtype=np.uint8),
    )


def load_mrhisum(
    path: str | os.PathLike, keys: Iterable[str] | None = None, *, features: bool = False
) -> dict[str, Video]:
    """``{key: Video}`` of ``keys`` (default all), checked by `RULES`; the first problem
    is raised naming the file, video and field. ``features`` loads them too (a few videos:
    training streams them with `read_features`)."""
    path = Path(path)
    out: dict[str, Video] = {}
    with _open(path) as h5:
        for key in natural_sorted(keys) if keys is not None else mrhisum_keys(path):
            if key not in h5:
                raise DataError(f"video not in the file ({len(h5)} videos)", file=path, video=key)
            arrays = _arrays(h5[key], features)
            problems = _problems(key, arrays, path, features)
            if problems:
                raise problems[0]
            out[key] = _video(key, arrays)
    return out


def read_features(h5: Any, key: str, *, file: str | os.PathLike) -> np.ndarray:
    """One video's features from an open file, as float32; a clear line when they are not
    filled yet or hold NaN."""
    group = h5.get(key)
    if group is None or "features" not in group:
        raise DataError(f"features not filled yet: {FILL_HINT}", file=file, video=key,
                        field="features")  # fmt: skip
    x = np.asarray(group["features"], dtype=np.float32)
    if x.ndim != 2 or not np.all(np.isfinite(x)):
        raise DataError(f"expected finite T x D features, found shape {x.shape}", file=file,
                        video=key, field="features")  # fmt: skip
    return x


def check_mrhisum(path: str | os.PathLike, *, features: bool = True) -> tuple[list[DataError], str]:
    """Every problem of the file, and a note: videos, summary lengths and the change-point
    convention found (see the module)."""
    path = Path(path)
    try:
        h5 = _open(path)
    except DataError as exc:
        return [exc], ""
    problems: list[DataError] = []
    lengths = {"sum(end - start)": 0, "T": 0}
    conventions: dict[str, int] = {}
    with h5:
        keys = natural_sorted(h5)
        for key in keys:
            arrays = _arrays(h5[key], features)
            found = _problems(key, arrays, path, features)
            problems += found
            if found:
                continue
            n = int(arrays["gtscore"].shape[0])
            cps = arrays["change_points"]
            summary = next(arrays[k] for k in SUMMARY_NAMES if k in arrays)
            lengths["T" if summary.size == n else "sum(end - start)"] += 1
            kind = cp_convention(cps, n)
            conventions[kind] = conventions.get(kind, 0) + 1
    summaries = ", ".join(f"{v} with {k}" for k, v in lengths.items() if v)
    cps_note = ", ".join(f"{v} {k}" for k, v in sorted(conventions.items()))
    note = f"{len(keys)} videos; gt_summary: {summaries or '-'}; change points: {cps_note or '-'}"
    return problems, note
