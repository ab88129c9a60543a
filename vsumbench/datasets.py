"""Benchmark datasets as data: each dataset's rules live in one registered ``DatasetSpec``.

How F1 is reduced over users, what Kendall's tau and Spearman's rho compare against, the
annotation step, the summary budget and the default file names are fields of the spec, so
the protocol has no dataset-name branches and a new dataset (say, one with another reference
format) is one ``register_dataset`` call plus, if needed, one rank-reference kind in
``vsumbench.protocol.evaluate``. Torch-free and import-light: the CLI reads it at start-up.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from dataclasses import dataclass

from vsumbench.errors import ConfigError

__all__ = [
    "DEFAULT_STEP",
    "DatasetSpec",
    "benchmark_datasets",
    "get_dataset",
    "list_datasets",
    "register_dataset",
]

#: Frames between two feature steps (2 fps at 30 fps) in every eccv16 file.
DEFAULT_STEP = 15


@dataclass(frozen=True)
class DatasetSpec:
    """One dataset's protocol and file conventions (protocol.md sections 3-5).

    ``rank_reference`` names how tau/rho are computed (``vsumbench.protocol.evaluate``):
    ``"annotator_scores"`` (each annotator's frame scores every ``step`` frames, against the
    raw step scores) or ``"mean_user_summary"`` (the keyshot summary against the mean user
    summary). ``f1_reduce`` is ``"max"`` or ``"mean"`` over users. A dataset with
    ``benchmark=False`` is extra training data only (no protocol fields).
    """

    name: str
    label: str
    features_file: str
    f1_reduce: str | None = None
    rank_reference: str | None = None
    step: int = DEFAULT_STEP
    budget: float = 0.15
    annotation_files: tuple[str, ...] = ()
    benchmark: bool = True

    @property
    def needs_annotations(self) -> bool:
        """Whether tau/rho need a per-annotator score file beside the features file."""
        return self.rank_reference == "annotator_scores"


_DATASETS: dict[str, DatasetSpec] = {}


def register_dataset(spec: DatasetSpec) -> DatasetSpec:
    """Add ``spec`` to the registry (a name may be registered once)."""
    if spec.name in _DATASETS and _DATASETS[spec.name] != spec:
        raise ConfigError(f"dataset {spec.name!r} is already registered differently")
    _DATASETS[spec.name] = spec
    return spec


def get_dataset(name: str | DatasetSpec) -> DatasetSpec:
    """The spec of ``name`` (case-insensitive); a spec is returned as it is."""
    if isinstance(name, DatasetSpec):
        return name
    try:
        return _DATASETS[name.lower()]
    except KeyError:
        close = difflib.get_close_matches(name.lower(), list(_DATASETS), n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise ConfigError(
            f"unknown dataset {name!r}.{hint} Known: {', '.join(_DATASETS)}"
        ) from None


def list_datasets() -> list[str]:
    """Every registered dataset, benchmarks first, in registration order."""
    return [s.name for s in benchmark_datasets()] + [
        s.name for s in _DATASETS.values() if not s.benchmark
    ]


def benchmark_datasets() -> Iterator[DatasetSpec]:
    """The datasets models are evaluated on (tables have one column group per dataset)."""
    return (s for s in _DATASETS.values() if s.benchmark)


def _eccv16(name: str) -> str:
    return f"eccv16_dataset_{name}_google_pool5.h5"


# The two benchmarks of the field (protocol.md), and the extra training sets of the
# augmented/transfer settings.
register_dataset(
    DatasetSpec(
        name="summe",
        label="SumMe",
        features_file=_eccv16("summe"),
        f1_reduce="max",
        rank_reference="mean_user_summary",
    )
)
register_dataset(
    DatasetSpec(
        name="tvsum",
        label="TVSum",
        features_file=_eccv16("tvsum"),
        f1_reduce="mean",
        rank_reference="annotator_scores",
        annotation_files=("ydata-anno.tsv", "ydata-anno.tsv.gz"),
    )
)
for _name, _label in (("ovp", "OVP"), ("youtube", "YouTube")):
    register_dataset(
        DatasetSpec(name=_name, label=_label, features_file=_eccv16(_name), benchmark=False)
    )
