"""A trained fold's outcome: the chosen epoch's predictions, checkpoint and `RunResult`,
written in that order into the fold's staging directory (``result.json`` last, so its
presence means the staged fold is complete and may be published)."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from typing import Any

import torch

from vsumbench.runner import store
from vsumbench.runner.context import FoldParts, RunContext
from vsumbench.runner.evaluation import EpochScores, FoldEvaluator, per_video
from vsumbench.runner.folds import FoldPlan
from vsumbench.runner.result import RunResult
from vsumbench.runner.resume import FoldProgress, cpu_state_dict

__all__ = ["finish", "snapshot_best", "training_record"]


def snapshot_best(epoch: int, model: torch.nn.Module, scored: EpochScores) -> dict[str, Any]:
    """What the result needs of the chosen epoch (weights, scores, per-video numbers)."""
    return {
        "epoch": epoch,
        "state_dict": cpu_state_dict(model),
        "scores": {k: torch.from_numpy(v) for k, v in scored.test_scores.items()},
        "per_video": per_video(scored.test),
        **{k: v for k, v in scored.record.items() if k.startswith("test_")},
    }


def finish(
    ctx: RunContext,
    plan: FoldPlan,
    parts: FoldParts,
    progress: FoldProgress,
    evaluator: FoldEvaluator,
    seconds: float,
) -> RunResult:
    """Write predictions and checkpoint of the chosen epoch, then result.json, then drop state."""
    from vsumbench.data.predictions import EXPECTED, write_predictions
    from vsumbench.models.checkpoints import save_checkpoint

    model = parts.model
    best, note = _chosen(plan, parts, progress, evaluator)
    scores = {k: best["scores"][k].numpy() for k in plan.test_keys}
    provenance = {
        EXPECTED: json.dumps(list(plan.test_keys)),
        "model": ctx.config.model,
        "dataset": ctx.bench.dataset,
        "seed": plan.seed,
        "fold": plan.index,
        "selection": plan.selection,
        "data_file": str(ctx.bench.data_file),
        "synthetic": int(ctx.bench.synthetic),
    }
    write_predictions(plan.work / store.PREDICTIONS_FILE, scores, attrs=provenance)
    model.load_state_dict(best["state_dict"])
    metrics = {m: best[f"test_{m}"] for m in ("kendall", "spearman", "f1")}
    identity = {"model": ctx.config.model, "dataset": ctx.bench.dataset}
    identity.update(fold=plan.index, seed=plan.seed)
    checkpoint = {**identity, "selection": plan.selection, "epoch": best["epoch"]}
    checkpoint.update(backbone_init=plan.backbone_init, model_args=plan.model_args, **metrics)
    if ctx.config.checkpoints == "keep":
        save_checkpoint(plan.work / store.CHECKPOINT_FILE, model, checkpoint)
    result = RunResult(
        **identity,
        selection=plan.selection,
        backbone_init=plan.backbone_init,
        init=plan.init,
        backbone_weights=parts.weights,
        data=replace(ctx.bench.data_record(), fingerprint=plan.fingerprint),
        config=training_record(ctx, plan, parts),
        environment=dict(ctx.environment),
        epochs=progress.history,
        chosen_epoch=best["epoch"],
        **metrics,
        per_video=best["per_video"],
        train_keys=list(plan.train_keys),
        val_keys=list(plan.val_keys),
        test_keys=list(plan.test_keys),
        seconds=seconds,
        note=note,
        artefacts=store.describe_artefacts(plan.work),
        setting=plan.setting,
    )
    (plan.work / store.STATE_FILE).unlink(missing_ok=True)
    result.write(plan.work / store.RESULT_FILE)  # last: the staged fold is complete
    return result


def _chosen(
    plan: FoldPlan, parts: FoldParts, progress: FoldProgress, evaluator: FoldEvaluator
) -> tuple[dict[str, Any], str | None]:
    """The chosen epoch's snapshot, and what the result must say about the training."""
    best, notes = progress.best, _nan_losses(progress.history) if parts.trains else []
    if best is None:
        # No epoch satisfied the rule (every correlation undefined): report the last one.
        last = progress.history[-1]["epoch"]
        notes.append(f"no epoch met the {plan.selection} rule; the last epoch is reported")
        best = snapshot_best(last, parts.model, evaluator.epoch(parts.model, last))
    return best, "; ".join(notes) or None


def _nan_losses(history: list[dict[str, Any]]) -> list[str]:
    """Say so when a training video's loss was NaN (the epoch's mean loss is then NaN)."""
    epochs = [r["epoch"] for r in history if not math.isfinite(r.get("loss") or math.nan)]
    if not epochs:
        return []
    return [
        f"{len(epochs)} of {len(history)} epoch(s) had a NaN training loss (first: epoch "
        f"{epochs[0]}): a training video's loss was NaN, so the epoch's mean loss is undefined"
    ]


def training_record(ctx: RunContext, plan: FoldPlan, parts: FoldParts) -> dict[str, Any]:
    """How the fold was trained, as ``result.json``'s ``config`` records it."""
    spec = ctx.spec
    schedule = getattr(spec.schedule, "__name__", "custom") if spec.schedule else None
    return {
        "epochs": plan.epochs,
        "lr": plan.lr,
        "weight_decay": plan.weight_decay,
        "loss": getattr(parts.objective, "name", type(parts.objective).__name__),
        "optimizer": {"adam": "Adam", "sgd": "SGD"}[spec.optimizer],
        "batch": plan.batch,  # videos per optimiser step, in a shuffled order
        "clip": plan.clip,
        "schedule": schedule,
        "device": str(ctx.device),
        "deterministic": ctx.config.deterministic,
        "trainable": parts.trains,
        "model_source": spec.source,
        "model_args": dict(plan.model_args),
        "n_splits": len(ctx.bench.splits),
        "rng": plan.rng,
        "threads": ctx.threads,
        "checkpoints": ctx.config.checkpoints,
        "precision": plan.precision,
        "setting": plan.setting,
    }
