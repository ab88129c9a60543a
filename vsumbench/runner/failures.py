"""How a fold's training ends when it does not finish: a failure of the model's code said
in one line (its traceback in the fold's log), Ctrl-C said with where to resume, and nothing
of the attempt left behind that cannot be resumed."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from vsumbench.errors import ModelError, VsumbenchError
from vsumbench.runner import store
from vsumbench.runner.context import RunContext
from vsumbench.runner.folds import FoldPlan
from vsumbench.runner.result import RunResult

__all__ = ["guarded", "where_stopped"]


def guarded(
    run_fold: Callable[..., RunResult], ctx: RunContext, plan: FoldPlan, bar: Any
) -> RunResult:
    """``run_fold(ctx, plan, bar=bar)``; any exception of the model's code (or a broken
    output contract) becomes one `ModelError` naming the model and the fold."""
    try:
        return run_fold(ctx, plan, bar=bar)
    except BaseException as exc:
        store.drop_empty_staging(plan.directory)
        ours = isinstance(exc, VsumbenchError) and not isinstance(exc, ModelError)
        # Our own errors say it all; Ctrl-C; and a disk that is full or a file-size limit
        # (the environment, not the model: the CLI names the file).
        if ours or isinstance(exc, OSError) or not isinstance(exc, Exception):
            raise
        raise _model_failure(ctx, plan, exc) from exc


def _model_failure(ctx: RunContext, plan: FoldPlan, exc: Exception) -> ModelError:
    """One line naming the model, the fold and the error; the traceback in the fold's log."""
    import traceback

    stamp = time.strftime("%Y-%m-%d %H:%M:%S")
    trace = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    try:
        log = store.append_log(plan.directory, f"== {stamp} {ctx.config.model} failed:\n{trace}")
        where = f"traceback in {log}"
    except OSError as err:  # a full disk must not hide the model's error
        where = f"traceback not saved: {err.strerror or err}"
    first = (str(exc).strip().splitlines() or [""])[0][:300]
    what = first if isinstance(exc, ModelError) else f"{type(exc).__name__}: {first}"
    return ModelError(
        f"{ctx.config.model} failed in seed {plan.seed} fold {plan.index}: {what} ({where}; "
        f"rerun with `vsumbench --debug run ...` to see it here)"
    )


def where_stopped(model: str, plan: FoldPlan, done: int) -> str:
    """What an interrupted fold says: where it stopped and that the command resumes it."""
    saved = {0: "no epoch was finished", 1: "epoch 1 is saved"}.get(
        done, f"epochs 1-{done} are saved"
    )
    return (
        f"interrupted: {model} seed {plan.seed} fold {plan.index} stopped during epoch "
        f"{done + 1} ({saved}); the same command resumes it at epoch {done + 1}"
    )
