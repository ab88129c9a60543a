"""CSTA's variants registered as summarizers: one table, one loop.

Each row names a ``CSTAConfig`` (``csta.config``), its description and its Table 2 row; the
factories only build the module (backbone weights are loaded by the runner). This module does
not import torch, so listing the registry stays cheap; ``csta.model`` is imported when a model
is built.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from csta.config import ATT, ATT_D, BASELINE, CLS, FINAL, KEY_VALUE, POSITIONAL, CSTAConfig
from vsumbench.models import register_summarizer

__all__ = ["CSTAConfig", "TRAINING", "VARIANTS", "build", "factory"]

#: Official CSTA training: Adam lr 1e-3, weight decay 1e-7, 100 epochs, MSE vs gtscore.
TRAINING = {"lr": 1e-3, "weight_decay": 1e-7, "epochs": 100, "loss": "mse", "uses_backbone": True}


def build(config: CSTAConfig, in_dim: int = 1024):
    """Build a CSTA module from ``config`` (imports torch; no pretrained weights)."""
    from csta.model import CSTA

    return CSTA(replace(config, in_dim=in_dim))


def factory(config: CSTAConfig, module: str = __name__) -> Callable[..., object]:
    """A registry factory building ``config`` (its one option is the feature size),
    attributed to ``module`` (where it is registered, shown as the model's source)."""

    def make(in_dim: int = 1024):
        return build(config, in_dim)

    make.__module__ = module
    return make


# name: (config, description, Table 2 row or None). Table 2, top to bottom: each row adds one
# component to the row above; then the swappable attention CNN. Display names (the row name
# in Tables 1 and 3) in `_DISPLAY`.
_ROWS: dict[str, tuple[CSTAConfig, str, str | None]] = {
    "csta": (
        FINAL,
        "CSTA, the paper's final model (Table 2 last row, GoogLeNet attention CNN)",
        "(+)Skip Connection",
    ),
    "csta-baseline": (
        BASELINE,
        "Table 2 'GoogleNet (baseline)': CNN only, squared map averaged over D, no sigmoid",
        "GoogleNet (Baseline)",
    ),
    "csta-att": (
        ATT,
        "Table 2 '+Attention Module': CNN map as temporal softmax attention over the input, "
        "classifier",
        "(+)Attention Module",
    ),
    "csta-attd": (
        ATT_D,
        "Table 2 '+Att_D': temporal and spatial (feature-axis) softmax attention",
        "(+)Att_D",
    ),
    "csta-kv": (
        KEY_VALUE,
        "Table 2 '+Key, Value Embedding': Linear key (CNN input) and value projections",
        "(+)Key Value Embedding",
    ),
    "csta-pe": (
        POSITIONAL,
        "Table 2 '+Positional Encoding': sinusoidal table added to the attention map",
        "(+)Positional Encoding",
    ),
    "csta-cls": (
        CLS,
        "Table 2 '+X_CLS': CLS token prepended, folded back by adaptive average pooling",
        "(+)X_CLS",
    ),
    "csta-mobilenet": (
        replace(FINAL, backbone="mobilenet"),
        "CSTA with a MobileNet-V2 attention CNN (D = 1280 after the key embedding)",
        None,
    ),
    "csta-efficientnet": (
        replace(FINAL, backbone="efficientnet"),
        "CSTA with an EfficientNet-B0 attention CNN (D = 1280 after the key embedding)",
        None,
    ),
    "csta-resnet18": (
        replace(FINAL, backbone="resnet18"),
        "CSTA with a ResNet-18 attention CNN (D = 512 after the key embedding)",
        None,
    ),
}

_DISPLAY = {
    "csta": "CSTA",
    "csta-baseline": "CSTA baseline (GoogLeNet)",
    "csta-att": "CSTA (+Att)",
    "csta-attd": "CSTA (+Att_D)",
    "csta-kv": "CSTA (+KV)",
    "csta-pe": "CSTA (+PE)",
    "csta-cls": "CSTA (+X_CLS)",
    "csta-mobilenet": "CSTA (MobileNet-V2)",
    "csta-efficientnet": "CSTA (EfficientNet-B0)",
    "csta-resnet18": "CSTA (ResNet-18)",
}

#: registered name -> config, for tables and docs.
VARIANTS: dict[str, CSTAConfig] = {name: row[0] for name, row in _ROWS.items()}

for _name, (_config, _description, _step) in _ROWS.items():
    register_summarizer(
        _name,
        description=_description,
        display_name=_DISPLAY[_name],
        labels={"table2": _step} if _step else None,
        **TRAINING,
    )(factory(_config))
