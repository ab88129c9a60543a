"""DSNet's objectives: what the runner trains DSNet on and how DSNet's outputs become scores.

Targets, as the official ``train.py`` makes them: the keyshot summary of ``gtscore`` (shot
values ``int(1000 * mean)``, knapsack within 15 % of the frames) read at each step's frame.
The official code reads every 15th frame (``summ[::15]``); reading ``picks`` is the same
wherever the steps are every 15th frame, as in the eccv16 files, and stays aligned where
they are not. A video whose summary selects no step is skipped, as officially.

Anchor-based: when no anchor matches a key segment (every segment too short for IoU > 0.6
with an anchor 4 steps wide or more), the official loss is NaN and its gradients zero, so
the optimiser still steps on momentum and weight decay, and the epoch's mean loss is NaN.
That is reproduced by default; ``--model-arg skip_unmatched=true`` skips such videos.

Scores: proposals, non-maximum suppression, best covering proposal per step
(`baselines.dsnet`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from vsumbench.models import Objective, keyshot_labels

__all__ = ["DSNetABObjective", "DSNetAFObjective"]

#: The official get_keyshot_summ's shot values: int(1000 * mean score).
SHOT_VALUE_SCALE = 1000


class _DSNetObjective(Objective):
    def target(self, video: Any, device: Any) -> np.ndarray:
        return keyshot_labels(video, quantize=SHOT_VALUE_SCALE)

    def scores(self, model: Any, features: Any) -> Any:
        return model.step_scores(features)


class DSNetAFObjective(_DSNetObjective):
    """Focal loss on step scores, soft-IoU on the distances, BCE on the centerness."""

    name = "focal + soft-IoU + centerness"

    def loss(self, model: Any, features: Any, target: np.ndarray) -> Any:
        from baselines.dsnet_losses import af_loss

        if not target.any():
            return None
        return af_loss(*model(features), target)["loss"]


class DSNetABObjective(_DSNetObjective):
    """Cross-entropy on sampled anchors, smooth-L1 on the positives' offsets; negatives are
    drawn from numpy's global generator, as officially (the runner seeds and resumes it)."""

    name = "anchor cross-entropy + smooth-L1"

    def loss(self, model: Any, features: Any, target: np.ndarray) -> Any:
        from baselines.dsnet_losses import ab_loss, ab_targets

        if not target.any():
            return None
        cls, loc = ab_targets(target, model.anchor_scales, np.random)
        if getattr(model, "skip_unmatched", False) and not (cls == 1).any():
            return None
        return ab_loss(*model(features), cls, loc)["loss"]
