"""Epoch selection: which epoch's weights a fold reports (protocol.md section 6).

* ``paper``: the official CSTA rule. After every epoch, evaluate on the fold's TEST videos
  and keep the epoch when BOTH mean Kendall tau and mean Spearman rho strictly beat the best
  so far. The epoch is chosen on the test set, which flatters the numbers; it is offered to
  reproduce the published tables.
* ``last``: the last epoch. Honest, no selection at all.
* ``val``: the same both-strictly-better rule on validation videos held out of the
  training fold (``validation_split``); the test videos are only reported.

The selector sees one epoch record at a time (the dicts stored in ``result.json``'s
``epochs``), so the same code runs live during training and offline on a stored history.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from vsumbench.errors import ConfigError
from vsumbench.numbers import finite_or_none

SELECTIONS = ("paper", "last", "val")
_SOURCE = {"paper": "test", "val": "val", "last": None}
VAL_FRACTION = 1 / 8


def check_selection(name: str) -> str:
    if name not in SELECTIONS:
        raise ConfigError(f"unknown selection {name!r}; expected one of {', '.join(SELECTIONS)}")
    return name


@dataclass
class EpochSelector:
    """Tracks the chosen epoch; ``update(record)`` says whether this epoch is the new choice."""

    rule: str
    best_epoch: int | None = None
    best_kendall: float = -math.inf
    best_spearman: float = -math.inf

    def __post_init__(self) -> None:
        check_selection(self.rule)

    @property
    def source(self) -> str | None:
        """Which metrics the rule reads: ``test``, ``val`` or None (``last``)."""
        return _SOURCE[self.rule]

    def update(self, record: Mapping[str, Any]) -> bool:
        """Consider one epoch record (``epoch``, ``<source>_kendall``, ``<source>_spearman``)."""
        epoch = int(record["epoch"])
        if self.source is None:
            self.best_epoch = epoch
            return True
        tau = finite_or_none(record.get(f"{self.source}_kendall"))
        rho = finite_or_none(record.get(f"{self.source}_spearman"))
        # NaN never wins: an undefined correlation is not an improvement.
        if tau is None or rho is None:
            return False
        if tau > self.best_kendall and rho > self.best_spearman:
            self.best_epoch, self.best_kendall, self.best_spearman = epoch, tau, rho
            return True
        return False

    def state_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_state(cls, state: Mapping[str, Any]) -> EpochSelector:
        return cls(**state)


def select_epoch(history: Iterable[Mapping[str, Any]], rule: str) -> int | None:
    """Replay ``rule`` over stored epoch records; the chosen epoch (None if none qualifies)."""
    selector = EpochSelector(rule)
    for record in history:
        selector.update(record)
    return selector.best_epoch


#: PGL-SUM's loss-curve rule (its evaluation/choose_best_epoch.py): the walk starts after
#: epoch 15 and stops at the first relative change of at least 1 %.
LOSS_CURVE_START, LOSS_CURVE_TOLERANCE = 15, 1.0


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
    candidate, change = 0, 0.0
    for i in range(LOSS_CURVE_START, len(loss) - 1):
        diff = (loss[i + 1] - loss[i]) / loss[i + 1] * 100
        if diff <= -LOSS_CURVE_TOLERANCE or diff >= LOSS_CURVE_TOLERANCE:
            candidate, change = (i + 1 if diff < 0 else i), diff
            break
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
