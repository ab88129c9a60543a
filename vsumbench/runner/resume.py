"""Resume: the full state of a fold after each epoch, saved in the background, restored
bitwise by a rerun (model, optimiser, every random stream, history, chosen-so-far epoch).

The store owns the file (``state.pt``, written atomically); this module owns its content.
"""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from vsumbench.errors import ConfigError
from vsumbench.runner import store
from vsumbench.runner.folds import FoldPlan, mismatch
from vsumbench.runner.seeding import get_rng_state, set_rng_state
from vsumbench.runner.selection import EpochSelector

__all__ = ["FoldProgress", "StateWriter", "cpu_state_dict", "restore", "snapshot"]

STATE_FORMAT = 2  # 2: states carry the data fingerprint


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
    """How far a fold got: the epochs done, the selector, and the chosen epoch's snapshot."""

    selector: EpochSelector
    history: list[dict[str, Any]] = field(default_factory=list)
    best: dict[str, Any] | None = None

    @property
    def next_epoch(self) -> int:
        return len(self.history) + 1


def snapshot(
    plan: FoldPlan,
    model: torch.nn.Module,
    optimizer: torch.optim.Optimizer | None,
    generator: torch.Generator,
    progress: FoldProgress,
) -> dict[str, Any]:
    """The resume state after the last epoch in ``progress`` (CPU copies, tensors only)."""
    return {
        "format": STATE_FORMAT,
        "signature": plan.signature(),
        "fingerprint": plan.fingerprint,
        "epoch": len(progress.history),
        "model": cpu_state_dict(model),
        "optimizer": _to_cpu(optimizer.state_dict()) if optimizer is not None else None,
        "rng": get_rng_state(generator),
        "history": [dict(r) for r in progress.history],
        "selector": progress.selector.state_dict(),
        "best": progress.best,
    }


def restore(
    plan: FoldPlan,
    state: Mapping[str, Any],
    model: torch.nn.Module,
    optimizer: torch.optim.Optimizer | None,
    generator: torch.Generator,
) -> FoldProgress:
    """Load a saved state into the built model, optimiser and generator; its progress.

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
    model.load_state_dict(state["model"])
    if optimizer is not None and state.get("optimizer") is not None:
        optimizer.load_state_dict(state["optimizer"])
    set_rng_state(state["rng"], generator)
    return FoldProgress(
        selector=EpochSelector.from_state(state["selector"]),
        history=list(state["history"]),
        best=state["best"],
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
