"""DSNet (anchor-free and anchor-based) against the official code: with the official weights (official
parameter names) the same outputs, the same proposals before and after non-maximum
suppression, and the same step scores (fixture: tests/fixtures/official_dsnet/, made by its
make_fixture.py from the authors' repository), for videos of 1 to 150 steps."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from baselines.dsnet import (
    DSNetAB,
    DSNetAF,
    nms,
    proposal_step_scores,
    proposals_ab,
    proposals_af,
)

pytestmark = pytest.mark.usefixtures("one_thread")

FIXTURE = Path(__file__).parent / "fixtures" / "official_dsnet" / "official_af.pt"


KINDS = {
    "af": (DSNetAF, lambda net, x: proposals_af(*net(x))),
    "ab": (DSNetAB, lambda net, x: proposals_ab(*net(x), net.anchor_scales)),
}


@pytest.fixture(scope="module", params=sorted(KINDS))
def case(request):
    """(kind, official record, our model with the official weights)."""
    official = torch.load(FIXTURE.with_name(f"official_{request.param}.pt"), weights_only=True)
    cls, _ = KINDS[request.param]
    net = cls(**official["config"])
    net.load_state_dict(official["weights"], strict=True)  # every official name, no other
    return request.param, official, net.eval()


def test_outputs_equal_the_official_model(case):
    _, official, model = case
    for video in official["cases"]:
        with torch.no_grad():
            got = model(video["features"])
        assert len(got) == len(video["outputs"])
        for ours, theirs in zip(got, video["outputs"], strict=True):
            torch.testing.assert_close(ours, theirs.reshape(ours.shape), rtol=1e-6, atol=1e-6)


def test_proposals_nms_and_step_scores_equal_the_official_ones(case):
    kind, official, model = case
    for video in official["cases"]:
        t = video["features"].shape[0]
        with torch.no_grad():
            scores, bboxes = KINDS[kind][1](model, video["features"])
        np.testing.assert_allclose(scores, video["proposal_scores"].numpy(), rtol=0, atol=1e-6)
        assert np.array_equal(bboxes, video["proposals"].numpy()), (kind, t)
        kept_scores, kept = nms(scores, bboxes, 0.5)
        assert np.array_equal(kept, video["kept"].numpy()), (kind, t)
        np.testing.assert_allclose(kept_scores, video["kept_scores"].numpy(), rtol=0, atol=1e-6)
        steps = model.step_scores(video["features"]).numpy()
        np.testing.assert_allclose(steps, video["step_scores"].numpy(), rtol=0, atol=1e-6)
        assert steps.shape == (t,)  # one score per step, also for a 1-step video


def start_training(kind: str, cls) -> tuple[dict, torch.nn.Module, torch.optim.Optimizer]:
    """The official training fixture, our model with its weights in training mode, the
    official optimiser settings, and torch seeded for the official dropout masks."""
    official = torch.load(FIXTURE.with_name(f"official_{kind}_train.pt"), weights_only=True)
    model = cls(features=64, hidden=16, heads=8)
    model.load_state_dict(official["weights"], strict=True)
    model.train()
    optimizer = torch.optim.Adam(model.parameters(), lr=5e-5, weight_decay=1e-5)
    torch.manual_seed(official["dropout_seed"])
    return official, model, optimizer


def assert_weights(model: torch.nn.Module, want: dict) -> None:
    after = model.state_dict()
    for name, value in want.items():
        torch.testing.assert_close(after[name], value, rtol=0, atol=1e-6, msg=name)


def train_like_the_runner(model, optimizer, objective, official) -> float:
    """Both official steps through the runner's own epoch (one video per step, in order)."""
    from vsumbench.runner.loop import train_epoch

    videos = {f"v{i}": x for i, x in enumerate(official["videos"])}
    targets = {f"v{i}": y.numpy() for i, y in enumerate(official["labels"])}
    keys = list(videos)
    return train_epoch(model, optimizer, objective, keys, videos, targets, range(len(keys)))


def test_two_training_steps_equal_the_official_ones():
    """Focal + soft-IoU + centerness losses and Adam steps as the official train.py, run by
    the runner's loop with the registered objective."""
    from baselines.dsnet_objectives import DSNetAFObjective

    official, model, optimizer = start_training("af", DSNetAF)
    mean_loss = train_like_the_runner(model, optimizer, DSNetAFObjective(), official)
    assert mean_loss == pytest.approx(np.mean([w[-1] for w in official["losses"]]), abs=1e-6)
    assert_weights(model, official["weights_after"])


def test_anchor_based_labels_and_two_training_steps_equal_the_official_ones():
    """Anchor labels (positives, random negatives and incomplete ones, drawn from numpy's
    global generator with the official seed), cross-entropy + smooth-L1 and Adam steps as
    the official train.py, run by the runner's loop with the registered objective."""
    from baselines.dsnet_losses import ab_targets
    from baselines.dsnet_objectives import DSNetABObjective

    official, model, optimizer = start_training("ab", DSNetAB)
    rng = np.random.RandomState(official["numpy_seed"])
    for labels, want_cls in zip(official["labels"], official["cls_labels"], strict=True):
        cls, _ = ab_targets(labels.numpy(), model.anchor_scales, rng)
        assert np.array_equal(cls, want_cls.numpy())
        assert (cls == 1).any() and (cls == -1).any()
    state = np.random.get_state()
    try:
        np.random.seed(official["numpy_seed"])
        mean_loss = train_like_the_runner(model, optimizer, DSNetABObjective(), official)
    finally:
        np.random.set_state(state)
    assert mean_loss == pytest.approx(np.mean([w[-1] for w in official["losses"]]), abs=1e-6)
    assert_weights(model, official["weights_after"])


def test_training_targets_equal_the_official_keyshot_labels():
    """`keyshot_labels(..., quantize=1000)` against the official get_keyshot_summ +
    downsample_summ with ortools' solver, ties included (fixture: make_targets.py)."""
    import json
    from types import SimpleNamespace

    from vsumbench.models import keyshot_labels

    data = json.loads(FIXTURE.with_name("official_targets.json").read_text())
    for video in data["videos"]:
        fields = {k: np.asarray(v) for k, v in video.items() if k != "target"}
        got = keyshot_labels(SimpleNamespace(**fields), quantize=1000)
        assert got.tolist() == video["target"]


def test_a_video_without_key_steps_is_skipped_and_an_unmatched_one_gives_nan():
    """As officially: no key step -> no update; key segments no anchor matches -> NaN loss,
    zero gradients (the optimiser still steps); skip_unmatched skips that video instead."""
    from baselines.dsnet_objectives import DSNetABObjective

    model = DSNetAB(features=16, hidden=8, heads=2)
    x = torch.randn(20, 16)
    assert DSNetABObjective().loss(model, x, np.zeros(20, dtype=np.uint8)) is None
    single = np.zeros(20, dtype=np.uint8)
    single[5] = 1  # one step: IoU with the narrowest anchor (4 steps) is 0.25 < 0.6
    assert torch.isnan(DSNetABObjective().loss(model, x, single))
    model.skip_unmatched = True
    assert DSNetABObjective().loss(model, x, single) is None


def test_targets_of_key_segments():
    from baselines.dsnet_losses import af_targets, key_segments

    labels = np.array([0, 1, 1, 1, 0, 0, 1, 0], dtype=np.float32)
    assert key_segments(labels).tolist() == [[1, 4], [6, 7]]
    distances, centerness = af_targets(labels)
    assert distances[1:4].tolist() == [[0, 2], [1, 1], [2, 0]] and distances[6].tolist() == [0, 0]
    assert centerness.tolist() == pytest.approx([0, 0, 1, 0, 0, 0, 0, 0], abs=1e-6)


def test_nms_keeps_the_best_and_drops_overlaps():
    scores = np.array([0.9, 0.8, 0.7, 0.6], dtype=np.float32)
    bboxes = np.array([[0, 10], [1, 10], [10, 20], [5, 5]], dtype=np.int32)  # last: empty
    kept_scores, kept = nms(scores, bboxes, 0.5)
    assert kept.tolist() == [[0, 10], [10, 20]] and kept_scores.tolist() == pytest.approx(
        [0.9, 0.7]
    )
    steps = proposal_step_scores(25, kept_scores, kept)
    assert steps[:10].tolist() == pytest.approx([0.9] * 10) and steps[20:].tolist() == [0.0] * 5
