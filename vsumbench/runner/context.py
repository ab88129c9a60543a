"""What the steps of a fold share, in two bundles instead of long parameter lists: the run
(`RunContext`, fixed for every fold) and one fold's trainable parts (`FoldParts`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch

from vsumbench.models import SummarizerSpec
from vsumbench.runner.benchmark import Benchmark
from vsumbench.runner.config import RunConfig
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
    """One fold's built model, its optimiser (None: nothing to train), loss and shuffler,
    and which backbone weights were loaded (None without a backbone)."""

    model: torch.nn.Module
    optimizer: torch.optim.Optimizer | None
    loss_fn: Any
    shuffler: Shuffler
    weights: str | None

    @property
    def generator(self) -> torch.Generator:
        return self.shuffler.generator

    @property
    def trains(self) -> bool:
        return self.optimizer is not None
