"""Prepared references kept on disk: the same references as preparing them afresh, never
stale after a file changes, and a broken cache is never an error."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from vsumbench.data import load_videos
from vsumbench.data.disk_cache import cache_dir
from vsumbench.data.paths import load_dataset_annotations
from vsumbench.data.references import load_references
from vsumbench.protocol import make_references

FIELDS = ("picks", "change_points", "user_summary", "rank_levels")


def fresh(dataset: str, data_dir) -> dict:
    path = data_dir / f"eccv16_dataset_{dataset}_google_pool5.h5"
    videos = load_videos(path, fields=("user_summary",))
    return make_references(videos, dataset, load_dataset_annotations(dataset, data_dir))


def assert_same(got: dict, want: dict) -> None:
    assert list(got) == list(want)
    for key in want:
        a, b = got[key], want[key]
        assert (a.key, a.spec, a.n_frames, a.n_steps, a.n_levels) == (
            b.key,
            b.spec,
            b.n_frames,
            b.n_steps,
            b.n_levels,
        )
        for name in FIELDS:
            x, y = getattr(a, name), getattr(b, name)
            assert x.dtype == y.dtype and np.array_equal(x, y), (key, name)


@pytest.fixture
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("VSUMBENCH_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


@pytest.mark.parametrize("dataset", ["summe", "tvsum"])
def test_cached_references_equal_fresh_ones(small_benchmark, private_cache, dataset):
    want = fresh(dataset, small_benchmark)
    _, first = load_references(dataset, small_benchmark)  # prepared, then written
    assert len(list(private_cache.glob("references-*.npz"))) == 1
    _, again = load_references(dataset, small_benchmark)  # read from the cache
    assert_same(first, want)
    assert_same(again, want)
    _, some = load_references(dataset, small_benchmark, ["video_10", "video_2"])
    assert list(some) == ["video_2", "video_10"]  # natural order, as load_videos gives
    assert_same(some, {k: want[k] for k in ("video_2", "video_10")})


def test_a_changed_file_is_read_again(small_benchmark, tmp_path, private_cache):
    from vsumbench.data.synth import generate_benchmark

    data = tmp_path / "data"
    shutil.copytree(small_benchmark, data)
    load_references("tvsum", data)
    generate_benchmark(data, size="small", seed=1)  # other videos under the same names
    _, got = load_references("tvsum", data)
    assert_same(got, fresh("tvsum", data))


def test_a_broken_cache_is_ignored(small_benchmark, private_cache):
    load_references("summe", small_benchmark)
    [cache] = private_cache.glob("references-*.npz")
    cache.write_bytes(b"not an npz file")
    _, got = load_references("summe", small_benchmark)
    assert_same(got, fresh("summe", small_benchmark))
    assert cache_dir() == private_cache


def test_unknown_keys_are_named(small_benchmark, private_cache):
    from vsumbench.errors import DataError

    load_references("summe", small_benchmark)
    with pytest.raises(DataError, match="video_99"):
        load_references("summe", small_benchmark, ["video_1", "video_99"])
