"""The exact knapsack: known answers, brute force, and the reference tie-breaking."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vsumbench.protocol import knapsack


def reference_knapsack(capacity, weights, values):
    """The field's double-loop DP (protocol.md 3.4), written plainly as the oracle."""
    n = len(values)
    k = [[0.0] * (capacity + 1) for _ in range(n + 1)]
    for i in range(1, n + 1):
        for w in range(1, capacity + 1):
            if weights[i - 1] <= w:
                k[i][w] = max(values[i - 1] + k[i - 1][w - weights[i - 1]], k[i - 1][w])
            else:
                k[i][w] = k[i - 1][w]
    chosen, w = [], capacity
    for i in range(n, 0, -1):
        if k[i][w] != k[i - 1][w]:
            chosen.append(i - 1)
            w -= weights[i - 1]
    return sorted(chosen)


def test_textbook_answer():
    take = knapsack([60.0, 100.0, 120.0], [10, 20, 30], 50)
    assert take.tolist() == [False, True, True]


def test_float_values_are_not_rounded():
    # Rounded to 3 decimals both items are worth 0.100; unrounded the second one wins.
    take = knapsack([0.1001, 0.1004], [5, 5], 5)
    assert take.tolist() == [False, True]


def test_ties_follow_the_reference_backtracking():
    # Equal values and weights: any one item is optimal. Backtracking from the last item
    # takes the last one whose addition changed the table, i.e. the first item here
    # (K[3][w] == K[2][w] == K[1][w] != K[0][w]).
    take = knapsack([0.5, 0.5, 0.5], [4, 4, 4], 5)
    assert take.tolist() == [True, False, False]
    # Two short shots tie with one long shot of the same total value.
    take = knapsack([0.25, 0.25, 0.5], [2, 2, 4], 4)
    assert np.flatnonzero(take).tolist() == reference_knapsack(4, [2, 2, 4], [0.25, 0.25, 0.5])


def test_edge_cases():
    assert knapsack([], [], 10).tolist() == []
    assert knapsack([1.0, 2.0], [3, 4], 0).tolist() == [False, False]
    assert knapsack([1.0, 2.0], [30, 40], 10).tolist() == [False, False]
    assert knapsack([-1.0, 2.0], [1, 1], 10).tolist() == [False, True]
    # Zero-weight items (never a real shot): like the reference, K[i][0] stays 0.
    assert knapsack([0.1, 0.2], [0, 1], 0).tolist() == [False, False]
    assert np.flatnonzero(knapsack([0.1, 0.2], [0, 1], 1)).tolist() == reference_knapsack(
        1, [0, 1], [0.1, 0.2]
    )
    with pytest.raises(ValueError, match="weights"):
        knapsack([1.0], [1, 2], 3)
    with pytest.raises(ValueError, match="non-negative"):
        knapsack([1.0], [-1], 3)


@settings(max_examples=150, deadline=None)
@given(
    items=st.lists(
        st.tuples(st.integers(1, 9), st.sampled_from([0.0, 0.1, 0.25, 0.3, 0.5, 0.7, 1.0])),
        max_size=9,
    ),
    capacity=st.integers(0, 25),
)
def test_matches_reference_and_brute_force(items, capacity):
    weights = [w for w, _ in items]
    values = [v for _, v in items]
    take = knapsack(values, weights, capacity)
    # Same selection as the reference DP, ties included (values repeat on purpose).
    assert np.flatnonzero(take).tolist() == reference_knapsack(capacity, weights, values)
    # Optimal: brute force over all subsets.
    best = max(
        sum(v for v, t in zip(values, mask, strict=True) if t)
        for mask in itertools.product([0, 1], repeat=len(items))
        if sum(w for w, t in zip(weights, mask, strict=True) if t) <= capacity
    )
    assert sum(np.asarray(weights)[take]) <= capacity
    assert sum(np.asarray(values)[take]) == pytest.approx(best)
