"""tau-b and rho against scipy, many references at once, and the constant-vector rule."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from vsumbench.protocol import (
    dense_levels,
    kendall_tau_b,
    pairwise_rank_correlations,
    rank_correlations,
    spearman_rho,
)


def _scipy(x, refs):
    tau = [stats.kendalltau(x, r).statistic for r in refs]
    rho = [stats.spearmanr(x, r).statistic for r in refs]
    return np.array(tau), np.array(rho)


@pytest.mark.parametrize("seed", range(4))
def test_continuous_prediction_vs_discrete_references_equals_scipy(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(5, 300))
    # Prediction with ties (rounded), references on a 1..5 scale divided by their max.
    x = np.round(rng.random(n), 2)
    scores = rng.integers(1, 6, size=(20, n))
    refs = scores / scores.max(axis=1, keepdims=True)
    out = rank_correlations(x, refs, undefined=np.nan)
    tau, rho = _scipy(x, refs)
    np.testing.assert_allclose(out.kendall, tau, rtol=0, atol=1e-12)
    np.testing.assert_allclose(out.spearman, rho, rtol=0, atol=1e-12)
    assert not out.undefined.any()


def test_binary_prediction_vs_mean_user_summary_equals_scipy():
    rng = np.random.default_rng(7)
    users = rng.random((15, 500)) < 0.2
    ref = users.mean(axis=0)
    x = (rng.random(500) < 0.15).astype(np.uint8)
    tau, rho = _scipy(x, [ref])
    assert kendall_tau_b(x, ref) == pytest.approx(tau[0], abs=1e-12)
    assert spearman_rho(x, ref) == pytest.approx(rho[0], abs=1e-12)
    assert kendall_tau_b(x, ref).shape == ()  # one reference -> 0-d


def test_continuous_vs_continuous_equals_scipy():
    rng = np.random.default_rng(3)
    x = rng.random(200)
    refs = rng.random((3, 200))
    out = rank_correlations(x, refs)
    tau, rho = _scipy(x, refs)
    np.testing.assert_allclose(out.kendall, tau, atol=1e-12)
    np.testing.assert_allclose(out.spearman, rho, atol=1e-12)


def test_pairwise_equals_scipy_per_pair():
    rng = np.random.default_rng(11)
    raters = rng.integers(1, 6, size=(6, 400))
    out = pairwise_rank_correlations(raters)
    for i in range(6):
        for j in range(6):
            if i != j:
                assert out.kendall[i, j] == pytest.approx(
                    stats.kendalltau(raters[i], raters[j]).statistic, abs=1e-12
                )
                assert out.spearman[i, j] == pytest.approx(
                    stats.spearmanr(raters[i], raters[j]).statistic, abs=1e-12
                )
    np.testing.assert_allclose(np.diag(out.kendall), 1.0)


def test_constant_vectors_score_zero_and_are_reported():
    x = np.arange(10.0)
    refs = np.stack([np.full(10, 3.0), np.arange(10.0)])
    out = rank_correlations(x, refs)
    assert out.undefined.tolist() == [True, False]
    assert out.kendall.tolist() == pytest.approx([0.0, 1.0])
    assert out.spearman.tolist() == pytest.approx([0.0, 1.0])
    # A constant prediction: every pair undefined, 0, never NaN.
    const = rank_correlations(np.zeros(10), refs)
    assert const.undefined.all() and (const.kendall == 0).all() and (const.spearman == 0).all()
    # scipy's behaviour on request.
    assert np.isnan(kendall_tau_b(np.zeros(10), refs, undefined=np.nan)).all()
    assert np.isnan(stats.kendalltau(np.zeros(10), refs[1]).statistic)


def test_dense_levels_and_length_check():
    levels, k = dense_levels(np.array([[0.5, 0.1, 0.5, 0.9], [2, 2, 2, 2]]))
    assert levels.tolist() == [[1, 0, 1, 2], [0, 0, 0, 0]]
    assert k == 3
    with pytest.raises(ValueError, match="lengths differ"):
        rank_correlations(np.zeros(3), np.zeros((2, 4)))
