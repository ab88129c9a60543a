"""The training loop's inner steps: one epoch of updates, and scoring videos in eval mode.

As the CSTA paper trains: one video per optimiser step, in a shuffled order
(`vsumbench.runner.rng`), the model's loss against ``gtscore``. Scoring is shared with
``vsumbench predict``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence

import numpy as np
import torch
import torch.nn.functional as F

from vsumbench.errors import ConfigError, PredictionError
from vsumbench.models import SummarizerSpec

__all__ = ["loss_function", "score_finite", "score_videos", "train_epoch"]

Loss = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def loss_function(spec: SummarizerSpec) -> Loss:
    """The registered loss: ``"mse"`` or a callable ``(scores, target) -> loss``."""
    if callable(spec.loss):
        return spec.loss
    if spec.loss == "mse":
        return F.mse_loss
    raise ConfigError(
        f"summarizer {spec.name!r} asks for loss {spec.loss!r}; supported: 'mse' or a callable"
    )


def train_epoch(
    model: torch.nn.Module,
    optimizer: torch.optim.Optimizer,
    loss_fn: Loss,
    keys: Sequence[str],
    features: Mapping[str, torch.Tensor],
    targets: Mapping[str, torch.Tensor],
    order: Sequence[int],
) -> float:
    """One pass over ``keys`` in ``order``, one video per optimiser step; mean loss."""
    model.train()
    total = None
    for i in order:
        key = keys[i]
        optimizer.zero_grad(set_to_none=True)
        scores = model(features[key]).reshape(-1)
        target = targets[key]
        if scores.shape != target.shape:
            raise PredictionError(
                f"model returned {tuple(scores.shape)} scores in training, expected "
                f"({target.shape[0]},), one per step",
                video=key,
            )
        loss = loss_fn(scores, target.to(scores.dtype))
        loss.backward()
        optimizer.step()
        # Accumulate on the device: no host sync per step.
        total = loss.detach() if total is None else total + loss.detach()
    return float(total.item()) / len(keys) if total is not None else math.nan


def score_videos(
    model: torch.nn.Module, features: Mapping[str, torch.Tensor | np.ndarray]
) -> dict[str, np.ndarray]:
    """Eval-mode scores ``{key: (n_steps,) float32}``; inputs go to the model's device."""
    model.eval()
    device = _device_of(model)
    out: dict[str, np.ndarray] = {}
    with torch.inference_mode():
        for key, x in features.items():
            x = torch.as_tensor(x, device=device)
            scores = model(x).reshape(-1)
            if scores.shape[0] != x.shape[0]:
                raise PredictionError(
                    f"model returned {scores.shape[0]} scores for {x.shape[0]} steps; a "
                    f"summarizer must return one score per step",
                    video=key,
                )
            out[key] = scores.float().cpu().numpy()
    return out


def score_finite(
    model: torch.nn.Module, features: Mapping[str, torch.Tensor], name: str, epoch: int
) -> dict[str, np.ndarray]:
    """`score_videos`, refusing NaN/inf scores with the epoch and first video named."""
    scores = score_videos(model, features)
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
