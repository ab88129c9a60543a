"""What a sweep is asked to do: a grid of models x datasets x seeds x folds (x selections,
x backbone initialisations) and the settings every fold shares, from options or a TOML file.

Torch-free, so ``vsumbench sweep --help`` and the spec file's errors cost nothing. The spec
file's keys are exactly the option names with ``_`` for ``-`` (docs/sweeps.md); an unknown
key, or a value of the wrong type, is refused naming the file and the key.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from typing import Any

from vsumbench.errors import ConfigError

__all__ = ["ENGINES", "SweepGrid", "grid_from_file", "parse_list"]

#: Where the tasks run: ``ray`` (embedded on this machine, or a cluster via ``--address``),
#: ``slurm`` (a job array through submitit), ``inline`` (this process, one after another).
ENGINES = ("ray", "slurm", "inline")


def parse_list(text: str | Sequence[Any] | None, what: str, kind: type = str) -> list[Any] | None:
    """``"a,b"`` or ``["a", "b"]`` -> a list without repeats; None stays None."""
    if text is None:
        return None
    items = [p.strip() for p in text.split(",")] if isinstance(text, str) else list(text)
    items = [p for p in items if p != ""]
    try:
        values = [kind(p) for p in items]
    except (TypeError, ValueError):
        raise ConfigError(
            f"{what}: expected a comma-separated list of {kind.__name__}, got {text!r}"
        ) from None
    if not values:
        raise ConfigError(f"{what}: the list is empty")
    return list(dict.fromkeys(values))


@dataclass(frozen=True)
class SweepGrid:
    """The grid and the shared settings; ``None`` = the model's registered default."""

    models: Sequence[str] = ()
    datasets: Sequence[str] = ()
    seeds: Sequence[int] = ()  # these seeds for every model (empty: see seed_count)
    seed_count: int | None = None  # K seeds from each model's registered seed (None: 1)
    folds: Sequence[int] | None = None  # None: every fold of the split file
    selections: Sequence[str] = ("paper",)
    backbone_inits: Sequence[str] = ("imagenet",)
    settings: Sequence[str] = ("canonical",)  # vsumbench.runner.settings
    log: Sequence[str] = ()  # experiment trackers of every fold (vsumbench.runner.trackers)
    epochs: int | None = None
    lr: float | None = None
    weight_decay: float | None = None
    model_args: Mapping[str, Any] = field(default_factory=dict)
    data_dir: str | None = None
    splits: str | None = None  # a split file (one dataset only); default: the data's
    results: str = "results"
    device: str = "auto"
    deterministic: bool = False
    force: bool = False
    checkpoints: str = "keep"  # keep | none (`vsumbench run --checkpoints`)
    allow_duplicates: bool = False  # as `vsumbench run --allow-duplicates`
    threads: int | None = None  # torch threads per task; None: --cpus-per-task
    engine: str = "ray"
    address: str | None = None
    connect_timeout: float = 30.0  # seconds to join the Ray cluster at ``address``
    cpus_per_task: float = 1.0
    gpus_per_task: float = 0.0
    retries: int = 2
    partition: str | None = None
    time: int = 60  # minutes per task (SLURM)
    array_parallelism: int = 64  # tasks of the job array running at once (SLURM)

    def with_options(self, options: Mapping[str, Any]) -> SweepGrid:
        """The grid with the options that were given (None = not given) on top."""
        given = {k: v for k, v in options.items() if v is not None}
        unknown = sorted(set(given) - {f.name for f in fields(self)})
        if unknown:
            raise ConfigError(f"unknown sweep setting(s): {', '.join(unknown)}")
        return _checked(replace(self, **given), "the command line", complete=True)


_LISTS = {"models": str, "datasets": str, "folds": int, "selections": str, "backbone_inits": str,
          "settings": str}  # fmt: skip
_TYPES: dict[str, tuple[type, ...]] = {
    "epochs": (int,),
    "lr": (int, float),
    "weight_decay": (int, float),
    "data_dir": (str,),
    "splits": (str,),
    "results": (str,),
    "device": (str,),
    "deterministic": (bool,),
    "force": (bool,),
    "checkpoints": (str,),
    "allow_duplicates": (bool,),
    "seed_count": (int,),
    "threads": (int,),
    "engine": (str,),
    "address": (str,),
    "connect_timeout": (int, float),
    "cpus_per_task": (int, float),
    "gpus_per_task": (int, float),
    "retries": (int,),
    "partition": (str,),
    "time": (int,),
    "array_parallelism": (int,),
}


def grid_from_file(path: str | os.PathLike) -> SweepGrid:
    """Read a TOML spec file; relative ``data_dir``/``results`` are taken from the file's folder."""
    import sys

    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib

    try:
        with open(path, "rb") as handle:
            raw = tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{path}: not a UTF-8 text file (byte {exc.start}); a spec file is TOML text"
        ) from None
    return grid_from_mapping(raw, str(path))


def grid_from_mapping(raw: Mapping[str, Any], source: str) -> SweepGrid:
    """Validate plain data (a parsed spec file) into a grid, naming ``source`` in errors."""
    known = {f.name for f in fields(SweepGrid)}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise ConfigError(
            f"{source}: unknown key(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}"
        )
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key in _LISTS:
            values[key] = parse_list(value, f"{source}: {key}", _LISTS[key])
        elif key == "seeds" and isinstance(value, int) and not isinstance(value, bool):
            values["seed_count"] = value  # `seeds = 3`: as `--seeds 3`
        elif key == "seeds":
            values[key] = parse_list(value, f"{source}: seeds", int) or []
        elif key == "model_args":
            if not isinstance(value, Mapping):
                raise ConfigError(f"{source}: model_args must be a table of NAME = VALUE")
            values[key] = dict(value)
        else:
            ok = isinstance(value, _TYPES[key]) and not (
                isinstance(value, bool) and bool not in _TYPES[key]
            )
            if not ok:
                names = " or ".join(t.__name__ for t in _TYPES[key])
                raise ConfigError(f"{source}: {key} must be {names}, got {value!r}")
            values[key] = value
    return _checked(SweepGrid(**values), source)


def _checked(grid: SweepGrid, source: str, *, complete: bool = False) -> SweepGrid:
    """Errors a sweep must not start with, all of one kind at once (``complete``: the grid
    is final, so it must name models and datasets; a spec file may leave them to options)."""
    from vsumbench.datasets import list_datasets
    from vsumbench.runner.config import CHECKPOINT_MODES, DEVICES
    from vsumbench.runner.selection import OFFICIAL, selection_names

    if complete and (not grid.models or not grid.datasets):
        raise ConfigError(f"{source}: a sweep needs models and datasets (--models, --datasets)")
    bad_sets = [d for d in grid.datasets if d.lower() not in list_datasets()]
    if bad_sets:
        raise ConfigError(
            f"{source}: unknown dataset(s) {', '.join(bad_sets)}; known: {', '.join(list_datasets())}"
        )
    known = [*selection_names(), OFFICIAL]
    from vsumbench.runner.settings import SETTINGS

    bad_settings = [s for s in grid.settings if s not in SETTINGS]
    if bad_settings:
        raise ConfigError(f"{source}: unknown setting(s) {', '.join(bad_settings)}; known: "
                          f"{', '.join(SETTINGS)}")  # fmt: skip
    bad_sel = [s for s in grid.selections if s not in known]
    if bad_sel:
        raise ConfigError(
            f"{source}: unknown selection(s) {', '.join(bad_sel)}; known: {', '.join(known)}"
        )
    checks = [
        (grid.engine in ENGINES, f"engine must be one of {', '.join(ENGINES)}"),
        (grid.device in DEVICES, f"device must be one of {', '.join(DEVICES)}"),
        (grid.checkpoints in CHECKPOINT_MODES,
         f"checkpoints must be one of {', '.join(CHECKPOINT_MODES)}"),
        (grid.cpus_per_task > 0, "cpus_per_task must be positive"),
        (grid.connect_timeout > 0, "connect_timeout must be positive"),
        (grid.gpus_per_task >= 0, "gpus_per_task must be zero or positive"),
        (grid.retries >= 0, "retries must be zero or positive"),
        (grid.epochs is None or grid.epochs >= 1, "epochs must be at least 1"),
        (grid.seed_count is None or grid.seed_count >= 1, "seeds must be at least 1"),
        (grid.seed_count is None or not grid.seeds, "give a seed count or a seed list, not both"),
        (grid.threads is None or grid.threads >= 1, "threads must be at least 1"),
        (grid.time >= 1 and grid.array_parallelism >= 1, "time and array_parallelism must be positive"),
        (all(f >= 0 for f in grid.folds or ()), "folds are 0-based"),
        (not complete or grid.splits is None or len(grid.datasets) == 1,
         "a split file serves one dataset only"),
        (grid.device != "cuda" or grid.gpus_per_task > 0 or grid.engine == "inline",
         "--device cuda needs --gpus-per-task (e.g. 1, or 0.25 to pack four folds on a GPU)"),
        (grid.gpus_per_task <= 1 or grid.gpus_per_task == int(grid.gpus_per_task),
         "gpus_per_task above 1 must be a whole number"),
    ]  # fmt: skip
    problems = [message for ok, message in checks if not ok]
    if problems:
        raise ConfigError(f"{source}: {'; '.join(problems)}")
    return replace(grid, datasets=[d.lower() for d in grid.datasets])
