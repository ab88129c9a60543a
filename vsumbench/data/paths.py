"""Where data lives: ``--data-dir``, else ``$VSUMBENCH_DATA``, else ``./data``.

One resolver so every command looks in the same places and says the same thing when a
file is missing.
"""

from __future__ import annotations

import os
from pathlib import Path

from vsumbench.datasets import get_dataset
from vsumbench.errors import ConfigError, DataNotFoundError

ENV_VAR = "VSUMBENCH_DATA"
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
    """The features file name of a registered dataset (``summe`` ->
    ``eccv16_dataset_summe_google_pool5.h5``)."""
    try:
        return get_dataset(dataset).features_file
    except ConfigError as exc:
        raise DataNotFoundError(str(exc)) from None


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


def annotation_file(dataset: str, data_dir: str | os.PathLike | None = None) -> Path:
    """Path of a dataset's per-annotator score file (TVSum: ``ydata-anno.tsv[.gz]``)."""
    spec = get_dataset(dataset)
    root = resolve_data_dir(data_dir)
    for name in spec.annotation_files:
        if (root / name).is_file():
            return root / name
    raise DataNotFoundError(
        f"{' / '.join(spec.annotation_files)} not found in {root} (from {_source(data_dir)}). {spec.label} rank "
        f"correlations need the per-annotator scores: copy {spec.annotation_files[0]} from the "
        f"{spec.label} release there, or {SYNTH_HINT.format(dir=root)}",
        file=root / spec.annotation_files[0],
    )


def load_dataset_annotations(dataset: str, data_dir: str | os.PathLike | None = None):
    """The per-annotator scores a dataset's tau/rho need, or None when it needs none."""
    if not get_dataset(dataset).needs_annotations:
        return None
    from vsumbench.data.annotations import load_annotations_cached

    return load_annotations_cached(annotation_file(dataset, data_dir))


def split_names(dataset: str) -> tuple[str, ...]:
    """Where a dataset's split file is looked for, relative to the data folder, in order."""
    spec = get_dataset(dataset)
    return spec.split_names or (f"splits/{spec.name}_splits.json",)


def split_file(dataset: str, data_dir: str | os.PathLike | None = None) -> Path:
    """Default split file of a dataset: ``<data>/splits/{dataset}_splits.json``, or where
    its registration says (Mr.HiSum: ``mr_hisum_split.json`` in the folder or ``splits/``)."""
    root = resolve_data_dir(data_dir)
    candidates = [root / name for name in split_names(dataset)]
    for path in candidates:
        if path.is_file():
            return path
    raise DataNotFoundError(
        f"no split file for {dataset} at {' or '.join(map(str, candidates))}. Pass --splits "
        f"FILE, make one with `vsumbench data splits`, or {SYNTH_HINT.format(dir=root)}",
        file=candidates[0],
    )
