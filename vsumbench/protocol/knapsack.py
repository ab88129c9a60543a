"""Exact 0/1 knapsack with the field's tie-breaking (protocol.md section 3.4).

With tied predictions several shot selections have the same value; only the reference
rule (dynamic programming over integer capacities, backtracking from the last item, take
item ``i`` iff ``K[i][w] != K[i-1][w]``) reproduces the published summaries. The table is
filled one item at a time with numpy over all capacities, so it costs ``n_items`` vector
operations instead of ``n_items * capacity`` Python steps, with the same float64 sums and
comparisons as the reference double loop.
"""

from __future__ import annotations

import numpy as np


def knapsack(values, weights, capacity: int) -> np.ndarray:
    """Items to take (bool mask) maximising the total value within ``capacity``.

    ``values``: floats (not rounded); ``weights``: non-negative integers; ``capacity``:
    non-negative integer. Ties are broken as the reference implementation does.

    >>> knapsack([3.0, 4.0, 5.0], [2, 3, 4], 5).tolist()
    [True, True, False]
    """
    val = np.asarray(values, dtype=np.float64).ravel()
    wt = np.asarray(weights).ravel()
    if val.shape != wt.shape:
        raise ValueError(f"{val.size} values but {wt.size} weights")
    if wt.size and (not np.issubdtype(wt.dtype, np.integer) and not np.all(wt == np.round(wt))):
        raise ValueError("weights must be integers (shot lengths in frames)")
    wt = wt.astype(np.int64)
    if wt.size and wt.min() < 0:
        raise ValueError(f"weights must be non-negative, found {wt.min()}")
    cap = int(capacity)
    if cap < 0:
        raise ValueError(f"capacity must be non-negative, found {cap}")
    n = val.size
    table = np.zeros((n + 1, cap + 1), dtype=np.float64)
    for i in range(1, n + 1):
        prev, cur, w_i = table[i - 1], table[i], int(wt[i - 1])
        cur[:] = prev
        if w_i <= cap:
            # K[i][w] = max(val + K[i-1][w - wt], K[i-1][w]) for w >= wt
            np.maximum(prev[w_i:], prev[: cap + 1 - w_i] + val[i - 1], out=cur[w_i:])
        cur[0] = 0.0  # the reference keeps K[i][0] = 0, even for zero-weight items
    take = np.zeros(n, dtype=bool)
    w = cap
    for i in range(n, 0, -1):
        if table[i, w] != table[i - 1, w]:
            take[i - 1] = True
            w -= int(wt[i - 1])
    return take
