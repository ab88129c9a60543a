"""Where data lives: ``--data-dir``, else ``$VSUMBENCH_DATA``, else ``./data``.

One resolver so every command looks in the same places and says the same thing when a
file is missing.
"""

from __future__ import annotations

import os
from pathlib import Path

from vsumbench.errors import DataNotFoundError

ENV_VAR = "VSUMBENCH_DATA"
DATASETS = ("summe", "tvsum")
EXTRA_DATASETS = ("ovp", "youtube")
ANNOTATION_NAMES = ("ydata-anno.tsv", "ydata-anno.tsv.gz")
SYNTH_HINT = "generate the synthetic benchmark with `vsumbench data synth --out {dir}`"


def resolve_data_dir(data_dir: str | os.PathLike | None = None) -> Path:
    """The data directory: the argument, else ``$VSUMBENCH_DATA``, else ``./data``."""
    if data_dir is not None and str(data_dir) != "":
        return Path(data_dir)
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env)
    return Path("data")


def dataset_filename(dataset: str) -> str:
    """The eccv16 file name of a dataset (``summe`` -> ``eccv16_dataset_summe_google_pool5.h5``)."""
    name = dataset.lower()
    if name not in DATASETS + EXTRA_DATASETS:
        raise DataNotFoundError(
            f"unknown dataset {dataset!r}; expected one of {', '.join(DATASETS + EXTRA_DATASETS)}"
        )
    return f"eccv16_dataset_{name}_google_pool5.h5"


def _source(data_dir: str | os.PathLike | None) -> str:
    if data_dir is not None and str(data_dir) != "":
        return "--data-dir"
    if os.environ.get(ENV_VAR):
        return f"${ENV_VAR}"
    return f"the default ./data (set --data-dir or ${ENV_VAR} to change it)"


def dataset_file(dataset: str, data_dir: str | os.PathLike | None = None) -> Path:
    """Path of a dataset's HDF5 file; a clear error if it is not there."""
    root = resolve_data_dir(data_dir)
    path = root / dataset_filename(dataset)
    if not path.is_file():
        raise DataNotFoundError(
            f"{path.name} not found in {root} (from {_source(data_dir)}). Put the eccv16 "
            f"feature files there, or {SYNTH_HINT.format(dir=root)}",
            file=path,
        )
    return path


def annotation_file(data_dir: str | os.PathLike | None = None) -> Path:
    """Path of the TVSum per-annotator scores (``ydata-anno.tsv`` or ``.tsv.gz``)."""
    root = resolve_data_dir(data_dir)
    for name in ANNOTATION_NAMES:
        if (root / name).is_file():
            return root / name
    raise DataNotFoundError(
        f"ydata-anno.tsv(.gz) not found in {root} (from {_source(data_dir)}). TVSum rank "
        f"correlations need the per-annotator scores: copy ydata-anno.tsv from the TVSum "
        f"release there, or {SYNTH_HINT.format(dir=root)}",
        file=root / ANNOTATION_NAMES[0],
    )


def split_file(dataset: str, data_dir: str | os.PathLike | None = None) -> Path:
    """Default split file of a dataset: ``<data>/splits/{dataset}_splits.json``."""
    root = resolve_data_dir(data_dir)
    path = root / "splits" / f"{dataset.lower()}_splits.json"
    if not path.is_file():
        raise DataNotFoundError(
            f"no split file for {dataset} at {path}. Pass --splits FILE (standard JSON or "
            f"CSTA text format), make one with `vsumbench data splits`, or "
            f"{SYNTH_HINT.format(dir=root)}",
            file=path,
        )
    return path
