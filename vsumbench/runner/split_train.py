"""Training on one fixed split of a large benchmark (Mr.HiSum), as its authors train.

Batches of videos (256 under Mr.HiSum's recipe) read from disk by loader workers
(`vsumbench.runner.stream`); one optimiser step per batch on the masked mean squared error
over every valid step of the batch (the authors' ``MSELoss(reduction='none')`` on
``score[mask]``). Each video goes through the model over its own steps, which is what a
correctly masked padded batch computes; the loss of video ``i`` is weighted by its share of
the batch's steps. Validation after every epoch; the selection rule keeps its checkpoints
(one per metric under ``mrhisum-val``) and the test videos are scored once, at the end, with
each. Resume, staging, locks and ``result.json`` are the folded runner's own.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import torch

from vsumbench.errors import ConfigError, Interrupted
from vsumbench.runner import store
from vsumbench.runner.context import FoldParts, RunContext
from vsumbench.runner.failures import guarded, where_stopped
from vsumbench.runner.folds import FoldPlan, check_existing
from vsumbench.runner.loop import check_loss, score_videos
from vsumbench.runner.precision import Precision
from vsumbench.runner.result import RunResult
from vsumbench.runner.resume import FoldProgress, StateWriter, cpu_state_dict, restore, snapshot
from vsumbench.runner.seeding import seed_everything
from vsumbench.runner.selection import selector
from vsumbench.runner.stream import StreamedVideos, default_workers, video_batches

__all__ = ["STREAMED_RULES", "run_split"]

#: Rules that need no per-epoch test scores (the test videos are scored at the end only).
STREAMED_RULES = ("mrhisum-val", "last", "loss-curve", "loss-curve-fixed")


def run_split(ctx: RunContext, plans: list[FoldPlan], report: Any) -> list[RunResult]:
    """Train (or reuse) each planned seed of a one-split dataset, each under its lock."""
    if ctx.config.selection not in STREAMED_RULES:
        raise ConfigError(
            f"selection {ctx.config.selection!r} needs test or tau/rho scores after every "
            f"epoch, which {ctx.bench.dataset} does not compute; use --selection official "
            f"(the dataset's rule) or one of {', '.join(STREAMED_RULES)}"
        )
    results = []
    for plan in plans:
        with store.fold_lock(plan.directory):
            store.recover(plan.directory)
            existing = store.read_result(plan.directory)
            if existing is not None and existing.complete and not ctx.config.force:
                check_existing(existing, plan, ctx.bench.data_file)
                store.verify_artefacts(existing)
                results.append(existing)
                report.skipped.append(str(plan.directory))
                continue
            if ctx.config.force:
                store.discard_staging(plan.directory)
            result = guarded(_train_split, ctx, plan, None)
            store.publish(plan.directory)
            result.path = plan.directory
        results.append(result)
    return results


class _Evaluator:
    """Scores streamed videos and evaluates them with the dataset's protocol."""

    def __init__(self, ctx: RunContext, objective: Any, workers: int) -> None:
        self.bench, self.objective, self.workers = ctx.bench, objective, workers
        self.data = StreamedVideos(ctx.bench.data_file, list(ctx.bench.videos))

    def scores(self, model: torch.nn.Module, keys: Sequence[str]) -> dict[str, np.ndarray]:
        index = {k: i for i, k in enumerate(self.data.keys)}
        out: dict[str, np.ndarray] = {}
        batches = [[index[k] for k in keys[i : i + 32]] for i in range(0, len(keys), 32)]
        for batch in video_batches(self.data, batches, self.workers):
            out.update(score_videos(model, {k: x for k, x, _ in batch}, self.objective))
        return out

    def evaluate(self, model: torch.nn.Module, keys: Sequence[str]) -> tuple[dict, dict]:
        from vsumbench.protocol.mrhisum import evaluate_mrhisum

        scores = self.scores(model, keys)
        return evaluate_mrhisum(scores, {k: self.bench.videos[k] for k in keys}), scores


def _train_split(ctx: RunContext, plan: FoldPlan, *, bar: Any = None) -> RunResult:
    seed_everything(plan.seed)
    parts = FoldParts.build(ctx, plan, targets=False)
    workers = ctx.config.workers if ctx.config.workers is not None else default_workers()
    evaluator = _Evaluator(ctx, parts.objective, workers)
    state = store.load_state(plan.work)
    progress = restore(plan, state, parts) if state is not None else None
    progress = progress or FoldProgress(selector=selector(plan.selection))
    train = StreamedVideos(ctx.bench.data_file, plan.train_keys)
    start = time.perf_counter()
    try:
        _epochs(ctx, plan, parts, evaluator, progress, train, workers)
    except KeyboardInterrupt:
        raise Interrupted(where_stopped(ctx.config.model, plan, len(progress.history))) from None
    return _finish(ctx, plan, parts, progress, evaluator, time.perf_counter() - start)


def _epochs(ctx, plan, parts, evaluator, progress, train, workers) -> None:
    """The epochs still to do: train, validate, select, save the resume state."""
    from vsumbench.progress import progress_bar

    precision, writer = Precision(plan.precision, ctx.device), StateWriter()
    bar = progress_bar(total=plan.epochs, initial=progress.next_epoch - 1, unit="epoch",
                       desc=f"{ctx.config.model} on {plan.dataset} seed {plan.seed}",
                       disable=not ctx.config.progress)  # fmt: skip
    try:
        for epoch in range(progress.next_epoch, plan.epochs + 1):
            t0 = time.perf_counter()
            order = parts.shuffler.order(len(plan.train_keys))
            batches = [order[i : i + plan.batch] for i in range(0, len(order), plan.batch)]
            loss = _train_epoch(parts, video_batches(train, batches, workers), precision, plan)
            if parts.scheduler is not None:
                parts.scheduler.step()
            val, _ = evaluator.evaluate(parts.model, plan.val_keys)
            record = {"epoch": epoch, "loss": loss, **{f"val_{m}": val[m] for m in _METRICS}}
            record["seconds"] = time.perf_counter() - t0
            progress.history.append(record)
            if progress.selector.update(record):
                progress.kept[epoch] = {"epoch": epoch, "state_dict": cpu_state_dict(parts.model)}
            progress.prune()
            writer.submit(plan.work, snapshot(plan, parts, progress))
            bar.update(1)
            bar.set_postfix(loss=f"{loss:.4f}", val_f1=f"{val['f1']:.3f}",
                            map50=f"{val['map50']:.3f}")  # fmt: skip
    finally:
        writer.close()
        bar.close()


_METRICS = ("f1", "map50", "map15")


def _train_epoch(parts: FoldParts, batches, precision: Precision, plan: FoldPlan) -> float:
    """One pass; the mean over batches of the batch's masked MSE (the authors' logged loss)."""
    model, optimizer, objective = parts.model, parts.optimizer, parts.objective
    device = next(model.parameters()).device
    params = [p for group in optimizer.param_groups for p in group["params"]]
    model.train()
    losses = []
    for batch in batches:
        optimizer.zero_grad(set_to_none=True)
        steps = sum(int(y.shape[0]) for _, _, y in batch)
        total = torch.zeros((), device=device)
        for key, x, y in batch:
            with precision.autocast():
                loss = objective.loss(model, x.to(device), y.to(device))
            check_loss(loss, key)
            share = loss * (y.shape[0] / steps)  # sum of squared errors / the batch's steps
            precision.backward(share)
            total += share.detach().float()
        if plan.clip is not None:
            precision.unscale(optimizer)
            torch.nn.utils.clip_grad_norm_(params, plan.clip)
        precision.step(optimizer)
        losses.append(total)
    return float(torch.stack(losses).mean()) if losses else math.nan


def _finish(ctx, plan, parts, progress, evaluator, seconds: float) -> RunResult:
    """Score the test videos with each kept checkpoint; predictions, checkpoints, result."""
    from vsumbench.data.predictions import EXPECTED, write_predictions
    from vsumbench.models.checkpoints import save_checkpoint
    from vsumbench.runner.outcome import training_record

    rule = progress.selector
    last = progress.history[-1]["epoch"]
    chosen = dict(getattr(rule, "epochs", {})) or dict.fromkeys(_METRICS, rule.best_epoch)
    chosen = {m: chosen.get(m) or last for m in _METRICS}
    kept = dict(progress.kept)
    if any(e not in kept for e in chosen.values()):  # no epoch met the rule: the last one
        kept.setdefault(last, {"epoch": last, "state_dict": cpu_state_dict(parts.model)})
    tested: dict[int, tuple[dict, dict]] = {}
    for epoch in dict.fromkeys(chosen.values()):
        parts.model.load_state_dict(kept[epoch]["state_dict"])
        tested[epoch] = evaluator.evaluate(parts.model, plan.test_keys)
        if ctx.config.checkpoints == "keep":
            names = [m for m in _METRICS if chosen[m] == epoch]
            meta = {"model": ctx.config.model, "dataset": plan.dataset, "seed": plan.seed,
                    "fold": plan.index, "selection": plan.selection, "epoch": epoch,
                    "metrics": names, "model_args": plan.model_args,
                    "backbone_init": plan.backbone_init}  # fmt: skip
            name = store.CHECKPOINT_FILE if "f1" in names else f"checkpoint-{names[0]}.pt"
            save_checkpoint(plan.work / name, parts.model, meta)
    value = {m: tested[chosen[m]][0][m] for m in _METRICS}
    per_video = {k: {m: tested[chosen[m]][0]["per_video"][k][m] for m in _METRICS}
                 for k in plan.test_keys}  # fmt: skip
    provenance = {EXPECTED: json.dumps(list(plan.test_keys)),
                  "model": ctx.config.model, "dataset": plan.dataset, "seed": plan.seed,
                  "fold": plan.index, "selection": plan.selection, "metric": "f1",
                  "data_file": str(ctx.bench.data_file), "synthetic": int(ctx.bench.synthetic)}  # fmt: skip
    write_predictions(plan.work / store.PREDICTIONS_FILE, tested[chosen["f1"]][1], attrs=provenance)
    config = {**training_record(ctx, plan, parts), "workers": evaluator.workers}
    result = RunResult(
        model=ctx.config.model, dataset=plan.dataset, fold=plan.index, seed=plan.seed,
        selection=plan.selection, backbone_init=plan.backbone_init, init=plan.init,
        backbone_weights=parts.weights,
        data=replace(ctx.bench.data_record(), fingerprint=plan.fingerprint), config=config,
        environment=dict(ctx.environment), epochs=progress.history,
        chosen_epoch=chosen["f1"], kendall=None, spearman=None, f1=value["f1"],
        metrics={"map50": value["map50"], "map15": value["map15"]}, chosen_epochs=chosen,
        per_video=per_video, train_keys=list(plan.train_keys), val_keys=list(plan.val_keys),
        test_keys=list(plan.test_keys), seconds=seconds,
        artefacts=store.describe_artefacts(plan.work),
    )  # fmt: skip
    (plan.work / store.STATE_FILE).unlink(missing_ok=True)
    result.write(plan.work / store.RESULT_FILE)  # last: the staged run is complete
    return result
