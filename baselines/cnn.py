"""CNN-only baselines (Figure 4; the "GoogleNet" row of Table 1).

An ImageNet CNN over the stacked (3, T, D) features; its final map is pooled to T rows and
each row gives one score (the official head: the map squared and averaged over channels).
This is CSTA's baseline configuration with the CNN swapped, so the code is CSTA's.
"""

from __future__ import annotations

from dataclasses import replace

from csta.variants import BASELINE, build
from vsumbench.registry import register_summarizer

__all__ = ["CONFIGS"]

# Trained like CSTA (official defaults: Adam lr 1e-3, weight decay 1e-7, 100 epochs, MSE).
_TRAIN = {"lr": 1e-3, "weight_decay": 1e-7, "epochs": 100, "loss": "mse", "uses_backbone": True}

CONFIGS = {
    name: replace(BASELINE, backbone=name)
    for name in ("googlenet", "mobilenet", "efficientnet", "resnet18")
}


@register_summarizer(
    "cnn-googlenet",
    description="CNN-only GoogLeNet on stacked features (same model as csta-baseline)",
    **_TRAIN,
)
def cnn_googlenet(backbone_init: str = "imagenet", in_dim: int = 1024):
    return build(CONFIGS["googlenet"], backbone_init, in_dim)


@register_summarizer(
    "cnn-mobilenet", description="CNN-only MobileNet-V2 on stacked features", **_TRAIN
)
def cnn_mobilenet(backbone_init: str = "imagenet", in_dim: int = 1024):
    return build(CONFIGS["mobilenet"], backbone_init, in_dim)


@register_summarizer(
    "cnn-efficientnet", description="CNN-only EfficientNet-B0 on stacked features", **_TRAIN
)
def cnn_efficientnet(backbone_init: str = "imagenet", in_dim: int = 1024):
    return build(CONFIGS["efficientnet"], backbone_init, in_dim)


@register_summarizer("cnn-resnet18", description="CNN-only ResNet-18 on stacked features", **_TRAIN)
def cnn_resnet18(backbone_init: str = "imagenet", in_dim: int = 1024):
    return build(CONFIGS["resnet18"], backbone_init, in_dim)
