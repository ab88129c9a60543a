"""Resume: an interrupted fold continues at the next epoch and ends exactly where an
uninterrupted run ends; finished folds are a no-op unless forced."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from vsumbench.errors import ConfigError, DataError, ModelError
from vsumbench.runner import store, train


class Interrupted(Exception):
    """Stands in for a crash or Ctrl-C in the middle of an epoch."""


pytestmark = pytest.mark.usefixtures("one_thread")


_REAL_TRAIN_EPOCH = train.train_epoch


@pytest.fixture
def config(small_benchmark, tmp_path) -> train.RunConfig:
    splits = tmp_path / "splits.json"  # one small fold keeps every epoch short
    splits.write_text(
        json.dumps(
            [
                {
                    "train_keys": [f"video_{i}" for i in range(1, 7)],
                    "test_keys": ["video_7", "video_8"],
                }
            ]
        )
    )
    return train.RunConfig(
        model="vasnet",
        dataset="summe",
        data_dir=str(small_benchmark),
        splits=str(splits),
        epochs=3,
        folds=[0],
        device="cpu",
        results=str(tmp_path / "results"),
        progress=False,
    )


def fold_dir(config: train.RunConfig):
    return store.RunKey("summe", "vasnet", config.selection, "none", 123456, 0).path(config.results)


def count_epochs(monkeypatch, fail_at: int | None = None) -> list[int]:
    """Wrap `train_epoch`; record each call and raise on call number ``fail_at``."""
    calls: list[int] = []
    real = _REAL_TRAIN_EPOCH

    def wrapped(*args, **kwargs):
        calls.append(len(calls) + 1)
        if fail_at is not None and len(calls) == fail_at:
            raise Interrupted
        return real(*args, **kwargs)

    monkeypatch.setattr(train, "train_epoch", wrapped)
    return calls


def test_interrupted_fold_resumes_and_matches_an_uninterrupted_run(config, monkeypatch, tmp_path):
    reference = train.run(replace(config, results=str(tmp_path / "reference"))).results[0]

    calls = count_epochs(monkeypatch, fail_at=2)
    with pytest.raises(ModelError, match="failed in seed .*: Interrupted"):
        train.run(config)
    directory = fold_dir(config)
    staging = store.staging_dir(directory)  # an unfinished fold lives in staging only
    assert (staging / store.STATE_FILE).is_file()
    assert not directory.exists()
    assert store.load_state(staging)["epoch"] == 1

    calls = count_epochs(monkeypatch)
    resumed = train.run(config).results[0]
    assert len(calls) == 2  # epochs 2 and 3 only
    assert [e["epoch"] for e in resumed.epochs] == [1, 2, 3]
    assert not (directory / store.STATE_FILE).exists() and not staging.exists()
    # Model, optimiser and every RNG were restored: the same numbers as without the crash.
    for got, want in zip(resumed.epochs, reference.epochs, strict=True):
        assert got["loss"] == want["loss"]
        assert got["test_kendall"] == want["test_kendall"]
        assert got["test_f1"] == want["test_f1"]
    assert resumed.chosen_epoch == reference.chosen_epoch
    assert resumed.per_video == reference.per_video


def test_finished_fold_is_a_noop_and_force_reruns(config, monkeypatch):
    train.run(replace(config, epochs=1))
    path = fold_dir(config) / store.RESULT_FILE
    before = path.read_bytes()

    calls = count_epochs(monkeypatch, fail_at=1)  # any training would raise
    report = train.run(replace(config, epochs=1))
    assert calls == [] and report.skipped == [str(fold_dir(config))]
    assert path.read_bytes() == before
    assert report.results[0].kendall == json.loads(before)["kendall"]

    calls = count_epochs(monkeypatch)
    train.run(replace(config, epochs=1, force=True))
    assert calls == [1]
    assert json.loads(path.read_bytes())["status"] == "complete"


def test_finished_fold_with_other_settings_is_not_silently_reused(config):
    train.run(replace(config, epochs=1))
    with pytest.raises(ConfigError, match="epochs: saved 1, requested 2.*--force"):
        train.run(replace(config, epochs=2))


def test_resume_state_of_other_settings_or_unreadable_is_refused(config, monkeypatch):
    count_epochs(monkeypatch, fail_at=2)
    with pytest.raises(ModelError, match="failed in seed .*: Interrupted"):
        train.run(config)
    monkeypatch.undo()
    with pytest.raises(ConfigError, match="resume state of a run with other settings"):
        train.run(replace(config, epochs=5))
    (store.staging_dir(fold_dir(config)) / store.STATE_FILE).write_bytes(b"not a torch file")
    with pytest.raises(DataError, match="cannot read the resume state.*--force"):
        train.run(config)
    # --force starts the fold again from scratch.
    result = train.run(replace(config, epochs=1, force=True)).results[0]
    assert [e["epoch"] for e in result.epochs] == [1]


@pytest.mark.parametrize(("model", "rule"), [("dsnet-ab", "test-f1"), ("pgl-sum", "loss-curve")])
def test_models_with_their_own_recipe_resume_bitwise(config, monkeypatch, tmp_path, model, rule):
    """DSNet-AB draws its anchor negatives from numpy's generator; PGL-SUM sums the
    gradients of several videos, clips them, and chooses its epoch at the end from the loss
    curve (keeping a few snapshots meanwhile): interrupted after epoch 2, either ends exactly
    where an uninterrupted run ends, with its own seed and rule recorded."""
    import numpy as np
    import torch

    config = replace(config, model=model, selection="official", epochs=4)
    reference = train.run(replace(config, results=str(tmp_path / "reference"))).results[0]
    count_epochs(monkeypatch, fail_at=3)
    with pytest.raises(ModelError, match="failed in seed .*: Interrupted"):
        train.run(config)
    monkeypatch.undo()
    resumed = train.run(config).results[0]
    assert (resumed.seed, resumed.selection) == (12345, rule)

    def numbers(result):  # every epoch's record but its duration; NaN losses compare too
        return json.dumps([{k: v for k, v in e.items() if k != "seconds"} for e in result.epochs])

    assert numbers(resumed) == numbers(reference)
    assert resumed.chosen_epoch == reference.chosen_epoch
    assert resumed.per_video == reference.per_video
    if model == "pgl-sum":
        assert resumed.config["batch"] == 20 and resumed.config["clip"] == 5.0
        assert resumed.chosen_epoch == 2  # under 17 epochs: the official rule reports epoch 2
    got = torch.load(resumed.path / store.CHECKPOINT_FILE, weights_only=True)
    want = torch.load(reference.path / store.CHECKPOINT_FILE, weights_only=True)
    for name, tensor in want["state_dict"].items():
        assert np.array_equal(got["state_dict"][name].numpy(), tensor.numpy()), name


def harmonic_decay(optimizer):
    """lr / (1 + epoch): the schedule's own epoch count decides the rate."""
    import torch

    return torch.optim.lr_scheduler.LambdaLR(optimizer, lambda epoch: 1.0 / (1 + epoch))


@pytest.fixture
def stepped_vasnet(monkeypatch) -> str:
    """VASNet registered again with an LR schedule, 2 videos per step and clipping (removed
    from the registry afterwards)."""
    from vsumbench.models import get_spec, load_plugins, register_summarizer, registry

    load_plugins()
    monkeypatch.setattr(registry, "_REGISTRY", dict(registry._REGISTRY))
    vasnet = get_spec("vasnet")
    register_summarizer(
        "vasnet-stepped", lr=1e-3, weight_decay=0.0, batch=2, clip=1.0, schedule=harmonic_decay
    )(vasnet.factory)
    return "vasnet-stepped"


def test_lr_schedule_batching_and_clipping_resume_bitwise(
    config, monkeypatch, tmp_path, stepped_vasnet
):
    """The schedule's state is saved with the fold: a resumed run continues at the decayed
    learning rate and ends where an uninterrupted one ends (and the schedule matters)."""
    config = replace(config, model=stepped_vasnet, selection="last", epochs=4)
    reference = train.run(replace(config, results=str(tmp_path / "reference"))).results[0]
    assert reference.config["schedule"] == "harmonic_decay" and reference.config["batch"] == 2
    count_epochs(monkeypatch, fail_at=3)
    with pytest.raises(ModelError, match="failed in seed .*: Interrupted"):
        train.run(config)
    monkeypatch.setattr(train, "train_epoch", _REAL_TRAIN_EPOCH)
    resumed = train.run(config).results[0]
    assert [e["loss"] for e in resumed.epochs] == [e["loss"] for e in reference.epochs]
    assert resumed.per_video == reference.per_video
    from vsumbench.models import registry

    plain = replace(registry.get_spec(stepped_vasnet), schedule=None)
    monkeypatch.setitem(registry._REGISTRY, stepped_vasnet, plain)
    unscheduled = train.run(replace(config, results=str(tmp_path / "plain"))).results[0]
    assert [e["loss"] for e in unscheduled.epochs][2:] != [e["loss"] for e in reference.epochs][2:]
