"""Kernel temporal segmentation (KTS, Potapov et al., ECCV 2014) into shots.

How the eccv16 shots were made: KTS with a linear kernel on L2-normalised GoogLeNet
features, choosing the number of change points ``m`` that minimises

    J(m) = C(m) / N + vmax * m / (2N) * (log(N / m) + 1),

where ``C(m)`` is the least within-segment kernel scatter with ``m`` change points and
``N`` the number of samples (``vmax = 1``). The reference code computes ``C(m)`` for every
``m`` by dynamic programming on a dense N x N kernel: quadratic memory, cubic time.

What vsumbench does instead (same objective, linear memory):

1. **Segmentation for a penalty** (`segment`): optimal partitioning with PELT pruning,
   minimising ``C + beta * (segments)``, segment costs in O(D) from prefix sums of the
   features (linear kernel: ``cost(s, t) = sum ||x||^2 - ||sum x||^2 / (t - s)``), and an
   optional longest-segment cap ``max_len``. ``ruptures.KernelCPD(kernel="linear").predict(pen=)``
   solves the same problem (the tests check equality) but has no length cap; without one,
   PELT cannot prune inside a long homogeneous stretch and a one-shot hour (7200 samples)
   took 35 s per penalty. With the cap the work is O(N * max_len * D).
2. **Automatic number of shots** (`kts`): ``J`` is minimised over the segmentations that
   the penalised problem produces. At an optimum of ``J`` the marginal gain of one more
   change point equals the marginal penalty ``vmax/2 * log(N/m)`` (in units of ``C``), so
   ``beta`` is iterated to that fixed point, starting from a few values, and the candidate
   with the smallest exact ``J`` wins. When ``C(m)`` is convex (the usual case) this finds
   the reference's choice; the tests compare with an exhaustive DP on small inputs.
3. **Frame accuracy** (`refine_boundaries`): a boundary between samples ``i-1`` and ``i``
   is moved to the frame of largest thumbnail change in ``(picks[i-1], picks[i]]``.
4. **Summarisable shots** (`cap_shots`): shots longer than a cap are split evenly, so the
   0/1 knapsack can always fill part of the budget (the official CSTA script ran KTS on
   every frame for this reason, at 15x the feature cost and N^2 memory).
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["cap_shots", "kts", "kts_objective", "refine_boundaries", "segment", "segment_cost"]


def _prefix(features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(features, dtype=np.float64)
    if x.ndim != 2:
        raise ValueError(f"features must be (N, D), found shape {x.shape}")
    psum = np.zeros((x.shape[0] + 1, x.shape[1]))
    np.cumsum(x, axis=0, out=psum[1:])
    psq = np.zeros(x.shape[0] + 1)
    np.cumsum(np.einsum("ij,ij->i", x, x), out=psq[1:])
    return psum, psq


def segment_cost(features: np.ndarray, bounds) -> float:
    """Total linear-kernel scatter ``C`` of the segmentation ending at ``bounds`` (exclusive
    ends, last = N), e.g. ``[4, 9, N]``."""
    return _scatter(*_prefix(features), bounds)


def _scatter(psum: np.ndarray, psq: np.ndarray, bounds) -> float:
    total, start = 0.0, 0
    for end in bounds:
        diff = psum[end] - psum[start]
        total += psq[end] - psq[start] - float(diff @ diff) / (end - start)
        start = end
    return total


def segment(features: np.ndarray, penalty: float, max_len: int | None = None) -> list[int]:
    """Exact minimiser of ``C + penalty * n_segments`` with segments of at most ``max_len``
    samples; returns exclusive segment ends (ruptures convention, last = N)."""
    return _segment(*_prefix(features), penalty, max_len)


def _segment(psum: np.ndarray, psq: np.ndarray, penalty: float, max_len: int | None) -> list[int]:
    n = psum.shape[0] - 1
    if n == 0:
        return []
    cap = n if max_len is None else max(1, int(max_len))
    pnorm = np.einsum("ij,ij->i", psum, psum)
    best = np.empty(n + 1)
    best[0] = 0.0
    path = np.zeros(n + 1, dtype=np.int64)
    alive = np.zeros(1, dtype=np.int64)  # candidate starts of the last segment (PELT set)
    for t in range(1, n + 1):
        alive = alive[alive >= t - cap]
        # ||P_t - P_s||^2 expanded: one matrix-vector product, no (len, D) temporary. Norms
        # grow to N^2 (unit rows), so float64 keeps ~1e-8 absolute accuracy at N = 7200.
        sq = pnorm[t] + pnorm[alive] - 2.0 * (psum[alive] @ psum[t])
        cost = psq[t] - psq[alive] - sq / (t - alive)
        total = best[alive] + cost
        i = int(np.argmin(total))
        best[t] = total[i] + penalty
        path[t] = alive[i]
        # PELT: a start that cannot beat best[t] now never will (cost is superadditive).
        alive = np.append(alive[total < best[t]], t)
    ends = []
    t = n
    while t > 0:
        ends.append(t)
        t = int(path[t])
    return ends[::-1]


def kts_objective(cost: float, n_change_points: int, n: int, vmax: float = 1.0) -> float:
    """KTS's criterion ``J(m)`` (module docstring) for a segmentation of cost ``C``."""
    m = n_change_points
    penalty = 0.0 if m == 0 else vmax * m / (2.0 * n) * (math.log(n / m) + 1.0)
    return cost / n + penalty


def kts(
    features: np.ndarray, *, vmax: float = 1.0, max_len: int | None = None, normalize: bool = True
) -> list[int]:
    """KTS shots of ``features`` (N, D): exclusive segment ends, last = N.

    ``normalize`` L2-normalises each row first (as the eccv16 shots were made).
    ``max_len`` caps segment length in samples (None: no cap).
    """
    x = np.asarray(features, dtype=np.float64)
    n = x.shape[0]
    if n <= 1:
        return [n] if n else []
    if normalize:
        x = x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)
    psum, psq = _prefix(x)
    del x  # the prefix sums are all that is needed: one (N, D) array alive, not three
    cache: dict[float, list[int]] = {}

    def solve(beta: float) -> list[int]:
        key = round(beta, 12)
        if key not in cache:
            cache[key] = _segment(psum, psq, beta, max_len)
        return cache[key]

    def score(ends: list[int]) -> float:
        return kts_objective(_scatter(psum, psq, ends), len(ends) - 1, n, vmax)

    def beta_for(m: int) -> float:
        return max(vmax / 2.0 * math.log(n / max(m, 1)), 1e-6)

    # Starting points: shots of ~2, ~10 and ~50 samples; then the fixed-point iteration.
    for start in (n / 2, n / 10, n / 50):
        beta = beta_for(max(1, round(start)))
        for _ in range(12):
            ends = solve(beta)
            nxt = beta_for(len(ends) - 1)
            if abs(nxt - beta) < 1e-9 or round(nxt, 12) in cache:
                break
            beta = nxt
    candidates = list(cache.values())
    if max_len is None or max_len >= n:
        candidates.append([n])  # no change point at all
    return min(candidates, key=lambda ends: (score(ends), len(ends)))


def refine_boundaries(ends: list[int], picks: np.ndarray, frame_change: np.ndarray) -> list[int]:
    """Move sample-level boundaries to frames: a shot that starts at sample ``i`` starts at
    the frame of largest ``frame_change`` in ``(picks[i-1], picks[i]]``. Returns the first
    frame of every shot after the first (strictly increasing)."""
    picks = np.asarray(picks, dtype=np.int64)
    starts = []
    for i in ends[:-1]:
        lo, hi = int(picks[i - 1]) + 1, int(picks[i])
        window = frame_change[lo : hi + 1]
        starts.append(lo + int(np.argmax(window)) if window.size else hi)
    return starts


def cap_shots(starts: list[int], n_frames: int, max_frames: int) -> np.ndarray:
    """Inclusive ``[first, last]`` shots from the shot starts, splitting any shot longer than
    ``max_frames`` into equal parts (each at most ``max_frames``)."""
    max_frames = max(1, int(max_frames))
    bounds = [0, *[int(s) for s in starts], int(n_frames)]
    shots = []
    for first, end in zip(bounds[:-1], bounds[1:], strict=True):
        pieces = -(-(end - first) // max_frames)
        cuts = first + np.round(np.linspace(0, end - first, pieces + 1)).astype(np.int64)
        shots.extend((int(a), int(b) - 1) for a, b in zip(cuts[:-1], cuts[1:], strict=True))
    return np.asarray(shots, dtype=np.int64).reshape(-1, 2)
