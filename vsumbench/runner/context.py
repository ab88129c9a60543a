"""What the steps of a fold share, in two bundles instead of long parameter lists: the run
(`RunContext`, fixed for every fold) and one fold's trainable parts (`FoldParts`), built
here: model, backbone weights, objective and targets, optimiser and schedule."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch

from vsumbench.models import SummarizerSpec
from vsumbench.runner.benchmark import Benchmark
from vsumbench.runner.config import RunConfig
from vsumbench.runner.folds import FoldPlan
from vsumbench.runner.rng import Shuffler

__all__ = ["FoldParts", "RunContext"]


@dataclass(frozen=True)
class RunContext:
    """The request, the model's spec, the data loaded once, the device and the environment."""

    config: RunConfig
    spec: SummarizerSpec
    bench: Benchmark
    device: torch.device
    environment: dict[str, Any]
    threads: int  # torch CPU threads used (recorded with every result)


@dataclass
class FoldParts:
    """One fold's built model, its optimiser (None: nothing to train) and LR scheduler, its
    objective with the training videos' targets, its shuffler, and which backbone weights
    were loaded (None without a backbone)."""

    model: torch.nn.Module
    optimizer: torch.optim.Optimizer | None
    objective: Any
    targets: dict[str, Any]
    shuffler: Shuffler
    weights: str | None
    scheduler: Any = None

    @property
    def generator(self) -> torch.Generator:
        return self.shuffler.generator

    @property
    def trains(self) -> bool:
        return self.optimizer is not None

    @classmethod
    def build(cls, ctx: RunContext, plan: FoldPlan, *, targets: bool = True) -> FoldParts:
        """Build the model, then load its backbone weights; its objective and the training
        videos' targets (``targets=False``: read with the features, by a streamed
        dataset); the optimiser (and LR schedule) if it trains."""
        from vsumbench.models import create
        from vsumbench.models.weights import load_backbone_weights

        spec = ctx.spec
        # Models that draw their own randomness (the random scorer) follow the run's seed.
        model_cfg = {"seed": plan.seed} if "seed" in spec.model_defaults else {}
        model = create(ctx.config.model, **model_cfg, **plan.model_args)
        weights = load_backbone_weights(model, plan.backbone_init) if spec.uses_backbone else None
        model = model.to(ctx.device)
        params = [p for p in model.parameters() if p.requires_grad]
        optimizer = scheduler = None
        if plan.trainable and params:
            optimizer = spec.make_optimizer(params, plan.lr, plan.weight_decay)
            scheduler = spec.schedule(optimizer) if spec.schedule is not None else None
        objective = spec.make_objective()
        videos, device = ctx.bench.videos, ctx.device
        keys = plan.train_keys if targets else []
        made = {k: objective.target(videos[k], device) for k in keys}
        shuffler = Shuffler(ctx.config.rng, plan.seed)
        return cls(model, optimizer, objective, made, shuffler, weights, scheduler)
