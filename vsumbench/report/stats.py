"""Paired comparison of two models on the same videos (``vsumbench compare``).

Two mean correlations that differ by 0.01 mean little on 25 videos. This compares per-video
values of two models that ran on exactly the same (seed, fold, video) units: per video, the
difference A - B averaged over seeds; then the mean difference, a percentile bootstrap 95%
confidence interval resampling videos, and a two-sided paired sign-flip permutation p-value
(exact when there are at most 16 videos). Videos are the resampling unit because seeds of
the same video are not independent observations.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from vsumbench.errors import ConfigError, DataError
from vsumbench.numbers import finite_or_none
from vsumbench.runner.result import RunResult

EXACT_MAX = 16  # enumerate all 2^n sign flips up to this many videos


@dataclass(frozen=True)
class PairedResult:
    n: int
    mean_a: float
    mean_b: float
    mean_diff: float
    ci_low: float
    ci_high: float
    p_value: float
    exact: bool


def paired_test(
    a: Sequence[float] | np.ndarray,
    b: Sequence[float] | np.ndarray,
    *,
    resamples: int = 10000,
    seed: int = 0,
    confidence: float = 0.95,
) -> PairedResult:
    """Mean of ``a - b``, bootstrap CI and sign-flip p-value over paired values.

    Identical inputs give difference 0, CI [0, 0] and p = 1.
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape or a.ndim != 1 or a.size == 0:
        raise ValueError(
            f"expected two non-empty 1-D vectors of equal length, got {a.shape} and {b.shape}"
        )
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        raise ValueError("paired values must be finite (drop NaN videos explicitly first)")
    diff = a - b
    n = diff.size
    observed = diff.mean()
    rng = np.random.default_rng(seed)

    boot = diff[rng.integers(0, n, size=(resamples, n))].mean(axis=1)
    alpha = (1 - confidence) / 2
    ci_low, ci_high = np.quantile(boot, [alpha, 1 - alpha])

    exact = n <= EXACT_MAX
    if exact:
        signs = np.array(list(itertools.product((1.0, -1.0), repeat=n)))
    else:
        signs = rng.choice((1.0, -1.0), size=(resamples, n))
    flipped = np.abs((signs * diff).mean(axis=1))
    tol = 1e-12 * max(1.0, abs(observed))
    extreme = np.count_nonzero(flipped >= abs(observed) - tol)
    p_value = extreme / len(signs) if exact else (extreme + 1) / (len(signs) + 1)
    return PairedResult(
        n=n,
        mean_a=float(a.mean()),
        mean_b=float(b.mean()),
        mean_diff=float(observed),
        ci_low=float(ci_low),
        ci_high=float(ci_high),
        p_value=float(min(1.0, p_value)),
        exact=exact,
    )


def _unit_values(
    results: Sequence[RunResult], metric: str
) -> dict[tuple[int, int, str], float | None]:
    """``{(seed, fold, video): value}`` from the folds' ``per_video`` records."""
    values: dict[tuple[int, int, str], float | None] = {}
    for res in results:
        if not res.per_video:
            raise DataError(
                "result has no per_video record", file=Path(res.path or ".") / "result.json"
            )
        for video, scores in res.per_video.items():
            value = scores.get(metric) if isinstance(scores, Mapping) else None
            values[(res.seed, res.fold, video)] = finite_or_none(value)
    return values


def _select_runs(
    results_dir: str | Path, model: str, dataset: str, selection: str | None, init: str | None
) -> tuple[list[RunResult], str]:
    from vsumbench.report.tables import load_results

    found = [
        r
        for r in load_results(results_dir, dataset=dataset, model=model, selection=selection)
        if init is None or r.init == init
    ]
    if not found:
        raise ConfigError(
            f"no complete runs of {model!r} on {dataset} under {results_dir}"
            + (f" with selection {selection}" if selection else "")
            + (f" and init {init}" if init else "")
        )
    groups = {(r.selection, r.init, "synthetic" if r.synthetic else "real") for r in found}
    if len(groups) > 1:
        names = ", ".join(f"{s}-{i} ({d})" for s, i, d in sorted(groups))
        raise ConfigError(
            f"{model!r} has several kinds of runs on {dataset}: {names}; pick one with "
            f"--selection and --init"
        )
    selection_, init_, data = groups.pop()
    return found, f"{selection_}-{init_}, {data} data"


def _describe_missing(keys: set[tuple[int, int, str]], limit: int = 5) -> str:
    shown = ", ".join(f"seed{s}/fold{f}/{v}" for s, f, v in sorted(keys)[:limit])
    return shown + (f" and {len(keys) - limit} more" if len(keys) > limit else "")


def compare_runs(
    results_dir: str | Path,
    model_a: str,
    model_b: str,
    dataset: str,
    *,
    selection: str | None = None,
    init: str | None = None,
    resamples: int = 10000,
    seed: int = 0,
) -> dict[str, Any]:
    """Paired comparison of two models' runs (per-video tau and rho), as a JSON-ready dict."""
    runs_a, label_a = _select_runs(results_dir, model_a, dataset, selection, init)
    runs_b, label_b = _select_runs(results_dir, model_b, dataset, selection, init)
    out: dict[str, Any] = {
        "dataset": dataset,
        "model_a": model_a,
        "model_b": model_b,
        "runs_a": label_a,
        "runs_b": label_b,
        "method": "per-video difference A - B averaged over seeds; bootstrap CI over videos; "
        "two-sided paired sign-flip permutation test",
        "resamples": resamples,
        "metrics": {},
    }
    for metric in ("kendall", "spearman"):
        va, vb = _unit_values(runs_a, metric), _unit_values(runs_b, metric)
        if set(va) != set(vb):
            only_a, only_b = set(va) - set(vb), set(vb) - set(va)
            parts = []
            if only_a:
                parts.append(f"only {model_a} has {_describe_missing(only_a)}")
            if only_b:
                parts.append(f"only {model_b} has {_describe_missing(only_b)}")
            raise ConfigError(
                f"{model_a} and {model_b} did not run on the same (seed, fold, video) units on "
                f"{dataset}: " + "; ".join(parts) + ". Run both with the same --seeds, "
                "--folds and split file."
            )
        excluded = sorted(k for k in va if va[k] is None or vb[k] is None)
        per_video: dict[str, list[tuple[float, float]]] = {}
        for key in sorted(va):
            if va[key] is None or vb[key] is None:
                continue
            per_video.setdefault(key[2], []).append((va[key], vb[key]))
        if not per_video:
            raise DataError(f"no video has a {metric} value for both models", file=results_dir)
        videos = sorted(per_video, key=lambda k: (len(k), k))
        a = np.array([np.mean([p[0] for p in per_video[v]]) for v in videos])
        b = np.array([np.mean([p[1] for p in per_video[v]]) for v in videos])
        result = asdict(paired_test(a, b, resamples=resamples, seed=seed))
        result["n_videos"] = result.pop("n")
        result["n_seeds"] = len({k[0] for k in va})
        result["excluded_units"] = [f"seed{s}/fold{f}/{v}" for s, f, v in excluded]
        out["metrics"][metric] = result
    return out


def format_comparison(result: Mapping[str, Any]) -> str:
    """Human-readable summary of :func:`compare_runs`."""
    lines = [
        f"{result['model_a']} ({result['runs_a']}) vs {result['model_b']} ({result['runs_b']}) "
        f"on {result['dataset']}",
        f"{result['method']}; {result['resamples']} resamples",
    ]
    for metric, r in result["metrics"].items():
        test = "exact" if r["exact"] else "Monte Carlo"
        lines.append(
            f"{metric:9s} A {r['mean_a']:.3f}  B {r['mean_b']:.3f}  A-B {r['mean_diff']:+.3f} "
            f"[95% CI {r['ci_low']:+.3f}, {r['ci_high']:+.3f}]  p = {r['p_value']:.4f} ({test}; "
            f"{r['n_videos']} videos x {r['n_seeds']} seeds)"
        )
        if r["excluded_units"]:
            lines.append(
                f"          excluded (no value, e.g. constant scores): {', '.join(r['excluded_units'])}"
            )
    return "\n".join(lines)
