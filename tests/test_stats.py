"""Paired comparison: a known shift is detected, identical runs differ by exactly 0, p = 1."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from tests.test_tables import write_result
from vsumbench.cli import main
from vsumbench.errors import ConfigError
from vsumbench.report.stats import compare_runs, paired_test


def test_identical_values_give_zero_and_p_one() -> None:
    a = np.random.default_rng(0).normal(0.1, 0.05, size=40)
    r = paired_test(a, a.copy(), resamples=2000)
    assert r.mean_diff == 0 and r.ci_low == 0 and r.ci_high == 0 and r.p_value == 1.0


def test_known_shift_is_detected() -> None:
    rng = np.random.default_rng(1)
    b = rng.normal(0.1, 0.05, size=40)
    a = b + 0.03 + rng.normal(0, 0.01, size=40)
    r = paired_test(a, b, resamples=4000, seed=3)
    assert r.mean_diff == pytest.approx(np.mean(a - b))
    assert r.ci_low < 0.03 < r.ci_high and r.ci_low > 0
    assert r.p_value < 0.001 and not r.exact


def test_exact_sign_flip_p_value_small_n() -> None:
    # all 5 differences positive: only the identity and the all-flipped vector are as extreme
    r = paired_test([1.0, 2.0, 3.0, 4.0, 5.0], [0.0] * 5)
    assert r.exact and r.p_value == pytest.approx(2 / 32)
    with pytest.raises(ValueError, match="finite"):
        paired_test([0.1, np.nan], [0.2, 0.3])


def _runs(root: Path, model: str, shift: float, seeds=(0, 1), videos_per_fold: int = 5) -> None:
    rng = np.random.default_rng(7)  # same base values for every model
    for seed in seeds:
        for fold in range(2):
            per_video = {}
            for i in range(videos_per_fold):
                base = rng.uniform(0.0, 0.3)
                value = base + shift
                per_video[f"video_{fold * videos_per_fold + i + 1}"] = {
                    "kendall": value,
                    "spearman": value + 0.01,
                    "f1": 0.5,
                }
            write_result(
                root,
                model=model,
                dataset="tvsum",
                seed=seed,
                fold=fold,
                kendall=None,
                spearman=None,
                per_video=per_video,
            )


def test_compare_runs_on_result_files(tmp_path: Path) -> None:
    _runs(tmp_path, "a", 0.05)
    _runs(tmp_path, "b", 0.0)
    _runs(tmp_path, "c", 0.0)
    shifted = compare_runs(tmp_path, "a", "b", "tvsum", resamples=1000)
    for metric in ("kendall", "spearman"):
        assert shifted["metrics"][metric]["mean_diff"] == pytest.approx(0.05)
        assert shifted["metrics"][metric]["n_videos"] == 10
        assert shifted["metrics"][metric]["p_value"] < 0.01
    same = compare_runs(tmp_path, "b", "c", "tvsum", resamples=1000)
    assert (
        same["metrics"]["kendall"]["mean_diff"] == 0 and same["metrics"]["kendall"]["p_value"] == 1
    )


def test_compare_refuses_different_units(tmp_path: Path) -> None:
    _runs(tmp_path, "a", 0.0, seeds=(0, 1))
    _runs(tmp_path, "b", 0.0, seeds=(0,))
    with pytest.raises(ConfigError, match="same \\(seed, fold, video\\)"):
        compare_runs(tmp_path, "a", "b", "tvsum")
    with pytest.raises(ConfigError, match="no complete runs"):
        compare_runs(tmp_path, "a", "zzz", "tvsum")


def test_cli_compare(tmp_path: Path) -> None:
    _runs(tmp_path, "a", 0.05)
    _runs(tmp_path, "b", 0.0)
    args = [
        "compare",
        "a",
        "b",
        "--dataset",
        "tvsum",
        "--results",
        str(tmp_path),
        "--resamples",
        "500",
    ]
    res = CliRunner().invoke(main, args + ["--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["metrics"]["kendall"]["mean_diff"] == pytest.approx(0.05)
    text = CliRunner().invoke(main, args)
    assert "A-B +0.050" in text.output and "95% CI" in text.output
