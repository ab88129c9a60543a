"""Datasets as data: the protocol follows a registered `DatasetSpec`, not a name."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from vsumbench.data import Video
from vsumbench.datasets import DatasetSpec, get_dataset, list_datasets, register_dataset
from vsumbench.errors import ConfigError
from vsumbench.protocol import evaluate, f1_per_user, make_references


def _video(rng: np.random.Generator, n_frames: int = 300) -> Video:
    picks = np.arange(0, n_frames, 15)
    cps = np.array([[s, min(s + 29, n_frames - 1)] for s in range(0, n_frames, 30)])
    return Video(
        key="video_1", n_frames=n_frames, n_steps=picks.size, picks=picks, change_points=cps,
        n_frame_per_seg=cps[:, 1] - cps[:, 0] + 1,
        user_summary=(rng.random((5, n_frames)) < 0.15).astype(np.uint8),
    )  # fmt: skip


def test_the_benchmarks_are_registered_with_their_rules():
    assert list_datasets()[:2] == ["summe", "tvsum"]
    summe, tvsum = get_dataset("SumMe"), get_dataset("tvsum")
    assert (summe.f1_reduce, summe.rank_reference) == ("max", "mean_user_summary")
    assert (tvsum.f1_reduce, tvsum.rank_reference) == ("mean", "annotator_scores")
    assert tvsum.needs_annotations and not summe.needs_annotations
    assert summe.features_file == "eccv16_dataset_summe_google_pool5.h5"
    with pytest.raises(ConfigError, match="Did you mean 'tvsum'"):
        get_dataset("tvsun")


def test_a_new_dataset_is_one_registration(monkeypatch):
    """A SumMe-like dataset that averages F1 over users instead: no code change needed."""
    from vsumbench import datasets

    monkeypatch.setattr(datasets, "_DATASETS", dict(datasets._DATASETS))
    spec = register_dataset(replace(get_dataset("summe"), name="mean-summe", f1_reduce="mean"))
    rng = np.random.default_rng(0)
    video = _video(rng)
    scores = rng.random(video.n_steps)
    as_summe = evaluate({"video_1": scores}, make_references({"video_1": video}, "summe"))
    as_new = evaluate({"video_1": scores}, make_references({"video_1": video}, spec))
    assert as_new.kendall == as_summe.kendall  # same rank reference
    # F1: max over users for SumMe, mean for the new one (independent per-user F1).
    from vsumbench.protocol import keyshot_summary

    summary = keyshot_summary(scores, video.change_points, video.n_frames, video.picks)
    per_user = f1_per_user(summary, video.user_summary)
    assert as_summe.f1 == pytest.approx(per_user.max())
    assert as_new.f1 == pytest.approx(per_user.mean())
    with pytest.raises(ConfigError, match="already registered differently"):
        register_dataset(replace(spec, f1_reduce="max"))


def test_an_extra_dataset_cannot_be_evaluated():
    video = _video(np.random.default_rng(1))
    with pytest.raises(ValueError, match="'ovp' is not a benchmark"):
        make_references({"video_1": video}, "ovp")
    assert isinstance(get_dataset("youtube"), DatasetSpec)
