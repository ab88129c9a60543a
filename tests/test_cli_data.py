"""`vsumbench data synth|check|splits` end to end."""

from __future__ import annotations

import shutil
from dataclasses import replace

import h5py
import numpy as np
from click.testing import CliRunner

from vsumbench.cli import main
from vsumbench.data.splits import coverage, load_splits


def _copy(src, dst):
    shutil.copytree(src, dst)
    return dst


def test_synth_then_check(tmp_path, monkeypatch):
    # Tiny run of the command itself (the benchmark's content is tested in test_synth).
    import vsumbench.data.synth as synth

    monkeypatch.setattr(
        synth, "RECIPES", {k: replace(r, n_videos=5) for k, r in synth.RECIPES.items()}
    )
    out = tmp_path / "data"
    result = CliRunner().invoke(main, ["data", "synth", "--out", str(out), "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert "eccv16_dataset_tvsum_google_pool5.h5" in result.output
    result = CliRunner().invoke(main, ["data", "check", "--data-dir", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output.count("OK ") == 5  # two .h5, annotations, two split files
    assert "frame counts match" in result.output


def test_check_reports_corruption_with_location(small_benchmark, tmp_path):
    data = _copy(small_benchmark, tmp_path / "data")
    path = data / "eccv16_dataset_summe_google_pool5.h5"
    with h5py.File(path, "r+") as h5:
        del h5["video_4/gtscore"]
        h5["video_4/gtscore"] = np.zeros(3, dtype=np.float32)
        us = h5["video_7/user_summary"][()]
        del h5["video_7/user_summary"]
        h5["video_7/user_summary"] = us[:, :-1]
    result = CliRunner().invoke(main, ["data", "check", "--data-dir", str(data)])
    assert result.exit_code == 1
    assert f"FAIL {path}: 2 problem(s)" in result.output
    assert f"{path}: video_4/gtscore: expected n_steps=" in result.output
    assert f"{path}: video_7/user_summary: expected width n_frames=" in result.output
    assert "OK   " in result.output  # the other files are still checked


def test_check_annotations_against_tvsum_frames(small_benchmark, tmp_path):
    data = _copy(small_benchmark, tmp_path / "data")
    lines = (data / "ydata-anno.tsv").read_text().splitlines(keepends=True)
    fixed = [line.rstrip("\n") + ",3\n" if i < 20 else line for i, line in enumerate(lines)]
    (data / "ydata-anno.tsv").write_text("".join(fixed))  # video_1 one frame too long
    result = CliRunner().invoke(main, ["data", "check", str(data / "ydata-anno.tsv")])
    assert result.exit_code == 1
    assert "video_1" in result.output and "n_frames" in result.output


def test_check_given_files_and_bad_splits(small_benchmark, tmp_path):
    bad = tmp_path / "splits" / "summe_splits.json"
    bad.parent.mkdir()
    bad.write_text('[{"train_keys": ["video_1"], "test_keys": ["video_1"]}]')
    result = CliRunner().invoke(
        main,
        ["data", "check", str(small_benchmark / "eccv16_dataset_tvsum_google_pool5.h5"), str(bad)],
    )
    assert result.exit_code == 1
    assert "OK   " in result.output and "both train_keys and test_keys" in result.output


def test_splits_command(small_benchmark, tmp_path):
    for fmt, name in (("json", "s.json"), ("csta", "s.txt")):
        out = tmp_path / name
        args = [
            "data",
            "splits",
            "--dataset",
            "tvsum",
            "--data-dir",
            str(small_benchmark),
            "--format",
            fmt,
            "--seed",
            "2",
            "--out",
            str(out),
        ]
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 0, result.output
        keys = [f"video_{i}" for i in range(1, 51)]
        folds = load_splits(out, keys, partition=True)
        assert [len(f.test_keys) for f in folds] == [10] * 5 and coverage(folds, keys).is_partition
    assert load_splits(tmp_path / "s.json") == load_splits(tmp_path / "s.txt")
    result = CliRunner().invoke(
        main,
        [
            "data",
            "splits",
            "--dataset",
            "summe",
            "--data-dir",
            str(tmp_path / "none"),
            "--out",
            str(tmp_path / "x.json"),
        ],
    )
    assert result.exit_code != 0 and "vsumbench data synth" in result.output
