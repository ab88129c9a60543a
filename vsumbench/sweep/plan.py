"""A sweep's grid expanded into tasks, one fold run each, planned by the runner itself.

Every task is a `RunConfig` for one seed and one fold, so a worker runs it through exactly
the code of ``vsumbench run`` and writes to the same result store. Planning reads each
dataset once here (bad data stops the sweep before anything is launched) and asks the store
which folds are finished, checking them against the request as ``run`` does.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from vsumbench.datasets import get_dataset
from vsumbench.errors import ConfigError
from vsumbench.runner import store
from vsumbench.runner.config import RunConfig
from vsumbench.runner.result import RunResult
from vsumbench.sweep.grid import SweepGrid

__all__ = ["SweepPlan", "Task", "grid_for_run", "plan_sweep"]

#: Settings every fold of a sweep shares with its `RunConfig`, under the same names.
SHARED = (
    "epochs", "lr", "weight_decay", "data_dir", "splits", "results", "device",
    "deterministic", "force", "checkpoints", "allow_duplicates", "log",
)  # fmt: skip


@dataclass(frozen=True)
class Task:
    """One fold run: the request and where its result, and its log, go."""

    config: RunConfig
    directory: Path

    @property
    def label(self) -> str:
        c = self.config
        return f"{c.model} {c.dataset} {self.directory.parent.parent.name} seed{c.seeds[0]} fold{c.folds[0]}"

    @property
    def log(self) -> Path:
        """The task's log, beside its fold directory (``seed<S>/fold<k>.log``)."""
        return store.fold_log(self.directory)


@dataclass
class SweepPlan:
    """Tasks still to run, and those whose finished result the store already holds."""

    todo: list[Task]
    finished: list[Task]

    @property
    def tasks(self) -> list[Task]:
        return self.finished + self.todo

    def results(self) -> list[RunResult]:
        """The complete results the store now holds for this plan's folds."""
        found = (readable_result(task.directory) for task in self.tasks)
        return [result for result in found if result is not None and result.complete]


def readable_result(fold_dir: Path) -> RunResult | None:
    """The fold's result, or None when it has none, or it or its files are damaged (the
    fold's task then says so; ``--status`` lists it as damaged)."""
    from vsumbench.errors import DataError

    try:
        result = store.read_result(fold_dir)
        if result is not None and result.complete:
            store.verify_artefacts(result)
        return result
    except DataError:
        return None


def check_models(models: list[str]) -> None:
    """Every unknown model of the grid at once, with the known ones."""
    from vsumbench.models import list_summarizers

    known = list_summarizers()
    unknown = [m for m in models if m not in known]
    if unknown:
        raise ConfigError(f"unknown model(s) {', '.join(unknown)}; known: {', '.join(known)}")


def task_threads(grid: SweepGrid) -> int | None:
    """torch threads per task: ``--threads``, else the task's CPUs (in-process: the default)."""
    if grid.threads is not None or grid.engine == "inline":
        return grid.threads
    return max(1, int(grid.cpus_per_task))


def grid_for_run(config: RunConfig, parallel: int, gpus: int) -> SweepGrid:
    """``vsumbench run --parallel N``: the run's folds as a sweep of N at once on this
    machine (each with one CPU, and an equal share of the ``gpus`` when it trains on them)."""
    if config.rng != "fold":
        raise ConfigError("--parallel trains folds independently: it needs --rng fold")
    return SweepGrid(
        models=[config.model],
        datasets=[config.dataset],
        seeds=list(config.seeds or ()),
        folds=list(config.folds) if config.folds is not None else None,
        selections=[config.selection],
        backbone_inits=[config.backbone_init],
        settings=[config.setting],
        model_args=dict(config.model_args),
        threads=config.threads,
        engine="ray",
        gpus_per_task=gpus / parallel if gpus else 0.0,
        **{name: getattr(config, name) for name in SHARED},
    )


def plan_sweep(grid: SweepGrid) -> SweepPlan:
    """Expand the grid; finished folds (matching the request and the data) are not rerun."""
    import torch

    from vsumbench.models import get_spec
    from vsumbench.runner.benchmark import load_benchmark
    from vsumbench.runner.folds import check_existing, plan_folds
    from vsumbench.runner.stream import load_streamed

    check_models(list(grid.models))
    plan, seen = SweepPlan(todo=[], finished=[]), set()
    for dataset in grid.datasets:
        base = RunConfig(grid.models[0], dataset, data_dir=grid.data_dir, splits=grid.splits)
        load = load_streamed if get_dataset(dataset).streamed else load_benchmark
        benches: dict[tuple, Any] = {}  # one per setting and kind of model input
        for config in _configs(grid, dataset):
            spec = get_spec(config.model).for_dataset(dataset)
            reads = (config.setting, spec.inputs)
            if reads not in benches:
                one = replace(base, model=config.model, setting=config.setting)
                benches[reads] = load(one, torch.device("cpu"))
            bench = benches[reads]
            folds = plan_folds(config, spec, bench.splits, bench.split_file, bench.digests)
            for fold in folds:
                if fold.directory in seen:  # e.g. both inits of a model without a backbone
                    continue
                seen.add(fold.directory)
                one = replace(
                    config, seeds=[fold.seed], folds=[fold.index], selection=fold.selection
                )
                task = Task(one, fold.directory)
                existing = readable_result(fold.directory)
                if existing is not None and existing.complete and not grid.force:
                    check_existing(existing, fold, bench.data_file)
                    plan.finished.append(task)
                else:
                    plan.todo.append(task)
    return plan


def model_seeds(grid: SweepGrid, model: str) -> list[int | None]:
    """The seeds a model trains with: the grid's list, else ``seed_count`` seeds counting up
    from the model's registered seed (as ``vsumbench run --seeds K``), else its own seed."""
    from vsumbench.models import get_spec
    from vsumbench.runner.config import seeds_from

    if grid.seeds:
        return [int(s) for s in grid.seeds]
    if grid.seed_count:
        return list(seeds_from(grid.seed_count, start=get_spec(model).seed))
    return [None]  # the model's registered seed


def _configs(grid: SweepGrid, dataset: str) -> list[RunConfig]:
    """One request per model x selection x initialisation x seed (folds expanded later)."""
    threads = task_threads(grid)
    shared = {name: getattr(grid, name) for name in SHARED}
    configs = []
    selections = list(grid.selections)
    if get_dataset(dataset).selection and selections == ["paper"]:  # the default grid
        selections = ["official"]  # a dataset with its own rule (Mr.HiSum) is selected by it
    for model in grid.models:
        for selection, setting in ((x, y) for x in selections for y in grid.settings):
            for init in grid.backbone_inits:
                for seed in model_seeds(grid, model):
                    configs.append(
                        RunConfig(
                            model=model,
                            dataset=dataset,
                            seeds=None if seed is None else [int(seed)],
                            folds=list(grid.folds) if grid.folds is not None else None,
                            selection=selection,
                            backbone_init=init,
                            progress=False,
                            model_args=dict(grid.model_args),
                            threads=threads,
                            setting=setting,
                            **shared,
                        )
                    )
    return configs
