"""Step scores -> frame scores -> keyshot summary, and F1, checked by hand."""

from __future__ import annotations

import numpy as np
import pytest

from vsumbench.protocol import f1_per_user, f1_score, frame_scores, keyshot_summary, shot_scores


def test_frame_scores_repeat_steps_until_next_pick():
    out = frame_scores([1.0, 2.0, 3.0], [0, 2, 5], 7)
    assert out.tolist() == [1, 1, 2, 2, 2, 3, 3]
    assert out.dtype == np.float32
    # Frames before the first pick score 0.
    assert frame_scores([4.0], [2], 4).tolist() == [0, 0, 4, 4]


def test_frame_scores_rejects_bad_picks():
    with pytest.raises(ValueError, match="picks"):
        frame_scores([1.0, 2.0], [3, 1], 5)
    with pytest.raises(ValueError, match="2 step scores but 1 picks"):
        frame_scores([1.0, 2.0], [0], 5)


def test_shot_scores_are_means_over_inclusive_shots():
    frames = np.array([1, 1, 2, 2, 2, 3, 3], dtype=np.float32)
    assert shot_scores(frames, [[0, 1], [2, 3], [4, 6]]).tolist() == pytest.approx(
        [1.0, 2.0, 8 / 3]
    )


def test_keyshot_summary_by_hand():
    # 20 frames, 4 shots of 5 frames; budget int(20 * 0.15) = 3 frames < every shot: nothing.
    cps = [[0, 4], [5, 9], [10, 14], [15, 19]]
    picks = [0, 5, 10, 15]
    assert keyshot_summary([0.1, 0.9, 0.2, 0.3], cps, 20, picks).sum() == 0
    # With proportion 0.5 (10 frames) the two best shots (1 and 3) are chosen.
    summary = keyshot_summary([0.1, 0.9, 0.2, 0.3], cps, 20, picks, proportion=0.5)
    assert summary.dtype == np.uint8
    assert summary.tolist() == [0] * 5 + [1] * 5 + [0] * 5 + [1] * 5


def test_keyshot_summary_prefers_short_shots_and_has_length_L():
    # Shot values are means, so two short shots beat one long shot of equal mean score.
    cps = [[0, 1], [2, 3], [4, 39]]
    summary = keyshot_summary(np.ones(40), cps, 40, np.arange(40), proportion=0.15)
    assert summary.size == 40
    assert summary.tolist() == [1, 1, 1, 1] + [0] * 36


def test_f1_by_hand():
    summary = np.array([1, 1, 1, 1, 0, 0, 0, 0])
    users = np.array(
        [
            [1, 1, 0, 0, 0, 0, 0, 0],  # overlap 2: P = 2/4, R = 2/2 -> F1 = 2/3
            [0, 0, 0, 0, 1, 1, 0, 0],  # overlap 0 -> F1 = 0
            [1, 1, 1, 1, 0, 0, 0, 0],  # identical -> 1
        ]
    )
    assert f1_per_user(summary, users).tolist() == pytest.approx([2 / 3, 0.0, 1.0])
    assert f1_score(summary, users, "max") == pytest.approx(1.0)
    assert f1_score(summary, users, "mean") == pytest.approx((2 / 3 + 1) / 3)
    with pytest.raises(ValueError, match="reduce"):
        f1_score(summary, users, "median")


def test_f1_zero_pads_the_shorter_vector():
    # Summary shorter than the user summaries and the other way round.
    assert f1_per_user([1, 1], [[1, 1, 1, 1]]).tolist() == pytest.approx([2 / 3])
    assert f1_per_user([1, 1, 1, 1], [[1, 1]]).tolist() == pytest.approx([2 / 3])
    # Empty summary: overlap 0, F1 0 (not NaN).
    assert f1_per_user([0, 0, 0], [[1, 0, 0]]).tolist() == [0.0]
