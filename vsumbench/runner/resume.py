"""Resume: the full state of a fold after each epoch, saved in the background, restored
bitwise by a rerun (model, optimiser, LR schedule, every random stream, history, the
selection rule's state and the snapshots it may still choose).

The store owns the file (``state.pt``, written atomically); this module owns its content.
"""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from vsumbench.errors import ConfigError, DataError
from vsumbench.runner import store
from vsumbench.runner.context import FoldParts
from vsumbench.runner.folds import FoldPlan, mismatch
from vsumbench.runner.seeding import get_rng_state, set_rng_state
from vsumbench.runner.selection import Selector

__all__ = ["FoldProgress", "StateWriter", "cpu_state_dict", "restore", "snapshot"]

STATE_FORMAT = 3  # 2: states carry the data fingerprint; 3: kept snapshots, LR schedule


def cpu_state_dict(model: torch.nn.Module) -> dict[str, torch.Tensor]:
    """A detached CPU copy of the model's weights (safe to keep while training goes on)."""
    return {k: v.detach().to("cpu", copy=True) for k, v in model.state_dict().items()}


def _to_cpu(obj: Any) -> Any:
    """A deep copy with every tensor on the CPU (the optimiser's state is live otherwise)."""
    if isinstance(obj, torch.Tensor):
        return obj.detach().to("cpu", copy=True)
    if isinstance(obj, Mapping):
        return {k: _to_cpu(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_to_cpu(v) for v in obj]
    if isinstance(obj, tuple):
        return tuple(_to_cpu(v) for v in obj)
    return obj


@dataclass
class FoldProgress:
    """How far a fold got: the epochs done, the selector, and the snapshots of the epochs
    it may still choose (one for most rules)."""

    selector: Selector
    history: list[dict[str, Any]] = field(default_factory=list)
    kept: dict[int, dict[str, Any]] = field(default_factory=dict)

    @property
    def next_epoch(self) -> int:
        return len(self.history) + 1

    @property
    def best(self) -> dict[str, Any] | None:
        """The snapshot of the epoch chosen so far (None: no epoch qualifies)."""
        return self.kept.get(self.selector.best_epoch)

    def prune(self) -> None:
        """Drop the snapshots the rule can no longer choose."""
        keep = self.selector.keep()
        self.kept = {e: snap for e, snap in self.kept.items() if e in keep}


def snapshot(plan: FoldPlan, parts: FoldParts, progress: FoldProgress) -> dict[str, Any]:
    """The resume state after the last epoch in ``progress`` (CPU copies, tensors only)."""
    optimizer, scheduler = parts.optimizer, parts.scheduler
    return {
        "format": STATE_FORMAT,
        "signature": plan.signature(),
        "fingerprint": plan.fingerprint,
        "epoch": len(progress.history),
        "model": cpu_state_dict(parts.model),
        "optimizer": _to_cpu(optimizer.state_dict()) if optimizer is not None else None,
        "scheduler": scheduler.state_dict() if scheduler is not None else None,
        "rng": get_rng_state(parts.generator),
        "history": [dict(r) for r in progress.history],
        "selector": progress.selector.state_dict(),
        "kept": dict(progress.kept),
    }


def restore(plan: FoldPlan, state: Mapping[str, Any], parts: FoldParts) -> FoldProgress:
    """Load a saved state into the built model, optimiser, schedule and generator; its
    progress.

    A state saved for other settings is refused, never resumed silently.
    """
    where = plan.work / store.STATE_FILE
    diff = mismatch(state.get("signature", {}), plan.signature())
    if state.get("format") != STATE_FORMAT or diff:
        raise ConfigError(
            f"{where} is the resume state of a run with other settings "
            f"({'; '.join(diff[:3]) or 'older format'}). Rerun with --force to start this "
            f"fold again"
        )
    if state.get("fingerprint") != plan.fingerprint:
        raise ConfigError(
            f"{where} was saved while training on other data (fingerprint "
            f"{state.get('fingerprint')} vs {plan.fingerprint} now): the features, targets or "
            f"split of this fold changed. Rerun with --force to start this fold again"
        )
    try:
        return _load_into(state, parts)
    except (KeyError, RuntimeError, TypeError, ValueError, IndexError) as exc:
        first = (str(exc).strip().splitlines() or [""])[0][:200]
        raise DataError(
            f"damaged resume state ({type(exc).__name__}: {first}); delete it or rerun with "
            f"--force to start this fold again",
            file=where,
        ) from None


def _load_into(state: Mapping[str, Any], parts: FoldParts) -> FoldProgress:
    parts.model.load_state_dict(state["model"])
    if parts.optimizer is not None and state.get("optimizer") is not None:
        parts.optimizer.load_state_dict(state["optimizer"])
    if parts.scheduler is not None and state.get("scheduler") is not None:
        parts.scheduler.load_state_dict(state["scheduler"])
    set_rng_state(state["rng"], parts.generator)
    return FoldProgress(
        selector=Selector.from_state(state["selector"]),
        history=list(state["history"]),
        kept={int(e): snap for e, snap in state["kept"].items()},
    )


class StateWriter:
    """Writes resume states in a background thread, one at a time.

    The snapshot is taken synchronously (CPU copies), so training goes on while the file
    is written; a failed write surfaces at the next ``submit`` or at ``close``. The write
    itself is atomic, so a crash leaves the previous epoch's state in place.
    """

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="vsumbench-state")
        self._pending: Future | None = None

    def submit(self, directory: Path, state: dict[str, Any]) -> None:
        self.wait()
        self._pending = self._pool.submit(store.save_state, directory, state)

    def wait(self) -> None:
        if self._pending is not None:
            pending, self._pending = self._pending, None
            pending.result()

    def close(self) -> None:
        try:
            self.wait()
        finally:
            self._pool.shutdown(wait=True)
