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


def test_nms_keeps_the_best_and_drops_overlaps():
    scores = np.array([0.9, 0.8, 0.7, 0.6], dtype=np.float32)
    bboxes = np.array([[0, 10], [1, 10], [10, 20], [5, 5]], dtype=np.int32)  # last: empty
    kept_scores, kept = nms(scores, bboxes, 0.5)
    assert kept.tolist() == [[0, 10], [10, 20]] and kept_scores.tolist() == pytest.approx(
        [0.9, 0.7]
    )
    steps = proposal_step_scores(25, kept_scores, kept)
    assert steps[:10].tolist() == pytest.approx([0.9] * 10) and steps[20:].tolist() == [0.0] * 5
