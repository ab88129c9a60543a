"""Scoring videos with a trained summarizer: the eval-mode forward shared by training and
``vsumbench predict``.

``predict_file`` turns a checkpoint (ours, or an official bare state dict such as CSTA's
``split<k>.pt``) and a features file into a predictions file that ``vsumbench evaluate``
reads. Checkpoints are loaded as tensors only (``weights_only=True``) and strictly: a
checkpoint of another model is refused with the keys that do not fit.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import torch

from vsumbench.errors import ConfigError, PredictionError


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


def _device_of(model: torch.nn.Module) -> torch.device:
    for tensor in model.parameters():
        return tensor.device
    for tensor in model.buffers():
        return tensor.device
    return torch.device("cpu")


def load_trained_model(
    model_name: str, checkpoint: str | os.PathLike, device: torch.device | str = "cpu"
) -> tuple[torch.nn.Module, dict[str, Any]]:
    """Build ``model_name`` and load ``checkpoint`` into it strictly: ``(model, metadata)``.

    The backbone is built with random weights (the checkpoint replaces them), so no
    pretrained download is needed. A checkpoint saved for another model is refused.
    """
    from vsumbench.checkpoints import load_checkpoint, load_state_dict_strict
    from vsumbench.registry import create, get_spec

    spec = get_spec(model_name)
    state, meta = load_checkpoint(checkpoint)
    saved_for = meta.get("model")
    if saved_for is not None and saved_for != model_name:
        raise ConfigError(
            f"{checkpoint} is a checkpoint of summarizer {saved_for!r}, not {model_name!r}; "
            f"pass the model name {saved_for!r} with this checkpoint"
        )
    cfg = {"backbone_init": "random"} if spec.uses_backbone else {}
    model = create(model_name, **cfg)
    load_state_dict_strict(model, state, model_name=model_name, file=checkpoint)
    return model.to(device), meta


def predict_file(
    model_name: str,
    checkpoint: str | os.PathLike,
    data: str | os.PathLike,
    out: str | os.PathLike,
    device: str = "auto",
    *,
    progress: bool = True,
) -> dict[str, np.ndarray]:
    """Score every video of ``data`` (only ``features`` is read) and write ``out`` atomically."""
    from tqdm.auto import tqdm

    from vsumbench.data import load_videos
    from vsumbench.protocol import write_predictions
    from vsumbench.runner.train import resolve_device

    dev = resolve_device(device)
    model, _ = load_trained_model(model_name, checkpoint, dev)
    videos = load_videos(data, fields=("features",))
    scores: dict[str, np.ndarray] = {}
    for key in tqdm(videos, desc=f"{model_name} predict", unit="video", disable=not progress):
        scores.update(score_videos(model, {key: videos[key].features}))
        if not np.all(np.isfinite(scores[key])):
            raise PredictionError("model produced NaN/inf scores", file=data, video=key)
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    write_predictions(Path(out), scores)
    return scores
