"""``vsumbench predict``: score a features file with a trained summarizer.

``predict_file`` turns a checkpoint (ours, or an official bare state dict such as CSTA's
``split<k>.pt``) and a features file into a predictions file that ``vsumbench evaluate``
reads. Checkpoints are loaded as tensors only (``weights_only=True``) and strictly: a
checkpoint of another model is refused with the keys that do not fit.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import torch

from vsumbench.errors import ConfigError, DataError, PredictionError
from vsumbench.runner.environment import torch_threads
from vsumbench.runner.loop import score_videos


def load_trained_model(
    model_name: str, checkpoint: str | os.PathLike, device: torch.device | str = "cpu"
) -> tuple[torch.nn.Module, dict[str, Any]]:
    """Build ``model_name`` and load ``checkpoint`` into it strictly: ``(model, metadata)``.

    The model is built without pretrained weights (the checkpoint holds them all), so no
    download is needed. A checkpoint saved for another model is refused.
    """
    from vsumbench.models import create, get_spec
    from vsumbench.models.checkpoints import load_checkpoint, load_state_dict_strict

    state, meta = load_checkpoint(checkpoint)
    adapt = get_spec(model_name).adapt_state_dict
    if not meta and adapt is not None:  # another implementation's bare state dict (a port's)
        state = adapt(state, create(model_name).state_dict())
    saved_for = meta.get("model")
    if saved_for is not None and saved_for != model_name:
        raise ConfigError(
            f"{checkpoint} is a checkpoint of summarizer {saved_for!r}, not {model_name!r}; "
            f"pass the model name {saved_for!r} with this checkpoint"
        )
    options = meta.get("model_args") or {}
    if not isinstance(options, dict):
        raise DataError(f"model_args is {type(options).__name__}, not a table", file=checkpoint)
    try:
        model = create(model_name, **options)  # the options it was trained with
    except ConfigError as exc:
        raise DataError(f"recorded {exc}", file=checkpoint, field="model_args") from None
    load_state_dict_strict(model, state, model_name=model_name, file=checkpoint)
    return model.to(device), meta


def _model_inputs(model_name: str, data: str | os.PathLike) -> dict[str, Any]:
    """``{key: model input}`` of every video, as numpy (only the fields the model reads)."""
    from vsumbench.data.eccv16 import load_features, load_videos
    from vsumbench.models import get_spec
    from vsumbench.models.inputs import DEFAULT_INPUTS, check_inputs, input_fields

    inputs = get_spec(model_name).inputs
    if input_fields(inputs) == DEFAULT_INPUTS:
        return load_features(data)
    videos = load_videos(data, fields=input_fields(inputs), require=())
    check_inputs(videos, inputs, model_name, file=data)
    return {k: {f: getattr(v, f) for f in input_fields(inputs) if getattr(v, f) is not None}
            for k, v in videos.items()}  # fmt: skip


def predict_file(
    model_name: str,
    checkpoint: str | os.PathLike,
    data: str | os.PathLike,
    out: str | os.PathLike,
    device: str = "auto",
    *,
    threads: int | None = None,
    progress: bool = True,
) -> dict[str, np.ndarray]:
    """Score every video of ``data`` (only what the model reads: ``features``, or its declared
    inputs) and write ``out`` atomically.

    On ``threads`` CPU threads (None: as many as ``vsumbench run`` takes by default), so the
    scores equal the run's own when both use the same count.
    """
    from vsumbench.data.eccv16 import is_synthetic
    from vsumbench.data.predictions import write_predictions
    from vsumbench.models import get_spec
    from vsumbench.progress import progress_bar
    from vsumbench.runner.benchmark import check_feature_width
    from vsumbench.runner.environment import resolve_device

    dev = resolve_device(device)
    model, meta = load_trained_model(model_name, checkpoint, dev)
    features = _model_inputs(model_name, data)
    check_feature_width(features, model_name, meta.get("model_args") or {}, file=data)
    objective = get_spec(model_name).make_objective()  # how its outputs become scores
    scores: dict[str, np.ndarray] = {}
    bar = progress_bar(features, desc=f"{model_name} predict", unit="video", disable=not progress)
    with torch_threads(threads):
        for key in bar:
            scores.update(score_videos(model, {key: features[key]}, objective))
            if not np.all(np.isfinite(scores[key])):
                raise PredictionError("model produced NaN/inf scores", file=data, video=key)
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    provenance = {
        "model": model_name,
        "checkpoint": str(checkpoint),
        "data_file": str(data),
        "synthetic": int(is_synthetic(data)),
    }
    write_predictions(Path(out), scores, attrs=provenance)
    return scores
