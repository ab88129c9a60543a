"""From step scores to a keyshot summary (protocol.md section 3).

Frame scores are float32 and shot scores are numpy means of them, as in the reference
implementations (PGL-SUM, CSTA): the knapsack breaks ties on exact float equality, so the
same arithmetic is needed to reproduce the published summaries.
"""

from __future__ import annotations

import numpy as np

from vsumbench.protocol.knapsack import knapsack

PROPORTION = 0.15


def frame_scores(step_scores, picks, n_frames: int) -> np.ndarray:
    """Per-frame float32 scores: step ``i`` covers ``[picks[i], picks[i+1])``, the last one
    ``[picks[-1], n_frames)``; frames before ``picks[0]`` score 0.

    >>> frame_scores([0.25, 0.75], picks=[0, 3], n_frames=5).tolist()
    [0.25, 0.25, 0.25, 0.75, 0.75]
    """
    scores = np.asarray(step_scores, dtype=np.float32).ravel()
    picks = np.asarray(picks, dtype=np.int64).ravel()
    n_frames = int(n_frames)
    if scores.size != picks.size:
        raise ValueError(f"{scores.size} step scores but {picks.size} picks")
    out = np.zeros(n_frames, dtype=np.float32)
    if picks.size == 0:
        return out
    if picks[0] < 0 or picks[-1] > n_frames or np.any(np.diff(picks) < 0):
        raise ValueError(
            f"picks must be non-decreasing frame indices in [0, {n_frames}], "
            f"found {picks[0]}..{picks[-1]}"
        )
    ends = np.append(picks[1:], n_frames)
    out[picks[0] :] = np.repeat(scores, ends - picks)
    return out


def shot_scores(frames: np.ndarray, change_points) -> np.ndarray:
    """Mean frame score of each inclusive shot ``[first, last]`` (0 for an empty shot)."""
    cps = np.asarray(change_points, dtype=np.int64).reshape(-1, 2)
    values = np.empty(len(cps), dtype=np.float64)
    add = np.add.reduce
    for i, (first, last) in enumerate(cps.tolist()):
        seg = frames[first : last + 1]
        # add.reduce / n is bit-identical to seg.mean() (same pairwise sum, same division)
        # without mean's Python overhead; exact bits matter for the knapsack's tie-breaking.
        values[i] = (add(seg) / seg.size).item() if seg.size else 0.0
    return values


def keyshot_summary(
    step_scores, change_points, n_frames: int, picks, proportion: float = PROPORTION
) -> np.ndarray:
    """Binary (uint8) summary of length ``L = change_points[-1][1] + 1``.

    Shots are chosen by `knapsack` with values = shot scores and weights = shot lengths,
    within ``int(L * proportion)`` frames.
    """
    cps = np.asarray(change_points, dtype=np.int64).reshape(-1, 2)
    if cps.size == 0:
        raise ValueError("change_points is empty: a video needs at least one shot")
    length = int(cps[-1, 1]) + 1
    frames = frame_scores(step_scores, picks, n_frames)
    weights = cps[:, 1] - cps[:, 0] + 1
    chosen = knapsack(shot_scores(frames, cps), weights, int(length * proportion))
    summary = np.zeros(length, dtype=np.uint8)
    for first, last in cps[chosen].tolist():
        summary[first : last + 1] = 1
    return summary
