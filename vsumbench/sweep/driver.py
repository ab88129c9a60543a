"""Run a sweep: plan, hand the unfinished folds to an engine, retry crashes, show progress.

The result store decides what is finished, so interrupting a sweep and running the same
command again finishes it; a crashed fold is retried (``--retries``) and resumes from its
saved state; a fold another run holds is left to it and listed at the end.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vsumbench.runner.config import RunConfig
from vsumbench.sweep.engines import Engine, make_engine
from vsumbench.sweep.grid import SweepGrid
from vsumbench.sweep.plan import SweepPlan, Task, grid_for_run, plan_sweep
from vsumbench.sweep.task import TaskOutcome

__all__ = ["SweepReport", "run_parallel", "run_sweep"]


@dataclass
class SweepReport:
    """Every task's last outcome (finished ones as ``skipped``), in grid order."""

    plan: SweepPlan
    outcomes: dict[str, TaskOutcome] = field(default_factory=dict)
    attempts: dict[str, int] = field(default_factory=dict)
    interrupted: bool = False

    @property
    def failures(self) -> list[TaskOutcome]:
        return [o for o in self.outcomes.values() if not o.ok]

    @property
    def complete(self) -> bool:
        done = sum(o.ok for o in self.outcomes.values())
        return not self.interrupted and done == len(self.plan.tasks)


def run_sweep(
    grid: SweepGrid,
    *,
    progress: bool = True,
    num_cpus: int | None = None,
    plan: SweepPlan | None = None,
    engine: Engine | None = None,
) -> SweepReport:
    """Run every unfinished task of the grid; Ctrl-C stops cleanly (rerun to finish)."""
    plan = plan or plan_sweep(grid)
    report = SweepReport(plan)
    for task in plan.finished:
        report.outcomes[task.label] = TaskOutcome(task.label, "skipped", str(task.log))
    if not plan.todo:
        return report
    engine = engine or make_engine(grid, Path(grid.results), num_cpus=num_cpus)
    bar = _Progress(len(plan.todo), engine.slots, progress)
    try:
        _drive(engine, plan.todo, grid.retries, report, bar.update)
    except KeyboardInterrupt:
        report.interrupted = True
    finally:
        bar.close()
        engine.stop()
    return report


def run_parallel(config: RunConfig, parallel: int, *, progress: bool = True) -> SweepReport:
    """``vsumbench run --parallel N``: the run's folds, N at a time, on an embedded Ray."""
    import torch

    gpus = torch.cuda.device_count() if config.device != "cpu" else 0
    grid = grid_for_run(config, parallel, gpus)
    return run_sweep(grid, progress=progress, num_cpus=parallel)


def _drive(
    engine: Engine,
    tasks: list[Task],
    retries: int,
    report: SweepReport,
    show: Callable[[int, int, int], None],
) -> None:
    """Submit everything, collect attempts as they end, resubmit crashes (bounded)."""
    firsts = [(task, 1) for task in tasks]
    submit_all = getattr(engine, "submit_all", None)
    handles = submit_all(firsts) if submit_all else [engine.submit(t, a) for t, a in firsts]
    running: dict[Any, Task] = dict(zip(handles, tasks, strict=True))
    for task in tasks:
        report.attempts[task.label] = 1
    failed = 0
    while running:
        for handle, outcome in engine.wait(list(running), timeout=0.5):
            task = running.pop(handle)
            tries = report.attempts[task.label]
            if outcome.retryable and tries <= retries:
                report.attempts[task.label] = tries + 1
                running[engine.submit(task, tries + 1)] = task
                continue
            report.outcomes[task.label] = outcome
            failed += not outcome.ok
        show(len(tasks) - len(running), len(running), failed)


class _Progress:
    """One bar over tasks: finished / running / queued / failed, with tqdm's ETA."""

    def __init__(self, total: int, slots: int, enabled: bool) -> None:
        from vsumbench.progress import progress_bar

        self.slots = slots
        self.bar = progress_bar(total=total, desc="sweep", unit="fold", disable=not enabled)

    def update(self, finished: int, in_flight: int, failed: int) -> None:
        self.bar.update(finished - self.bar.n)
        running = min(in_flight, self.slots)
        self.bar.set_postfix(running=running, queued=in_flight - running, failed=failed)

    def close(self) -> None:
        self.bar.close()
