"""Every output says which data it came from: real or synthetic, and which file."""

from __future__ import annotations

import json

import h5py
from click.testing import CliRunner

from vsumbench.cli import main


def test_every_command_says_real_or_synthetic(small_benchmark, tmp_path):
    common = ["--data-dir", str(small_benchmark)]
    human = CliRunner().invoke(main, ["human", "--dataset", "summe", *common])
    assert "summe (synthetic data)" in human.output
    assert (
        json.loads(
            CliRunner().invoke(main, ["human", "--dataset", "tvsum", *common, "--json"]).output
        )["data"]
        == "synthetic"
    )
    run = CliRunner().invoke(
        main,
        ["run", "random", "--dataset", "summe", *common, "--folds", "0", "--results",
         str(tmp_path), "--quiet"],
    )  # fmt: skip
    assert "random on summe (synthetic data)" in run.output
    pred = tmp_path / "summe" / "random" / "paper-none" / "seed123456" / "fold0" / "predictions.h5"
    with h5py.File(pred) as h5:
        assert h5.attrs["synthetic"] == 1 and h5.attrs["model"] == "random"
        assert h5.attrs["data_file"].endswith("eccv16_dataset_summe_google_pool5.h5")
    evaluated = CliRunner().invoke(main, ["evaluate", str(pred), "--dataset", "summe", *common])
    assert "synthetic data" in evaluated.output.splitlines()[0]


def test_data_check_names_the_file_it_compares_annotations_with(small_benchmark, tmp_path):
    """An annotation file given by name is compared with the features file named in the
    output, not silently with whatever ./data holds."""
    result = CliRunner().invoke(
        main, ["data", "check", "--data-dir", str(small_benchmark),
               str(small_benchmark / "ydata-anno.tsv")],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert f"frame counts match {small_benchmark / 'eccv16_dataset_tvsum_google_pool5.h5'}" in (
        result.output
    )
