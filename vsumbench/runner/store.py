"""The result store: where a training run writes, how it writes, and how readers find it.

Layout (docs/architecture.md)::

    <root>/<dataset>/<model>/<selection>-<init>/seed<S>/fold<k>/
        result.json      complete record, written last (its presence means "done")
        checkpoint.pt    weights of the chosen epoch
        predictions.h5   test scores of the chosen epoch, in `vsumbench evaluate` format
        state.pt         resume state after the last finished epoch, removed when done

Every file is written to a temporary name in the same directory and moved into place
with ``os.replace``, so a crash never leaves a half-written file under the final name.
This module imports torch only inside the functions that save or load ``.pt`` files, so
tables and plots can discover results without it. ``result.json`` is read and written as a
typed `vsumbench.runner.result.RunResult`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vsumbench.atomic import atomic_path
from vsumbench.errors import DataError
from vsumbench.runner.result import RunResult
from vsumbench.runner.selection import check_selection

RESULT_FILE = "result.json"
CHECKPOINT_FILE = "checkpoint.pt"
PREDICTIONS_FILE = "predictions.h5"
STATE_FILE = "state.pt"
NO_BACKBONE = "none"  # the init label of models without a pretrained backbone


def init_label(backbone_init: str, has_backbone: bool) -> str:
    """The ``<init>`` part of a result path.

    ``imagenet`` and ``random`` stay as they are; a weights file becomes ``file-<stem>``
    (its full path is recorded in ``result.json``); models without a backbone get
    ``none`` because the option does not apply to them.
    """
    if not has_backbone:
        return NO_BACKBONE
    if backbone_init in ("imagenet", "random"):
        return backbone_init
    stem = Path(backbone_init).stem or "weights"
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in stem)
    return f"file-{safe}"


@dataclass(frozen=True)
class RunKey:
    """Identifies one fold of one training run; ``path(root)`` is its directory."""

    dataset: str
    model: str
    selection: str
    init: str
    seed: int
    fold: int

    def path(self, root: str | os.PathLike) -> Path:
        check_selection(self.selection)
        return (
            Path(root)
            / self.dataset.lower()
            / self.model
            / f"{self.selection}-{self.init}"
            / f"seed{self.seed}"
            / f"fold{self.fold}"
        )


# ---------------------------------------------------------------- reading results


def read_result(fold_dir: str | os.PathLike) -> RunResult | None:
    """The fold's result, or None when it has no ``result.json``."""
    path = Path(fold_dir) / RESULT_FILE
    return RunResult.read(path) if path.is_file() else None


def discover(
    root: str | os.PathLike,
    *,
    dataset: str | None = None,
    model: str | None = None,
    selection: str | None = None,
) -> list[RunResult]:
    """Every complete result under ``root`` (optionally filtered), with its ``path``.

    Sorted by dataset, model, selection-init, seed and fold, so tables are stable.
    """
    found = []
    for path in Path(root).glob(f"*/*/*/seed*/fold*/{RESULT_FILE}"):
        result = RunResult.read(path)
        if not result.complete:
            continue
        if dataset is not None and result.dataset != dataset.lower():
            continue
        if model is not None and result.model != model:
            continue
        if selection is not None and result.selection != selection:
            continue
        found.append(result)
    found.sort(key=lambda r: (r.dataset, r.model, f"{r.selection}-{r.init}", r.seed, r.fold))
    return found


# ---------------------------------------------------------------- resume state


def save_state(fold_dir: str | os.PathLike, state: Mapping[str, Any]) -> None:
    """Save the resume state after an epoch (atomically, so a crash keeps the previous one)."""
    import torch

    with atomic_path(Path(fold_dir) / STATE_FILE) as tmp:
        torch.save(dict(state), tmp)


def load_state(fold_dir: str | os.PathLike) -> dict[str, Any] | None:
    """The resume state of an unfinished fold, or None. Loaded with ``weights_only=True``."""
    import torch

    path = Path(fold_dir) / STATE_FILE
    if not path.is_file():
        return None
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # a truncated or foreign file: say so, do not guess
        first = (str(exc).strip().splitlines() or [""])[0]
        raise DataError(
            f"cannot read the resume state ({type(exc).__name__}: {first}); delete it or "
            f"rerun with --force to start this fold again",
            file=path,
        ) from None


def clear_fold(fold_dir: str | os.PathLike) -> None:
    """Remove every file the runner writes in a fold directory (for ``--force``)."""
    for name in (RESULT_FILE, CHECKPOINT_FILE, PREDICTIONS_FILE, STATE_FILE):
        path = Path(fold_dir) / name
        if path.exists():
            path.unlink()
