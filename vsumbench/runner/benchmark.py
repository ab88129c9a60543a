"""A dataset loaded once per run: videos, splits, annotations, and tensors on the device.

Features live on the device as tensors for the whole run, so an epoch touches neither the
disk nor the host; each model's training targets are made from the videos per fold (its
`Objective`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from vsumbench.data import Split, Video
from vsumbench.runner.config import RunConfig
from vsumbench.runner.result import DataRecord

__all__ = [
    "Benchmark",
    "BenchmarkCache",
    "check_duplicates",
    "check_feature_width",
    "load_benchmark",
]


@dataclass
class Benchmark:
    """What every fold of a run reads: loaded once, never modified."""

    dataset: str
    data_file: Path
    split_file: Path
    synthetic: bool
    videos: dict[str, Video]
    features: dict[str, torch.Tensor]
    splits: list[Split]
    annotations: Any = None  # per-annotator scores where the dataset's tau/rho need them
    digests: dict[str, str] = field(default_factory=dict)  # key -> video_digest
    feature_digests: dict[str, str] = field(default_factory=dict)  # filled on first use

    def data_record(self) -> DataRecord:
        """Which data every result of this run comes from."""
        return DataRecord(
            dir=str(self.data_file.parent),
            file=str(self.data_file),
            synthetic=self.synthetic,
            splits=str(self.split_file),
        )


def load_benchmark(config: RunConfig, device: torch.device) -> Benchmark:
    """Read the data file once (and, in the augmented and transfer settings, the other
    datasets' files) and move the model's inputs to ``device``."""
    from vsumbench.data import is_synthetic, load_splits
    from vsumbench.data.fingerprint import video_digest
    from vsumbench.data.paths import dataset_file, load_dataset_annotations, split_file
    from vsumbench.models.inputs import model_input
    from vsumbench.runner.settings import setting_splits

    dataset = config.dataset.lower()
    data_file = dataset_file(dataset, config.data_dir)
    inputs, videos = _model_videos(config, dataset, ("gtscore", "user_summary"))
    target_keys = list(videos)
    extra = _other_videos(config, dataset)
    videos.update(extra)
    split_path = Path(config.splits) if config.splits else split_file(dataset, config.data_dir)
    splits = load_splits(split_path, videos.keys())
    splits = setting_splits(config.setting, splits, target_keys, list(extra))
    annotations = load_dataset_annotations(dataset, config.data_dir)
    digests = {key: video_digest(video, _scores(annotations, key)) for key, video in videos.items()}
    return Benchmark(
        dataset=dataset,
        data_file=data_file,
        split_file=split_path,
        synthetic=is_synthetic(data_file),
        videos=videos,
        features={k: model_input(v, inputs, device) for k, v in videos.items()},
        splits=list(splits),
        annotations=annotations,
        digests=digests,
    )


def _model_videos(config: RunConfig, dataset: str, targets: tuple[str, ...]) -> tuple:
    """``(inputs, {key: Video})``: the fields the model reads and ``targets``, checked."""
    from vsumbench.data import load_videos
    from vsumbench.data.paths import dataset_file
    from vsumbench.models import get_spec
    from vsumbench.models.inputs import check_inputs, input_fields, required_inputs

    path = dataset_file(dataset, config.data_dir)
    inputs = get_spec(config.model).inputs  # the loader reads what the model reads, no more
    fields = tuple(dict.fromkeys((*input_fields(inputs), *targets, "video_name")))
    needed = [f for f in required_inputs(inputs) if f != "features"]
    grounds = ["features"] if "features" in required_inputs(inputs) else []
    videos = load_videos(path, fields=fields, require=(*targets, *grounds))
    check_inputs(videos, needed, config.model, file=path)
    return inputs, videos


def _other_videos(config: RunConfig, dataset: str) -> dict[str, Video]:
    """The other datasets' videos a setting trains on, keyed ``<dataset>/<key>``."""
    from dataclasses import replace

    from vsumbench.runner.settings import other_datasets, split_key

    out: dict[str, Video] = {}
    for other in other_datasets(dataset, config.setting):
        _, videos = _model_videos(config, other, ("gtscore",))
        out.update({split_key(other, k): replace(v, key=split_key(other, k))
                    for k, v in videos.items()})  # fmt: skip
    return out


def check_feature_width(
    features: Mapping[str, Any], model: str, model_args: Mapping[str, Any], *, file: Any
) -> None:
    """Stop before any work when a video's features are not as wide as the model reads
    (its ``in_dim``), naming the file, the first such video and the widths."""
    from vsumbench.errors import DataError
    from vsumbench.models.registry import feature_width

    width = feature_width(model, model_args)
    if width is None:
        return
    from vsumbench.models.inputs import first_array

    shapes = {k: int(first_array(v).shape[-1]) for k, v in features.items()}
    wrong = {k: w for k, w in shapes.items() if w != width}
    if not wrong:
        return
    key, found = next(iter(wrong.items()))
    others = f" (and {len(wrong) - 1} more video(s))" if len(wrong) > 1 else ""
    raise DataError(
        f"features are {found} wide{others}, but {model} reads {width}-wide features; "
        f"for features of another width train with --model-arg in_dim={found}",
        file=file,
        video=key,
        field="features",
    )


def check_duplicates(bench: Benchmark, allow: bool) -> list[str]:
    """Refuse a file that stores one video under two keys (identical features: a train/test
    leak when a split puts the two on different sides) unless ``allow``; warnings for keys
    that share a ``video_name`` (returned, for the run's output)."""
    import hashlib

    from vsumbench.errors import DataError

    if not bench.feature_digests:  # once per loaded benchmark (a sweep worker reuses it)
        from vsumbench.models.inputs import first_array

        bench.feature_digests.update(
            {k: hashlib.sha256(first_array(v).cpu().numpy().tobytes()).hexdigest()
             for k, v in bench.features.items()}
        )  # fmt: skip
    same: dict[str, list[str]] = {}
    for key, digest in bench.feature_digests.items():
        same.setdefault(digest, []).append(key)
    twins = [keys for keys in same.values() if len(keys) > 1]
    if twins and not allow:
        first = twins[0]
        raise DataError(
            f"{' and '.join(first)} hold identical features: one video under two keys, a "
            f"train/test leak when the split separates them ({len(twins)} such group(s); "
            f"`vsumbench data check` lists them). Remove the copy, or pass --allow-duplicates",
            file=bench.data_file,
            video=first[1],
            field="features",
        )
    names: dict[str, list[str]] = {}
    for key, video in bench.videos.items():
        if video.video_name:
            names.setdefault(video.video_name, []).append(key)
    return [
        f"{bench.data_file}: {', '.join(keys)} share the video_name {name!r} (one video under "
        f"two keys?)"
        for name, keys in names.items()
        if len(keys) > 1
    ]


def _scores(annotations: Any, key: str) -> Any:
    if annotations is None or key not in annotations:
        return None
    return getattr(annotations[key], "scores", annotations[key])


class BenchmarkCache:
    """Benchmarks kept in memory between runs of one process (a sweep's worker runs many
    folds of the same data): reused only while the data, split and annotation files are
    unchanged (same size, inode, modification and change time), so an edited file is read
    again."""

    def __init__(self, size: int = 2) -> None:
        self.size = size
        self._entries: dict[tuple, Benchmark] = {}

    def get(self, config: RunConfig, device: torch.device) -> Benchmark:
        key = _identity(config, device)
        if key not in self._entries:
            while len(self._entries) >= self.size:
                self._entries.pop(next(iter(self._entries)))
            self._entries[key] = load_benchmark(config, device)
        return self._entries[key]


def _identity(config: RunConfig, device: torch.device) -> tuple:
    from vsumbench.models import get_spec

    return (get_spec(config.model).inputs, *_file_identity(config, device))


def _file_identity(config: RunConfig, device: torch.device) -> tuple:
    """The files of `_target_identity`, and those of the setting's other datasets."""
    from vsumbench.data.paths import dataset_file
    from vsumbench.runner.settings import other_datasets

    others = other_datasets(config.dataset.lower(), config.setting)
    stamps = [_stamp(dataset_file(o, config.data_dir)) for o in others]
    return (config.setting, *_target_identity(config, device), *stamps)


def _stamp(path: Path) -> tuple:
    try:
        stat = path.stat()
        return (str(path.resolve()), stat.st_size, stat.st_ino, stat.st_mtime_ns, stat.st_ctime_ns)
    except OSError:
        return (str(path), None, None, None, None)


def _target_identity(config: RunConfig, device: torch.device) -> tuple:
    """Which files a benchmark was read from, and their identity now: size, inode and the
    modification and change times (an edit in place that restores the mtime still changes
    the ctime, which no user can set)."""
    from vsumbench.data.paths import annotation_file, dataset_file, split_file
    from vsumbench.datasets import get_dataset
    from vsumbench.errors import DataNotFoundError

    dataset = config.dataset.lower()
    files = [
        dataset_file(dataset, config.data_dir),
        Path(config.splits) if config.splits else split_file(dataset, config.data_dir),
    ]
    if get_dataset(dataset).needs_annotations:
        try:
            files.append(annotation_file(dataset, config.data_dir))
        except DataNotFoundError:  # load_benchmark says what is missing
            pass
    return (dataset, str(device), *(_stamp(path) for path in files))
