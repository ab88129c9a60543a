"""Fold planning: which (seed, fold) pairs a run trains, with what, and where they land.

Everything about a fold that is fixed before training starts is decided here, once: its
keys (training, validation, test), epochs, learning rate, weight decay, whether the model
trains at all, and its directory in the result store. The plan's `signature` is what a
saved state or finished result must match to belong to the request.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vsumbench.errors import ConfigError
from vsumbench.models import SummarizerSpec
from vsumbench.runner import store
from vsumbench.runner.config import RunConfig
from vsumbench.runner.result import RunResult
from vsumbench.runner.selection import validation_split

__all__ = ["FoldPlan", "check_existing", "mismatch", "plan_folds"]


@dataclass(frozen=True)
class FoldPlan:
    """One fold of one seed, fully specified."""

    model: str
    dataset: str
    selection: str
    backbone_init: str
    init: str
    seed: int
    index: int
    directory: Path
    train_keys: list[str]
    val_keys: list[str]
    test_keys: list[str]
    epochs: int
    lr: float
    weight_decay: float
    trainable: bool

    def signature(self) -> dict[str, Any]:
        """What must match for a saved state or result to belong to this request."""
        return {
            "model": self.model,
            "dataset": self.dataset,
            "selection": self.selection,
            "backbone_init": self.backbone_init,
            "seed": self.seed,
            "fold": self.index,
            "epochs": self.epochs,
            "lr": self.lr,
            "weight_decay": self.weight_decay,
            "train_keys": list(self.train_keys),
            "val_keys": list(self.val_keys),
            "test_keys": list(self.test_keys),
        }


def plan_folds(
    config: RunConfig, spec: SummarizerSpec, splits: list, split_file: Path
) -> list[FoldPlan]:
    """Every requested (seed, fold), seeds outer; errors name the split file."""
    n_splits = len(splits)
    indices = list(config.folds) if config.folds is not None else list(range(n_splits))
    bad = [i for i in indices if not 0 <= i < n_splits]
    if bad:
        raise ConfigError(
            f"--folds {bad} out of range: {split_file} has {n_splits} folds (0..{n_splits - 1})"
        )
    # A fixed scorer (e.g. `random`) is evaluated once, never trained.
    epochs = int(config.epochs if config.epochs is not None else spec.epochs)
    epochs = epochs if spec.trainable else 1
    if epochs < 1:
        raise ConfigError(f"--epochs must be at least 1, got {epochs}")
    lr = float(config.lr if config.lr is not None else spec.lr)
    wd = float(config.weight_decay if config.weight_decay is not None else spec.weight_decay)
    backbone_init = config.backbone_init if spec.uses_backbone else store.NO_BACKBONE
    init = store.init_label(config.backbone_init, spec.uses_backbone)
    plans = []
    for seed in config.seeds:
        for i in indices:
            train = list(splits[i].train_keys)
            val: list[str] = []
            if config.selection == "val":
                train, val = validation_split(train, seed, i)
            key = store.RunKey(config.dataset, config.model, config.selection, init, int(seed), i)
            plans.append(
                FoldPlan(
                    model=config.model,
                    dataset=config.dataset,
                    selection=config.selection,
                    backbone_init=backbone_init,
                    init=init,
                    seed=int(seed),
                    index=i,
                    directory=key.path(config.results),
                    train_keys=train,
                    val_keys=val,
                    test_keys=list(splits[i].test_keys),
                    epochs=epochs,
                    lr=lr,
                    weight_decay=wd,
                    trainable=spec.trainable,
                )
            )
    return plans


def mismatch(saved: Mapping[str, Any], wanted: Mapping[str, Any]) -> list[str]:
    """``key: saved X, requested Y`` for every differing entry of ``wanted``."""
    return [
        f"{k}: saved {saved.get(k)!r}, requested {wanted[k]!r}"
        for k in wanted
        if saved.get(k) != wanted[k]
    ]


def check_existing(result: RunResult, plan: FoldPlan) -> None:
    """A finished result may be reused only for the request that made it."""
    saved = dict(result.config)
    saved.update(
        model=result.model,
        dataset=result.dataset,
        selection=result.selection,
        seed=result.seed,
        fold=result.fold,
        backbone_init=result.backbone_init,
        train_keys=result.train_keys,
        val_keys=result.val_keys,
        test_keys=result.test_keys,
    )
    diff = mismatch(saved, plan.signature())
    if diff:
        raise ConfigError(
            f"{plan.directory} already holds a finished result made with other settings "
            f"({'; '.join(diff[:3])}). Rerun with --force to overwrite it, or use "
            f"another --results directory"
        )
