"""PGL-SUM against the official code: the same weights (official parameter names) give the
same scores, the same losses and the same weights after one official training step
(fixture: tests/fixtures/official_pgl_sum/, made by its make_fixture.py from the authors'
repository); videos too short for the official code still get scores."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from baselines.pgl_sum import PGLSum, absolute_position_table, xavier_init

pytestmark = pytest.mark.usefixtures("one_thread")

FIXTURE = Path(__file__).parent / "fixtures" / "official_pgl_sum" / "official.pt"


@pytest.fixture(scope="module")
def official() -> dict:
    return torch.load(FIXTURE, weights_only=True)


def build(official: dict) -> PGLSum:
    model = PGLSum(**official["config"])
    model.load_state_dict(official["weights"], strict=True)  # the official names, all of them
    return model


def test_scores_equal_the_official_model(official):
    model = build(official).eval()
    with torch.no_grad():
        for x, want in zip(official["inputs"], official["outputs"], strict=True):
            got = model(x)
            assert got.shape == want.shape
            torch.testing.assert_close(got, want, rtol=0, atol=1e-6)


def test_one_training_step_equals_the_official_step(official):
    """Three videos accumulated, clipping at 5, Adam: the official Solver.train's step, run
    by the runner's loop with the registered recipe's batching and clipping."""
    from vsumbench.models import get_spec
    from vsumbench.runner.loop import train_epoch

    model = build(official)
    step = official["step"]
    optimizer = torch.optim.Adam(model.parameters(), lr=5e-5, weight_decay=1e-5)
    torch.manual_seed(step["dropout_seed"])
    keys = [f"v{i}" for i in range(len(step["videos"]))]
    mean_loss = train_epoch(
        model,
        optimizer,
        get_spec("pgl-sum").make_objective(),
        keys,
        dict(zip(keys, step["videos"], strict=True)),
        dict(zip(keys, step["targets"], strict=True)),
        range(3),
        batch=3,  # the recipe's 20 videos per step, with the fixture's 3 videos
        clip=get_spec("pgl-sum").clip,
    )
    assert mean_loss == pytest.approx(sum(step["losses"]) / 3, abs=1e-6)
    after = model.state_dict()
    for name, want in step["weights_after"].items():
        torch.testing.assert_close(after[name], want, rtol=0, atol=1e-6, msg=name)


def test_official_initialisation_rule():
    model = PGLSum(input_size=32, heads=4)
    xavier_init(model)
    assert torch.all(model.linear_1.bias == 0.1) and torch.all(model.norm_y.weight == 1.0)
    bound = (2.0**0.5) * (6 / (32 + 32)) ** 0.5  # xavier-uniform, gain sqrt 2
    assert model.linear_1.weight.abs().max() <= bound


def test_position_table_layout():
    table = absolute_position_table(5, 8, 10000.0)
    assert table.shape == (5, 5)
    assert torch.equal(table[:, 4], torch.zeros(5))  # odd T: the last column stays 0
    torch.testing.assert_close(table[3, 2], torch.sin(torch.tensor(3.0) / 10000 ** (2 / 8)))
    torch.testing.assert_close(table[3, 3], torch.cos(torch.tensor(3.0) / 10000 ** (2 / 8)))


@pytest.mark.parametrize("steps", [1, 2, 3, 9, 13])
def test_videos_too_short_for_the_official_code_still_get_scores(official, steps):
    """The official code raises IndexError when a segment has fewer than 2 steps; here
    such a segment is scored by its own attention (a 1-step table is 0) or, when empty,
    only by the global attention."""
    model = build(official).eval()
    with torch.no_grad():
        scores = model(torch.randn(steps, official["config"]["input_size"]))
    assert scores.shape == (steps,)
    assert torch.all((scores > 0) & (scores < 1))
