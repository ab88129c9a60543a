"""What a summarizer learns from and how its outputs become step scores: its `Objective`.

The runner is one runner for every model; what differs between models is here. The default
objective is CSTA's and VASNet's: the module maps features ``(T, D)`` to scores ``(T,)``,
trained against ``gtscore`` with a loss such as MSE. A model that learns something else
(DSNet's segment proposals from keyshot labels) subclasses `Objective` and overrides

* `target`: its training target of one video, computed once per fold from the video's
  fields (``gtscore``, ``user_summary``, ``change_points``, ``picks``, ...);
* `loss`: the loss of one training video (None skips the video, as some official code does);
* `scores`: the step scores ``(T,)`` of one video in eval mode, from the module's outputs.

This module imports torch only when a method runs, so registering stays cheap.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from vsumbench.errors import ModelError, PredictionError

__all__ = ["Objective", "check_scores", "keyshot_labels"]


def check_scores(scores: Any, what: str = "the module") -> Any:
    """``scores`` when it is a floating-point tensor (what training needs), else a
    `ModelError` saying what the model returned instead."""
    import torch

    if not isinstance(scores, torch.Tensor):
        raise ModelError(
            f"{what} returned {type(scores).__module__}.{type(scores).__name__}, not a "
            f"torch.Tensor: scores must stay tensors to be trained"
        )
    if not scores.is_floating_point():
        raise ModelError(
            f"{what} returned {scores.dtype} scores: scores must be floating point to be "
            f"trained (integers carry no gradient)"
        )
    return scores


class Objective:
    """Regress ``gtscore`` with ``loss_fn(scores, target)`` (default: MSE)."""

    name = "mse"

    def __init__(self, loss_fn: Callable[..., Any] | None = None) -> None:
        if loss_fn is not None:
            self.name = getattr(loss_fn, "__name__", "custom")
        self.loss_fn = loss_fn

    def target(self, video: Any, device: Any) -> Any:
        """The training target of one video (a `vsumbench.data.Video`), on ``device``."""
        import torch

        return torch.as_tensor(video.gtscore, device=device)

    def loss(self, model: Any, features: Any, target: Any) -> Any:
        """The loss of one training video (a scalar tensor), or None to skip the video."""
        import torch.nn.functional as F

        scores = check_scores(model(features)).reshape(-1)
        if scores.shape != target.shape:
            raise PredictionError(
                f"model returned {tuple(scores.shape)} scores in training, expected "
                f"({target.shape[0]},), one per step"
            )
        loss_fn = self.loss_fn or F.mse_loss
        return loss_fn(scores, target.to(scores.dtype))

    def scores(self, model: Any, features: Any) -> Any:
        """Step scores ``(T,)`` of one video; the model is in eval mode, without gradients."""
        return model(features).reshape(-1)


def keyshot_labels(video: Any, proportion: float = 0.15, quantize: float | None = None) -> Any:
    """Per-step 0/1 labels of the keyshot summary built from ``gtscore``: the protocol's
    summary (knapsack over shots within ``proportion`` of the frames) read at each step's
    frame (``picks``).

    ``quantize``: shot values ``int(quantize * mean)`` instead of the mean, as DSNet's
    official ``get_keyshot_summ`` does (``quantize=1000``).
    """
    import numpy as np

    from vsumbench.protocol.keyshot import frame_scores, shot_scores
    from vsumbench.protocol.knapsack import knapsack

    cps = np.asarray(video.change_points, dtype=np.int64).reshape(-1, 2)
    frames = frame_scores(video.gtscore, video.picks, int(video.n_frames))
    values = shot_scores(frames, cps)
    if quantize is not None:  # float32 arithmetic, as the official numpy scalars
        values = np.trunc(values.astype(np.float32) * np.float32(quantize)).astype(np.float64)
    weights = cps[:, 1] - cps[:, 0] + 1
    chosen = knapsack(values, weights, int(int(video.n_frames) * proportion))
    summary = np.zeros(int(video.n_frames), dtype=np.uint8)
    for first, last in cps[chosen].tolist():
        summary[first : last + 1] = 1
    picks = np.minimum(np.asarray(video.picks, dtype=np.int64), len(summary) - 1)
    return summary[picks]
