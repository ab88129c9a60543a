"""Features read from disk batch by batch: the data side of a large benchmark (Mr.HiSum).

A folded benchmark holds every feature on the device for the whole run; 31,892 Mr.HiSum
videos hold 35 GB. Here only the structure of the validation and test videos (scores,
shots, summaries: kilobytes each) stays in memory. Features and targets are read by
DataLoader workers, one open file per worker, so peak memory depends on the batch size and
the number of workers, not on the number of videos (benchmarks/bench_mrhisum_train.py
measures it).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

from vsumbench.errors import DataError

__all__ = ["StreamedVideos", "default_workers", "load_streamed", "video_batches"]


class StreamedVideos(torch.utils.data.Dataset):
    """``(key, features (T, D), gtscore (T,))`` per index; a problem comes back as
    ``(key, DataError message)`` so the main process raises it as one clear line."""

    def __init__(self, path: str | os.PathLike, keys: Sequence[str]) -> None:
        self.path, self.keys = str(path), list(keys)
        self._h5: Any = None

    def __len__(self) -> int:
        return len(self.keys)

    def __getitem__(self, index: int) -> tuple:
        import h5py

        from vsumbench.data.mrhisum import read_features

        key = self.keys[index]
        if self._h5 is None:  # opened in the worker that reads, never shared across a fork
            self._h5 = h5py.File(self.path, "r")
        try:
            x = read_features(self._h5, key, file=self.path)
        except DataError as exc:
            return key, str(exc)
        y = np.asarray(self._h5[key]["gtscore"], dtype=np.float32)
        return key, torch.from_numpy(x), torch.from_numpy(y)

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_h5"] = None
        return state


def _items(batch: list) -> list:
    return batch


def default_workers() -> int:
    """Loader processes: one core left to training, at most 4."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count() or 1
    return max(0, min(4, cores - 1))


def video_batches(
    data: StreamedVideos, batches: Sequence[Sequence[int]], workers: int
) -> Iterator[list[tuple[str, torch.Tensor, torch.Tensor]]]:
    """The videos of each batch of indices, read ahead by ``workers`` processes."""
    loader = torch.utils.data.DataLoader(
        data,
        batch_sampler=[list(b) for b in batches],
        num_workers=workers,
        collate_fn=_items,
        prefetch_factor=2 if workers else None,
    )
    for batch in loader:
        for key, *rest in batch:
            if len(rest) == 1:  # (key, message): the worker could not read it
                raise DataError(rest[0].split(": ", 1)[-1], video=key)
        yield batch


def load_streamed(config: Any, device: torch.device) -> Any:
    """The `Benchmark` of a streamed dataset: the split, the structure of its validation and
    test videos, and a digest of every video's structure (features are too large to hash:
    the file they are read from is recorded with the result)."""
    from vsumbench.data import is_synthetic, load_splits
    from vsumbench.data.fingerprint import video_digest
    from vsumbench.data.layouts import layout_of
    from vsumbench.data.mrhisum import load_mrhisum
    from vsumbench.data.paths import dataset_file, split_file
    from vsumbench.runner.benchmark import Benchmark

    dataset = config.dataset.lower()
    path = dataset_file(dataset, config.data_dir)
    split_path = Path(config.splits) if config.splits else split_file(dataset, config.data_dir)
    splits = load_splits(split_path, layout_of(dataset).keys(path))
    keep = {k for s in splits for k in (*s.val_keys, *s.test_keys)}
    digests, videos = {}, {}
    everything = list(dict.fromkeys(k for s in splits for k in (*s.train_keys, *keep)))
    for start in range(0, len(everything), 512):  # bounded memory: 512 videos at a time
        chunk = load_mrhisum(path, everything[start : start + 512])
        for key, video in chunk.items():
            digests[key] = video_digest(video)
            if key in keep:
                videos[key] = video
    width = _check_filled(path, everything)
    return Benchmark(
        dataset=dataset,
        data_file=path,
        split_file=split_path,
        synthetic=is_synthetic(path),
        videos=videos,
        features={everything[0]: torch.empty(0, width)},  # the width, for the model check
        splits=list(splits),
        digests=digests,
    )


def _check_filled(path: Path, keys: Sequence[str]) -> int:
    """Every video the run reads has features of one width (shapes only: nothing is read)."""
    import h5py

    from vsumbench.data.mrhisum import FILL_HINT

    missing, widths = [], {}
    with h5py.File(path, "r") as h5:
        for key in keys:
            if "features" not in h5[key]:
                missing.append(key)
            else:
                widths.setdefault(h5[key]["features"].shape[-1], key)
    if missing:
        raise DataError(f"features not filled yet for {len(missing)} video(s) of the split: "
                        f"{FILL_HINT}", file=path, video=missing[0], field="features")  # fmt: skip
    if len(widths) > 1:
        (w1, k1), (w2, k2) = list(widths.items())[:2]
        raise DataError(f"features of mixed widths: {k1} is {w1} wide, {k2} is {w2}", file=path,
                        video=k2, field="features")  # fmt: skip
    return int(next(iter(widths)))
