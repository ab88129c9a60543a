"""Mr.HiSum's evaluation, exact to its official code (``model/solver.py``: ``evaluate``).

Mr.HiSum (Sul et al., NeurIPS 2023 Datasets and Benchmarks) scores one step per second
(``picks`` = every step) and reports, per video, then averaged over videos:

* **F1** of a keyshot summary, as the official ``generate_summary`` and
  ``evaluate_summary(eval_method='avg')`` compute it. Two quirks change the numbers and are
  reproduced here by default (`official_summary`, `official_f1`):

  - a shot's score is the mean over ``start..end`` inclusive, but its length (knapsack
    weight and block in the summary) is ``end - start``, one step short; so the summary
    has ``sum(end - start)`` entries, ``T`` minus the number of shots when the shots tile
    the video, and is compared with ``gt_summary`` zero-padded to the longer, not aligned
    to frames;
  - precision and recall divide by ``sum(x + 1e-8)`` over the padded length, and the
    F1 is a percentage (here a fraction: the official value / 100).

* **mAP@50 and mAP@15**: the means of ``gtscore`` and of the prediction over consecutive
  5-step clips (the last one shorter); the top 50 % (``len // 2``) or top 15 %
  (``int(0.15 * len)``) of the ground-truth clips are the positives; the prediction's clip
  means go through the official softmax (float32, ``+ 1e-7`` in the denominator) and then
  average precision as scikit-learn's ``average_precision_score`` computes it (0 for a
  video without a positive clip).

Torch-free except where the softmax meets a near-tie (`_softmax` says why); float32 where
the official code computes in float32.
``tests/test_mrhisum_metrics.py`` compares every function with the official code's outputs
on 24 videos (``tests/fixtures/official_mrhisum``) to 1e-9.
"""

from __future__ import annotations

import math

import numpy as np

from vsumbench.protocol.knapsack import knapsack

__all__ = [
    "CLIP",
    "average_precision",
    "clip_means",
    "corrected_f1",
    "highlight_metrics",
    "official_f1",
    "official_summary",
    "top_clips",
]

#: Steps per clip of the highlight metrics (the official ``uniform_clip``).
CLIP = 5
#: The two highlight metrics: name -> the number of positive clips among ``n``.
TOP = {"map50": lambda n: n // 2, "map15": lambda n: int(n * 0.15)}


def clip_means(values, clip: int = CLIP) -> np.ndarray:
    """float32 means of consecutive ``clip``-step clips; the last one may be shorter.

    Summed as torch's CPU ``mean`` sums a short float32 row (what the official code calls):
    four accumulators, element ``j`` into accumulator ``j % 4``, combined left to right,
    then divided by the length in float32 (checked against torch on 632 clips of at most 5
    steps; longer rows are vectorised differently by torch). Any other order differs in the
    last bit for about a fifth of the clips, and a last-bit difference can break a tie the
    official ranking keeps (or make one it does not).
    """
    x = np.asarray(values, dtype=np.float32).ravel()
    full = x.size // clip * clip
    out = _rows_mean(x[:full].reshape(-1, clip)) if full else np.zeros(0, np.float32)
    if full < x.size:  # the shorter last clip
        out = np.append(out, _rows_mean(x[full:][None, :]))
    return out.astype(np.float32)


def _rows_mean(rows: np.ndarray) -> np.ndarray:
    """Each row's mean in torch's order (see `clip_means`), every row at once: float32
    additions are rounded the same one at a time or elementwise over rows."""
    acc = [np.zeros(rows.shape[0], np.float32) for _ in range(4)]
    for j in range(rows.shape[1]):
        acc[j % 4] = acc[j % 4] + rows[:, j]
    total = ((acc[0] + acc[1]) + acc[2]) + acc[3]
    return total / np.float32(rows.shape[1])


def top_clips(clip_scores, count: int) -> np.ndarray:
    """0/1 labels of the ``count`` highest clips (ties: the earlier clip first)."""
    scores = np.asarray(clip_scores)
    labels = np.zeros(scores.size, dtype=np.int64)
    labels[np.argsort(-scores, kind="stable")[:count]] = 1
    return labels


#: Softmax values closer than this many float32 ulps may be merged or kept apart depending
#: on the last bit of ``exp`` and of the sum (see `_softmax`).
NEAR_TIE_ULPS = 16


def _softmax(clip_scores) -> np.ndarray:
    """The official normalisation of the prediction's clip means (float32 ``exp``, divided by
    the sum ``+ 1e-7``), with the ties the official code's torch computation makes.

    The softmax is monotone, so only ties reach the AP. But two clip means an ulp apart can
    become equal (or stay apart) depending on the last bit of ``exp`` and of the sum, and
    numpy's float32 ``exp`` differs from torch's in the last bit for about half of the values
    (quantised predictions on the synthetic twin: map50 off by 1e-4 on one video in five).
    So numpy computes it, and where any two distinct values come out within
    `NEAR_TIE_ULPS` ulps of each other, torch recomputes it exactly as the official code
    does (torch is imported only then). Exact to the official code run on the same kind of
    CPU (torch's vectorised ``exp`` depends on the instruction set)."""
    x = np.ascontiguousarray(clip_scores, dtype=np.float32)
    e = np.exp(x)
    out = e / (e.sum(dtype=np.float32) + np.float32(1e-7))
    distinct = np.unique(x)  # sorted; equal means stay equal in any library
    if distinct.size > 1 and (_near(np.exp(distinct)) or _near(np.unique(out))
                              or np.unique(out).size < distinct.size):  # fmt: skip
        import torch

        t = torch.exp(torch.from_numpy(x))
        return (t / (t.sum() + 1e-7)).numpy()
    return out


def _near(sorted_values: np.ndarray) -> bool:
    """Whether two neighbours are equal or within `NEAR_TIE_ULPS` ulps."""
    gaps = np.diff(sorted_values)
    return bool(np.any(gaps <= NEAR_TIE_ULPS * np.spacing(sorted_values[1:])))


def average_precision(labels, scores) -> float:
    """Average precision of ``scores`` for 0/1 ``labels``, as scikit-learn computes it:
    thresholds at the distinct scores, precision weighted by each threshold's gain in
    recall; 0.0 when there is no positive."""
    y = np.asarray(labels, dtype=np.float64).ravel()
    s = np.asarray(scores).ravel()
    if y.sum() == 0:
        return 0.0
    order = np.argsort(s, kind="mergesort")[::-1]
    s, y = s[order], y[order]
    last = np.r_[np.flatnonzero(np.diff(s)), y.size - 1]  # the last index of each score
    tps = np.cumsum(y)[last]
    fps = 1 + last - tps
    precision, recall = tps / (tps + fps), tps / tps[-1]
    return float(np.sum(np.diff(np.r_[0.0, recall]) * precision))


def highlight_metrics(pred, gtscore) -> dict[str, float]:
    """``{"map50": ..., "map15": ...}`` of one video (fractions)."""
    truth = clip_means(gtscore)
    scored = _softmax(clip_means(pred))
    return {
        name: average_precision(top_clips(truth, count(truth.size)), scored)
        for name, count in TOP.items()
    }


def official_summary(pred, change_points, proportion: float = 0.15) -> np.ndarray:
    """The official machine summary: ``sum(end - start)`` entries (see the module)."""
    frames = np.asarray(pred, dtype=np.float32).ravel()
    cps = np.asarray(change_points, dtype=np.int64).reshape(-1, 2)
    # Each shot's float32 mean as numpy's ``mean`` computes it (its own reduction, then a
    # float32 division), without its per-call overhead: the summation order of numpy's
    # vectorised reduction is kept by calling that same reduction.
    add = np.add.reduce
    values = [float(add(frames[a : b + 1]) / np.float32(b + 1 - a)) for a, b in cps.tolist()]
    weights = cps[:, 1] - cps[:, 0]
    take = knapsack(values, weights, math.floor(frames.size * proportion))
    return np.repeat(take.astype(np.int64), weights)


def official_f1(summary, gt_summary) -> float:
    """The official F1 (``eval_method='avg'``, one ground truth) as a fraction."""
    s = np.asarray(summary).astype(np.int64).ravel()
    g = np.asarray(gt_summary).astype(np.int64).ravel()
    n = max(s.size, g.size)
    s, g = np.pad(s, (0, n - s.size)), np.pad(g, (0, n - g.size))
    overlap = float((s & g).sum())
    # sum(x + 1e-8) over the padded length, added one element at a time as in the original
    precision = overlap / np.cumsum(s + 1e-8)[-1]
    recall = overlap / np.cumsum(g + 1e-8)[-1]
    if precision + recall == 0:
        return 0.0
    return float((2 * precision * recall * 100) / (precision + recall)) / 100


def corrected_f1(pred, gtscore, change_points, proportion: float = 0.15) -> float:
    """The protocol's own keyshot F1 on Mr.HiSum (fraction): true shot lengths
    (``end - start + 1``) and both summaries aligned to the video's steps; the ground truth
    is the keyshot summary of ``gtscore`` made the same way. Not comparable with the
    official F1 (`official_f1`); see ``docs/protocol.md``, section 9."""
    from vsumbench.protocol.f1 import f1_score
    from vsumbench.protocol.keyshot import keyshot_summary

    n = np.asarray(pred).size
    steps = np.arange(n)

    def summary(scores) -> np.ndarray:
        return keyshot_summary(scores, change_points, n, steps, proportion=proportion)

    return f1_score(summary(pred), summary(gtscore)[None, :], "mean")


#: ``f1=`` of `evaluate_mrhisum`: the official F1 (the default, comparable with the paper)
#: or the protocol's own keyshot F1 (`corrected_f1`).
F1_KINDS = ("official", "corrected")
#: What a Mr.HiSum evaluation reports per video and as means (fractions).
METRICS = ("f1", "map50", "map15")


def score_mrhisum(pred, video, f1: str = "official") -> dict[str, float]:
    """``{"f1", "map50", "map15"}`` of one video's checked step scores; ``video`` has
    ``gtscore``, ``change_points`` and ``gtsummary`` (a `vsumbench.data.Video`)."""
    if f1 == "official":
        value = official_f1(official_summary(pred, video.change_points), video.gtsummary)
    elif f1 == "corrected":
        value = corrected_f1(pred, video.gtscore, video.change_points)
    else:
        raise ValueError(f"f1 must be one of {F1_KINDS}, got {f1!r}")
    return {"f1": value, **highlight_metrics(pred, video.gtscore)}


def evaluate_mrhisum(predictions, videos, *, f1: str = "official", file=None) -> dict:
    """``{"f1", "map50", "map15", "per_video": {key: {...}}}``: each video scored as the
    official ``solver.evaluate`` does, then the means over the predicted videos. Bad keys,
    lengths and NaN are refused before any work, naming ``file``, the video and the field."""
    from vsumbench.errors import PredictionError

    if not predictions:
        raise PredictionError("no predictions to evaluate", file=file)
    checked = {}
    for key, scores in predictions.items():
        if key not in videos:
            raise PredictionError(f"unknown video key ({len(videos)} videos known)",
                                  file=file, video=key)  # fmt: skip
        arr = np.asarray(scores)
        n = int(np.asarray(videos[key].gtscore).size)
        if arr.dtype.kind not in "biuf" or arr.ndim != 1 or arr.size != n:
            raise PredictionError(f"expected {n} numeric step scores, found {arr.dtype} of "
                                  f"shape {arr.shape}", file=file, video=key, field="scores")  # fmt: skip
        if not np.all(np.isfinite(arr)):
            raise PredictionError("scores must be finite", file=file, video=key, field="scores")
        checked[key] = arr.astype(np.float32)
    per_video = {key: score_mrhisum(s, videos[key], f1) for key, s in checked.items()}
    means = {m: float(np.mean([v[m] for v in per_video.values()])) for m in METRICS}
    return {**means, "per_video": per_video}
