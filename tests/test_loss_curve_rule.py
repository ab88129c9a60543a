"""PGL-SUM's epoch rule (the training-loss curve only) against the official function, run
on 303 curves by tests/fixtures/official_pgl_sum/make_epoch_fixture.py."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vsumbench.runner.selection import loss_curve_epoch

CURVES = json.loads(
    (Path(__file__).parent / "fixtures" / "official_pgl_sum" / "epoch_rule.json").read_text()
)


def test_the_official_choice_on_every_recorded_curve():
    checked = 0
    for record in CURVES:
        losses, official = record["losses"], record["official"]
        if official == "ZeroDivisionError":  # a zero loss: the official code divides by it
            with pytest.raises(ValueError, match="positive"):
                loss_curve_epoch(losses)
            continue
        # `official` indexes per-epoch F-scores from 0; our epochs count from 1.
        reported = official + 1
        if reported > len(losses):  # the official script's f_scores[...] fails here
            assert loss_curve_epoch(losses) == len(losses)
        else:
            assert loss_curve_epoch(losses) == reported, losses
        assert loss_curve_epoch(losses, official=False) == official  # the epoch it meant
        checked += 1
    assert checked > 250


def test_runs_too_short_for_the_walk_get_the_first_epoch():
    """Under 17 epochs there is no candidate (epoch 1, change 0), and a minimum reached by
    any change loses to it: the official rule then means epoch 1 and reports epoch 2."""
    assert loss_curve_epoch([0.3, 0.2, 0.1], official=False) == 1
    assert loss_curve_epoch([0.3, 0.2, 0.1]) == 2
    assert loss_curve_epoch([0.3], official=False) == 1 and loss_curve_epoch([0.3]) == 1
