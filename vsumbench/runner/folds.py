"""Fold planning: which (seed, fold) pairs a run trains, with what, and where they land.

Everything about a fold that is fixed before training starts is decided here, once: its
keys (training, validation, test), epochs, learning rate, weight decay, whether the model
trains at all, and its directory in the result store. The plan's `signature` is what a
saved state or finished result must match to belong to the request.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from vsumbench.atomic import json_safe
from vsumbench.data.fingerprint import fold_fingerprint
from vsumbench.errors import ConfigError
from vsumbench.models import SummarizerSpec
from vsumbench.runner import store
from vsumbench.runner.config import RunConfig
from vsumbench.runner.result import RunResult, variant_label
from vsumbench.runner.selection import resolve_selection, selector, validation_split

__all__ = ["FoldPlan", "check_existing", "mismatch", "plan_folds", "resolve_request"]


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
    fingerprint: str  # of the fold's videos and split: results and states are tied to it
    model_args: dict[str, Any] = field(default_factory=dict)
    rng: str = "fold"
    batch: int = 1  # videos per optimiser step (the model's recipe)
    clip: float | None = None  # max gradient norm (the model's recipe)
    precision: str = "32"  # --precision (vsumbench.runner.precision)
    setting: str = "canonical"  # vsumbench.runner.settings

    @property
    def work(self) -> Path:
        """Where the fold trains until complete (then published to ``directory``)."""
        return store.staging_dir(self.directory)

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
            # Only when given, so results from before model options still match.
            **({"model_args": json_safe(self.model_args)} if self.model_args else {}),
            **({"rng": self.rng} if self.rng != "fold" else {}),
            **({"batch": self.batch} if self.batch != 1 else {}),
            **({"clip": self.clip} if self.clip is not None else {}),
            **({"precision": self.precision} if self.precision != "32" else {}),
            **({"setting": self.setting} if self.setting != "canonical" else {}),
        }


_NONE = object()


def resolve_request(config: RunConfig, spec: SummarizerSpec) -> RunConfig:
    """The model's registered seed when none is asked for; ``--selection official`` -> the
    model's own rule (results record the rule's name); model options typed as the factory
    declares them (checked before any work), those at their default value dropped."""
    from vsumbench.datasets import get_dataset
    from vsumbench.models.registry import check_options, typed_options

    seeds = config.seeds if config.seeds is not None else (spec.seed,)
    # A dataset with its own official rule (Mr.HiSum's per-metric checkpoints) overrides
    # the model's: the authors of the benchmark fixed how every model is selected on it.
    rule = resolve_selection(
        config.selection, get_dataset(config.dataset).selection or spec.selection
    )
    options = typed_options(spec.name, config.model_args)
    check_options(spec.name, options)
    # An option given at its default value is the default run: same folder, same result.
    options = {k: v for k, v in options.items() if spec.model_defaults.get(k, _NONE) != v}
    return replace(config, seeds=tuple(seeds), selection=rule, model_args=options)


def plan_folds(
    config: RunConfig,
    spec: SummarizerSpec,
    splits: list,
    split_file: Path,
    digests: Mapping[str, str],
) -> list[FoldPlan]:
    """Every requested (seed, fold), seeds outer; errors name the split file.

    ``digests`` (key -> `video_digest`) give each fold its data fingerprint.
    """
    config = resolve_request(config, spec)
    n_splits = len(splits)
    indices = list(config.folds) if config.folds is not None else list(range(n_splits))
    bad = [i for i in indices if not 0 <= i < n_splits]
    if bad:
        raise ConfigError(
            f"--folds {bad} out of range: {split_file} has {n_splits} folds (0..{n_splits - 1})"
        )
    common = _shared_settings(config, spec)
    holds_out = selector(config.selection).needs_validation
    plans = []
    for seed in config.seeds:
        for i in indices:
            train = list(splits[i].train_keys)
            val: list[str] = list(splits[i].val_keys)  # fixed by the split file (Mr.HiSum)
            if holds_out and not val:
                train, val = validation_split(train, seed, i)
            key = store.RunKey(
                config.dataset,
                config.model,
                config.selection,
                common["init"],
                int(seed),
                i,
                variant_label(json_safe(config.model_args)),
                config.setting,
            )
            test = list(splits[i].test_keys)
            roles = {"train": train, "val": val, "test": test}
            plans.append(
                FoldPlan(
                    seed=int(seed),
                    index=i,
                    directory=key.path(config.results),
                    train_keys=train,
                    val_keys=val,
                    test_keys=test,
                    fingerprint=fold_fingerprint(digests, roles),
                    **common,
                )
            )
    return plans


def _shared_settings(config: RunConfig, spec: SummarizerSpec) -> dict[str, Any]:
    """The `FoldPlan` fields every fold of the request shares."""
    epochs, lr, wd = _optimiser_settings(config, spec)
    return {
        "model": config.model,
        "dataset": config.dataset,
        "selection": config.selection,
        "backbone_init": config.backbone_init if spec.uses_backbone else store.NO_BACKBONE,
        "init": store.init_label(config.backbone_init, spec.uses_backbone),
        "epochs": epochs,
        "lr": lr,
        "weight_decay": wd,
        "trainable": spec.trainable,
        "model_args": dict(config.model_args),
        "rng": config.rng,
        "batch": spec.batch,
        "clip": spec.clip,
        "precision": config.precision,
        "setting": config.setting,
    }


def _optimiser_settings(config: RunConfig, spec: SummarizerSpec) -> tuple[int, float, float]:
    """Epochs, learning rate and weight decay: the request's, else the registered ones."""
    # A fixed scorer (e.g. `random`) is evaluated once, never trained.
    epochs = int(config.epochs if config.epochs is not None else spec.epochs)
    epochs = epochs if spec.trainable else 1
    if epochs < 1:
        raise ConfigError(f"--epochs must be at least 1, got {epochs}")
    lr = float(config.lr if config.lr is not None else spec.lr)
    wd = float(config.weight_decay if config.weight_decay is not None else spec.weight_decay)
    if spec.trainable and not (math.isfinite(lr) and lr > 0 and math.isfinite(wd) and wd >= 0):
        raise ConfigError(
            f"learning rate must be positive and weight decay non-negative (both finite); "
            f"got lr={lr}, weight_decay={wd}"
        )
    return epochs, lr, wd


def mismatch(saved: Mapping[str, Any], wanted: Mapping[str, Any]) -> list[str]:
    """``key: saved X, requested Y`` for every differing entry of ``wanted`` (long lists of
    video keys as their count, the first few and what differs)."""
    return [
        f"{k}: saved {_brief(saved.get(k), wanted[k])}, requested {_brief(wanted[k], saved.get(k))}"
        for k in wanted
        if saved.get(k) != wanted[k]
    ]


def _brief(value: Any, other: Any, shown: int = 3) -> str:
    """``value`` for a one-line message: a list of more than ``shown`` items as its length,
    its first items and the items the other side lacks."""
    if not isinstance(value, (list, tuple)) or len(value) <= shown:
        return repr(value)
    head = ", ".join(map(str, value[:shown]))
    extra = [v for v in value if not isinstance(other, (list, tuple)) or v not in other]
    only = f"; not in the other: {', '.join(map(str, extra[:shown]))}" if extra else ""
    more = ", ..." if len(extra) > shown else ""
    return f"[{len(value)} items: {head}, ...{only}{more}]"


def check_existing(result: RunResult, plan: FoldPlan, data_file: Path) -> None:
    """A finished result may be reused only for the request, and the data, that made it."""
    saved = {
        k: v
        for k, v in result.config.items()
        if (k != "model_args" or v) and (k != "rng" or v != "fold")
    }
    # Results from before recipes recorded the batch as text: one video per step.
    saved["batch"] = saved["batch"] if isinstance(saved.get("batch"), int) else 1
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
    saved_fp = result.data.fingerprint
    same = saved_fp == plan.fingerprint if saved_fp else _same_file(result.data.file, data_file)
    if not same:
        raise ConfigError(
            f"{plan.directory} holds a result computed on other data: the features, targets "
            f"or annotations of its videos differ from {data_file} (fingerprint "
            f"{saved_fp or 'unrecorded, file ' + result.data.file} vs {plan.fingerprint}). "
            f"Rerun with --force to retrain it on this data, or use another --results directory"
        )


def _same_file(a: str, b: Path) -> bool:
    """Results from before fingerprints: the same data file is the best evidence left."""
    try:
        return Path(a).resolve() == b.resolve()
    except OSError:
        return False
