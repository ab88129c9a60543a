"""What a sweep's worker runs: one fold through `vsumbench.runner.train.run`, logged.

The same function runs in a Ray worker, a SLURM job or this process. Everything the fold
prints (warnings, errors, the traceback of a crash) goes to its log beside the fold's
results; the worker returns a small `TaskOutcome`, never raises for a fold that failed, so
the driver decides about retries. Data loaded by one task stays in the worker's memory for
the next task on the same files (`BenchmarkCache`).
"""

from __future__ import annotations

import os
import re
import socket
import time
import traceback
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass, replace
from pathlib import Path

from vsumbench.sweep.plan import Task

__all__ = ["TaskOutcome", "run_task"]

_CACHE = None  # this worker process's BenchmarkCache


@dataclass(frozen=True)
class TaskOutcome:
    """How one attempt at a task ended.

    ``status``: ``done`` (trained now), ``skipped`` (finished before), ``failed`` (an
    error that a retry would repeat: bad data or settings), ``busy`` (another run holds the
    fold), ``crashed`` (anything else: retried up to ``--retries`` times).
    """

    label: str
    status: str
    log: str
    error: str = ""
    seconds: float = 0.0
    kendall: float | None = None
    spearman: float | None = None

    @property
    def retryable(self) -> bool:
        return self.status == "crashed"

    @property
    def ok(self) -> bool:
        return self.status in ("done", "skipped")


def run_task(task: Task, attempt: int = 1) -> TaskOutcome:
    """Run one fold, appending everything it prints to ``task.log``."""
    task.log.parent.mkdir(parents=True, exist_ok=True)
    unfinished = _unfinished_attempt(task.log)
    with open(task.log, "a", buffering=1) as log, redirect_stdout(log), redirect_stderr(log):
        if unfinished:
            print(
                f"== {unfinished} ended without a word: its process was killed (SIGKILL, out "
                f"of memory, a scheduler's time limit, or its machine stopped)"
            )
        stamp = time.strftime("%Y-%m-%d %H:%M:%S")
        print(
            f"== {stamp} attempt {attempt}: {task.label} (pid {os.getpid()} on {socket.gethostname()})"
        )
        start = time.perf_counter()
        outcome = _attempt(task)
        seconds = time.perf_counter() - start
        print(
            f"== {outcome.status} after {seconds:.1f} s{': ' + outcome.error if outcome.error else ''}"
        )
    return replace(outcome, seconds=seconds)


def _cause(exc: BaseException) -> str:
    """``Type: first line`` of what made the model fail (its own exception when wrapped)."""
    cause = exc.__cause__ or exc
    first = (str(cause).strip().splitlines() or [""])[0]
    return f"{type(cause).__name__}: {first}"


def _unfinished_attempt(log: Path) -> str | None:
    """``attempt N`` when the log's last attempt has a start line but no end line."""
    try:
        lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    for line in reversed(lines):
        if line.startswith("== ") and (" after " in line or "ended without a word" in line):
            return None
        found = re.match(r"== \S+ \S+ (attempt \d+):", line)
        if found:
            return found.group(1)
    return None


def _attempt(task: Task) -> TaskOutcome:
    global _CACHE
    from vsumbench.errors import Interrupted, ModelError, VsumbenchError
    from vsumbench.runner.benchmark import BenchmarkCache
    from vsumbench.runner.store import FoldBusyError
    from vsumbench.runner.train import run

    if _CACHE is None:
        _CACHE = BenchmarkCache()
    log = str(task.log)
    try:
        report = run(task.config, _CACHE)
    except FoldBusyError as exc:
        return TaskOutcome(task.label, "busy", log, str(exc))
    except (Interrupted, ModelError) as exc:  # a retry resumes from the saved state
        print(f"error: {exc}")
        return TaskOutcome(task.label, "crashed", log, _cause(exc))
    except VsumbenchError as exc:
        print(f"error: {exc}")
        return TaskOutcome(task.label, "failed", log, str(exc))
    except Exception as exc:  # a crash: the traceback goes to the log, the driver retries
        traceback.print_exc()
        return TaskOutcome(task.label, "crashed", log, _cause(exc))
    result = report.results[0]
    status = "skipped" if report.skipped else "done"
    return TaskOutcome(task.label, status, log, "", 0.0, result.kendall, result.spearman)
