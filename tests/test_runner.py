"""`vsumbench run`: k-fold training writes the documented result layout, and what it stores
is what the protocol computes from what it saved."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from vsumbench.atomic import write_json
from vsumbench.cli import main
from vsumbench.errors import ConfigError
from vsumbench.report.summary import summarize
from vsumbench.runner import store
from vsumbench.runner.result import DataRecord, RunResult
from vsumbench.runner.selection import Selector, select_epoch, selector, validation_split

RESULT_KEYS = {
    "model", "dataset", "fold", "seed", "selection", "backbone_init", "data", "config",
    "environment", "epochs", "chosen_epoch", "kendall", "spearman", "f1", "per_video",
    "status", "test_keys", "train_keys",
}  # fmt: skip


pytestmark = pytest.mark.usefixtures("one_thread")


def run_cli(*args: str) -> str:
    result = CliRunner().invoke(main, ["run", *args, "--quiet", "--device", "cpu"])
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result.output


def evaluate_cli(fold_dir: Path, data_dir: Path, dataset: str) -> dict:
    """`vsumbench evaluate --json` on a fold's saved predictions."""
    result = CliRunner().invoke(
        main,
        ["evaluate", str(fold_dir / store.PREDICTIONS_FILE), "--dataset", dataset,
         "--data-dir", str(data_dir), "--json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


@pytest.fixture(scope="module")
def tiny_splits(small_benchmark, tmp_path_factory) -> Path:
    """Two small folds (5 train, 3 test videos) in CSTA's text format: keeps CSTA fast."""
    path = tmp_path_factory.mktemp("splits") / "tiny.txt"
    train0, test0 = [f"video_{i}" for i in range(1, 6)], [f"video_{i}" for i in (6, 7, 8)]
    train1, test1 = [f"video_{i}" for i in range(4, 9)], [f"video_{i}" for i in (1, 2, 3)]
    path.write_text(
        f"SumMe/split0/{','.join(train0)}/{','.join(test0)}\n"
        f"SumMe/split1/{','.join(train1)}/{','.join(test1)}\n"
    )
    return path


# csta: the paper's model; vasnet: the temporal-attention reference; cnn-mobilenet: the
# cheapest CNN-only baseline.
@pytest.mark.parametrize(
    ("model", "init"), [("csta", "random"), ("vasnet", "none"), ("cnn-mobilenet", "random")]
)
def test_two_epoch_run_writes_layout_and_stored_numbers_reproduce(
    model, init, small_benchmark, tiny_splits, tmp_path
):
    out = run_cli(
        model, "--dataset", "summe", "--data-dir", str(small_benchmark), "--epochs", "2",
        "--folds", "1", "--backbone-init", "random", "--results", str(tmp_path),
        "--splits", str(tiny_splits),
    )  # fmt: skip
    fold_dir = tmp_path / "summe" / model / f"paper-{init}" / "seed123456" / "fold1"
    assert sorted(p.name for p in fold_dir.iterdir()) == [
        "checkpoint.pt",
        "predictions.h5",
        "result.json",
    ]  # fmt: skip  (state.pt removed once done)
    assert str(fold_dir.parent.parent) in out
    result = json.loads((fold_dir / "result.json").read_text())
    assert RESULT_KEYS <= set(result)
    assert result["status"] == "complete" and result["fold"] == 1 and result["seed"] == 123456
    assert result["data"]["synthetic"] is True
    assert [e["epoch"] for e in result["epochs"]] == [1, 2]
    assert all(math.isfinite(e["loss"]) for e in result["epochs"])
    # The chosen epoch is what the paper rule (protocol.md section 6, written out here
    # independently of the selector) picks from the stored history.
    best, best_tau, best_rho = None, -math.inf, -math.inf
    for e in result["epochs"]:
        if e["test_kendall"] > best_tau and e["test_spearman"] > best_rho:
            best, best_tau, best_rho = e["epoch"], e["test_kendall"], e["test_spearman"]
    assert result["chosen_epoch"] == best
    chosen = result["epochs"][result["chosen_epoch"] - 1]
    assert result["kendall"] == chosen["test_kendall"]
    assert result["f1"] == chosen["test_f1"]
    assert result["test_keys"] == ["video_1", "video_2", "video_3"]
    assert result["train_keys"] == [f"video_{i}" for i in range(4, 9)]
    assert result["data"]["splits"] == str(tiny_splits)

    ev = evaluate_cli(fold_dir, small_benchmark, "summe")
    assert sorted(ev["per_video"]) == sorted(result["test_keys"])
    for key, score in ev["per_video"].items():
        stored = result["per_video"][key]
        for metric in ("kendall", "spearman", "f1"):
            assert score[metric] == pytest.approx(stored[metric], abs=1e-12), (key, metric)
    assert ev["kendall"] == pytest.approx(result["kendall"], abs=1e-12)

    from vsumbench.models.checkpoints import load_checkpoint

    state, meta = load_checkpoint(fold_dir / "checkpoint.pt")
    assert meta["model"] == model and meta["epoch"] == result["chosen_epoch"]
    assert state


def test_val_selection_holds_out_training_videos_and_is_in_the_path(small_benchmark, tmp_path):
    run_cli(
        "vasnet", "--dataset", "tvsum", "--data-dir", str(small_benchmark), "--epochs", "1",
        "--folds", "0", "--selection", "val", "--seed", "7", "--results", str(tmp_path),
    )  # fmt: skip
    fold_dir = tmp_path / "tvsum" / "vasnet" / "val-none" / "seed7" / "fold0"
    result = json.loads((fold_dir / "result.json").read_text())
    assert result["selection"] == "val" and result["seed"] == 7
    splits = json.loads((small_benchmark / "splits" / "tvsum_splits.json").read_text())
    train, val = result["train_keys"], result["val_keys"]
    assert sorted(train + val) == sorted(splits[0]["train_keys"])
    assert len(val) == round(len(splits[0]["train_keys"]) / 8)
    assert not set(val) & set(result["test_keys"])
    assert all("val_kendall" in e and "val_spearman" in e for e in result["epochs"])
    assert result["chosen_epoch"] == select_epoch(result["epochs"], "val")
    # TVSum rank correlations use the annotator scores: the numbers reproduce from disk.
    ev = evaluate_cli(fold_dir, small_benchmark, "tvsum")
    assert ev["spearman"] == pytest.approx(result["spearman"], abs=1e-12)
    assert ev["per_video"].keys() == result["per_video"].keys()
    for key, score in ev["per_video"].items():
        assert score == pytest.approx(result["per_video"][key], abs=1e-12), key


def test_summary_prints_mean_over_folds_then_seeds(small_benchmark, tmp_path):
    out = run_cli(
        "random", "--dataset", "summe", "--data-dir", str(small_benchmark), "--seeds", "2",
        "--folds", "0,1", "--selection", "last", "--results", str(tmp_path),
    )  # fmt: skip
    found = store.discover(tmp_path, model="random")
    assert [(r.seed, r.fold) for r in found] == [
        (123456, 0), (123456, 1), (123457, 0), (123457, 1),
    ]  # fmt: skip
    per_seed = [np.mean([r.kendall for r in found if r.seed == s]) for s in (123456, 123457)]
    assert f"{np.mean(per_seed):.4f} ± {np.std(per_seed, ddof=1):.4f}" in out
    assert "mean ± std (2 seeds)" in out


def test_epoch_selector_needs_both_strictly_better():
    history = [
        {"epoch": 1, "test_kendall": 0.10, "test_spearman": 0.12},
        {"epoch": 2, "test_kendall": 0.20, "test_spearman": 0.12},  # rho only equal
        {"epoch": 3, "test_kendall": 0.05, "test_spearman": 0.30},  # tau worse
        {"epoch": 4, "test_kendall": 0.11, "test_spearman": 0.13},  # both beat epoch 1
        {"epoch": 5, "test_kendall": float("nan"), "test_spearman": 0.9},  # NaN never wins
    ]
    assert select_epoch(history, "paper") == 4
    assert select_epoch(history, "last") == 5
    assert select_epoch(history, "val") is None  # no val metrics at all
    sel = selector("paper")
    sel.update(history[0])
    again = Selector.from_state(sel.state_dict())
    assert again.update(history[3]) and again.best_epoch == 4


def test_validation_split_is_deterministic_and_disjoint():
    keys = [f"video_{i}" for i in range(1, 41)]
    train, val = validation_split(keys, seed=123456, fold=2)
    assert validation_split(keys, seed=123456, fold=2) == (train, val)
    # The held-out set depends on the key set, not on the order the split file lists it.
    assert sorted(validation_split(keys[::-1], seed=123456, fold=2)[1]) == sorted(val)
    assert len(val) == 5 and not set(train) & set(val) and sorted(train + val) == sorted(keys)
    assert validation_split(keys, seed=123457, fold=2)[1] != val
    assert len(validation_split(keys[:3], 0, 0)[1]) == 1  # at least one, never all
    with pytest.raises(ConfigError, match="at least 2 training videos"):
        validation_split(keys[:1], 0, 0)


def test_result_store_layout_and_json(tmp_path):
    key = store.RunKey("TVSum", "csta", "val", "imagenet", 7, 3)
    assert key.path(tmp_path) == tmp_path / "tvsum" / "csta" / "val-imagenet" / "seed7" / "fold3"
    with pytest.raises(ConfigError, match="unknown selection"):
        store.RunKey("tvsum", "csta", "best", "imagenet", 7, 3).path(tmp_path)
    assert store.init_label("/x/my weights.pt", True) == "file-my_weights"
    assert store.init_label("imagenet", False) == "none"
    # NaN is written as null, never as a number; a failed write leaves the old file.
    target = tmp_path / "r.json"
    write_json(target, {"a": float("nan"), "b": np.float32(1.5)})
    assert json.loads(target.read_text()) == {"a": None, "b": 1.5}
    with pytest.raises(TypeError):
        write_json(target, {"bad": object()})
    assert json.loads(target.read_text()) == {"a": None, "b": 1.5}
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]


def _result(seed: int, fold: int, kendall, spearman, f1) -> RunResult:
    data = DataRecord(dir="d", file="d/f.h5", synthetic=True)
    return RunResult(
        model="m", dataset="tvsum", fold=fold, seed=seed, selection="last",
        backbone_init="none", init="none", data=data, config={}, environment={}, epochs=[],
        chosen_epoch=1, kendall=kendall, spearman=spearman, f1=f1, per_video=None,
        train_keys=[], test_keys=[],
    )  # fmt: skip


def test_summarize_refuses_to_average_undefined_values():
    rows = [
        _result(1, 0, 0.1, 0.2, 0.5),
        _result(1, 1, None, 0.4, 0.7),
        _result(2, 0, 0.3, 0.6, 0.9),
    ]
    s = summarize(rows)
    assert s["seeds"][1]["kendall"] is None and s["seeds"][1]["spearman"] == pytest.approx(0.3)
    assert s["mean"]["kendall"] is None
    assert s["mean"]["spearman"] == pytest.approx(0.45)
    assert s["std"]["spearman"] == pytest.approx(np.std([0.3, 0.6], ddof=1))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--folds", "9"], "out of range"),
        (["--seeds", "2", "--seed", "3"], "not both"),
        (["--backbone-init", "nope.pt"], "no such file"),
        (["--folds", "a,b"], "comma-separated"),
    ],
)
def test_bad_options_fail_with_a_message(args, message, small_benchmark, tmp_path):
    result = CliRunner().invoke(
        main,
        ["run", "vasnet", "--dataset", "summe", "--data-dir", str(small_benchmark),
         "--results", str(tmp_path), "--quiet", *args],
    )  # fmt: skip
    assert result.exit_code != 0
    assert message in result.output


@pytest.mark.parametrize("deterministic", [False, True])
def test_cudnn_flags_follow_the_official_code(deterministic):
    """Official CSTA (config.py set_seed) always runs cuDNN deterministic, no benchmark."""
    import torch

    from vsumbench.runner.seeding import set_determinism

    saved = (
        torch.backends.cudnn.deterministic,
        torch.backends.cudnn.benchmark,
        torch.are_deterministic_algorithms_enabled(),
        torch.is_deterministic_algorithms_warn_only_enabled(),
    )
    try:
        torch.backends.cudnn.deterministic, torch.backends.cudnn.benchmark = False, True
        set_determinism(deterministic)
        assert torch.backends.cudnn.deterministic is True
        assert torch.backends.cudnn.benchmark is False
        assert torch.are_deterministic_algorithms_enabled() is deterministic
    finally:
        torch.backends.cudnn.deterministic, torch.backends.cudnn.benchmark = saved[:2]
        torch.use_deterministic_algorithms(saved[2], warn_only=saved[3])


def test_cuda_request_without_gpu_is_a_clear_error():
    import torch

    from vsumbench.runner.environment import resolve_device

    if torch.cuda.is_available():
        pytest.skip("a GPU is present")
    with pytest.raises(ConfigError, match="CUDA is not available"):
        resolve_device("cuda")
    assert resolve_device("auto").type == "cpu"


@pytest.mark.slow
def test_vasnet_learns_the_synthetic_signal(small_benchmark, tmp_path):
    """Six epochs at VASNet's official lr: test tau far outside the random scorer's spread."""
    from vsumbench.data.annotations import load_annotations
    from vsumbench.data.eccv16 import load_videos
    from vsumbench.data.paths import annotation_file, dataset_file
    from vsumbench.protocol import make_references, random_row

    run_cli(
        "vasnet", "--dataset", "tvsum", "--data-dir", str(small_benchmark), "--epochs", "6",
        "--folds", "1", "--selection", "last", "--results", str(tmp_path),
    )  # fmt: skip
    path = tmp_path / "tvsum" / "vasnet" / "last-none" / "seed123456" / "fold1" / "result.json"
    result = json.loads(path.read_text())
    videos = load_videos(
        dataset_file("tvsum", small_benchmark), result["test_keys"], fields=("user_summary",)
    )
    refs = make_references(
        videos, "tvsum", load_annotations(annotation_file("tvsum", small_benchmark))
    )
    chance = [random_row(refs, seed).kendall for seed in range(30)]
    assert result["kendall"] > max(0.04, np.mean(chance) + 3 * np.std(chance))
    assert result["epochs"][-1]["loss"] < result["epochs"][0]["loss"]


def test_a_nan_training_loss_is_said_not_averaged_silently(
    small_benchmark, tiny_splits, tmp_path, monkeypatch
):
    """A model whose loss is NaN on one video (DSNet-AB's official loss on a video no anchor
    matches): the epoch's loss is undefined (null), and the result and the run say so."""
    from vsumbench.data.eccv16 import load_videos
    from vsumbench.data.paths import dataset_file
    from vsumbench.models import Objective, get_spec, load_plugins, register_summarizer, registry

    class NaNOnVideo2(Objective):
        def loss(self, model, features, target):
            if target.shape == self.nan_shape:  # a mean over nothing: NaN, zero gradients
                return model(features)[:0].mean()
            return super().loss(model, features, target)

    load_plugins()
    monkeypatch.setattr(registry, "_REGISTRY", dict(registry._REGISTRY))
    video_2 = load_videos(dataset_file("summe", small_benchmark), ["video_2"])["video_2"]
    NaNOnVideo2.nan_shape = (video_2.n_steps,)
    register_summarizer("vasnet-nan", lr=5e-5, weight_decay=0.0, objective=NaNOnVideo2)(
        get_spec("vasnet").factory
    )
    out = CliRunner().invoke(
        main,
        ["run", "vasnet-nan", "--dataset", "summe", "--data-dir", str(small_benchmark),
         "--splits", str(tiny_splits), "--folds", "0", "--epochs", "2", "--results",
         str(tmp_path), "--device", "cpu", "--quiet"],
    )  # fmt: skip
    assert out.exit_code == 0, out.output
    fold = tmp_path / "summe" / "vasnet-nan" / "paper-none" / "seed123456" / "fold0"
    result = json.loads((fold / "result.json").read_text())
    assert [e["loss"] for e in result["epochs"]] == [None, None]
    assert "2 of 2 epoch(s) had a NaN training loss" in result["note"]
    assert "note: seed 123456 fold 0: 2 of 2 epoch(s) had a NaN training loss" in out.output


def test_training_options_given_to_an_untrained_scorer_are_said_to_be_ignored(
    small_benchmark, tmp_path
):
    from click.testing import CliRunner

    from vsumbench.cli import main

    done = CliRunner().invoke(main, [
        "run", "random", "--dataset", "summe", "--data-dir", str(small_benchmark), "--results",
        str(tmp_path), "--folds", "0", "--device", "cpu", "--quiet", "--epochs", "3",
        "--weight-decay", "0.1",
    ])  # fmt: skip
    assert done.exit_code == 0, done.output
    assert "random is not trainable" in done.output
    assert "--epochs, --weight-decay ignored" in done.output
