"""Mr.HiSum's metrics against its official evaluation (`Solver.evaluate`), to 1e-9.

The fixture holds what the official code computed on 24 seeded videos (ties, constant
predictions, videos too short for a top-15 % clip); `make_fixture.py` beside it says how.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from vsumbench.protocol.mrhisum import (
    average_precision,
    clip_means,
    highlight_metrics,
    official_f1,
    official_summary,
    top_clips,
)

FIXTURE = Path(__file__).parent / "fixtures" / "official_mrhisum" / "official_eval.json"
VIDEOS = json.loads(FIXTURE.read_text())["videos"]


@pytest.mark.parametrize("video", VIDEOS, ids=[v["key"] for v in VIDEOS])
def test_the_summary_and_f1_equal_the_official(video):
    summary = official_summary(video["pred"], video["change_points"])
    assert summary.tolist() == video["machine_summary"]
    cps = np.asarray(video["change_points"])
    assert summary.size == int((cps[:, 1] - cps[:, 0]).sum())  # one step short per shot
    assert official_f1(summary, video["gt_summary"]) == pytest.approx(
        video["f1_percent"] / 100, abs=1e-9
    )


@pytest.mark.parametrize("video", VIDEOS, ids=[v["key"] for v in VIDEOS])
def test_the_highlight_metrics_equal_the_official(video):
    truth = clip_means(video["gtscore"])
    assert top_clips(truth, truth.size // 2).tolist() == video["top50"]
    assert top_clips(truth, int(truth.size * 0.15)).tolist() == video["top15"]
    got = highlight_metrics(video["pred"], video["gtscore"])
    assert got["map50"] == pytest.approx(video["map50"], abs=1e-9)
    assert got["map15"] == pytest.approx(video["map15"], abs=1e-9)


def test_the_fixture_covers_the_hard_cases():
    assert any(sum(v["top15"]) == 0 for v in VIDEOS)  # no positive clip: AP 0
    assert any(len(set(v["pred"])) == 1 for v in VIDEOS)  # a constant prediction
    assert any(len(set(v["gtscore"])) < len(v["gtscore"]) for v in VIDEOS)  # ties


def test_average_precision_by_hand():
    # ranks: 0.9 (+), 0.8 (-), 0.7 (+): AP = 1/2 * 1 + 1/2 * 2/3
    assert average_precision([1, 0, 1], [0.9, 0.8, 0.7]) == pytest.approx(5 / 6)
    # a tie between a positive and a negative is one threshold: precision 1/2 there
    assert average_precision([1, 0], [0.5, 0.5]) == pytest.approx(0.5)
    assert average_precision([0, 0], [0.1, 0.2]) == 0.0


def test_f1_pads_the_shorter_and_counts_percent_as_a_fraction():
    assert official_f1([1, 1, 0, 0], [1, 1, 0, 0]) == pytest.approx(1.0, abs=1e-7)
    assert official_f1([1, 1], [0, 0, 1, 1]) == 0.0  # padded, never aligned
    assert official_f1([0, 0], [0, 0]) == 0.0


def test_the_documented_worked_example():
    """docs/protocol.md section 9: the official F1 takes a shot longer than the budget."""
    from vsumbench.protocol.mrhisum import corrected_f1

    pred = np.full(20, 0.1, dtype=np.float32)
    pred[6:10] = 0.9
    cps = [[0, 5], [6, 9], [10, 19]]
    summary = official_summary(pred, cps)
    assert summary.tolist() == [0] * 5 + [1] * 3 + [0] * 9
    assert official_f1(summary, official_summary(pred, cps)) == pytest.approx(0.99999994, abs=1e-8)
    assert corrected_f1(pred, pred, cps) == 0.0
    wide = np.full(20, 0.1, dtype=np.float32)
    wide[0:3] = 0.9  # a 3-step shot fits both ways, and both summaries agree
    assert corrected_f1(wide, wide, [[0, 2], [3, 9], [10, 19]]) == 1.0
