"""Human and Random rows: the real TVSum annotations give the paper's Human row."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from vsumbench.data.annotations import load_annotations
from vsumbench.protocol import human_row, human_video


def test_human_row_on_real_tvsum_annotations(tvsum_annotations_path):
    annotations = load_annotations(tvsum_annotations_path)
    row = human_row(annotations)
    assert len(row.per_video) == 50
    assert round(row.kendall, 4) == 0.1774  # paper: 0.177
    assert round(row.spearman, 4) == 0.2042  # paper: 0.204
    assert row.f1 is None


def test_human_video_is_mean_over_ordered_pairs_like_scipy():
    rng = np.random.default_rng(5)
    raters = rng.integers(1, 6, size=(4, 300))
    pairs = [(i, j) for i in range(4) for j in range(4) if i != j]
    tau = np.mean([stats.kendalltau(raters[i], raters[j]).statistic for i, j in pairs])
    rho = np.mean([stats.spearmanr(raters[i], raters[j]).statistic for i, j in pairs])
    score = human_video(raters)
    assert score.kendall == pytest.approx(tau, abs=1e-12)
    assert score.spearman == pytest.approx(rho, abs=1e-12)
    assert score.flags == ()


def test_human_video_flags_constant_raters():
    raters = np.array([[1, 2, 3, 4], [4, 3, 2, 1], [3, 3, 3, 3]])
    score = human_video(raters)
    # Pairs (0,1),(1,0) give -1; the four pairs with the constant rater give 0.
    assert score.kendall == pytest.approx(-2 / 6)
    assert score.flags and "4 of 6" in score.flags[0]
    with pytest.raises(ValueError, match="n_raters >= 2"):
        human_video(raters[:1])
