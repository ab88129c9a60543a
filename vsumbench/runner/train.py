"""K-fold training of a registered summarizer, as the CSTA paper trained it.

This module only orchestrates; each step lives in a room of its own: the request
(`config`), the data loaded once (`benchmark`), fold planning (`folds`), seeding
(`seeding`), the inner loop (`loop`), evaluation (`evaluation`) and epoch selection
(`selection`), resume state (`resume`), the fold's outcome (`outcome`) and the result
store (`store`, `result`).
Per fold: seed, build the model, load its backbone weights, make its training targets
(its `Objective`), train with the model's registered recipe (optimiser, batching, clipping,
schedule), evaluate after every epoch, keep the epoch the selection rule picks, then write
predictions, checkpoint and ``result.json`` (last) atomically.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from vsumbench.datasets import get_dataset
from vsumbench.errors import ConfigError, Interrupted
from vsumbench.runner import store
from vsumbench.runner.benchmark import BenchmarkCache, check_duplicates, check_feature_width
from vsumbench.runner.config import RunConfig
from vsumbench.runner.context import FoldParts, RunContext
from vsumbench.runner.display import EpochDisplay, open_trackers
from vsumbench.runner.environment import torch_threads
from vsumbench.runner.evaluation import FoldEvaluator
from vsumbench.runner.failures import guarded, where_stopped
from vsumbench.runner.folds import FoldPlan, check_existing, plan_folds, resolve_request
from vsumbench.runner.loop import train_epoch
from vsumbench.runner.outcome import finish, snapshot_best
from vsumbench.runner.precision import Precision
from vsumbench.runner.result import RunResult
from vsumbench.runner.resume import FoldProgress, StateWriter, restore, snapshot
from vsumbench.runner.rng import OFFICIAL_ORDER
from vsumbench.runner.seeding import seed_everything, set_determinism
from vsumbench.runner.selection import selector

__all__ = ["RunReport", "run", "run_fold"]


@dataclass
class RunReport:
    """The outcome of :func:`run`: one result per (seed, fold), and which were reused."""

    results: list[RunResult]
    root: Path
    skipped: list[str] = field(default_factory=list)
    replayed: list[str] = field(default_factory=list)  # --rng official: earlier datasets
    warnings: list[str] = field(default_factory=list)  # said by the CLI before the summary


def run(config: RunConfig, cache: BenchmarkCache | None = None) -> RunReport:
    """Train every requested (seed, fold); skip finished ones; print nothing (see the CLI).

    torch runs on ``config.threads`` CPU threads (default `default_threads`) for the run,
    and the previous setting is restored afterwards. ``cache`` keeps the data in memory
    between calls (a sweep's worker).
    """
    with torch_threads(config.threads) as threads:
        return _run(config, threads, cache or BenchmarkCache(size=1))


def _run(config: RunConfig, threads: int, cache: BenchmarkCache) -> RunReport:
    from vsumbench.models import create, get_spec
    from vsumbench.models.weights import check_backbone_init
    from vsumbench.runner.environment import capture_environment, resolve_device

    check_backbone_init(config.backbone_init)
    spec = get_spec(config.model).for_dataset(config.dataset)
    config = resolve_request(config, spec)
    device = resolve_device(config.device)
    set_determinism(config.deterministic)
    datasets = [config.dataset]
    if config.rng == "official":
        datasets = _official_datasets(config)
        seed_everything(config.seeds[0])  # once per process, as the official script
        create(config.model, **config.model_args)  # its parameter report builds one model
    environment = capture_environment(device)
    report = RunReport(results=[], root=Path(config.results))
    for dataset in datasets:
        cfg = config if dataset == config.dataset else replace(config, dataset=dataset, splits=None)
        if get_dataset(dataset).streamed:  # one split, features read from disk
            report.results.extend(_run_streamed(cfg, spec, device, environment, threads, report))
            continue
        bench = cache.get(cfg, device)
        check_feature_width(bench.features, cfg.model, cfg.model_args, file=bench.data_file)
        report.warnings.extend(check_duplicates(bench, cfg.allow_duplicates))
        plans = plan_folds(cfg, spec, bench.splits, bench.split_file, bench.digests)
        ctx = RunContext(cfg, spec, bench, device, environment, threads)
        results = _run_folds(ctx, plans, report)
        if dataset == config.dataset:
            report.results.extend(results)
        else:
            report.replayed.extend(str(r.path) for r in results)
    return report


def _run_streamed(config, spec, device, environment, threads, report) -> list[RunResult]:
    from vsumbench.runner.split_train import run_split
    from vsumbench.runner.stream import load_streamed

    bench = load_streamed(config, device)
    check_feature_width(bench.features, config.model, config.model_args, file=bench.data_file)
    plans = plan_folds(config, spec, bench.splits, bench.split_file, bench.digests)
    ctx = RunContext(config, spec, bench, device, environment, threads)
    return run_split(ctx, plans, report)


def _official_datasets(config: RunConfig) -> list[str]:
    """The datasets an official replay trains, in the official order, up to the requested."""
    if config.dataset not in OFFICIAL_ORDER:
        raise ConfigError(f"--rng official replays {', '.join(OFFICIAL_ORDER)} only")
    if len(config.seeds) != 1 or config.folds is not None:
        raise ConfigError(
            "--rng official replays one whole official run: one seed and every fold "
            "(drop --seeds/--folds)"
        )
    return list(OFFICIAL_ORDER[: OFFICIAL_ORDER.index(config.dataset) + 1])


def _run_folds(ctx: RunContext, plans: list[FoldPlan], report: RunReport) -> list[RunResult]:
    """Train (or reuse) every planned fold of one dataset, each under its lock."""
    from vsumbench.progress import progress_bar

    config, official = ctx.config, ctx.config.rng == "official"
    results = []
    outer = progress_bar(
        plans,
        desc=f"{config.model} on {ctx.bench.dataset}",
        unit="fold",
        disable=not config.progress,
    )
    for plan in outer:
        with store.fold_lock(plan.directory):
            store.recover(plan.directory)
            existing = store.read_result(plan.directory)
            if existing is not None and existing.complete and not config.force:
                if official:  # reusing one fold would break the single random stream
                    raise ConfigError(
                        f"{plan.directory} is already finished; an official replay trains "
                        f"every fold in one process: rerun with --force, or use another "
                        f"--results directory"
                    )
                check_existing(existing, plan, ctx.bench.data_file)
                store.verify_artefacts(existing)
                results.append(existing)
                report.skipped.append(str(plan.directory))
                continue
            if config.force or official:  # from scratch; the old result stays until replaced
                store.discard_staging(plan.directory)
            result = guarded(run_fold, ctx, plan, outer)
            store.publish(plan.directory)
            result.path = plan.directory
        results.append(result)
        outer.set_postfix(tau=f"{result.kendall:.3f}", rho=f"{result.spearman:.3f}")
    outer.close()
    return results


def run_fold(ctx: RunContext, plan: FoldPlan, *, bar: Any = None) -> RunResult:
    """Train one fold (resuming from ``state.pt`` when present) and store its result."""
    if ctx.config.rng != "official":  # the official stream is seeded once per process
        seed_everything(plan.seed)
    parts = FoldParts.build(ctx, plan)
    evaluator = FoldEvaluator(ctx.bench, plan, ctx.config.model, parts.objective)
    state = store.load_state(plan.work)
    if state is not None:
        progress = restore(plan, state, parts)
    else:
        progress = FoldProgress(selector=selector(plan.selection))
    trackers = open_trackers(ctx.config, plan)
    try:
        seconds = _train_epochs(ctx, plan, parts, evaluator, progress, bar, trackers)
        result = finish(ctx, plan, parts, progress, evaluator, seconds)
        if trackers is not None:
            trackers.finish(result)  # the final numbers, then closed
    except KeyboardInterrupt:
        raise Interrupted(where_stopped(ctx.config.model, plan, len(progress.history))) from None
    finally:
        if trackers is not None:
            trackers.close()  # stopped or failed: what was logged stays
    return result


def _train_epochs(
    ctx: RunContext,
    plan: FoldPlan,
    parts: FoldParts,
    evaluator: FoldEvaluator,
    progress: FoldProgress,
    bar: Any,
    trackers: Any = None,
) -> float:
    """The epochs still to do: train, evaluate, select, save the resume state; seconds."""
    model, optimizer = parts.model, parts.optimizer
    epochs = plan.epochs if parts.trains else 1  # nothing to train: evaluate once
    display = EpochDisplay(bar, ctx.config, plan, epochs, progress.next_epoch, trackers)
    start = time.perf_counter()
    writer, precision = StateWriter(), Precision(plan.precision, ctx.device)
    try:
        for epoch in range(progress.next_epoch, epochs + 1):
            t0 = time.perf_counter()
            loss = math.nan
            if optimizer is not None:
                order = parts.shuffler.order(len(plan.train_keys))
                data = (plan.train_keys, ctx.bench.features, parts.targets, order)
                loss = train_epoch(
                    model, optimizer, parts.objective, *data, batch=plan.batch, clip=plan.clip,
                    precision=precision,
                )  # fmt: skip
                if parts.scheduler is not None:
                    parts.scheduler.step()
            parts.shuffler.before_evaluation()
            scored = evaluator.epoch(model, epoch)
            record = {"epoch": epoch, "loss": loss, **scored.record}
            record["seconds"] = time.perf_counter() - t0
            progress.history.append(record)
            if progress.selector.update(record):
                progress.kept[epoch] = snapshot_best(epoch, model, scored)
            progress.prune()
            writer.submit(plan.work, snapshot(plan, parts, progress))
            display.epoch(loss, record, progress.selector)
    finally:
        writer.close()  # the last epoch's state is on disk before anything else is written
        display.close()
    return time.perf_counter() - start
