"""CNN-only baselines (Figure 4; the "GoogleNet" row of Table 1).

An ImageNet CNN over the stacked (3, T, D) features; its final map is pooled to T rows and
each row gives one score (the official head: the map squared and averaged over channels).
This is CSTA's baseline configuration with the CNN swapped, so the code is CSTA's.
"""

from __future__ import annotations

from dataclasses import replace

from csta.config import BASELINE
from csta.variants import TRAINING, factory
from vsumbench.models import register_summarizer

__all__ = ["CONFIGS"]

# name: (torchvision backbone, description, display name); trained like CSTA (the official
# defaults). Display names as the paper's Figure 4 labels the CNN-only baselines.
_ROWS = {
    "cnn-googlenet": (
        "googlenet",
        "CNN-only GoogLeNet on stacked features (same model as csta-baseline)",
        "CNN (GoogLeNet)",
    ),
    "cnn-mobilenet": (
        "mobilenet",
        "CNN-only MobileNet-V2 on stacked features",
        "CNN (MobileNet-V2)",
    ),
    "cnn-efficientnet": (
        "efficientnet",
        "CNN-only EfficientNet-B0 on stacked features",
        "CNN (EfficientNet-B0)",
    ),
    "cnn-resnet18": ("resnet18", "CNN-only ResNet-18 on stacked features", "CNN (ResNet-18)"),
}

CONFIGS = {backbone: replace(BASELINE, backbone=backbone) for backbone, _, _ in _ROWS.values()}

for _name, (_backbone, _description, _display) in _ROWS.items():
    register_summarizer(_name, description=_description, display_name=_display, **TRAINING)(
        factory(CONFIGS[_backbone], __name__)
    )
