"""`vsumbench evaluate` and `vsumbench human` on the small synthetic benchmark."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from click.testing import CliRunner

from vsumbench.cli import main
from vsumbench.data.eccv16 import load_videos
from vsumbench.data.paths import dataset_file
from vsumbench.data.predictions import write_predictions


def _gtscore_predictions(bench, dataset, path):
    videos = load_videos(dataset_file(dataset, bench), fields=("gtscore",))
    preds = {key: v.gtscore for key, v in videos.items()}  # every video: full coverage
    write_predictions(path, preds)
    return preds


@pytest.mark.parametrize("dataset", ["tvsum", "summe"])
def test_evaluate_json_round_trip(small_benchmark, tmp_path, dataset):
    pred = tmp_path / "pred.h5"
    preds = _gtscore_predictions(small_benchmark, dataset, pred)
    args = ["evaluate", str(pred), "--dataset", dataset, "--data-dir", str(small_benchmark)]
    result = CliRunner().invoke(main, [*args, "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert set(out["per_video"]) == set(preds)
    per = out["per_video"].values()
    for name in ("kendall", "spearman", "f1"):
        assert out[name] == pytest.approx(np.mean([v[name] for v in per]))
    assert all(0 <= v["f1"] <= 1 and -1 <= v["kendall"] <= 1 for v in per)
    # The training target agrees with the references far better than chance.
    assert out["kendall"] > 0.1 and out["spearman"] > 0.1
    table = CliRunner().invoke(main, args)
    assert table.exit_code == 0, table.output
    assert "Kendall tau" in table.output and "mean" in table.output


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda p: p.update(video_999=np.zeros(5)), "video_999"),
        (lambda p: p.update(video_1=np.zeros(p["video_1"].size + 1)), "video_1/scores"),
        (lambda p: p["video_2"].__setitem__(0, np.nan), "video_2/scores"),
    ],
    ids=["unknown-key", "wrong-length", "nan"],
)
def test_evaluate_fails_clearly(small_benchmark, tmp_path, edit, message):
    videos = load_videos(dataset_file("tvsum", small_benchmark), fields=("gtscore",))
    preds = {k: v.gtscore.astype(np.float64) for k, v in list(videos.items())[:3]}
    edit(preds)
    pred = tmp_path / "bad.h5"
    write_predictions(pred, preds)
    args = ["evaluate", str(pred), "--dataset", "tvsum", "--data-dir", str(small_benchmark)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code != 0
    assert str(pred) in result.output and message in result.output
    assert "Traceback" not in result.output


def test_partial_predictions_are_refused_unless_asked(small_benchmark, tmp_path):
    """3 of 25 videos: no silent mean; with --allow-partial the coverage stands beside it."""
    videos = load_videos(dataset_file("summe", small_benchmark), fields=("gtscore",))
    preds = {k: v.gtscore for k, v in list(videos.items())[:3]}
    pred = tmp_path / "part.h5"
    write_predictions(pred, preds)
    args = ["evaluate", str(pred), "--dataset", "summe", "--data-dir", str(small_benchmark)]
    refused = CliRunner().invoke(main, args)
    assert refused.exit_code == 1
    assert "covers 3 of the 25 videos" in refused.output and "--allow-partial" in refused.output
    table = CliRunner().invoke(main, [*args, "--allow-partial"])
    assert table.exit_code == 0 and "mean (3 of 25 videos)" in table.output
    out = json.loads(CliRunner().invoke(main, [*args, "--allow-partial", "--json"]).output)
    assert out["coverage"]["videos"] == 3 and out["coverage"]["expected"] == 25
    assert len(out["coverage"]["missing"]) == 22
    # A file that declares what it covers (one fold's test videos) is complete with those.
    write_predictions(pred, preds, attrs={"expected_videos": json.dumps(list(preds))})
    declared = json.loads(CliRunner().invoke(main, [*args, "--json"]).output)
    assert declared["coverage"] == {"videos": 3, "expected": 3, "missing": []}


def test_evaluate_does_not_import_torch(small_benchmark, tmp_path):
    pred = tmp_path / "pred.h5"
    _gtscore_predictions(small_benchmark, "summe", pred)
    code = (
        "import sys\n"
        "from vsumbench.cli import main\n"
        f"args = ['evaluate', {str(pred)!r}, '--dataset', 'summe', '--data-dir', "
        f"{str(small_benchmark)!r}, '--json']\n"
        "try:\n    main(args)\nexcept SystemExit as exc:\n    assert exc.code in (0, None), exc.code\n"
        "assert 'torch' not in sys.modules, 'evaluate imported torch'\n"
        "print('NO_TORCH')\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "NO_TORCH" in proc.stdout


@pytest.mark.parametrize("dataset", ["tvsum", "summe"])
def test_human_json(small_benchmark, dataset):
    args = ["human", "--dataset", dataset, "--data-dir", str(small_benchmark), "--json"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["kendall"] == out["human"]["kendall"]
    assert -1 <= out["human"]["spearman"] <= 1
    assert out["random"]["seed"] == 0
    assert set(out["random"]) >= {"kendall", "spearman", "f1", "per_video"}
    # The Random row is measured: another seed gives other numbers.
    other = CliRunner().invoke(main, [*args, "--seed", "1"])
    assert json.loads(other.output)["random"]["kendall"] != out["random"]["kendall"]


def test_human_tvsum_needs_only_the_annotations(tvsum_annotations_path, tmp_path):
    (tmp_path / "ydata-anno.tsv.gz").symlink_to(tvsum_annotations_path)
    args = ["human", "--dataset", "tvsum", "--data-dir", str(tmp_path), "--json"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    out = json.loads(result.output[result.output.index("{") :])
    assert round(out["human"]["kendall"], 4) == 0.1774
    assert out["random"] is None and "not found" in out["random_skipped"]
