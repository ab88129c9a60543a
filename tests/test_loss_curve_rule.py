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


@pytest.mark.parametrize("rule", ["loss-curve", "loss-curve-fixed"])
def test_the_live_rule_keeps_the_epoch_it_finally_chooses(rule):
    """Epoch by epoch, as in training: the runner keeps only the snapshots the selector may
    still choose, and at the end the chosen epoch's snapshot is among them; the choice is the
    offline rule's on the whole curve."""
    from vsumbench.runner.selection import Selector, selector

    official = rule == "loss-curve"
    checked = 0
    for record in CURVES:
        losses = record["losses"]
        if record["official"] == "ZeroDivisionError":
            continue
        live, kept = selector(rule), set()
        for epoch, loss in enumerate(losses, start=1):
            if live.update({"epoch": epoch, "loss": loss}):
                kept.add(epoch)
            kept &= live.keep()
            assert len(kept) <= 4
            if epoch == len(losses) // 2:  # resumed half-way: the state round-trips
                live = Selector.from_state(live.state_dict())
        assert live.best_epoch == loss_curve_epoch(losses, official=official)
        assert live.best_epoch in kept, losses
        checked += 1
    assert checked > 250


def test_dsnet_rule_is_the_best_test_f1_strictly():
    from vsumbench.runner.selection import select_epoch

    history = [
        {"epoch": 1, "test_f1": 0.30},
        {"epoch": 2, "test_f1": 0.35},
        {"epoch": 3, "test_f1": 0.35},  # a tie does not replace (max_val_fscore < val_fscore)
        {"epoch": 4, "test_f1": None},  # undefined never wins
        {"epoch": 5, "test_f1": 0.20},
    ]
    assert select_epoch(history, "test-f1") == 2


def test_official_selection_is_the_models_own_rule():
    from vsumbench.errors import ConfigError
    from vsumbench.runner.selection import resolve_selection

    assert resolve_selection("official", "loss-curve") == "loss-curve"
    assert resolve_selection("last", "loss-curve") == "last"
    with pytest.raises(ConfigError, match="unknown selection 'best'.*official"):
        resolve_selection("best", "paper")
