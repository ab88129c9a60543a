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


#: Column headers of the metrics a dataset reports (`DatasetSpec.metrics`).
HEADERS = {"kendall": "Kendall τ", "spearman": "Spearman ρ", "f1": "F1", "map50": "mAP@50",
           "map15": "mAP@15"}  # fmt: skip


def _metrics_of(results: Sequence[RunResult]) -> tuple[str, ...]:
    """The metrics of the results' dataset (SumMe/TVSum: tau, rho, F1)."""
    from vsumbench.datasets import get_dataset
    from vsumbench.errors import ConfigError

    try:
        return get_dataset(results[0].dataset).metrics if results else METRICS
    except ConfigError:
        return METRICS


def summarize(results: Sequence[RunResult], metrics: Sequence[str] = METRICS) -> dict:
    """``{"seeds": {seed: {metric: mean, "folds": n}}, "mean": {...}, "std": {...}}``.

    An undefined seed value makes the overall mean and std undefined too.
    """
    folds: dict[int, int] = {}
    for result in results:
        folds[result.seed] = folds.get(result.seed, 0) + 1
    per_metric = {m: seed_means(results, m) for m in metrics}
    seeds = {
        seed: {**{m: per_metric[m][seed] for m in metrics}, "folds": n}
        for seed, n in sorted(folds.items())
    }
    mean, std = {}, {}
    for m in metrics:
        values = list(per_metric[m].values())
        if any(v is None for v in values):
            mean[m], std[m] = None, None
        else:
            mean[m], std[m] = mean_std(values)
    return {"seeds": seeds, "mean": mean, "std": std}


def format_summary(results: Sequence[RunResult], title: str = "") -> str:
    """The end-of-run table: one row per seed (mean over folds), then mean +- std over seeds."""
    from tabulate import tabulate

    metrics = _metrics_of(results)
    s = summarize(results, metrics)

    def cell(value: float | None, spread: float | None = None) -> str:
        if value is None:
            return "undefined"
        return f"{value:.4f}" + (f" ± {spread:.4f}" if spread is not None else "")

    rows = [
        [f"seed {seed}", v["folds"], *(cell(v[m]) for m in metrics)]
        for seed, v in s["seeds"].items()
    ]
    if len(s["seeds"]) > 1:
        rows.append(
            [
                f"mean ± std ({len(s['seeds'])} seeds)",
                "",
                *(cell(s["mean"][m], s["std"][m]) for m in metrics),
            ]
        )
    table = tabulate(rows, headers=["", "folds", *(HEADERS[m] for m in metrics)], tablefmt="github")
    return f"{title}\n{table}" if title else table
