"""``vsumbench sweep --status``: what the result store holds for a grid, without running it.

Each fold is ``done`` (a complete result), ``running`` (another process holds its lock),
``partial`` (a resume state from an interrupted attempt), ``failed`` (its log's last attempt
ended in an error), ``damaged`` (a ``result.json`` that cannot be read: the next sweep trains
the fold again) or ``pending``.
"""

from __future__ import annotations

from collections import Counter

from vsumbench.runner import store
from vsumbench.sweep.plan import SweepPlan, Task

__all__ = ["STATES", "fold_state", "format_status"]

STATES = ("done", "running", "partial", "failed", "damaged", "pending")


def fold_state(task: Task, finished: bool) -> str:
    """The fold's state from the store (and its log), in the words of `STATES`."""
    if finished:
        return "done"
    if store.lock_holder(task.directory):
        return "running"
    if (task.directory / store.RESULT_FILE).is_file():
        return "damaged"  # present but not readable (a readable one counts as finished)
    if _last_attempt_failed(task):
        return "failed"
    if (store.staging_dir(task.directory) / store.STATE_FILE).is_file():
        return "partial"
    return "pending"


def _last_attempt_failed(task: Task) -> bool:
    try:
        lines = task.log.read_text().splitlines()
    except OSError:
        return False
    ends = [line for line in lines if line.startswith("== ") and " after " in line]
    return bool(ends) and not ends[-1].startswith(("== done", "== skipped"))


def format_status(plan: SweepPlan) -> str:
    """One row per model, dataset and selection-init: how many folds are in each state."""
    from tabulate import tabulate

    finished = {t.directory for t in plan.finished}
    groups: dict[tuple[str, str, str], Counter] = {}
    for task in sorted(plan.tasks, key=lambda t: str(t.directory)):
        c = task.config
        key = (c.model, c.dataset, task.directory.parent.parent.name)
        groups.setdefault(key, Counter())[fold_state(task, task.directory in finished)] += 1
    rows = [[*key, *(counts[s] for s in STATES)] for key, counts in groups.items()]
    total = Counter()
    for counts in groups.values():
        total.update(counts)
    rows.append(["all", "", "", *(total[s] for s in STATES)])
    table = tabulate(
        rows, headers=["model", "dataset", "selection-init", *STATES], tablefmt="github"
    )
    folders = [t.directory.parent for t in plan.tasks]  # seed folders: folds, logs, staging
    used = store.format_bytes(store.disk_usage(sorted(set(folders))))
    return f"{table}\n{total['done']} of {len(plan.tasks)} fold(s) done; {used} on disk"
