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
    "SETTINGS",
    "SETTING_POOL",
    "DatasetSpec",
    "benchmark_datasets",
    "get_dataset",
    "list_datasets",
    "register_dataset",
]

#: Frames between two feature steps (2 fps at 30 fps) in every eccv16 file.
DEFAULT_STEP = 15
#: The field's training settings (`vsumbench.runner.settings`), and the datasets the
#: augmented and transfer settings draw their extra training videos from.
SETTINGS = ("canonical", "augmented", "transfer")
SETTING_POOL = ("summe", "tvsum", "ovp", "youtube")


@dataclass(frozen=True)
class DatasetSpec:
    """One dataset's protocol and file conventions (protocol.md sections 3-5).

    ``rank_reference`` names how tau/rho are computed (``vsumbench.protocol.evaluate``):
    ``"annotator_scores"`` (each annotator's frame scores every ``step`` frames, against the
    raw step scores) or ``"mean_user_summary"`` (the keyshot summary against the mean user
    summary). ``f1_reduce`` is ``"max"`` or ``"mean"`` over users. A dataset with
    ``benchmark=False`` is extra training data only (no protocol fields).

    A dataset of another file layout or protocol names them here too: ``layout`` (the reader
    of its file, `vsumbench.data.layouts`), ``split_names`` (where its split file is found,
    relative to the data folder; default ``splits/<name>_splits.json``), ``metrics`` (what a
    result reports), ``evaluation`` (``"keyshot"``: tau/rho/F1 of protocol.md 3-5;
    ``"mrhisum"``: F1 and mAP@50/15 of protocol.md 9), ``table`` (the table it is a column
    group of), ``selection`` (the dataset's official epoch rule, which wins over the model's),
    ``streamed`` (one split, features read from disk batch by batch instead of held in
    memory: a large benchmark) and ``fold_name`` (what its one split is called).
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
    layout: str = "eccv16"
    split_names: tuple[str, ...] = ()
    metrics: tuple[str, ...] = ("kendall", "spearman", "f1")
    evaluation: str = "keyshot"
    table: str = "table1"
    selection: str | None = None
    streamed: bool = False

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


def benchmark_datasets(table: str | None = None) -> Iterator[DatasetSpec]:
    """The datasets models are evaluated on; ``table``: only those that are a column group
    of that table (``"table1"``: SumMe and TVSum; ``"mrhisum"``)."""
    return (s for s in _DATASETS.values() if s.benchmark and (table is None or s.table == table))


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

# Mr.HiSum (Sul et al., NeurIPS 2023): 31,892 YouTube-8M videos, one step per second, the
# authors' file and split as they ship them, their metrics and their selection (protocol.md 9).
register_dataset(
    DatasetSpec(
        name="mrhisum",
        label="Mr.HiSum",
        features_file="mr_hisum.h5",
        step=1,
        layout="mrhisum",
        split_names=("mr_hisum_split.json", "splits/mr_hisum_split.json"),
        metrics=("f1", "map50", "map15"),
        evaluation="mrhisum",
        table="mrhisum",
        selection="mrhisum-val",
        streamed=True,
    )
)
