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
    assert result.output.count("OK ") == 7  # four .h5 (with OVP, YouTube), annotations, two splits
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


def test_check_lists_its_rules_and_each_listed_field_is_checked(small_benchmark, tmp_path):
    listed = CliRunner().invoke(main, ["data", "check", "--rules"])
    assert listed.exit_code == 0
    eccv16 = listed.output.split("mrhisum (")[0]
    broken = {  # a listed field, broken: the check names that field
        "picks": lambda g: g.__setitem__("picks", g["picks"][()][::-1]),
        "gtscore": lambda g: g.__setitem__("gtscore", g["gtscore"][()] * 5 + 1),
        "n_frame_per_seg": lambda g: g.__setitem__("n_frame_per_seg", g["n_frame_per_seg"][()] + 1),
    }  # fmt: skip
    for field, damage in broken.items():
        assert f"  {field}: " in eccv16
        path = tmp_path / field / "eccv16_dataset_summe_google_pool5.h5"
        path.parent.mkdir()
        shutil.copy(small_benchmark / path.name, path)
        with h5py.File(path, "a") as h5:
            damage(_Setter(h5["video_1"]))
        result = CliRunner().invoke(main, ["data", "check", str(path)])
        assert result.exit_code == 1 and f"video_1/{field}:" in result.output, result.output


class _Setter:
    """Replace a dataset of an h5py group (``g[name] = value`` on an existing name)."""

    def __init__(self, group):
        self.group = group

    def __getitem__(self, name):
        return self.group[name]

    def __setitem__(self, name, value):
        del self.group[name]
        self.group[name] = value
