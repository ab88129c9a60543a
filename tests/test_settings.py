"""The field's three settings (canonical, augmented, transfer): which videos a fold trains and
tests on, where the result goes, how sweeps and tables see it; OVP and YouTube twins."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from vsumbench.cli import main
from vsumbench.runner.result import RunResult

QUICK = ["--epochs", "1", "--device", "cpu", "--threads", "1", "--quiet"]


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def only_result(root: Path) -> RunResult:
    (path,) = root.rglob("result.json")
    return RunResult.read(path)


def keys_of(data: Path, dataset: str) -> list[str]:
    from vsumbench.data.eccv16 import video_keys

    return video_keys(data / f"eccv16_dataset_{dataset}_google_pool5.h5")


def test_synth_writes_ovp_and_youtube_twins_without_folds(small_benchmark):
    assert len(keys_of(small_benchmark, "ovp")) == 50
    assert len(keys_of(small_benchmark, "youtube")) == 39
    assert not (small_benchmark / "splits" / "ovp_splits.json").exists()


def test_augmented_adds_every_other_video_to_each_fold(small_benchmark, tmp_path):
    out = invoke("run", "vasnet", "--dataset", "summe", "--data-dir", small_benchmark,
                 "--results", tmp_path, "--folds", "1", "--setting", "augmented", *QUICK)  # fmt: skip
    assert out.exit_code == 0, out.output
    result = only_result(tmp_path)
    fold = json.loads((small_benchmark / "splits" / "summe_splits.json").read_text())[1]
    others = [f"{d}/{k}" for d in ("tvsum", "ovp", "youtube") for k in keys_of(small_benchmark, d)]
    assert result.setting == "augmented" and result.path.parent.parent.name.endswith("@augmented")
    assert result.train_keys == fold["train_keys"] + others
    assert result.test_keys == fold["test_keys"]  # tested on the fold's own videos only


def test_transfer_trains_on_the_other_three_and_tests_every_video(small_benchmark, tmp_path):
    out = invoke("run", "vasnet", "--dataset", "tvsum", "--data-dir", small_benchmark,
                 "--results", tmp_path, "--setting", "transfer", *QUICK)  # fmt: skip
    assert out.exit_code == 0, out.output
    result = only_result(tmp_path)
    assert result.fold == 0 and result.setting == "transfer"
    assert sorted(result.test_keys) == sorted(keys_of(small_benchmark, "tvsum"))
    assert {k.split("/")[0] for k in result.train_keys} == {"summe", "ovp", "youtube"}
    assert len(result.train_keys) == 25 + 50 + 39


def test_dsnet_yaml_splits_of_the_augmented_setting_are_read_as_they_are(small_benchmark,
                                                                         tmp_path):  # fmt: skip
    yaml_text = (
        "- train_keys:\n"
        "  - ../datasets/eccv16_dataset_summe_google_pool5.h5/video_2\n"
        "  - ../datasets/eccv16_dataset_ovp_google_pool5.h5/video_7\n"
        "  - ../datasets/eccv16_dataset_youtube_google_pool5.h5/video_3\n"
        "  test_keys:\n"
        "  - ../datasets/eccv16_dataset_summe_google_pool5.h5/video_1\n"
    )
    split = tmp_path / "summe_aug.yml"
    split.write_text(yaml_text)
    out = invoke("run", "vasnet", "--dataset", "summe", "--data-dir", small_benchmark,
                 "--splits", split, "--setting", "augmented", "--results", tmp_path / "r",
                 *QUICK)  # fmt: skip
    assert out.exit_code == 0, out.output
    result = only_result(tmp_path / "r")
    assert result.train_keys == ["video_2", "ovp/video_7", "youtube/video_3"]
    assert result.test_keys == ["video_1"]


def test_a_sweep_takes_settings_as_an_axis_and_table_1_stays_canonical(small_benchmark,
                                                                      tmp_path):  # fmt: skip
    args = ["sweep", "--models", "vasnet", "--datasets", "summe", "--settings",
            "canonical,transfer", "--folds", "0", "--epochs", "1", "--data-dir", small_benchmark,
            "--results", tmp_path, "--engine", "inline", "--device", "cpu", "--quiet"]  # fmt: skip
    first = invoke(*args)
    assert first.exit_code == 0, first.output
    assert "2 fold(s): 0 finished, 2 to run" in first.output
    assert "2 fold(s): 2 finished, 0 to run" in invoke(*args).output
    table1 = json.loads(invoke("table", "--table", "1", "--results", tmp_path, "--format",
                               "json").output)  # fmt: skip
    (vasnet,) = [r for r in table1["rows"] if r["source"] == "measured"]
    assert vasnet["summe_n_folds"] == [1]  # the transfer fold is not in Table 1
    settings = json.loads(invoke("table", "--table", "settings", "--results", tmp_path,
                                 "--format", "json").output)  # fmt: skip
    clip_it = next(r for r in settings["rows"] if r["method"] == "CLIP-It")
    assert clip_it["summe_canonical"] == pytest.approx(0.542)
    assert clip_it["tvsum_augmented"] == pytest.approx(0.690)
    (measured,) = [r for r in settings["rows"] if r["source"] == "measured"]
    assert measured["summe_canonical"] is not None and measured["summe_transfer"] is not None
    assert measured["summe_augmented"] is None


def test_a_setting_needs_a_dataset_of_the_pool(tmp_path):
    from vsumbench.errors import ConfigError
    from vsumbench.runner.settings import other_datasets

    with pytest.raises(ConfigError, match="not mrhisum"):
        other_datasets("mrhisum", "augmented")
    assert other_datasets("summe", "canonical") == []
