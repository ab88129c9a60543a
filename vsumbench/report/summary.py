"""Means over folds and seeds, computed once for every report.

A run's number is the mean over its folds within a seed, then the mean and sample standard
deviation over seeds. A fold whose metric is undefined makes that seed's value undefined
(``None``): it is never averaged away or turned into NaN silently. The end-of-run table of
``vsumbench run`` and the measured rows of ``vsumbench table`` both use this module.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence

from vsumbench.runner.result import METRICS, RunResult

__all__ = ["format_summary", "mean_std", "seed_means", "summarize"]


def seed_means(results: Iterable[RunResult], metric: str) -> dict[int, float | None]:
    """``{seed: mean over its folds}``, sorted by seed; None where a fold is undefined."""
    by_seed: dict[int, list[float | None]] = {}
    for result in results:
        by_seed.setdefault(result.seed, []).append(result.metric(metric))
    return {
        seed: None if any(v is None for v in values) else statistics.fmean(values)
        for seed, values in sorted(by_seed.items())
    }


def mean_std(values: Sequence[float]) -> tuple[float | None, float | None]:
    """Mean and sample std (None with fewer than 2 values) of defined values."""
    if not values:
        return None, None
    return statistics.fmean(values), (statistics.stdev(values) if len(values) > 1 else None)


def summarize(results: Sequence[RunResult]) -> dict:
    """``{"seeds": {seed: {metric: mean, "folds": n}}, "mean": {...}, "std": {...}}``.

    An undefined seed value makes the overall mean and std undefined too.
    """
    folds: dict[int, int] = {}
    for result in results:
        folds[result.seed] = folds.get(result.seed, 0) + 1
    per_metric = {m: seed_means(results, m) for m in METRICS}
    seeds = {
        seed: {**{m: per_metric[m][seed] for m in METRICS}, "folds": n}
        for seed, n in sorted(folds.items())
    }
    mean, std = {}, {}
    for m in METRICS:
        values = list(per_metric[m].values())
        if any(v is None for v in values):
            mean[m], std[m] = None, None
        else:
            mean[m], std[m] = mean_std(values)
    return {"seeds": seeds, "mean": mean, "std": std}


def format_summary(results: Sequence[RunResult], title: str = "") -> str:
    """The end-of-run table: one row per seed (mean over folds), then mean +- std over seeds."""
    from tabulate import tabulate

    s = summarize(results)

    def cell(value: float | None, spread: float | None = None) -> str:
        if value is None:
            return "undefined"
        return f"{value:.4f}" + (f" ± {spread:.4f}" if spread is not None else "")

    rows = [
        [f"seed {seed}", v["folds"], *(cell(v[m]) for m in METRICS)]
        for seed, v in s["seeds"].items()
    ]
    if len(s["seeds"]) > 1:
        rows.append(
            [
                f"mean ± std ({len(s['seeds'])} seeds)",
                "",
                *(cell(s["mean"][m], s["std"][m]) for m in METRICS),
            ]
        )
    table = tabulate(
        rows, headers=["", "folds", "Kendall τ", "Spearman ρ", "F1"], tablefmt="github"
    )
    return f"{title}\n{table}" if title else table
