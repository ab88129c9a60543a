"""The result store: where a training run writes, how it writes, and how readers find it.

Layout (docs/architecture.md)::

    <root>/<dataset>/<model>/<selection>-<init>/seed<S>/fold<k>/
        result.json      complete record, written last (its presence means "done")
        checkpoint.pt    weights of the chosen epoch
        predictions.h5   test scores of the chosen epoch, in `vsumbench evaluate` format
    <root>/<dataset>/<model>/<selection>-<init>/seed<S>/.fold<k>.staging/
        the same files while the fold trains (state.pt: resume state after the last
        finished epoch), moved into place as fold<k>/ when the fold is complete

Every file is written to a temporary name in the same directory and moved into place
with ``os.replace``, so a crash never leaves a half-written file under the final name.
This module imports torch only inside the functions that save or load ``.pt`` files, so
tables and plots can discover results without it. ``result.json`` is read and written as a
typed `vsumbench.runner.result.RunResult`.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vsumbench.atomic import write_torch
from vsumbench.errors import ConfigError, DataError
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
    write_torch(Path(fold_dir) / STATE_FILE, dict(state))


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


# ---------------------------------------------------------------- staging and locking
#
# A fold trains in a hidden staging directory beside its final one (``.fold3.staging``) and
# is published only when complete, so a failed ``--force`` rerun leaves the previous result
# as it was. A lock file (``.fold3.lock``, held with ``flock`` for the whole fold) keeps two
# runs out of one fold; the kernel releases it when its holder dies, so a crash never leaves
# a fold locked. None of these names match ``fold*``, so discovery never sees them.


def staging_dir(fold_dir: str | os.PathLike) -> Path:
    """Where a fold trains until it is complete (resume state included)."""
    fold_dir = Path(fold_dir)
    return fold_dir.parent / f".{fold_dir.name}.staging"


def _old_dir(fold_dir: Path) -> Path:
    return fold_dir.parent / f".{fold_dir.name}.old"


def discard_staging(fold_dir: str | os.PathLike) -> None:
    """Forget an unfinished attempt (``--force``): the next one starts from scratch."""
    shutil.rmtree(staging_dir(fold_dir), ignore_errors=True)


def publish(fold_dir: str | os.PathLike) -> None:
    """Move the complete staging directory into place, replacing any previous result.

    Two renames; `recover` completes or undoes a publish that a crash interrupted.
    """
    fold_dir = Path(fold_dir)
    old = _old_dir(fold_dir)
    if fold_dir.exists():
        os.replace(fold_dir, old)
    os.replace(staging_dir(fold_dir), fold_dir)
    shutil.rmtree(old, ignore_errors=True)


def recover(fold_dir: str | os.PathLike) -> None:
    """Tidy a fold before use (under its lock): finish an interrupted publish, and remove
    temporary files that a killed writer left behind."""
    fold_dir = Path(fold_dir)
    old, staging = _old_dir(fold_dir), staging_dir(fold_dir)
    if old.exists():
        if not fold_dir.exists():  # crashed between the two renames of `publish`
            done = (staging / RESULT_FILE).is_file()
            os.replace(staging if done else old, fold_dir)
        shutil.rmtree(old, ignore_errors=True)
    elif not fold_dir.exists() and (staging / RESULT_FILE).is_file():
        os.replace(staging, fold_dir)  # crashed after the fold completed, before publishing
    for directory in (fold_dir, staging):
        if directory.is_dir():
            for tmp in directory.glob(".*.tmp"):
                tmp.unlink(missing_ok=True)


class FoldBusyError(ConfigError):
    """Another process holds the fold's lock (a concurrent run or sweep trains it)."""


def lock_holder(fold_dir: str | os.PathLike) -> str | None:
    """Who is training the fold right now ("pid ... on host since ..."), or None."""
    import fcntl

    fold_dir = Path(fold_dir)
    path = fold_dir.parent / f".{fold_dir.name}.lock"
    if not path.is_file():
        return None
    with open(path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            return handle.read().strip() or "another process"
        fcntl.flock(handle, fcntl.LOCK_UN)
    return None


@contextmanager
def fold_lock(fold_dir: str | os.PathLike) -> Iterator[None]:
    """Hold the fold's lock, or stop at once naming the run that holds it.

    Creating the lock is also the first write into the results folder, so an unwritable
    folder is reported before any training.
    """
    import fcntl
    import socket
    import sys
    import time

    fold_dir = Path(fold_dir)
    fold_dir.parent.mkdir(parents=True, exist_ok=True)
    path = fold_dir.parent / f".{fold_dir.name}.lock"
    with open(path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise FoldBusyError(
                f"{fold_dir} is being trained by {holder}; wait for that run to finish "
                f"(or stop it), then run again"
            ) from None
        handle.seek(0)
        handle.truncate()
        command = " ".join(["vsumbench", *sys.argv[1:]]) if sys.argv else "vsumbench"
        started = time.strftime("%Y-%m-%d %H:%M:%S")
        handle.write(f"pid {os.getpid()} on {socket.gethostname()} since {started} ({command})")
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle, fcntl.LOCK_UN)
