"""Training on Mr.HiSum through `vsumbench run`: one split, streamed features, the authors'
recipes, one checkpoint per metric (each test metric from its own), resume, precision.

The twin here is narrow (64 features, `--model-arg in_dim=64`) so that CPU tests stay quick;
the layout and the protocol are the full-size twin's.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from vsumbench.cli import main
from vsumbench.data.synth import SynthConfig
from vsumbench.runner.result import RunResult
from vsumbench.runner.selection import select_epoch, selector

WIDTH = 64


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture(scope="module")
def twin(tmp_path_factory) -> Path:
    from vsumbench.data.mrhisum_synth import generate_mrhisum

    out = tmp_path_factory.mktemp("mrhisum")
    generate_mrhisum(out, 40, seed=1, cfg=SynthConfig(n_features=WIDTH, n_signal=16))
    return out


def run(twin: Path, results: Path, model: str, *extra) -> RunResult:
    args = ["run", model, "--dataset", "mrhisum", "--data-dir", twin, "--results", results,
            "--device", "cpu", "--threads", "1", "--workers", "0", "--quiet",
            "--model-arg", f"in_dim={WIDTH}", *extra]  # fmt: skip
    if model == "pgl-sum":
        args += ["--model-arg", "heads=4"]
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    (found,) = list(results.rglob("result.json"))
    return RunResult.read(found)


@pytest.mark.parametrize(
    ("model", "optimizer", "lr"), [("vasnet", "Adam", 5e-5), ("pgl-sum", "Adam", 5e-5),
                                   ("sl-module", "SGD", 0.05)],
)  # fmt: skip
def test_each_mrhisum_baseline_trains_with_its_authors_recipe(twin, tmp_path, model, optimizer, lr):
    result = run(twin, tmp_path, model, "--epochs", "2")
    split = json.loads((twin / "mr_hisum_split.json").read_text())
    assert (result.dataset, result.fold, result.selection) == ("mrhisum", 0, "mrhisum-val")
    assert result.train_keys == split["train_keys"] and result.val_keys == split["val_keys"]
    assert result.test_keys == split["test_keys"]
    assert result.config["optimizer"] == optimizer and result.config["lr"] == lr
    assert result.config["batch"] == 256 and result.config["weight_decay"] == 1e-4
    assert [set(e) >= {"loss", "val_f1", "val_map50", "val_map15"} for e in result.epochs] == [
        True,
        True,
    ]
    for metric in ("f1", "map50", "map15"):
        assert 0 <= result.metric(metric) <= 1
    assert result.kendall is None and result.spearman is None
    assert set(result.per_video) == set(split["test_keys"])


def test_each_metric_comes_from_its_own_checkpoint(twin, tmp_path):
    result = run(twin, tmp_path / "r", "vasnet", "--epochs", "4", "--lr", "3e-3")
    # The rule, replayed from the recorded validation values (ties to the later epoch).
    for metric in ("f1", "map50", "map15"):
        values = [e[f"val_{metric}"] for e in result.epochs]
        best = max(values)
        assert result.chosen_epochs[metric] == max(i + 1 for i, v in enumerate(values) if v == best)
    # Each test metric equals what `predict` + `evaluate` give with that metric's checkpoint.
    folder = result.path
    for metric in ("f1", "map50", "map15"):
        epoch = result.chosen_epochs[metric]
        name = "checkpoint.pt" if epoch == result.chosen_epochs["f1"] else None
        if name is None:
            name = next(f"checkpoint-{m}.pt" for m in ("map50", "map15")
                        if result.chosen_epochs[m] == epoch)  # fmt: skip
        pred = tmp_path / f"{metric}.h5"
        done = invoke("predict", "vasnet", "--checkpoint", folder / name, "--data",
                      twin / "mr_hisum.h5", "--out", pred, "--device", "cpu")  # fmt: skip
        assert done.exit_code == 0, done.output
        out = invoke("evaluate", pred, "--dataset", "mrhisum", "--data-dir", twin, "--json",
                     "--allow-partial")  # fmt: skip
        assert out.exit_code == 0, out.output
        per_video = json.loads(out.output)["per_video"]
        mean = np.mean([per_video[k][metric] for k in result.test_keys])
        assert result.metric(metric) == pytest.approx(mean, abs=1e-6)


def test_per_metric_rule_keeps_ties_for_the_later_epoch_and_each_metric_apart():
    history = [
        {"epoch": 1, "val_f1": 0.5, "val_map50": 0.7, "val_map15": 0.2},
        {"epoch": 2, "val_f1": 0.5, "val_map50": 0.6, "val_map15": 0.3},
        {"epoch": 3, "val_f1": 0.4, "val_map50": 0.6, "val_map15": math.nan},
    ]
    rule = selector("mrhisum-val")
    for record in history:
        rule.update(record)
    assert rule.epochs == {"f1": 2, "map50": 1, "map15": 2}  # the authors' `best <= val`
    assert rule.keep() == {1, 2} and select_epoch(history, "mrhisum-val") == 2


def test_an_interrupted_run_resumes_to_the_same_result(twin, tmp_path, monkeypatch):
    from vsumbench.runner import split_train

    whole = run(twin, tmp_path / "whole", "vasnet", "--epochs", "3", "--lr", "3e-3")
    real = split_train._Evaluator.evaluate
    calls = {"n": 0}

    def stop_in_epoch_two(self, model, keys):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt
        return real(self, model, keys)

    monkeypatch.setattr(split_train._Evaluator, "evaluate", stop_in_epoch_two)
    args = ["run", "vasnet", "--dataset", "mrhisum", "--data-dir", twin, "--results",
            tmp_path / "cut", "--device", "cpu", "--threads", "1", "--workers", "0", "--quiet",
            "--model-arg", f"in_dim={WIDTH}", "--epochs", "3", "--lr", "3e-3"]  # fmt: skip
    stopped = invoke(*args)
    assert stopped.exit_code == 130 and "Traceback" not in stopped.output
    monkeypatch.setattr(split_train._Evaluator, "evaluate", real)
    resumed = run(twin, tmp_path / "cut", "vasnet", "--epochs", "3", "--lr", "3e-3")
    assert [e["loss"] for e in resumed.epochs] == [e["loss"] for e in whole.epochs]
    assert (resumed.f1, resumed.metrics) == (whole.f1, whole.metrics)


def test_precision_is_recorded_and_bf16_trains(twin, tmp_path):
    result = run(twin, tmp_path, "vasnet", "--epochs", "1", "--precision", "bf16-mixed")
    assert result.config["precision"] == "bf16-mixed"
    assert math.isfinite(result.epochs[0]["loss"])


def test_precision_on_a_folded_dataset_is_recorded(small_benchmark, tmp_path):
    out = invoke("run", "vasnet", "--dataset", "summe", "--data-dir", small_benchmark,
                 "--results", tmp_path, "--epochs", "1", "--folds", "0", "--device", "cpu",
                 "--threads", "1", "--quiet", "--precision", "bf16-mixed")  # fmt: skip
    assert out.exit_code == 0, out.output
    (found,) = list(tmp_path.rglob("result.json"))
    assert RunResult.read(found).config["precision"] == "bf16-mixed"


def test_a_selection_that_needs_test_scores_every_epoch_is_refused(twin, tmp_path):
    out = invoke("run", "vasnet", "--dataset", "mrhisum", "--data-dir", twin, "--results",
                 tmp_path, "--selection", "paper", "--device", "cpu", "--epochs", "1",
                 "--model-arg", f"in_dim={WIDTH}")  # fmt: skip
    assert out.exit_code == 1 and "Traceback" not in out.output
    assert "mrhisum-val" in out.output


def test_only_validation_and_test_videos_stay_in_memory(twin):
    import torch

    from vsumbench.runner.config import RunConfig
    from vsumbench.runner.stream import load_streamed

    bench = load_streamed(RunConfig(model="vasnet", dataset="mrhisum", data_dir=str(twin)),
                          torch.device("cpu"))  # fmt: skip
    split = json.loads((twin / "mr_hisum_split.json").read_text())
    assert set(bench.videos) == set(split["val_keys"]) | set(split["test_keys"])
    assert all(v.features is None for v in bench.videos.values())
    assert len(bench.digests) == 40  # every video's structure is tied to the result


def test_the_mrhisum_table_shows_the_papers_rows_beside_measured_ones(twin, tmp_path):
    run(twin, tmp_path, "vasnet", "--epochs", "1")
    out = invoke("table", "--table", "mrhisum", "--results", tmp_path, "--format", "json")
    assert out.exit_code == 0, out.output
    rows = json.loads(out.output)["rows"]
    paper = {r["method"]: r for r in rows if r["source"] == "reported"}
    assert paper["PGL-SUM"]["mrhisum_f1"] == pytest.approx(0.5589)
    assert paper["VASNet"]["mrhisum_map15"] == pytest.approx(0.2528)
    (measured,) = [r for r in rows if r["source"] == "measured"]
    assert measured["data"] == "synthetic" and measured["rank_scale"] == "synthetic"
    assert measured["mrhisum_rank"] == 1  # ranked among synthetic rows only
    table1 = invoke("table", "--table", "1", "--results", tmp_path, "--format", "json")
    assert all(r["source"] == "reported" for r in json.loads(table1.output)["rows"])
    # The report's run page draws its worst test videos' scores from the Mr.HiSum file.
    site = invoke("report", "--results", tmp_path, "--out", tmp_path / "site", "--videos", "2",
                  "--quiet")  # fmt: skip
    assert site.exit_code == 0, site.output
    (page,) = (tmp_path / "site" / "runs").glob("*.html")
    text = page.read_text()
    n_test = len(RunResult.read(next(tmp_path.rglob("result.json"))).per_video)
    assert n_test >= 3 and text.count("<figure id=") == 2
    assert text.count('class="note"') == 1 and f"The 2 worst of {n_test} videos" in text


def test_loader_workers_read_the_same_videos_as_the_main_process(twin, tmp_path):
    inline = run(twin, tmp_path / "a", "vasnet", "--epochs", "1")
    args = ["run", "vasnet", "--dataset", "mrhisum", "--data-dir", twin, "--results",
            tmp_path / "b", "--device", "cpu", "--threads", "1", "--workers", "2", "--quiet",
            "--model-arg", f"in_dim={WIDTH}", "--epochs", "1"]  # fmt: skip
    assert invoke(*args).exit_code == 0
    (found,) = list((tmp_path / "b").rglob("result.json"))
    workers = RunResult.read(found)
    assert workers.epochs[0]["loss"] == inline.epochs[0]["loss"]
    assert (workers.f1, workers.metrics) == (inline.f1, inline.metrics)


def test_a_sweep_runs_one_task_per_model_and_seed_and_reuses_it(twin, tmp_path):
    args = ["sweep", "--models", "vasnet,sl-module", "--datasets", "mrhisum", "--data-dir",
            twin, "--results", tmp_path, "--epochs", "1", "--engine", "inline", "--quiet",
            "--model-arg", f"in_dim={WIDTH}"]  # fmt: skip
    first = invoke(*args)
    assert first.exit_code == 0, first.output
    assert "2 fold(s): 0 finished, 2 to run" in first.output
    results = [RunResult.read(p) for p in tmp_path.rglob("result.json")]
    assert sorted(r.model for r in results) == ["sl-module", "vasnet"]
    assert {r.selection for r in results} == {"mrhisum-val"}
    again = invoke(*args)
    assert "2 fold(s): 2 finished, 0 to run" in again.output, again.output
