"""Epoch selection: which epoch's weights a fold reports (docs/protocol.md section 6).

Rules are registered by name and recorded with every result:

* ``paper``: the official CSTA rule. After every epoch, evaluate on the fold's TEST videos
  and keep the epoch when BOTH mean Kendall tau and mean Spearman rho strictly beat the best
  so far. The epoch is chosen on the test set, which flatters the numbers; it is offered to
  reproduce the published tables.
* ``last``: the last epoch. Honest, no selection at all.
* ``val``: the same both-strictly-better rule on validation videos held out of the
  training fold (``validation_split``); the test videos are only reported.
* ``test-f1``: DSNet's rule (its ``train.py``): the epoch whose mean test F1 strictly beats
  the best so far. Chosen on the test set too.
* ``loss-curve``: PGL-SUM's rule (its ``evaluation/choose_best_epoch.py``), read from the
  training-loss curve alone, never from test videos; with the official script's
  one-epoch offset (`loss_curve_epoch`). ``loss-curve-fixed``: the epoch the rule means.

A model names its authors' rule at registration; ``--selection official`` uses it.

A selector sees one epoch record at a time (the dicts stored in ``result.json``'s
``epochs``), so the same code runs live during training and offline on a stored history.
``update`` says whether the runner must keep this epoch's snapshot; ``keep`` which kept
snapshots may still be chosen (a rule that decides at the end keeps a few); ``best_epoch``
is the choice so far.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from vsumbench.errors import ConfigError
from vsumbench.numbers import finite_or_none

__all__ = [
    "OFFICIAL",
    "Selector",
    "check_selection",
    "describe_selections",
    "loss_curve_epoch",
    "register_selection",
    "resolve_selection",
    "select_epoch",
    "selection_names",
    "selector",
    "validation_split",
]

#: ``--selection official``: the rule the model's authors used (its registration's).
OFFICIAL = "official"
VAL_FRACTION = 1 / 8


class Selector:
    """Base of a selection rule; subclasses set ``rule`` and override ``update``."""

    rule: str = ""
    needs_validation = False  # hold validation videos out of the training fold

    def __init__(self) -> None:
        self.best_epoch: int | None = None

    def update(self, record: Mapping[str, Any]) -> bool:
        raise NotImplementedError

    def keep(self) -> set[int]:
        """Epochs whose snapshots may still be chosen (the runner drops the others)."""
        return {self.best_epoch} if self.best_epoch is not None else set()

    def state_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, **{k: v for k, v in vars(self).items()}}

    @classmethod
    def from_state(cls, state: Mapping[str, Any]) -> Selector:
        out = selector(state["rule"])
        vars(out).update({k: v for k, v in state.items() if k != "rule"})
        return out


@dataclass(frozen=True)
class _Rule:
    make: Callable[[], Selector]
    description: str


_RULES: dict[str, _Rule] = {}


def register_selection(name: str, description: str) -> Callable[[type], type]:
    """Register a `Selector` subclass (built with no arguments) as rule ``name``."""

    def decorator(cls: type) -> type:
        cls.rule = name
        _RULES[name] = _Rule(cls, description)
        return cls

    return decorator


def selection_names() -> list[str]:
    """The registered rules, in registration order."""
    return list(_RULES)


def describe_selections() -> str:
    """``name = what it does`` for every rule, and ``official`` (for help texts)."""
    rules = [f"{name} = {rule.description}" for name, rule in _RULES.items()]
    return "; ".join([*rules, f"{OFFICIAL} = the model's own rule (`vsumbench models`)"])


def check_selection(name: str) -> str:
    if name not in _RULES:
        raise ConfigError(
            f"unknown selection {name!r}; expected one of {', '.join([*_RULES, OFFICIAL])}"
        )
    return name


def resolve_selection(name: str, official: str) -> str:
    """``official`` -> the model's own rule (``official``); any other name is checked."""
    return check_selection(official if name == OFFICIAL else name)


def selector(name: str) -> Selector:
    """A fresh selector for rule ``name``."""
    return _RULES[check_selection(name)].make()


class _BothBetter(Selector):
    """Both mean tau and mean rho of ``source`` strictly beat the best so far."""

    source = "test"

    def __init__(self) -> None:
        super().__init__()
        self.best_kendall = -math.inf
        self.best_spearman = -math.inf

    def update(self, record: Mapping[str, Any]) -> bool:
        tau = finite_or_none(record.get(f"{self.source}_kendall"))
        rho = finite_or_none(record.get(f"{self.source}_spearman"))
        # NaN never wins: an undefined correlation is not an improvement.
        if tau is None or rho is None:
            return False
        if tau > self.best_kendall and rho > self.best_spearman:
            self.best_epoch, self.best_kendall, self.best_spearman = int(record["epoch"]), tau, rho
            return True
        return False


@register_selection("paper", "best test tau AND rho (CSTA's rule; chosen on the test set)")
class PaperRule(_BothBetter):
    source = "test"


@register_selection("last", "the last epoch (no selection)")
class LastRule(Selector):
    def update(self, record: Mapping[str, Any]) -> bool:
        self.best_epoch = int(record["epoch"])
        return True


@register_selection("val", "best tau AND rho on validation videos held out of training")
class ValRule(_BothBetter):
    source = "val"
    needs_validation = True


@register_selection("test-f1", "best test F1 (DSNet's rule; chosen on the test set)")
class TestF1Rule(Selector):
    def __init__(self) -> None:
        super().__init__()
        self.best_f1 = -math.inf

    def update(self, record: Mapping[str, Any]) -> bool:
        f1 = finite_or_none(record.get("test_f1"))
        if f1 is not None and f1 > self.best_f1:
            self.best_epoch, self.best_f1 = int(record["epoch"]), f1
            return True
        return False


@register_selection(
    "loss-curve", "PGL-SUM's rule on the training-loss curve, with its official offset"
)
class LossCurveRule(Selector):
    """Decided at the end from the whole loss curve; keeps the few epochs it may pick: the
    default, the first large change, the lowest loss so far (each shifted by the official
    offset), and the latest epoch."""

    official = True

    def __init__(self) -> None:
        super().__init__()
        self.losses: list[float] = []

    def update(self, record: Mapping[str, Any]) -> bool:
        self.losses.append(float(record["loss"]) if record.get("loss") is not None else math.nan)
        try:
            self.best_epoch = loss_curve_epoch(self.losses, official=self.official)
        except ValueError:  # an untrained or diverged curve: no epoch qualifies
            self.best_epoch = None
        return True

    def keep(self) -> set[int]:
        shift = 2 if self.official else 1  # 0-based index -> reported 1-based epoch
        walk = _first_large_change(self.losses)
        indices = {0, walk[0]} if walk else {0}
        finite = [v if math.isfinite(v) else math.inf for v in self.losses]
        indices.add(min(range(len(finite)), key=finite.__getitem__))
        return {i + shift for i in indices} | {len(self.losses)}


@register_selection("loss-curve-fixed", "PGL-SUM's loss-curve rule, the epoch it means")
class LossCurveFixedRule(LossCurveRule):
    official = False


@register_selection(
    "mrhisum-val",
    "Mr.HiSum's rule: one checkpoint per metric (best validation F1, mAP@50, mAP@15; ties to "
    "the later epoch), each metric reported from its own",
)
class PerMetricRule(Selector):
    """The Mr.HiSum authors' ``solver.train``: after every epoch, a metric's checkpoint is
    replaced when its validation value is at least the best so far (``best <= val``); each
    test metric is then reported from its own checkpoint. ``best_epoch`` is F1's."""

    needs_validation = True
    metrics = ("f1", "map50", "map15")

    def __init__(self) -> None:
        super().__init__()
        self.best = {m: -math.inf for m in self.metrics}
        self.epochs: dict[str, int] = {}

    def update(self, record: Mapping[str, Any]) -> bool:
        changed = False
        for m in self.metrics:
            value = finite_or_none(record.get(f"val_{m}"))
            if value is not None and value >= self.best[m]:
                self.best[m], self.epochs[m] = value, int(record["epoch"])
                changed = True
        self.best_epoch = self.epochs.get("f1")
        return changed

    def keep(self) -> set[int]:
        return set(self.epochs.values())


def select_epoch(history: Iterable[Mapping[str, Any]], rule: str) -> int | None:
    """Replay ``rule`` over stored epoch records; the chosen epoch (None if none qualifies)."""
    chooser = selector(rule)
    for record in history:
        chooser.update(record)
    return chooser.best_epoch


#: PGL-SUM's loss-curve rule (its evaluation/choose_best_epoch.py): the walk starts after
#: epoch 15 and stops at the first relative change of at least 1 %.
LOSS_CURVE_START, LOSS_CURVE_TOLERANCE = 15, 1.0


def _first_large_change(loss: Sequence[float]) -> tuple[int, float] | None:
    """(candidate index, change in %) of the walk's first change of at least 1 %."""
    for i in range(LOSS_CURVE_START, len(loss) - 1):
        diff = (loss[i + 1] - loss[i]) / loss[i + 1] * 100
        if diff <= -LOSS_CURVE_TOLERANCE or diff >= LOSS_CURVE_TOLERANCE:
            return (i + 1 if diff < 0 else i), diff
    return None


def loss_curve_epoch(losses: Sequence[float], *, official: bool = True) -> int:
    """The epoch (1-based) that PGL-SUM's rule picks from the training-loss curve alone.

    From the 16th epoch on, the first relative change of at least 1 % (relative to the later
    epoch) decides a candidate: after a drop the later epoch, after a rise the earlier one.
    The first global minimum wins instead when its change from the epoch before is smaller in
    size (the official code compares the first epoch with the last, by Python's index -1).
    The rule never looks at test videos.

    The official script then reports the F-score one entry further on than the epoch it
    chose (the rule returns index + 1 into a list that starts at the first epoch):
    ``official=True`` reproduces that offset, ``official=False`` gives the epoch the rule
    means. Where the offset runs past the last epoch the official script fails (IndexError);
    here the last epoch is returned.

    >>> curve = [1.0] * 16 + [0.9, 0.8, 0.7]
    >>> loss_curve_epoch(curve, official=False), loss_curve_epoch(curve)
    (17, 18)
    """
    import numpy as np

    loss = [float(v) for v in losses]
    if not loss or any(not math.isfinite(v) or v <= 0 for v in loss):
        raise ValueError("the loss-curve rule needs finite, positive losses, one per epoch")
    candidate, change = _first_large_change(loss) or (0, 0.0)
    lowest = int(np.argmin(np.asarray(loss, dtype=np.float32)))  # torch.argmin on float32
    lowest_change = (loss[lowest] - loss[lowest - 1]) / loss[lowest] * 100
    index = lowest if abs(lowest_change) < abs(change) else candidate
    return min(index + 2, len(loss)) if official else index + 1


def validation_split(
    train_keys: Sequence[str], seed: int, fold: int, fraction: float = VAL_FRACTION
) -> tuple[list[str], list[str]]:
    """Hold validation videos out of a training fold: ``(train, val)``, both in input order.

    ``round(fraction * n)`` videos, at least 1, at most ``n - 1``; the draw depends only on
    the seed, the fold and the key set, so a resumed or repeated run holds out the same
    videos.
    """
    keys = list(train_keys)
    if len(keys) < 2:
        raise ConfigError(
            f"val selection needs at least 2 training videos in fold {fold}, found {len(keys)}"
        )
    import numpy as np

    n_val = min(max(1, round(fraction * len(keys))), len(keys) - 1)
    rng = np.random.default_rng([int(seed), int(fold)])
    chosen = set(rng.choice(sorted(keys), size=n_val, replace=False).tolist())
    return [k for k in keys if k not in chosen], [k for k in keys if k in chosen]
