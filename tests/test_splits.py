"""Split files: both real formats, validation errors with locations, k-fold generation."""

from __future__ import annotations

import json

import pytest

from vsumbench.data.splits import (
    Split,
    check_splits,
    coverage,
    detect_format,
    load_splits,
    make_kfold,
    write_splits,
)
from vsumbench.errors import DataError

SUMME = [f"video_{i}" for i in range(1, 26)]
TVSUM = [f"video_{i}" for i in range(1, 51)]


@pytest.mark.parametrize("name,keys", [("summe", SUMME), ("tvsum", TVSUM)])
def test_real_split_files_parse(shared_dir, name, keys):
    folder = shared_dir / "data" / "splits"
    cased = {"summe": "SumMe", "tvsum": "TVSum"}[name]
    std = load_splits(folder / f"{name}_splits.json", keys)
    csta = load_splits(folder / f"csta_{cased}_splits.txt", keys, partition=True)
    n_test = len(keys) // 5
    for folds in (std, csta):
        assert len(folds) == 5
        assert all(
            len(s.test_keys) == n_test and len(s.train_keys) == len(keys) - n_test for s in folds
        )
        assert all(set(s.train_keys) | set(s.test_keys) == set(keys) for s in folds)
    # CSTA's splits are a partition; the standard ones were drawn independently per fold.
    assert coverage(csta, keys).is_partition
    cov = coverage(std, keys)
    assert not cov.is_partition and cov.tested_more_than_once and cov.never_tested
    with pytest.raises(DataError, match="already in the test keys of fold"):
        load_splits(folder / f"{name}_splits.json", keys, partition=True)
    # The first CSTA fold, read from the raw text, is what the parser returns.
    first = (folder / f"csta_{cased}_splits.txt").read_text().splitlines()[0].split("/")
    assert csta[0].test_keys == tuple(first[3].split(","))


def test_both_formats_describe_the_same_folds(tmp_path):
    folds = make_kfold(SUMME, k=5, seed=3)
    write_splits(tmp_path / "a.json", folds)
    write_splits(tmp_path / "a.txt", folds, format="csta", dataset_name="SumMe")
    assert detect_format((tmp_path / "a.json").read_text()) == "json"
    assert detect_format((tmp_path / "a.txt").read_text()) == "csta"
    a = load_splits(tmp_path / "a.json", SUMME, partition=True)
    b = load_splits(tmp_path / "a.txt", SUMME, partition=True)
    assert [(s.train_keys, s.test_keys) for s in a] == [(s.train_keys, s.test_keys) for s in b]
    assert [(s.train_keys, s.test_keys) for s in a] == [(s.train_keys, s.test_keys) for s in folds]
    assert (tmp_path / "a.txt").read_text().startswith("SumMe/split0/video_")


def test_dsnet_yaml_splits_read_as_video_keys(tmp_path):
    """DSNet's own split files (its splits/<dataset>.yml), exactly as its repository writes
    them: keys prefixed by the feature file's path, read as the plain video keys."""
    prefix = "../datasets/eccv16_dataset_summe_google_pool5.h5/"
    text = "".join(
        "- test_keys:\n" + "".join(f"  - {prefix}{k}\n" for k in s.test_keys)
        + "  train_keys:\n" + "".join(f"  - {prefix}{k}\n" for k in s.train_keys)
        for s in make_kfold(SUMME, k=5, seed=3)
    )  # fmt: skip
    (tmp_path / "summe.yml").write_text(text)
    assert detect_format(text) == "dsnet"
    got = load_splits(tmp_path / "summe.yml", SUMME, partition=True)
    want = make_kfold(SUMME, k=5, seed=3)
    assert [(s.train_keys, s.test_keys) for s in got] == [(s.train_keys, s.test_keys) for s in want]
    (tmp_path / "bad.yml").write_text("- test_keys: [video_1]\n")
    with pytest.raises(DataError, match="bad.yml.*fold 0.*train_keys"):
        load_splits(tmp_path / "bad.yml", SUMME)


def _write_json(path, folds):
    path.write_text(json.dumps([{"train_keys": tr, "test_keys": te} for tr, te in folds]))
    return path


def test_unknown_video_is_named(tmp_path):
    path = _write_json(
        tmp_path / "s.json",
        [(["video_1", "video_2"], ["video_3"]), (["video_1", "video_3"], ["video_77"])],
    )
    with pytest.raises(DataError) as exc:
        load_splits(path, ["video_1", "video_2", "video_3"])
    err = exc.value
    assert err.file == str(path) and err.video == "video_77" and err.field == "test_keys"
    assert "fold 1" in str(err) and "unknown video" in str(err)
    load_splits(path)  # without the dataset's keys nothing is unknown


def test_video_in_train_and_test_of_a_fold(tmp_path):
    path = tmp_path / "s.txt"
    path.write_text("TVSum/split0/video_1,video_2/video_2,video_3\n")
    with pytest.raises(DataError, match="fold 0.*both train_keys and test_keys") as exc:
        load_splits(path)
    assert exc.value.video == "video_2"


def test_video_in_two_test_folds_and_never_tested(tmp_path):
    keys = ["video_1", "video_2", "video_3", "video_4"]
    path = _write_json(
        tmp_path / "s.json",
        [
            (["video_3", "video_4"], ["video_1", "video_2"]),
            (["video_2", "video_4"], ["video_1", "video_3"]),
        ],
    )
    problems = check_splits(path, keys, partition=True)
    assert [(p.video, "fold 1" in p.message) for p in problems] == [
        ("video_1", True),
        ("video_4", False),
    ]
    assert "in no fold's test keys" in problems[1].message
    assert check_splits(path, keys) == []  # allowed unless a partition is required


def test_malformed_files(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text("SumMe/split0/video_1\n")
    with pytest.raises(DataError, match="line 1: expected 'Dataset/splitK"):
        load_splits(bad)
    bad = tmp_path / "bad.json"
    bad.write_text('[{"train_keys": ["video_1"]}]')
    with pytest.raises(
        DataError, match="fold 0: expected an object with 'train_keys' and 'test_keys'"
    ):
        load_splits(bad)
    bad.write_text("[{")
    with pytest.raises(DataError, match="not valid JSON"):
        load_splits(bad)
    bad.write_text('[{"train_keys": [], "test_keys": ["video_1"]}]')
    with pytest.raises(DataError, match="train_keys is empty"):
        load_splits(bad)


@pytest.mark.parametrize("keys,n_test", [(SUMME, 5), (TVSUM, 10)])
def test_make_kfold_partitions_deterministically(keys, n_test):
    folds = make_kfold(keys, k=5, seed=0)
    assert [len(s.test_keys) for s in folds] == [n_test] * 5
    assert all(len(s.train_keys) == len(keys) - n_test for s in folds)
    assert coverage(folds, keys).is_partition
    assert all(not set(s.train_keys) & set(s.test_keys) for s in folds)
    assert make_kfold(list(reversed(keys)), k=5, seed=0) == folds  # input order does not matter
    assert make_kfold(keys, k=5, seed=1) != folds
    assert isinstance(folds[0], Split) and folds[0].name == "split0"


def test_make_kfold_uneven_and_invalid():
    folds = make_kfold([f"v{i}" for i in range(7)], k=3)
    assert sorted(len(s.test_keys) for s in folds) == [2, 2, 3]
    with pytest.raises(ValueError):
        make_kfold(["a", "b"], k=5)
    with pytest.raises(ValueError):
        write_splits("unused", folds, format="csta")  # CSTA needs a dataset name
