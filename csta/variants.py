"""CSTA's variants as data: Table 2's ablation rows and the swappable attention CNN.

Each variant is a ``CSTAConfig`` (switches, no strings checked in ``forward``) and one tiny
registered factory. This module does not import torch, so listing the registry stays cheap;
``csta.model`` is imported when a model is built.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from vsumbench.errors import ConfigError
from vsumbench.registry import register_summarizer

__all__ = ["CSTAConfig", "VARIANTS", "build"]


@dataclass(frozen=True)
class CSTAConfig:
    """Which CSTA components are on (the default is the paper's final model).

    attention: the CNN map weights the value and a classifier scores it; off = the CNN-only
        "GoogleNet (baseline)" head (squared map averaged over features, no sigmoid).
    softmax_time / softmax_features: temporal (Att_T) / spatial (Att_D) softmax of the map.
    key_value: Linear key and value embeddings. positional_encoding: sinusoidal table added to
    the attention map. cls_token: learnable CLS row prepended, folded back by average pooling.
    skip_connection: key added to the CNN map, then BatchNorm2d(1) ("layernorm1").
    """

    backbone: str = "googlenet"
    attention: bool = True
    softmax_time: bool = True
    softmax_features: bool = True
    key_value: bool = True
    positional_encoding: bool = True
    cls_token: bool = True
    skip_connection: bool = True
    attention_dropout: float = 0.6
    in_dim: int = 1024

    def __post_init__(self) -> None:
        extras = [
            f
            for f in ("softmax_time", "softmax_features", "key_value", "positional_encoding",
                      "cls_token", "skip_connection")
            if getattr(self, f)
        ]  # fmt: skip
        if not self.attention and extras:
            raise ConfigError(
                f"CSTA without attention is the CNN-only baseline; it takes none of {extras}"
            )
        if self.attention and not (self.softmax_time or self.softmax_features):
            raise ConfigError("CSTA attention needs softmax_time and/or softmax_features")


#: Table 2, top to bottom: each row adds one component to the row above.
BASELINE = CSTAConfig(
    attention=False, softmax_time=False, softmax_features=False, key_value=False,
    positional_encoding=False, cls_token=False, skip_connection=False,
)  # fmt: skip
ATT = CSTAConfig(
    softmax_features=False, key_value=False, positional_encoding=False, cls_token=False,
    skip_connection=False,
)  # fmt: skip
ATT_D = replace(ATT, softmax_features=True)
KEY_VALUE = replace(ATT_D, key_value=True)
POSITIONAL = replace(KEY_VALUE, positional_encoding=True)
CLS = replace(POSITIONAL, cls_token=True)
FINAL = replace(CLS, skip_connection=True)  # == CSTAConfig()

#: registered name -> config, for tables and docs.
VARIANTS: dict[str, CSTAConfig] = {}

# Official CSTA training: Adam lr 1e-3, weight decay 1e-7, 100 epochs, MSE vs gtscore.
_TRAIN = {"lr": 1e-3, "weight_decay": 1e-7, "epochs": 100, "loss": "mse", "uses_backbone": True}


def build(config: CSTAConfig, backbone_init: str = "imagenet", in_dim: int = 1024):
    """Build a CSTA model from ``config`` (imports torch)."""
    from csta.model import CSTA

    return CSTA(replace(config, in_dim=in_dim), backbone_init=backbone_init)


def _variant(name: str, config: CSTAConfig, description: str):
    """Register ``name`` -> ``config`` (used as a decorator on the tiny factory)."""
    VARIANTS[name] = config
    return register_summarizer(name, description=description, **_TRAIN)


@_variant(
    "csta", FINAL, "CSTA, the paper's final model (Table 2 last row, GoogLeNet attention CNN)"
)
def csta(backbone_init: str = "imagenet", in_dim: int = 1024):
    return build(FINAL, backbone_init, in_dim)


@_variant(
    "csta-baseline",
    BASELINE,
    "Table 2 'GoogleNet (baseline)': CNN only, squared map averaged over D, no sigmoid",
)
def csta_baseline(backbone_init: str = "imagenet", in_dim: int = 1024):
    return build(BASELINE, backbone_init, in_dim)


@_variant(
    "csta-att",
    ATT,
    "Table 2 '+Attention Module': CNN map as temporal softmax attention over the input, classifier",
)
def csta_att(backbone_init: str = "imagenet", in_dim: int = 1024):
    return build(ATT, backbone_init, in_dim)


@_variant(
    "csta-attd", ATT_D, "Table 2 '+Att_D': temporal and spatial (feature-axis) softmax attention"
)
def csta_attd(backbone_init: str = "imagenet", in_dim: int = 1024):
    return build(ATT_D, backbone_init, in_dim)


@_variant(
    "csta-kv",
    KEY_VALUE,
    "Table 2 '+Key, Value Embedding': Linear key (CNN input) and value projections",
)
def csta_kv(backbone_init: str = "imagenet", in_dim: int = 1024):
    return build(KEY_VALUE, backbone_init, in_dim)


@_variant(
    "csta-pe",
    POSITIONAL,
    "Table 2 '+Positional Encoding': sinusoidal table added to the attention map",
)
def csta_pe(backbone_init: str = "imagenet", in_dim: int = 1024):
    return build(POSITIONAL, backbone_init, in_dim)


@_variant(
    "csta-cls",
    CLS,
    "Table 2 '+X_CLS': CLS token prepended, folded back by adaptive average pooling",
)
def csta_cls(backbone_init: str = "imagenet", in_dim: int = 1024):
    return build(CLS, backbone_init, in_dim)


MOBILENET = replace(FINAL, backbone="mobilenet")
EFFICIENTNET = replace(FINAL, backbone="efficientnet")
RESNET18 = replace(FINAL, backbone="resnet18")


@_variant(
    "csta-mobilenet",
    MOBILENET,
    "CSTA with a MobileNet-V2 attention CNN (D = 1280 after the key embedding)",
)
def csta_mobilenet(backbone_init: str = "imagenet", in_dim: int = 1024):
    return build(MOBILENET, backbone_init, in_dim)


@_variant(
    "csta-efficientnet",
    EFFICIENTNET,
    "CSTA with an EfficientNet-B0 attention CNN (D = 1280 after the key embedding)",
)
def csta_efficientnet(backbone_init: str = "imagenet", in_dim: int = 1024):
    return build(EFFICIENTNET, backbone_init, in_dim)


@_variant(
    "csta-resnet18",
    RESNET18,
    "CSTA with a ResNet-18 attention CNN (D = 512 after the key embedding)",
)
def csta_resnet18(backbone_init: str = "imagenet", in_dim: int = 1024):
    return build(RESNET18, backbone_init, in_dim)
