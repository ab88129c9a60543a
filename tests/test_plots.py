"""Figures are produced as non-empty PNG and PDF files, and bad inputs fail clearly."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from tests.test_tables import write_result
from vsumbench.cli import main
from vsumbench.errors import DataError
from vsumbench.report.plots import plot_tradeoff, tradeoff_points

PNG_MAGIC = b"\x89PNG"


def _check(paths: list[Path]) -> None:
    assert sorted(p.suffix for p in paths) == [".pdf", ".png"]
    for path in paths:
        data = path.read_bytes()
        assert len(data) > 1000
        assert data[:4] == (PNG_MAGIC if path.suffix == ".png" else b"%PDF")


@pytest.fixture
def fold_dir(tmp_path: Path, small_benchmark: Path) -> tuple[Path, str]:
    """A fold directory with predictions for two real videos of the synthetic SumMe file."""
    from vsumbench.data.eccv16 import load_videos
    from vsumbench.data.predictions import write_predictions

    data_file = small_benchmark / "eccv16_dataset_summe_google_pool5.h5"
    videos = load_videos(data_file, fields=("gtscore",))
    keys = list(videos)[:2]
    rng = np.random.default_rng(0)
    epochs = [
        {
            "epoch": e,
            "loss": 0.1 / e,
            "test_kendall": 0.05 * e,
            "test_spearman": 0.06 * e,
            "test_f1": 0.4,
            "val_kendall": 0.04 * e,
            "val_spearman": 0.05 * e,
        }
        for e in range(1, 6)
    ]
    per_video = {k: {"kendall": 0.1, "spearman": 0.12, "f1": 0.4} for k in keys}
    fold = write_result(
        tmp_path / "results",
        model="vasnet",
        dataset="summe",
        seed=0,
        fold=0,
        kendall=0.1,
        spearman=0.12,
        per_video=per_video,
        epochs=epochs,
        chosen_epoch=3,
    )
    import json

    result = json.loads((fold / "result.json").read_text())
    result["data"] = {"dir": str(small_benchmark), "file": str(data_file), "synthetic": True}
    (fold / "result.json").write_text(json.dumps(result))
    write_predictions(
        fold / "predictions.h5", {k: rng.random(videos[k].n_steps).astype(np.float32) for k in keys}
    )
    return fold, keys[0]


def test_training_and_scores_cli(fold_dir: tuple[Path, str], tmp_path: Path) -> None:
    fold, video = fold_dir
    runner = CliRunner()
    res = runner.invoke(
        main, ["plot", "training", "--run", str(fold), "--out", str(tmp_path / "train.png")]
    )
    assert res.exit_code == 0, res.output
    _check([tmp_path / "train.png", tmp_path / "train.pdf"])
    res = runner.invoke(
        main,
        ["plot", "scores", "--run", str(fold), "--video", video, "--out", str(tmp_path / "scores")],
    )
    assert res.exit_code == 0, res.output
    _check([tmp_path / "scores.png", tmp_path / "scores.pdf"])
    bad = runner.invoke(
        main,
        [
            "plot",
            "scores",
            "--run",
            str(fold),
            "--video",
            "video_999",
            "--out",
            str(tmp_path / "x"),
        ],
    )
    assert bad.exit_code != 0 and "video_999" in bad.output and video in bad.output
    not_fold = runner.invoke(
        main, ["plot", "training", "--run", str(tmp_path), "--out", str(tmp_path / "y")]
    )
    assert not_fold.exit_code != 0 and "fold directory" in not_fold.output


def test_tradeoff(tmp_path: Path) -> None:
    from leaderboards import paper_table
    from vsumbench.report.tables import table1

    measured = [
        {
            "method": "CSTA",
            "model": "csta",
            "source": "measured",
            "selection": "last",
            "backbone_init": "random",
            "data": "synthetic",
            "summe_kendall": 0.2,
            "summe_spearman": 0.2,
            "summe_kendall_std": 0.01,
            "tvsum_kendall": None,
            "tvsum_spearman": None,
        }
    ]
    rows = table1(measured).rows
    points = tradeoff_points(
        rows,
        [{**r, "source": "reported"} for r in paper_table(3)],
        {"csta": {"summe": 9.78, "tvsum": 15.73}},
    )
    labels = {(p["label"], p["dataset"]) for p in points}
    assert ("CSTA", "tvsum") in labels and ("csta (last-random, synthetic)", "summe") in labels
    assert ("csta (last-random, synthetic)", "tvsum") not in labels  # no measured tau there
    assert len([p for p in points if p["source"] == "reported"]) == 16  # 8 methods x 2 datasets
    _check(plot_tradeoff(points, tmp_path / "tradeoff.pdf"))
    with pytest.raises(DataError, match="nothing to plot"):
        plot_tradeoff([], tmp_path / "empty")


def test_tradeoff_cli_published_only(tmp_path: Path) -> None:
    out = tmp_path / "fig" / "tradeoff"
    res = CliRunner().invoke(
        main, ["plot", "tradeoff", "--results", str(tmp_path / "none"), "--out", str(out)]
    )
    assert res.exit_code == 0, res.output
    assert "published points only" in res.output
    _check([out.with_suffix(".png"), out.with_suffix(".pdf")])


def test_the_scores_figure_shows_every_user_summary_and_the_selection(fold_dir, monkeypatch):
    """Each user's 0/1 summary in the file is one row of the figure, and the shading across
    them is the keyshot summary of the predictions (computed here from the files)."""
    import json

    import vsumbench.report.plots as plots
    from vsumbench.data.eccv16 import load_videos
    from vsumbench.data.predictions import read_predictions
    from vsumbench.protocol import keyshot_summary

    fold, video = fold_dir
    kept = {}
    monkeypatch.setattr(plots, "save_figure", lambda fig, out, formats: kept.setdefault("f", fig))
    plots.plot_scores(fold, video, fold / "x")
    data_file = json.loads((fold / "result.json").read_text())["data"]["file"]
    v = load_videos(data_file, [video])[video]
    users_ax = kept["f"].axes[1]
    (image,) = users_ax.get_images()
    np.testing.assert_array_equal(image.get_array(), v.user_summary.astype(float))
    summary = keyshot_summary(read_predictions(fold / "predictions.h5")[video], v.change_points,
                              v.n_frames, v.picks)  # fmt: skip
    edges = np.flatnonzero(np.diff(np.concatenate([[0], summary.astype(np.int8), [0]])))
    spans = sorted((p.get_x(), p.get_x() + p.get_width()) for p in users_ax.patches)
    assert spans == list(zip(edges[::2], edges[1::2], strict=True))


def test_a_run_whose_data_moved_is_never_drawn_against_other_data(
    fold_dir, small_benchmark, tmp_path, monkeypatch
):
    """The default ./data holds a file of the same name: it is not used in the moved
    file's place (it may be other data); --data-dir names the folder explicitly."""
    import json
    import shutil

    fold, video = fold_dir
    result = json.loads((fold / "result.json").read_text())
    result["data"]["file"] = str(tmp_path / "moved" / "eccv16_dataset_summe_google_pool5.h5")
    result["data"]["dir"] = str(tmp_path / "moved")
    (fold / "result.json").write_text(json.dumps(result))
    monkeypatch.chdir(tmp_path)
    shutil.copytree(small_benchmark, tmp_path / "data")
    args = ["plot", "scores", "--run", str(fold), "--video", video, "--out", str(tmp_path / "s")]
    refused = CliRunner().invoke(main, args)
    assert refused.exit_code != 0 and "moved" in refused.output
    assert "pass --data-dir DIR" in refused.output and "Traceback" not in refused.output
    named = CliRunner().invoke(main, [*args, "--data-dir", str(tmp_path / "data")])
    assert named.exit_code == 0, named.output
