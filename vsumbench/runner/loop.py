"""The training loop's inner steps: one epoch of updates, and scoring videos in eval mode.

As the model's recipe says: videos in a shuffled order (`vsumbench.runner.rng`), the
gradients of ``batch`` videos summed per optimiser step (CSTA: one video per step), the
gradient norm clipped when the recipe clips, each video's loss from the model's
`Objective` (regression of ``gtscore`` unless the model declares another). Scoring is
shared with ``vsumbench predict``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import torch

from vsumbench.errors import ModelError, PredictionError

__all__ = ["batches", "check_loss", "score_finite", "score_videos", "train_epoch"]


def batches(order: Sequence[int], batch: int) -> list[Sequence[int]]:
    """The epoch's optimiser steps: ``batch`` videos each, the last incomplete batch
    dropped (PGL-SUM's solver); all videos in one step when there are fewer than ``batch``.

    >>> batches([3, 1, 0, 2, 4], 2)
    [[3, 1], [0, 2]]
    """
    order = list(order)
    size = min(max(1, int(batch)), max(1, len(order)))
    return [order[i : i + size] for i in range(0, len(order) - size + 1, size)]


def train_epoch(
    model: torch.nn.Module,
    optimizer: torch.optim.Optimizer,
    objective: Any,
    keys: Sequence[str],
    features: Mapping[str, torch.Tensor],
    targets: Mapping[str, Any],
    order: Sequence[int],
    *,
    batch: int = 1,
    clip: float | None = None,
    precision: Any = None,
) -> float:
    """One pass over ``keys`` in ``order``; the mean loss of the videos trained on.
    ``precision``: a `vsumbench.runner.precision.Precision` (default: 32-bit)."""
    from vsumbench.runner.precision import Precision

    precision = precision or Precision("32", _device_of(model))
    model.train()
    total, count = None, 0
    params = [p for group in optimizer.param_groups for p in group["params"]]
    for step in batches(order, batch):
        optimizer.zero_grad(set_to_none=True)
        used = 0
        for i in step:
            key = keys[i]
            try:
                with precision.autocast():
                    loss = objective.loss(model, features[key], targets[key])
            except PredictionError as err:  # name the video the objective did not know
                if err.video is not None:
                    raise
                raise PredictionError(err.message, file=err.file, video=key) from None
            if loss is None:  # the objective skips this video (e.g. no key segment)
                continue
            check_loss(loss, key)
            precision.backward(loss)
            used += 1
            # Accumulate on the device: no host sync per step.
            total = loss.detach() if total is None else total + loss.detach()
        if not used:
            continue
        if clip is not None:
            precision.unscale(optimizer)
            torch.nn.utils.clip_grad_norm_(params, clip)
        precision.step(optimizer)
        count += used
    return float(total.item()) / count if total is not None else math.nan


def check_loss(loss: Any, key: str) -> None:
    """A loss must be a scalar tensor connected to the model's parameters."""
    if not isinstance(loss, torch.Tensor) or loss.numel() != 1:
        what = (
            type(loss).__name__ if not isinstance(loss, torch.Tensor) else f"{loss.numel()} values"
        )
        raise ModelError(f"the loss of {key} is {what}, not a scalar tensor")
    if not loss.requires_grad:
        raise ModelError(
            f"the loss of {key} has no gradient: the module's output is detached from its "
            f"parameters (computed in numpy, under torch.no_grad(), or with .detach())"
        )


def score_videos(
    model: torch.nn.Module,
    features: Mapping[str, torch.Tensor | np.ndarray],
    objective: Any = None,
) -> dict[str, np.ndarray]:
    """Eval-mode scores ``{key: (n_steps,) float32}``; inputs go to the model's device.

    ``objective``: the model's `Objective` (default: the module's output is the scores).
    """
    from vsumbench.models import Objective
    from vsumbench.models.inputs import n_steps, to_device

    objective = objective or Objective()
    model.eval()
    device = _device_of(model)
    out: dict[str, np.ndarray] = {}
    with torch.inference_mode():
        for key, x in features.items():
            x = to_device(x, device)
            scores = torch.as_tensor(objective.scores(model, x)).reshape(-1)
            if scores.shape[0] != n_steps(x):
                raise PredictionError(
                    f"model returned {scores.shape[0]} scores for {n_steps(x)} steps; a "
                    f"summarizer must return one score per step",
                    video=key,
                )
            out[key] = scores.float().cpu().numpy()
    return out


def score_finite(
    model: torch.nn.Module,
    features: Mapping[str, torch.Tensor],
    name: str,
    epoch: int,
    objective: Any = None,
) -> dict[str, np.ndarray]:
    """`score_videos`, refusing NaN/inf scores with the epoch and first video named."""
    scores = score_videos(model, features, objective)
    bad = [k for k, s in scores.items() if not np.all(np.isfinite(s))]
    if bad:
        raise PredictionError(
            f"{name} produced NaN/inf scores after epoch {epoch} (training diverged?); "
            f"first video {bad[0]}, {len(bad)} video(s) affected",
            video=bad[0],
        )
    return scores


def _device_of(model: torch.nn.Module) -> torch.device:
    for tensor in model.parameters():
        return tensor.device
    for tensor in model.buffers():
        return tensor.device
    return torch.device("cpu")
