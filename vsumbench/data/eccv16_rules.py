"""The checks of an eccv16 video, one rule per field (`RULES`), in the order they run.

A rule sees its field's value and what the earlier rules found sane (``known``: ``n_frames``,
``n_steps``, ``picks``, ``change_points`` as numbers), and returns its problems and, when
there are none, the value later rules may rely on. So a consistency check between two fields
runs only when both passed their own checks, and ``data check`` can list what is checked
(``vsumbench.data.eccv16.check_file`` reports every problem at once).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["FEATURE_LIMIT", "GTSCORE_RANGE", "RULES", "FieldRule", "is_integral", "is_numeric"]

#: Largest feature magnitude accepted. GoogLeNet pool5 features are averages of ReLU
#: outputs (real eccv16 values stay below ~20); anything near 1e4 is a broken file, and
#: values like 3e38 overflow the loss in float32.
FEATURE_LIMIT = 1e4
#: ``gtscore`` is a training target in [0, 1] (docs/protocol.md); a little float slack.
GTSCORE_RANGE = (0.0, 1.0)
_SLACK = 1e-6

Found = tuple[list[str], Any]  # (problems, the sane value or None)


@dataclass(frozen=True)
class FieldRule:
    """What one field must be (``says``) and the check that finds out."""

    field: str
    says: str
    check: Callable[[Any, Mapping[str, Any]], Found]


def is_integral(a: np.ndarray) -> bool:
    if np.issubdtype(a.dtype, np.integer) or a.dtype == np.bool_:
        return True
    if np.issubdtype(a.dtype, np.floating):
        # Some tools store counts as floats; accept them when they hold whole numbers.
        return bool(np.all(np.isfinite(a))) and bool(np.all(a == np.round(a)))
    return False


def is_numeric(a: np.ndarray) -> bool:
    return (np.issubdtype(a.dtype, np.number) or a.dtype == np.bool_) and not np.issubdtype(
        a.dtype, np.complexfloating
    )


def _count(value: Any, known: Mapping[str, Any]) -> Found:
    a = np.asarray(value)
    if a.size != 1 or a.ndim > 1:
        return [f"expected a scalar, found shape {a.shape}"], None
    if not is_numeric(a) or not is_integral(a):
        return [f"expected an integer, found {a.reshape(-1)[0]!r} ({a.dtype})"], None
    n = int(a.reshape(-1)[0])
    return ([f"expected a positive count, found {n}"], None) if n <= 0 else ([], n)


def _picks(value: Any, known: Mapping[str, Any]) -> Found:
    a = np.asarray(value)
    if a.ndim != 1 or a.size == 0:
        return [f"expected a non-empty 1-D array, found shape {a.shape}"], None
    if not is_numeric(a) or not is_integral(a):
        return [f"expected integer frame indices, found dtype {a.dtype}"], None
    p, n_steps, n_frames = a.astype(np.int64), known.get("n_steps"), known.get("n_frames")
    problems = []
    if n_steps is not None and p.size != n_steps:
        problems.append(f"expected n_steps={n_steps} picks, found {p.size}")
    if np.any(np.diff(p) <= 0):
        i = int(np.argmax(np.diff(p) <= 0))
        problems.append(
            f"picks must increase strictly; picks[{i}]={p[i]}, picks[{i + 1}]={p[i + 1]}"
        )
    if p[0] < 0 or (n_frames is not None and p[-1] >= n_frames):
        problems.append(f"picks must lie in [0, n_frames={n_frames}), found {p.min()}..{p.max()}")
    return problems, p


def _change_points(value: Any, known: Mapping[str, Any]) -> Found:
    """Contiguous inclusive shots tiling [0, n_frames)."""
    a = np.asarray(value)
    if a.ndim != 2 or a.shape[1] != 2 or a.shape[0] == 0:
        return [f"expected shape (n_shots, 2), found {a.shape}"], None
    if not is_numeric(a) or not is_integral(a):
        return [f"expected integer frame indices, found dtype {a.dtype}"], None
    cp, n_frames = a.astype(np.int64), known.get("n_frames")
    problems = []
    if cp[0, 0] != 0:
        problems.append(f"first shot starts at frame {cp[0, 0]}, expected 0")
    if n_frames is not None and cp[-1, 1] != n_frames - 1:
        problems.append(f"last shot ends at frame {cp[-1, 1]}, expected n_frames-1={n_frames - 1}")
    bad = np.flatnonzero(cp[:, 1] < cp[:, 0])
    if bad.size:
        i = int(bad[0])
        problems.append(f"shot {i} ends before it starts ({cp[i, 0]}..{cp[i, 1]})")
    gaps = np.flatnonzero(cp[1:, 0] != cp[:-1, 1] + 1)
    if gaps.size:
        i = int(gaps[0])
        kind = "overlap" if cp[i + 1, 0] <= cp[i, 1] else "gap"
        problems.append(
            f"shots are not contiguous ({kind}): shot {i} ends at {cp[i, 1]}, shot "
            f"{i + 1} starts at {cp[i + 1, 0]} (expected {cp[i, 1] + 1}); "
            f"{gaps.size} such place(s)"
        )
    if problems:
        return ["shots must tile [0, n_frames): " + "; ".join(problems)], None
    return [], cp


def _n_frame_per_seg(value: Any, known: Mapping[str, Any]) -> Found:
    """Agrees with change_points."""
    a = np.asarray(value)
    if a.ndim != 1:
        return [f"expected a 1-D array, found shape {a.shape}"], None
    if not is_numeric(a) or not is_integral(a):
        return [f"expected integer shot lengths, found dtype {a.dtype}"], None
    nfps, cp = a.astype(np.int64), known.get("change_points")
    if cp is None:
        return [], None
    lengths = cp[:, 1] - cp[:, 0] + 1
    if nfps.size != lengths.size:
        return [f"expected {lengths.size} shot lengths (one per change point), found "
                f"{nfps.size}"], None  # fmt: skip
    if np.any(nfps != lengths):
        i = int(np.flatnonzero(nfps != lengths)[0])
        return [f"disagrees with change_points at shot {i}: {nfps[i]} frames, change_points "
                f"give {lengths[i]}"], None  # fmt: skip
    return [], None


def _features(value: Any, known: Mapping[str, Any]) -> Found:
    a, n_steps = np.asarray(value), known.get("n_steps")
    if a.ndim != 2 or a.shape[1] == 0:
        return [f"expected shape (n_steps, D), found {a.shape}"], None
    if not np.issubdtype(a.dtype, np.floating):
        return [f"expected floating-point features, found dtype {a.dtype}"], None
    problems = []
    if n_steps is not None and a.shape[0] != n_steps:
        problems.append(f"expected n_steps={n_steps} rows, found {a.shape[0]}")
    finite = np.isfinite(a)
    if not finite.all():
        rows = np.flatnonzero(~finite.all(axis=1))
        problems.append(f"{int((~finite).sum())} NaN/inf value(s) in {rows.size} step(s), "
                        f"first at step {int(rows[0])}")  # fmt: skip
        return problems, None
    huge = np.abs(a) > FEATURE_LIMIT
    if huge.any():
        step = int(np.flatnonzero(huge.any(axis=1))[0])
        problems.append(
            f"{int(huge.sum())} value(s) beyond +-{FEATURE_LIMIT:g} (largest "
            f"{float(np.abs(a).max()):.3g}, first at step {step}); CNN features are far "
            f"smaller: is this file corrupt or wrongly scaled?"
        )
    return problems, None


def _gtscore(value: Any, known: Mapping[str, Any]) -> Found:
    a, n_steps = np.asarray(value), known.get("n_steps")
    if a.ndim != 1:
        return [f"expected shape (n_steps,), found {a.shape}"], None
    if not is_numeric(a):
        return [f"expected numbers, found dtype {a.dtype}"], None
    problems = []
    if n_steps is not None and a.size != n_steps:
        problems.append(f"expected n_steps={n_steps} values, found {a.size}")
    if not np.all(np.isfinite(a)):
        return [*problems, f"{int((~np.isfinite(a)).sum())} NaN/inf value(s)"], None
    lo, hi = GTSCORE_RANGE
    out = (a < lo - _SLACK) | (a > hi + _SLACK)
    if out.any():
        i = int(np.flatnonzero(out)[0])
        problems.append(
            f"{int(out.sum())} value(s) outside [{lo:g}, {hi:g}] (the documented range of "
            f"importance scores), first {float(a[i]):.6g} at step {i}"
        )
    return problems, None


def _gtsummary(value: Any, known: Mapping[str, Any]) -> Found:
    a, n_steps = np.asarray(value), known.get("n_steps")
    if a.ndim != 1:
        return [f"expected shape (n_steps,), found {a.shape}"], None
    if not is_numeric(a):
        return [f"expected numbers, found dtype {a.dtype}"], None
    if n_steps is not None and a.size != n_steps:
        return [f"expected n_steps={n_steps} values, found {a.size}"], None
    return [], None


def _user_summary(value: Any, known: Mapping[str, Any]) -> Found:
    """(n_users, n_frames), binary."""
    a, n_frames = np.asarray(value), known.get("n_frames")
    if a.ndim != 2 or a.shape[0] == 0:
        return [f"expected shape (n_users, n_frames), found {a.shape}"], None
    if not is_numeric(a):
        return [f"expected 0/1 numbers, found dtype {a.dtype}"], None
    problems = []
    if n_frames is not None and a.shape[1] != n_frames:
        problems.append(f"expected width n_frames={n_frames}, found {a.shape[1]} (shape {a.shape})")
    binary = a.dtype == np.bool_ or (a.size and 0 <= a.min() and a.max() <= 1)
    nonbinary = None if binary else (a != 0) & (a != 1)  # the slow check on failure
    if nonbinary is not None and nonbinary.any():
        users = np.flatnonzero(nonbinary.any(axis=1))
        values = np.unique(a[nonbinary])[:5]
        problems.append(f"expected binary values (0/1), found {values.tolist()} in user(s) "
                        f"{users[:5].tolist()}")  # fmt: skip
    return problems, None


def _video_name(value: Any, known: Mapping[str, Any]) -> Found:
    if not isinstance(value, str):
        return [f"expected a string, found {type(value).__name__}"], None
    return [], None


def _clip_image(value: Any, known: Mapping[str, Any]) -> Found:
    a, n_steps = np.asarray(value), known.get("n_steps")
    if a.ndim != 2 or a.shape[1] == 0 or not np.issubdtype(a.dtype, np.floating):
        return [f"expected (n_steps, D) floats, found {a.dtype} of shape {a.shape}"], None
    problems = []
    if n_steps is not None and a.shape[0] != n_steps:
        problems.append(f"expected n_steps={n_steps} rows (one per pick), found {a.shape[0]}")
    if not np.all(np.isfinite(a)):
        problems.append(f"{int((~np.isfinite(a)).sum())} NaN/inf value(s)")
    return problems, int(a.shape[1])


def _clip_text(value: Any, known: Mapping[str, Any]) -> Found:
    a, width = np.asarray(value), known.get("features_clip_image")
    if a.ndim != 2 or a.shape[0] == 0 or not np.issubdtype(a.dtype, np.floating):
        return [f"expected (sentences, D) floats, found {a.dtype} of shape {a.shape}"], None
    if width is not None and a.shape[1] != width:
        return [f"text features are {a.shape[1]} wide, features_clip_image {width}: both "
                f"must come from one CLIP model"], None  # fmt: skip
    if not np.all(np.isfinite(a)):
        return [f"{int((~np.isfinite(a)).sum())} NaN/inf value(s)"], None
    return [], int(a.shape[0])


def _captions(value: Any, known: Mapping[str, Any]) -> Found:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return ["expected a list of sentences (strings)"], None
    count = known.get("features_clip_txt")
    if count is not None and len(value) != count:
        return [f"{len(value)} captions but {count} rows of features_clip_txt"], None
    return [], len(value)


def _caption_times(value: Any, known: Mapping[str, Any]) -> Found:
    a = np.asarray(value)
    if a.ndim != 2 or a.shape[1] != 2 or not is_numeric(a):
        return [f"expected (captions, 2) [start, end] seconds, found shape {a.shape}"], None
    problems = []
    count = known.get("captions")
    if count is not None and a.shape[0] != count:
        problems.append(f"{a.shape[0]} time spans but {count} captions")
    bad = ~np.isfinite(a).all(axis=1) | (a[:, 0] < 0) | (a[:, 1] < a[:, 0])
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        problems.append(f"caption {i} spans {a[i].tolist()}: expected 0 <= start <= end")
    return problems, None


#: Every check of an eccv16 video, in the order it runs (a later rule may use what an
#: earlier one found sane).
RULES = (
    FieldRule("n_frames", "a positive integer", _count),
    FieldRule("n_steps", "a positive integer", _count),
    FieldRule("picks", "n_steps strictly increasing frame indices in [0, n_frames)", _picks),
    FieldRule("change_points", "(shots, 2) inclusive pairs tiling [0, n_frames)", _change_points),
    FieldRule("n_frame_per_seg", "one length per shot, as change_points give it", _n_frame_per_seg),
    FieldRule("features", f"n_steps x D floats, finite, within +-{FEATURE_LIMIT:g}", _features),
    FieldRule("gtscore", "n_steps finite values in [0, 1]", _gtscore),
    FieldRule("gtsummary", "n_steps numbers", _gtsummary),
    FieldRule("user_summary", "(users, n_frames) of 0/1", _user_summary),
    FieldRule("video_name", "a string", _video_name),
    FieldRule("features_clip_image", "n_steps x D CLIP image features, finite", _clip_image),
    FieldRule("features_clip_txt", "sentences x D CLIP text features, as wide", _clip_text),
    FieldRule("captions", "one sentence per row of features_clip_txt", _captions),
    FieldRule(
        "caption_times", "(captions, 2) [start, end] seconds, 0 <= start <= end", _caption_times
    ),
)
