"""Weights are loaded in one place, into a model that was built without them.

Summarizer factories build modules only (timm's split of ``_builder`` and ``_registry``);
the runner, ``predict`` and the MACs counter then decide what the weights are. For the CNN
trunks of CSTA and the CNN-only baselines that is ``--backbone-init``: ``imagenet``
(torchvision's weights from its cache, else a download), ``random`` (the initialisation the
model was built with), or a path to a torchvision-format state dict. Loading records what it
did, so every result says which weights it started from.
"""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

from vsumbench.errors import ConfigError
from vsumbench.models.backbones import BackboneInfo, Trunk, backbone_info

__all__ = ["BACKBONE_INITS", "check_backbone_init", "init_backbone", "load_backbone_weights"]

#: The named ``--backbone-init`` values; anything else must be a weights file.
BACKBONE_INITS = ("imagenet", "random")


def check_backbone_init(value: str) -> str:
    """``imagenet``, ``random`` or an existing weights file; a clear error otherwise."""
    if value in BACKBONE_INITS or Path(value).is_file():
        return value
    raise ConfigError(
        f"--backbone-init {value!r}: expected 'imagenet', 'random' or a path to a weights file "
        f"(no such file)"
    )


def load_backbone_weights(model: nn.Module, init: str | Path = "imagenet") -> str | None:
    """Initialise every CNN trunk of a built ``model``; what was used, or None without one.

    The description (``imagenet:<torchvision enum>``, ``random``, ``file:<path>``) is what
    results record as ``backbone_weights``.
    """
    trunks = [m for m in model.modules() if isinstance(m, Trunk)]
    used = [init_backbone(trunk, init) for trunk in trunks]
    return used[0] if used else None


def _weights_enum(info: BackboneInfo):
    import torchvision.models as tvm

    enum_name, member = info.weights.split(".")
    return getattr(getattr(tvm, enum_name), member)


def _load_trunk_state(trunk: Trunk, state: dict, source: str) -> None:
    state = {k: v for k, v in state.items() if not k.startswith("aux")}
    from vsumbench.models.checkpoints import load_state_dict_strict

    load_state_dict_strict(
        trunk, state, model_name=f"{trunk.backbone} backbone", file=source, suggest=False
    )


def init_backbone(trunk: Trunk, init: str | Path = "imagenet") -> str:
    """Initialise ``trunk`` and return a description of what was used (for result records).

    ``"imagenet"``: torchvision's ImageNet weights from ``$TORCH_HOME/hub/checkpoints`` (or a
    download); ``"random"``: torchvision's random initialisation; anything else: a path to a
    torchvision-format state dict (auxiliary-head keys are ignored).
    """
    info = backbone_info(trunk.backbone)
    if str(init) == "random":
        return "random"
    if str(init) == "imagenet":
        weights = _weights_enum(info)
        try:
            state = weights.get_state_dict(progress=False)
        except Exception as exc:
            hub = Path(torch.hub.get_dir()) / "checkpoints"
            filename = weights.url.rsplit("/", 1)[-1]
            raise ConfigError(
                f"ImageNet weights for the {trunk.backbone} backbone ({info.weights}) are not "
                f"available: {type(exc).__name__}: {exc}. Download {weights.url} and put it at "
                f"{hub / filename} (the torchvision cache, under $TORCH_HOME), or give "
                "a torchvision-format state dict as the initialisation (PATH), or 'random' "
                "(`run --backbone-init PATH|random`, `sweep --backbone-inits PATH|random`)"
            ) from None
        _load_trunk_state(trunk, state, weights.url)
        return f"imagenet:{info.weights}"
    path = Path(init)
    if not path.is_file():
        raise ConfigError(
            f"--backbone-init expects 'imagenet', 'random' or a state-dict file; "
            f"{str(path)!r} is none of these (no such file)"
        )
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:
        raise ConfigError(
            f"{path}: cannot read a torchvision state dict for the {trunk.backbone} "
            f"backbone: {type(exc).__name__}: {exc}"
        ) from None
    if isinstance(state, dict) and isinstance(state.get("state_dict"), dict):
        state = state["state_dict"]
    if not isinstance(state, dict):
        raise ConfigError(
            f"{path}: expected a state dict (mapping of tensors), found {type(state).__name__}"
        )
    _load_trunk_state(trunk, state, str(path))
    return f"file:{path}"
