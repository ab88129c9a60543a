"""`vsumbench predict`: a run's checkpoint scores videos exactly as the run did; official
bare state dicts load; a checkpoint of another model is refused, naming the keys."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from vsumbench.cli import main
from vsumbench.data.eccv16 import load_videos, write_videos
from vsumbench.data.paths import dataset_file
from vsumbench.data.predictions import read_predictions


@pytest.fixture(scope="module")
def trained(small_benchmark, tmp_path_factory) -> Path:
    """One finished VASNet fold (1 epoch) on the small synthetic SumMe."""
    results = tmp_path_factory.mktemp("results")
    out = CliRunner().invoke(
        main,
        ["run", "vasnet", "--dataset", "summe", "--data-dir", str(small_benchmark), "--epochs",
         "1", "--folds", "0", "--results", str(results), "--device", "cpu", "--quiet"],
    )  # fmt: skip
    assert out.exit_code == 0, out.output
    return results / "summe" / "vasnet" / "paper-none" / "seed123456" / "fold0"


def predict(*args: str):
    return CliRunner().invoke(main, ["predict", *args, "--device", "cpu", "--quiet"])


def test_predict_from_run_checkpoint_equals_stored_predictions(trained, small_benchmark, tmp_path):
    data = dataset_file("summe", small_benchmark)
    out = tmp_path / "sub" / "pred.h5"
    result = predict(
        "vasnet",
        "--checkpoint",
        str(trained / "checkpoint.pt"),
        "--data",
        str(data),
        "--out",
        str(out),
    )
    assert result.exit_code == 0, result.output
    scores = read_predictions(out)
    assert list(scores) == list(load_videos(data, fields=()).keys())  # every video, in order
    stored = read_predictions(trained / "predictions.h5")
    assert set(stored) == set(json.loads((trained / "result.json").read_text())["test_keys"])
    for key, value in stored.items():
        np.testing.assert_allclose(scores[key], value, rtol=0, atol=1e-6)


def test_predict_accepts_a_bare_state_dict_and_a_features_only_file(
    trained, small_benchmark, tmp_path
):
    import torch

    from vsumbench.models.checkpoints import load_checkpoint

    state, _ = load_checkpoint(trained / "checkpoint.pt")
    bare = tmp_path / "split0.pt"  # the official release's layout: just the state dict
    torch.save(state, bare)
    videos = load_videos(
        dataset_file("summe", small_benchmark), ["video_3", "video_11"], fields=("features",)
    )
    features_only = tmp_path / "features.h5"
    write_videos(features_only, videos)  # no gtscore, no user_summary
    out = tmp_path / "pred.h5"
    result = predict(
        "vasnet", "--checkpoint", str(bare), "--data", str(features_only), "--out", str(out)
    )
    assert result.exit_code == 0, result.output
    scores = read_predictions(out)
    assert {k: v.shape for k, v in scores.items()} == {k: (v.n_steps,) for k, v in videos.items()}
    stored = read_predictions(trained / "predictions.h5")
    for key in set(stored) & set(scores):
        np.testing.assert_allclose(scores[key], stored[key], rtol=0, atol=1e-6)


def test_predict_refuses_a_checkpoint_of_another_model(trained, small_benchmark, tmp_path):
    import torch

    from vsumbench.models.checkpoints import load_checkpoint

    data = str(dataset_file("summe", small_benchmark))
    out = tmp_path / "pred.h5"
    # Our checkpoint records its model: the message says which one to use.
    result = predict(
        "csta", "--checkpoint", str(trained / "checkpoint.pt"), "--data", data, "--out", str(out)
    )
    assert result.exit_code != 0
    assert "checkpoint of summarizer 'vasnet', not 'csta'" in result.output
    # A bare state dict has no metadata: strict loading names the keys that do not fit.
    state, _ = load_checkpoint(trained / "checkpoint.pt")
    bare = tmp_path / "vasnet_bare.pt"
    torch.save(state, bare)
    result = predict("csta", "--checkpoint", str(bare), "--data", data, "--out", str(out))
    assert result.exit_code != 0
    assert "does not fit summarizer 'csta'" in result.output
    assert "missing key(s)" in result.output and "unexpected key(s)" in result.output
    assert next(iter(state)) in result.output  # an actual offending key is named
    assert not out.exists()


def test_predict_reads_only_features(trained, tmp_path):
    """README: `predict` reads only `features`: a file with nothing else works, and a
    5-step video gets its 5 scores."""
    import h5py

    data = tmp_path / "features-only.h5"
    rng = np.random.default_rng(0)
    with h5py.File(data, "w") as h5:
        for key, n_steps in (("video_1", 5), ("video_2", 40)):
            h5.create_dataset(f"{key}/features", data=rng.random((n_steps, 1024), dtype=np.float32))
    out = tmp_path / "pred.h5"
    result = predict("vasnet", "--checkpoint", str(trained / "checkpoint.pt"), "--data",
                     str(data), "--out", str(out))  # fmt: skip
    assert result.exit_code == 0, result.output
    scores = read_predictions(out)
    assert {k: v.shape for k, v in scores.items()} == {"video_1": (5,), "video_2": (40,)}
    assert np.all(np.isfinite(scores["video_1"]))
    with h5py.File(out) as h5:
        assert h5.attrs["model"] == "vasnet" and h5.attrs["synthetic"] == 0


@pytest.mark.parametrize(
    ("saved", "loaded"), [("dsnet-ab", "dsnet-af"), ("dsnet-af", "pgl-sum"), ("pgl-sum", "vasnet")]
)
def test_an_official_state_dict_of_another_model_is_named(saved, loaded, tmp_path):
    """An official checkpoint (a bare state dict, official names) given for the wrong model
    is refused in one line that names the model it belongs to."""
    import torch

    from vsumbench.errors import DataError
    from vsumbench.models import create
    from vsumbench.runner.predict import load_trained_model

    bare = tmp_path / "official.pt"
    state = create(saved).state_dict()
    torch.save(state, bare)
    with pytest.raises(
        DataError,
        match=f"does not fit summarizer '{loaded}'.*look like those of summarizer '{saved}'",
    ):
        load_trained_model(loaded, bare)
    model, _ = load_trained_model(saved, bare)  # and loads into the right one
    for name, tensor in model.state_dict().items():
        assert torch.equal(tensor, state[name]), name


def test_predict_turns_dsnet_proposals_into_the_scores_the_run_evaluated(
    small_benchmark, tmp_path, one_thread
):
    """DSNet's module outputs proposals, not scores: `predict` goes through its objective
    (proposals, NMS, best cover) and reproduces the run's stored test scores."""
    results = tmp_path / "results"
    out = CliRunner().invoke(
        main,
        ["run", "dsnet-af", "--dataset", "summe", "--data-dir", str(small_benchmark),
         "--epochs", "2", "--folds", "0", "--results", str(results), "--device", "cpu",
         "--model-arg", "hidden=16", "--quiet"],
    )  # fmt: skip
    assert out.exit_code == 0, out.output
    fold = results / "summe" / "dsnet-af" / "paper-none+hidden=16" / "seed12345" / "fold0"
    pred = tmp_path / "pred.h5"
    data = str(dataset_file("summe", small_benchmark))
    result = predict("dsnet-af", "--checkpoint", str(fold / "checkpoint.pt"), "--data", data,
                     "--out", str(pred))  # fmt: skip
    assert result.exit_code == 0, result.output
    stored, scores = read_predictions(fold / "predictions.h5"), read_predictions(pred)
    assert stored and all(np.array_equal(scores[k], v) for k, v in stored.items())
    assert any(len(np.unique(v)) < len(v) for v in stored.values())  # segment-wise scores
