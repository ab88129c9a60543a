"""A dataset's evaluation references, prepared once per data file and kept on disk.

Reading 50 video groups from HDF5, the annotator scores, and turning them into
`VideoReference` objects is most of ``vsumbench evaluate``'s work after start-up, and the
result depends only on the files. The prepared references of every video are kept as one
``.npz`` (a few arrays, concatenated over videos) keyed by the identity of the data file
and of the annotation file (`disk_cache`), so a later evaluation of the same files reads
one small file; an edited file is read again. The numbers are the same either way (tested).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np

from vsumbench.datasets import get_dataset
from vsumbench.errors import DataError
from vsumbench.protocol.evaluate import VideoReference, make_references

__all__ = ["load_references"]

#: The layout version of the cache file: bump when VideoReference or the packing changes.
LAYOUT = 1
_NDIM = {"picks": 1, "change_points": 2, "user_summary": 2, "rank_levels": 2}
_SCALARS = ("n_frames", "n_steps", "n_levels")


def load_references(
    dataset: str,
    data_dir: str | os.PathLike | None = None,
    keys: Iterable[str] | None = None,
    annotations: Mapping | None = None,
) -> tuple[Path, dict[str, VideoReference]]:
    """``(data file, {key: VideoReference})`` for ``keys`` (default every video).

    ``annotations``: the per-annotator scores when the caller has read them already.
    """
    from vsumbench.data.disk_cache import cache_file, file_identity
    from vsumbench.data.paths import annotation_file, dataset_file

    spec = get_dataset(dataset)
    path = dataset_file(dataset, data_dir)
    sources = [file_identity(path)]
    if spec.needs_annotations:
        sources.append(file_identity(annotation_file(dataset, data_dir)))
    cache = cache_file("references", spec.name, *sources, LAYOUT)
    wanted = None if keys is None else list(dict.fromkeys(keys))
    cached = _read(cache, spec.name, wanted)
    if cached is not None:
        return path, cached
    try:
        everything = _prepare(dataset, data_dir, path, None, annotations)
    except DataError:  # a problem in some video: prepare only those asked for, uncached
        return path, _prepare(dataset, data_dir, path, wanted, annotations)
    _write(cache, everything)
    if wanted is None:
        return path, everything
    return path, _subset(
        everything, wanted, lambda k: _prepare(dataset, data_dir, path, k, annotations)
    )


def _prepare(dataset, data_dir, path, keys, annotations) -> dict[str, VideoReference]:
    from vsumbench.data.eccv16 import load_videos
    from vsumbench.data.paths import load_dataset_annotations

    videos = load_videos(path, keys, fields=("user_summary",))
    if annotations is None:
        annotations = load_dataset_annotations(dataset, data_dir)
    return make_references(videos, dataset, annotations, file=path)


def _subset(refs: dict[str, VideoReference], keys: list[str], prepare) -> dict[str, VideoReference]:
    """``keys`` of ``refs`` in natural order; unknown keys go to ``prepare``, whose loader
    names them."""
    from vsumbench.data.eccv16 import natural_sorted

    if any(k not in refs for k in keys):
        return prepare(keys)
    return {k: refs[k] for k in natural_sorted(keys)}


def _write(cache: Path, refs: dict[str, VideoReference]) -> None:
    """Every reference as a few concatenated arrays, with shapes to cut them apart."""
    from vsumbench.atomic import atomic_path

    arrays: dict[str, np.ndarray] = {"keys": np.array(list(refs))}
    for name in _SCALARS:
        arrays[name] = np.array([getattr(r, name) for r in refs.values()], dtype=np.int64)
    for name in _NDIM:
        parts = [np.asarray(getattr(r, name)) for r in refs.values()]
        arrays[f"{name}_shape"] = np.array([p.shape for p in parts], dtype=np.int64)
        arrays[name] = np.concatenate([p.ravel() for p in parts]) if parts else np.zeros(0)
    try:
        with atomic_path(cache) as tmp, open(tmp, "wb") as fh:
            np.savez(fh, **arrays)
    except OSError:
        pass  # a read-only home or a full disk: prepare again next time


def _read(cache: Path, dataset: str, keys: list[str] | None) -> dict | None:
    """The cached references of ``keys``, or None (no cache, unreadable, a key not in it)."""
    from vsumbench.data.disk_cache import read_npz

    data = read_npz(cache)
    try:
        return None if data is None else _unpack(data, dataset, keys)
    except (KeyError, ValueError, IndexError, TypeError):  # a damaged entry: prepare again
        return None


def _unpack(data: dict, dataset: str, keys: list[str] | None) -> dict | None:
    stored = data["keys"].tolist()
    index = {key: i for i, key in enumerate(stored)}
    if keys is not None and any(k not in index for k in keys):
        return None  # the full preparation names the unknown key
    spec = get_dataset(dataset)
    offsets = {}
    for name in _NDIM:
        sizes = np.prod(data[f"{name}_shape"], axis=1)
        offsets[name] = np.concatenate([[0], np.cumsum(sizes)])
    chosen = stored if keys is None else sorted(keys, key=index.__getitem__)
    out = {}
    for key in chosen:
        i = index[key]
        fields = {
            name: data[name][offsets[name][i] : offsets[name][i + 1]].reshape(
                data[f"{name}_shape"][i]
            )
            for name in _NDIM
        }
        scalars = {name: int(data[name][i]) for name in _SCALARS}
        out[key] = VideoReference(key=key, spec=spec, **scalars, **fields)
    return out
