"""Bad values and bad options end in one clear line naming the file, the video and the
field (or the option), before any work is done."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import h5py
import pytest
from click.testing import CliRunner

from tests.test_tables import write_result
from vsumbench.cli import main
from vsumbench.data import check_file, load_videos
from vsumbench.errors import DataError

SUMME = "eccv16_dataset_summe_google_pool5.h5"


def _edited(small_benchmark: Path, tmp_path: Path, edit) -> Path:
    """A copy of the small benchmark whose SumMe file went through ``edit(h5)``."""
    data = tmp_path / "data"
    shutil.copytree(small_benchmark, data)
    with h5py.File(data / SUMME, "r+") as h5:
        edit(h5)
    return data


def _set(h5, name: str, value) -> None:
    del h5[name]
    h5[name] = value


@pytest.mark.parametrize(
    ("edit", "field", "message"),
    [
        (lambda h5: h5["video_4/gtscore"].__setitem__(3, 1e30), "gtscore", "outside [0, 1]"),
        (lambda h5: h5["video_4/gtscore"].__setitem__(0, -5), "gtscore", "outside [0, 1]"),
        (lambda h5: h5["video_4/features"].__setitem__((2, 7), 3e38), "features", "beyond"),
    ],
    ids=["gtscore-huge", "gtscore-negative", "features-3e38"],
)
def test_absurd_values_are_refused_by_the_loader_and_data_check(
    small_benchmark, tmp_path, edit, field, message
):
    data = _edited(small_benchmark, tmp_path, edit)
    with pytest.raises(DataError) as err:
        load_videos(data / SUMME)
    assert f"video_4/{field}" in str(err.value) and message in str(err.value)
    problems = [str(p) for p in check_file(data / SUMME)]
    assert len(problems) == 1 and f"video_4/{field}" in problems[0]
    run = CliRunner().invoke(
        main,
        ["run", "vasnet", "--dataset", "summe", "--data-dir", str(data), "--results",
         str(tmp_path / "r"), "--quiet", "--device", "cpu"],
    )  # fmt: skip
    assert run.exit_code == 1 and f"video_4/{field}" in run.output
    assert not (tmp_path / "r").exists()


def test_one_video_under_two_keys_and_a_repeated_name_are_flagged(small_benchmark, tmp_path):
    def duplicate(h5):
        _set(h5, "video_9/features", h5["video_2/features"][()])
        _set(h5, "video_12/video_name", h5["video_3/video_name"][()])

    data = _edited(small_benchmark, tmp_path, duplicate)
    problems = [str(p) for p in check_file(data / SUMME)]
    assert any("video_9/features" in p and "video_2" in p for p in problems), problems
    assert any("video_12/video_name" in p and "video_3" in p for p in problems), problems
    result = CliRunner().invoke(main, ["data", "check", str(data / SUMME)])
    assert result.exit_code == 1 and "leak" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--lr", "nan"], "'--lr': expected a positive finite number"),
        (["--lr", "-0.1"], "'--lr': expected a positive finite number"),
        (["--lr", "0"], "'--lr': expected a positive finite number"),
        (["--weight-decay", "-1"], "'--weight-decay': expected a non-negative"),
        (["--weight-decay", "inf"], "'--weight-decay': expected a non-negative"),
        (["--model-arg", "hidden"], "--model-arg expects NAME=VALUE"),
        (["--threads", "0"], "'--threads'"),
    ],
)
def test_bad_training_options_are_one_line(small_benchmark, tmp_path, args, message):
    result = CliRunner().invoke(
        main,
        ["run", "vasnet", "--dataset", "summe", "--data-dir", str(small_benchmark),
         "--results", str(tmp_path), "--quiet", *args],
    )  # fmt: skip
    assert result.exit_code != 0 and message in result.output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit)


def test_options_a_fixed_scorer_ignores_are_named(small_benchmark, tmp_path):
    result = CliRunner().invoke(
        main,
        ["run", "random", "--dataset", "summe", "--data-dir", str(small_benchmark), "--folds",
         "0", "--epochs", "5", "--results", str(tmp_path), "--quiet"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "random is not trainable" in result.output and "--epochs ignored" in result.output


def test_a_result_without_its_metrics_is_skipped_and_named_by_table(tmp_path):
    fold = write_result(tmp_path, model="vasnet", dataset="summe", seed=1, fold=0, kendall=0.1,
                        spearman=0.2)  # fmt: skip
    record = json.loads((fold / "result.json").read_text())
    del record["kendall"], record["spearman"]
    (fold / "result.json").write_text(json.dumps(record))
    result = CliRunner().invoke(main, ["table", "--results", str(tmp_path)])
    assert result.exit_code == 0  # the table is made from what can be read
    assert "skipped 1 result file(s)" in result.output
    assert str(fold / "result.json") in result.output and "kendall, spearman" in result.output
    assert "| measured" not in result.output  # never tabulated


def test_threads_are_recorded_and_restored(small_benchmark, tmp_path, one_thread):
    import torch

    from vsumbench.runner.config import RunConfig
    from vsumbench.runner.train import run

    config = RunConfig(model="random", dataset="summe", data_dir=str(small_benchmark),
                       folds=[0], results=str(tmp_path), progress=False, threads=2)  # fmt: skip
    (result,) = run(config).results
    assert result.config["threads"] == 2
    assert torch.get_num_threads() == 1  # the caller's setting is back
