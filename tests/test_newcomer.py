"""A newcomer's day: the same flag means the same thing everywhere, variants do not collide,
help and tables say what is true, disk use is visible, logs are plain text (issue: E,
items 17-22 and 25)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.test_tables import write_result
from vsumbench.cli import main

ROOT = Path(__file__).resolve().parents[1]
QUICK = ["--epochs", "1", "--folds", "0", "--threads", "1", "--device", "cpu", "--quiet"]


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


# ---------------------------------------------------------------- 17. seeds


def test_seeds_k_picks_the_same_seeds_in_run_and_sweep(small_benchmark, tmp_path):
    common = ["--data-dir", small_benchmark, "--results", tmp_path, *QUICK]
    ran = invoke("run", "pgl-sum", "--dataset", "summe", "--seeds", "1", *common)
    assert ran.exit_code == 0, ran.output
    assert [p.name for p in tmp_path.glob("summe/pgl-sum/*/*")] == ["seed12345"]  # its authors'
    swept = invoke("sweep", "--models", "pgl-sum", "--datasets", "summe", "--seeds", "1",
                   "--engine", "inline", *common)  # fmt: skip
    assert swept.exit_code == 0, swept.output
    assert "1 fold(s): 1 finished, 0 to run" in swept.output  # the same fold: reused


def test_regenerate_trains_each_model_on_its_authors_seed():
    from vsumbench.models import get_spec
    from vsumbench.sweep.grid import SweepGrid
    from vsumbench.sweep.plan import model_seeds

    script = (ROOT / "leaderboards" / "regenerate.sh").read_text()
    assert '--seeds "$SEEDS"' in script and "--seed-list" not in script
    grid = SweepGrid(seed_count=2)  # what `--seeds 2` makes
    for model in ("csta", "vasnet", "dsnet-af", "dsnet-ab", "pgl-sum"):
        first = get_spec(model).seed
        assert model_seeds(grid, model) == [first, first + 1]
    assert model_seeds(SweepGrid(seeds=[7]), "pgl-sum") == [7]  # --seed-list: as given


# ---------------------------------------------------------------- 18. variants


def test_a_model_option_variant_has_its_own_folder_and_row(small_benchmark, tmp_path):
    common = ["dsnet-af", "--dataset", "summe", "--data-dir", small_benchmark, "--results",
              tmp_path, *QUICK]  # fmt: skip
    assert invoke("run", *common, "--model-arg", "hidden=16").exit_code == 0
    default = invoke("run", *common)
    assert default.exit_code == 0 and "other settings" not in default.output, default.output
    folders = sorted(p.name for p in tmp_path.glob("summe/dsnet-af/*"))
    assert folders == ["paper-none", "paper-none+hidden=16"]
    table = invoke("table", "--results", tmp_path, "--format", "csv")
    rows = [line.split(",")[0] for line in table.output.splitlines()]
    assert "DSNet-AF" in rows and "DSNet-AF [hidden=16]" in rows


def test_variant_labels_are_short_and_readable():
    from vsumbench.runner.result import variant_label

    assert variant_label({}) == ""
    assert variant_label({"skip_unmatched": True, "hidden": 64}) == "hidden=64,skip_unmatched=true"
    assert variant_label({"anchor_scales": [4, 8]}) == "anchor_scales=4-8"
    long = variant_label({f"option_{i}": i for i in range(10)})
    assert re.fullmatch(r"args-[0-9a-f]{10}", long)


# ---------------------------------------------------------------- 19. help and messages


def test_run_help_tells_the_truth_for_every_model():
    text = invoke("run", "--help").output
    assert "authors' recipe" in text and "registered seed" in text
    assert "default 123456, the official one" not in text


def test_a_data_identity_error_is_short(small_benchmark):
    from vsumbench.runner.folds import mismatch

    keys = [f"video_{i}" for i in range(80)]
    lines = mismatch({"train_keys": keys}, {"train_keys": keys[:-1] + ["video_99"]})
    assert len(lines) == 1 and len(lines[0]) < 300
    assert "80 items" in lines[0] and "video_79" in lines[0] and "video_99" in lines[0]


def test_the_offline_imagenet_hint_names_both_options(monkeypatch):
    import torch
    import torchvision

    from vsumbench.errors import ConfigError
    from vsumbench.models.backbones import Trunk
    from vsumbench.models.weights import load_backbone_weights

    def offline(self, *args, **kwargs):
        raise OSError("no network")

    monkeypatch.setattr(torchvision.models.WeightsEnum, "get_state_dict", offline)
    model = torch.nn.Sequential(Trunk("googlenet"))
    with pytest.raises(ConfigError) as info:
        load_backbone_weights(model, "imagenet")
    assert "`run --backbone-init PATH|random`" in str(info.value)
    assert "`sweep --backbone-inits PATH|random`" in str(info.value)


# ---------------------------------------------------------------- 20. tables


def test_table1_prints_the_notes_it_refers_to(tmp_path):
    write_result(tmp_path, model="vasnet", dataset="summe", seed=1, fold=0, kendall=0.1,
                 spearman=0.1)  # one of two folds  # fmt: skip
    text = invoke("table", "--results", tmp_path).output
    assert "see their notes" in text
    assert "- VASNet (paper, imagenet, synthetic): summe: 1 of 2 folds (incomplete" in text


def test_table3_names_every_model_the_same_way_and_counts_once(monkeypatch, tmp_path):
    from vsumbench.models import get_spec, list_summarizers
    from vsumbench.models import macs as macs_module
    from vsumbench.report.tables import model_macs_rows, table3

    monkeypatch.setenv("VSUMBENCH_CACHE", str(tmp_path))
    first = model_macs_rows(["csta-att", "vasnet"])

    def no_counting(*args, **kwargs):
        raise AssertionError("counted again")

    monkeypatch.setattr(macs_module, "dataset_macs", no_counting)
    assert model_macs_rows(["csta-att", "vasnet"]) == first  # from the cache
    rows = table3(first).rows
    measured = [r for r in rows if r["source"] == "measured (MACs)"]
    assert [(r["method"], r["model"]) for r in measured] == [
        ("CSTA (+Att)", "csta-att"),
        ("VASNet", "vasnet"),
    ]
    builtin = [
        m for m in list_summarizers() if get_spec(m).module.startswith(("csta", "baselines"))
    ]
    assert all(get_spec(m).display_name for m in builtin)  # a display name for every one


def test_the_tradeoff_plot_has_a_legend_entry_for_synthetic_runs(tmp_path, monkeypatch):
    from leaderboards import paper_table
    from vsumbench.report import plots
    from vsumbench.report.tables import table1

    measured = [
        {"method": "CSTA", "model": "csta", "source": "measured", "selection": "last",
         "backbone_init": "random", "data": "synthetic", "summe_kendall": 0.2,
         "summe_spearman": 0.2, "tvsum_kendall": 0.1, "tvsum_spearman": 0.1},
    ]  # fmt: skip
    points = plots.tradeoff_points(
        table1(measured).rows,
        [{**r, "source": "reported"} for r in paper_table(3)],
        {"csta": {"summe": 9.78, "tvsum": 15.73}},
    )
    assert {p["source"] for p in points} == {"reported", "synthetic"}
    figures = []
    monkeypatch.setattr(plots, "save_figure", lambda fig, out: figures.append(fig) or [])
    plots.plot_tradeoff(points, tmp_path / "t")
    (legend,) = figures[0].legends
    texts = [t.get_text() for t in legend.get_texts()]
    assert any("SYNTHETIC" in t for t in texts) and any("reported" in t for t in texts)


# ---------------------------------------------------------------- 21. disk use


def test_checkpoints_none_keeps_results_and_predict_says_why(small_benchmark, tmp_path):
    ran = invoke("run", "vasnet", "--dataset", "summe", "--data-dir", small_benchmark,
                 "--results", tmp_path, "--checkpoints", "none", *QUICK)  # fmt: skip
    assert ran.exit_code == 0, ran.output
    assert re.search(r"disk: [\d.]+ kB in 1 fold folder\(s\)", ran.output)
    (fold,) = tmp_path.glob("summe/vasnet/*/seed*/fold0")
    assert sorted(p.name for p in fold.iterdir()) == ["predictions.h5", "result.json"]
    predicted = invoke("predict", "vasnet", "--checkpoint", fold / "checkpoint.pt", "--data",
                       small_benchmark / "eccv16_dataset_summe_google_pool5.h5", "--out",
                       tmp_path / "p.h5")  # fmt: skip
    assert predicted.exit_code == 1 and "trained with --checkpoints none" in predicted.output
    status = invoke("sweep", "--models", "vasnet", "--datasets", "summe", "--folds", "0",
                    "--epochs", "1", "--data-dir", small_benchmark, "--results", tmp_path,
                    "--status")  # fmt: skip
    assert re.search(r"1 of 1 fold\(s\) done; [\d.]+ kB on disk", status.output), status.output


# ---------------------------------------------------------------- 22, 25. logs, install


def test_progress_in_a_log_is_plain_lines(small_benchmark, tmp_path):
    """stderr is not a terminal here (as in a sweep's fold log or `2> run.log`)."""
    ran = invoke("run", "vasnet", "--dataset", "summe", "--data-dir", small_benchmark,
                 "--results", tmp_path, "--epochs", "2", "--folds", "0", "--device", "cpu",
                 "--threads", "1")  # fmt: skip
    assert ran.exit_code == 0, ran.output
    assert "\r" not in ran.output and "\x1b[" not in ran.output
    assert re.search(r"^seed 123456 fold 0: 100% 2/2 ", ran.output, flags=re.M)


def test_outputs_are_ignored_by_git():
    ignored = (ROOT / ".gitignore").read_text().split()
    assert {"/fig/", "/tables/", "/results/"} <= set(ignored)


def test_the_cpu_only_install_is_said_before_the_install_command():
    readme = (ROOT / "README.md").read_text()
    note = readme.index("download.pytorch.org/whl/cpu")
    assert note < readme.index("<!-- setup:install -->")
    assert "5.9 GB" in readme[:note]
