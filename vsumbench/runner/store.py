"""The result store: where a training run writes, how it writes, and how readers find it.

Layout (docs/architecture.md)::

    <root>/<dataset>/<model>/<selection>-<init>[+<variant>]/seed<S>/fold<k>/
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
from collections.abc import Iterable, Iterator, Mapping
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
    variant: str = ""  # `variant_label` of non-default model options
    setting: str = "canonical"  # vsumbench.runner.settings

    def path(self, root: str | os.PathLike) -> Path:
        check_selection(self.selection)
        return (
            Path(root)
            / self.dataset.lower()
            / self.model
            / run_label(self.selection, self.init, self.variant, self.setting)
            / f"seed{self.seed}"
            / f"fold{self.fold}"
        )


def run_label(selection: str, init: str, variant: str = "", setting: str = "canonical") -> str:
    """``<selection>-<init>[+<variant>][@<setting>]``: the folder of one kind of run of a
    model (the canonical setting unmarked)."""
    label = f"{selection}-{init}" + (f"+{variant}" if variant else "")
    return label + (f"@{setting}" if setting != "canonical" else "")


# ---------------------------------------------------------------- reading results


def read_result(fold_dir: str | os.PathLike) -> RunResult | None:
    """The fold's result, or None when it has no ``result.json``; a `DataError` naming the
    file when it is damaged or sits in another run's folder."""
    path = Path(fold_dir) / RESULT_FILE
    if not path.is_file():
        return None
    result = RunResult.read(path)
    _check_place(result, path)
    return result


def describe_artefacts(fold_dir: str | os.PathLike) -> dict[str, dict[str, Any]]:
    """Size and SHA-256 of the fold's predictions and checkpoint, as written (result.json
    records them; `verify_artefacts` checks them before a finished fold is reused)."""
    out = {}
    for name in (PREDICTIONS_FILE, CHECKPOINT_FILE):
        path = Path(fold_dir) / name
        if path.is_file():
            out[name] = {"bytes": path.stat().st_size, "sha256": _sha256(path)}
    return out


def verify_artefacts(result: RunResult) -> None:
    """A `DataError` naming the file when an artefact of a finished fold is missing or not
    the one its result recorded (truncated, replaced); results from before the record are
    checked for presence of the predictions only."""
    folder = Path(result.path)
    recorded = result.artefacts
    if recorded is None:
        recorded = {PREDICTIONS_FILE: {}}
    for name, record in recorded.items():
        path = folder / name
        advice = "rerun the fold with --force to regenerate it"
        if not path.is_file():
            raise DataError(f"is missing from a finished fold; {advice}", file=path)
        size = path.stat().st_size
        if "bytes" in record and size != record["bytes"]:
            raise DataError(
                f"is damaged: {size} bytes, {record['bytes']} when the fold finished; {advice}",
                file=path,
            )
        if "sha256" in record and _sha256(path) != record["sha256"]:
            raise DataError(
                f"is damaged: its content is not what the fold wrote (SHA-256 differs from "
                f"result.json's); {advice}",
                file=path,
            )


def _sha256(path: Path) -> str:
    import hashlib

    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def disk_usage(folders: Iterable[str | os.PathLike]) -> int:
    """Bytes of every file under ``folders`` (each counted once)."""
    total, seen = 0, set()
    for folder in folders:
        for path in Path(folder).rglob("*"):
            try:
                info = path.stat()
            except OSError:
                continue
            if path.is_file() and (info.st_dev, info.st_ino) not in seen:
                seen.add((info.st_dev, info.st_ino))
                total += info.st_size
    return total


def format_bytes(n: int) -> str:
    """``123.4 MB``: decimal units, as ``df -H`` and file managers print them."""
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if n < 1000 or unit == "TB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n} B"


def _check_place(result: RunResult, path: Path) -> None:
    """A result must sit where its own record puts it (a copied or edited file must not
    count for another dataset, model, seed or fold)."""
    parts = path.parts
    if len(parts) < 6:
        return
    dataset, model, _, seed_dir, fold_dir = parts[-6:-1]
    placed = {
        "dataset": (dataset, result.dataset.lower()),
        "model": (model, result.model),
        "seed": (seed_dir, f"seed{result.seed}"),
        "fold": (fold_dir, f"fold{result.fold}"),
    }
    for name, (folder, recorded) in placed.items():
        if folder != recorded:
            raise DataError(
                f"records {name} {recorded!r} but sits in the folder of {folder!r} (moved or "
                f"edited?); move it back or rerun the fold with --force",
                file=path,
            )


def discover(
    root: str | os.PathLike,
    *,
    dataset: str | None = None,
    model: str | None = None,
    selection: str | None = None,
    damaged: list[DataError] | None = None,
) -> list[RunResult]:
    """Every complete result under ``root`` (optionally filtered), with its ``path``.

    Sorted by dataset, model, selection-init, seed and fold, so tables are stable. A result
    that cannot be read raises its `DataError`, or, when ``damaged`` is a list, is appended
    to it and skipped (tables list what they left out).
    """
    found = []
    for path in sorted(Path(root).glob(f"*/*/*/seed*/fold*/{RESULT_FILE}")):
        try:
            result = read_result(path.parent)
        except DataError as exc:
            if damaged is None:
                raise
            damaged.append(exc)
            continue
        if result is None or not result.complete:
            continue
        if dataset is not None and result.dataset != dataset.lower():
            continue
        if model is not None and result.model != model:
            continue
        if selection is not None and result.selection != selection:
            continue
        found.append(result)
    found.sort(
        key=lambda r: (
            r.dataset,
            r.model,
            run_label(r.selection, r.init, r.variant, r.setting),
            r.seed,
            r.fold,
        )
    )
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
    advice = "delete it or rerun with --force to start this fold again"
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # a truncated or foreign file: say so, do not guess
        first = (str(exc).strip().splitlines() or [""])[0]
        raise DataError(
            f"cannot read the resume state ({type(exc).__name__}: {first}); {advice}",
            file=path,
        ) from None
    problem = _state_problem(state)
    if problem:
        raise DataError(f"not a resume state of vsumbench ({problem}); {advice}", file=path)
    return state


#: What every resume state holds, and the type of each entry (`vsumbench.runner.resume`).
STATE_SCHEMA: dict[str, tuple[type, ...]] = {
    "format": (int,),
    "signature": (dict,),
    "epoch": (int,),
    "model": (dict,),
    "rng": (dict, list, tuple),
    "history": (list,),
    "selector": (dict,),
    "kept": (dict,),
}


def _state_problem(state: Any) -> str | None:
    if not isinstance(state, dict):
        return f"it holds a {type(state).__name__}, not a table"
    missing = [k for k in STATE_SCHEMA if k not in state]
    if missing:
        return f"it lacks {', '.join(missing)}"
    for key, kinds in STATE_SCHEMA.items():
        if not isinstance(state[key], kinds):
            return f"{key} is a {type(state[key]).__name__}"
    if not all(isinstance(r, dict) for r in state["history"]):
        return "history holds something other than epoch records"
    return None


# ---------------------------------------------------------------- staging and locking
#
# A fold trains in a hidden staging directory beside its final one (``.fold3.staging``) and
# is published only when complete, so a failed ``--force`` rerun leaves the previous result
# as it was. A lock file (``.fold3.lock``, held with ``flock`` for the whole fold) keeps two
# runs out of one fold; the kernel releases it when its holder dies, so a crash never leaves
# a fold locked; the holder removes the file when it is done. None of these names match
# ``fold*``, so discovery never sees them.


def fold_log(fold_dir: str | os.PathLike) -> Path:
    """The fold's log beside it (``seed<S>/fold<k>.log``): every attempt of a sweep, and
    the traceback of a failure in `run`."""
    fold_dir = Path(fold_dir)
    return fold_dir.parent / f"{fold_dir.name}.log"


def append_log(fold_dir: str | os.PathLike, text: str) -> Path:
    """Append ``text`` to the fold's log; its path."""
    path = fold_log(fold_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as log:
        log.write(text if text.endswith("\n") else text + "\n")
    return path


def staging_dir(fold_dir: str | os.PathLike) -> Path:
    """Where a fold trains until it is complete (resume state included)."""
    fold_dir = Path(fold_dir)
    return fold_dir.parent / f".{fold_dir.name}.staging"


def _old_dir(fold_dir: Path) -> Path:
    return fold_dir.parent / f".{fold_dir.name}.old"


def discard_staging(fold_dir: str | os.PathLike) -> None:
    """Forget an unfinished attempt (``--force``): the next one starts from scratch."""
    shutil.rmtree(staging_dir(fold_dir), ignore_errors=True)


def drop_empty_staging(fold_dir: str | os.PathLike) -> None:
    """After a failed attempt: remove its staging folder unless it holds a resume state
    (something to resume from), so a failure leaves nothing behind."""
    staging = staging_dir(fold_dir)
    if staging.is_dir() and not (staging / STATE_FILE).is_file():
        shutil.rmtree(staging, ignore_errors=True)


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
    try:
        handle = open(path)  # read-only: never re-creates a lock file its holder removed
    except (FileNotFoundError, IsADirectoryError):
        return None
    with handle:
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
    folder is reported before any training. On release the lock file is removed, and so
    are the folders it created if nothing else was written into them (a refused run leaves
    no trace).
    """
    import fcntl

    fold_dir = Path(fold_dir)
    created = _missing_folders(fold_dir.parent)
    fold_dir.parent.mkdir(parents=True, exist_ok=True)
    path = fold_dir.parent / f".{fold_dir.name}.lock"
    handle = _acquire(path, fold_dir)
    try:
        handle.seek(0)
        handle.truncate()
        handle.write(_holder_text())
        handle.flush()
        yield
    finally:
        path.unlink(missing_ok=True)  # before unlocking: see `_acquire`
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()
        for folder in created:  # deepest first
            try:
                folder.rmdir()
            except OSError:  # not empty: something of the run's is in it
                break


def _acquire(path: Path, fold_dir: Path) -> Any:
    """The open, exclusively locked lock file. A holder removes the file before unlocking,
    so a lock won on a file that is no longer at ``path`` is stale: try again."""
    import fcntl

    while True:
        handle = open(path, "a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            handle.close()
            raise FoldBusyError(
                f"{fold_dir} is being trained by {holder}; wait for that run to finish "
                f"(or stop it), then run again"
            ) from None
        try:
            current = os.stat(path).st_ino
        except FileNotFoundError:
            current = None
        if current == os.fstat(handle.fileno()).st_ino:
            return handle
        handle.close()


def _holder_text() -> str:
    import socket
    import sys
    import time

    command = " ".join(["vsumbench", *sys.argv[1:]]) if sys.argv else "vsumbench"
    started = time.strftime("%Y-%m-%d %H:%M:%S")
    return f"pid {os.getpid()} on {socket.gethostname()} since {started} ({command})"


def _missing_folders(folder: Path) -> list[Path]:
    """``folder`` and its ancestors that do not exist yet, deepest first."""
    missing = []
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    return missing
