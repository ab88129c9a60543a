"""DSNet anchor-free against the official code: with the official weights (official
parameter names) the same outputs, the same proposals before and after non-maximum
suppression, and the same step scores (fixture: tests/fixtures/official_dsnet/, made by its
make_fixture.py from the authors' repository), for videos of 1 to 150 steps."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from baselines.dsnet import DSNetAF, nms, proposal_step_scores, proposals_af

pytestmark = pytest.mark.usefixtures("one_thread")

FIXTURE = Path(__file__).parent / "fixtures" / "official_dsnet" / "official_af.pt"


@pytest.fixture(scope="module")
def official() -> dict:
    return torch.load(FIXTURE, weights_only=True)


@pytest.fixture(scope="module")
def model(official) -> DSNetAF:
    net = DSNetAF(**official["config"])
    net.load_state_dict(official["weights"], strict=True)  # every official name, no other
    return net.eval()


def test_outputs_equal_the_official_model(official, model):
    for case in official["cases"]:
        with torch.no_grad():
            score, distances, centerness = model(case["features"])
        torch.testing.assert_close(score, case["score"], rtol=0, atol=1e-6)
        torch.testing.assert_close(distances, case["distances"], rtol=1e-6, atol=1e-6)
        torch.testing.assert_close(centerness, case["centerness"], rtol=0, atol=1e-6)


def test_proposals_nms_and_step_scores_equal_the_official_ones(official, model):
    for case in official["cases"]:
        t = case["features"].shape[0]
        with torch.no_grad():
            scores, bboxes = proposals_af(*model(case["features"]))
        np.testing.assert_allclose(scores, case["proposal_scores"].numpy(), rtol=0, atol=1e-6)
        assert np.array_equal(bboxes, case["proposals"].numpy()), t
        kept_scores, kept = nms(scores, bboxes, 0.5)
        assert np.array_equal(kept, case["kept"].numpy()), t
        np.testing.assert_allclose(kept_scores, case["kept_scores"].numpy(), rtol=0, atol=1e-6)
        steps = model.step_scores(case["features"]).numpy()
        np.testing.assert_allclose(steps, case["step_scores"].numpy(), rtol=0, atol=1e-6)
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
