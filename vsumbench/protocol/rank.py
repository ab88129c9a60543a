"""Kendall's tau-b and Spearman's rho of one prediction against many references, exactly.

Why not one ``scipy.stats`` call per pair: every evaluation compares a prediction with 20
TVSum annotators (every epoch, every fold), and the Human row compares 380 annotator pairs
per video at full frame rate. The references are discrete (TVSum annotator scores take 5
values, SumMe references are means of 15-18 binary user summaries, the SumMe prediction is
binary), so each (prediction, reference) pair is summarised by a small contingency table
``T[g, l]`` = number of positions where the prediction is in its ``g``-th distinct value and
the reference in its ``l``-th. Both statistics are exact functions of that table:

* tau-b: ``S = sum_{g,l} T[g,l] * (T[<g,<l] - T[<g,>l])`` (concordant minus discordant
  pairs, integer), ``tau = S / sqrt(tot - xtie) / sqrt(tot - ytie)``, as scipy computes it;
* rho: Pearson correlation of mid-ranks (scipy's ``spearmanr`` with ties); the doubled
  mid-rank of value ``g`` is ``2 * (count below) + count + 1``, so the covariance and the
  variances are exact integers.

All tables of a call come from one ``np.bincount`` (one prediction vs many references) or
one one-hot matrix product (every rater vs every other rater), with no Python loop per
pair. Results equal scipy's ``kendalltau`` (variant b) and ``spearmanr`` to floating-point
rounding. When a table would be huge (two continuous vectors), references are processed in
chunks, and as a last resort one scipy call per reference.

**Rule for constant vectors.** A constant vector (or fewer than two elements) has no
ranking: scipy returns NaN and the field's official code lets that NaN poison the mean.
vsumbench scores such a pair **0.0** (no ranking = no agreement, the value of a random
scorer), returns a mask of those pairs so callers flag the video (``VideoScore.flags``),
and never lets NaN reach a mean. Scoring 0 rather than leaving the pair out keeps a model
that collapses to a constant output from escaping the average. On the real TVSum
annotations the Human row under this rule is tau = 0.1774, rho = 0.2042 (the paper prints
0.177 / 0.204). Pass ``undefined=np.nan`` to get scipy's behaviour.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

UNDEFINED = 0.0  # the value of a correlation involving a constant vector (see module docstring)
_MAX_TABLE = 1 << 23  # cells of int64 tables built at once (64 MiB)


@dataclass(frozen=True)
class Correlations:
    """Kendall's tau-b and Spearman's rho per reference, and which pairs were undefined."""

    kendall: np.ndarray
    spearman: np.ndarray
    undefined: np.ndarray  # bool: a constant vector (or < 2 elements) was involved


def dense_levels(values: np.ndarray) -> tuple[np.ndarray, int]:
    """Row-wise dense ranks (0 = smallest value of the row) and the largest level count.

    ``values`` is ``(n,)`` or ``(R, n)``; ranks depend only on order, so levels can replace
    the values in both statistics.
    """
    arr = np.asarray(values)
    rows = arr.reshape(-1, arr.shape[-1]) if arr.ndim else arr.reshape(1, 1)
    n = rows.shape[1]
    if n == 0:
        return np.zeros(arr.shape, dtype=np.int64), 0
    order = np.argsort(rows, axis=1, kind="stable")
    ordered = np.take_along_axis(rows, order, axis=1)
    steps = np.zeros(rows.shape, dtype=np.int64)
    steps[:, 1:] = np.cumsum(ordered[:, 1:] != ordered[:, :-1], axis=1)
    levels = np.empty_like(steps)
    np.put_along_axis(levels, order, steps, axis=1)
    return levels.reshape(arr.shape), int(steps[:, -1].max()) + 1


def table_correlations(tables: np.ndarray, *, undefined: float = UNDEFINED) -> Correlations:
    """tau-b and rho from contingency tables ``(..., G, K)`` of non-negative integer counts."""
    t = np.asarray(tables, dtype=np.int64)
    rows = t.sum(axis=-1)  # (..., G)
    cols = t.sum(axis=-2)  # (..., K)
    n = rows.sum(axis=-1)
    # Concordant minus discordant pairs.
    below = np.cumsum(t, axis=-2) - t  # same column, rows strictly above
    below_cum = np.cumsum(below, axis=-1)
    concordant = below_cum - below  # rows above, columns left
    discordant = below_cum[..., -1:] - below_cum  # rows above, columns right
    s = (t * (concordant - discordant)).sum(axis=(-2, -1))
    tot = n * (n - 1) // 2
    xtie = (rows * (rows - 1) // 2).sum(axis=-1)
    ytie = (cols * (cols - 1) // 2).sum(axis=-1)
    bad = (xtie == tot) | (ytie == tot)
    with np.errstate(divide="ignore", invalid="ignore"):
        tau = s / np.sqrt(tot - xtie) / np.sqrt(tot - ytie)
    tau = np.clip(tau, -1.0, 1.0)
    # Spearman: Pearson of doubled, centred mid-ranks (integers).
    dx = 2 * (np.cumsum(rows, axis=-1) - rows) + rows - n[..., None]
    dy = 2 * (np.cumsum(cols, axis=-1) - cols) + cols - n[..., None]
    cov = ((t * dx[..., :, None]).sum(axis=-2) * dy).sum(axis=-1)
    varx = (rows * dx * dx).sum(axis=-1)
    vary = (cols * dy * dy).sum(axis=-1)
    bad_rho = (varx == 0) | (vary == 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        rho = cov / (np.sqrt(varx.astype(np.float64)) * np.sqrt(vary.astype(np.float64)))
    rho = np.clip(rho, -1.0, 1.0)
    bad = bad | bad_rho
    tau = np.where(bad, undefined, tau)
    rho = np.where(bad, undefined, rho)
    return Correlations(np.asarray(tau, float), np.asarray(rho, float), np.asarray(bad))


def correlations_with_levels(
    x: np.ndarray, levels: np.ndarray, n_levels: int, *, undefined: float = UNDEFINED
) -> Correlations:
    """One prediction ``x`` (n,) against references given as dense levels ``(R, n)``.

    The fast path of `evaluate`: reference levels are computed once per dataset.
    """
    x = np.asarray(x)
    levels = np.asarray(levels)
    if levels.ndim != 2 or levels.shape[1] != x.shape[0]:
        raise ValueError(f"references have shape {levels.shape}, expected (R, {x.shape[0]})")
    groups_values, groups = np.unique(x, return_inverse=True)
    g = max(len(groups_values), 1)
    k = max(int(n_levels), 1)
    r = levels.shape[0]
    if g * k > _MAX_TABLE:
        return _scipy_fallback(x, levels, undefined)
    chunk = max(1, _MAX_TABLE // (g * k))
    parts = []
    for start in range(0, r, chunk):
        lv = levels[start : start + chunk]
        rr = lv.shape[0]
        codes = (np.arange(rr)[:, None] * g + groups.reshape(1, -1)) * k + lv
        tables = np.bincount(codes.ravel(), minlength=rr * g * k).reshape(rr, g, k)
        parts.append(table_correlations(tables, undefined=undefined))
    return Correlations(
        np.concatenate([p.kendall for p in parts]),
        np.concatenate([p.spearman for p in parts]),
        np.concatenate([p.undefined for p in parts]),
    )


def _scipy_fallback(x: np.ndarray, levels: np.ndarray, undefined: float) -> Correlations:
    """Two (nearly) continuous vectors: tables would be n x n, use one scipy call per reference."""
    from scipy import stats

    tau = np.empty(levels.shape[0])
    rho = np.empty(levels.shape[0])
    for i, ref in enumerate(levels):
        tau[i] = stats.kendalltau(x, ref).statistic
        rho[i] = stats.spearmanr(x, ref).statistic
    bad = ~np.isfinite(tau) | ~np.isfinite(rho)
    return Correlations(np.where(bad, undefined, tau), np.where(bad, undefined, rho), bad)


def rank_correlations(
    x: np.ndarray, refs: np.ndarray, *, undefined: float = UNDEFINED
) -> Correlations:
    """tau-b and rho of ``x`` (n,) against each row of ``refs`` ((R, n) or (n,)).

    Output arrays have shape ``refs.shape[:-1]`` (a 0-d array for one reference).
    """
    x = np.asarray(x)
    refs = np.asarray(refs)
    if x.ndim != 1 or refs.shape[-1:] != x.shape:
        raise ValueError(f"prediction has shape {x.shape}, references {refs.shape}: lengths differ")
    levels, n_levels = dense_levels(refs.reshape(-1, x.shape[0]))
    out = correlations_with_levels(x, levels, n_levels, undefined=undefined)
    shape = refs.shape[:-1]
    return Correlations(
        out.kendall.reshape(shape), out.spearman.reshape(shape), out.undefined.reshape(shape)
    )


def kendall_tau_b(x: np.ndarray, refs: np.ndarray, *, undefined: float = UNDEFINED) -> np.ndarray:
    """Kendall's tau-b of ``x`` against each reference (scipy ``kendalltau`` semantics).

    >>> import numpy as np
    >>> kendall_tau_b(np.array([1.0, 2, 3, 4]), np.array([[1.0, 2, 3, 4], [4.0, 3, 2, 1]]))
    array([ 1., -1.])
    """
    return rank_correlations(x, refs, undefined=undefined).kendall


def spearman_rho(x: np.ndarray, refs: np.ndarray, *, undefined: float = UNDEFINED) -> np.ndarray:
    """Spearman's rho (mid-ranks for ties) of ``x`` against each reference.

    >>> import numpy as np
    >>> spearman_rho(np.array([1.0, 2, 3, 4]), np.array([[1.0, 3, 2, 4]]))
    array([0.8])
    """
    return rank_correlations(x, refs, undefined=undefined).spearman


def pairwise_rank_correlations(raters: np.ndarray, *, undefined: float = UNDEFINED) -> Correlations:
    """Every rater against every rater: ``raters`` (A, n) discrete -> (A, A) matrices.

    Human ratings are piecewise constant (TVSum annotators score 2-second segments), so
    positions are first merged into runs where no rater changes value (weights = run
    lengths); one weighted ``np.bincount`` then gives the tables of all unordered pairs.
    Both statistics are symmetric, so the (j, i) entries mirror the (i, j) ones; the
    diagonal compares a rater with itself and callers drop it.
    """
    levels, k = dense_levels(np.asarray(raters))
    a, n = levels.shape
    k = max(k, 1)
    changes = np.flatnonzero(np.any(levels[:, 1:] != levels[:, :-1], axis=0)) + 1
    starts = np.r_[0, changes]
    weights = np.diff(np.r_[starts, n]).astype(np.float64)
    runs = levels[:, starts].astype(np.intp)  # (A, n_runs)
    first, second = np.triu_indices(a)
    n_pairs = first.size
    tables = np.empty((n_pairs, k, k), dtype=np.int64)
    chunk = max(1, _MAX_TABLE // max(runs.shape[1], k * k))
    for lo in range(0, n_pairs, chunk):
        i, j = first[lo : lo + chunk], second[lo : lo + chunk]
        codes = (np.arange(i.size)[:, None] * k + runs[i]) * k + runs[j]
        counts = np.bincount(
            codes.ravel(), weights=np.tile(weights, i.size), minlength=i.size * k * k
        )
        tables[lo : lo + i.size] = np.rint(counts).astype(np.int64).reshape(i.size, k, k)
    upper = table_correlations(tables, undefined=undefined)
    out = []
    for values in (upper.kendall, upper.spearman, upper.undefined):
        full = np.empty((a, a), dtype=values.dtype)
        full[first, second] = values
        full[second, first] = values
        out.append(full)
    return Correlations(*out)
