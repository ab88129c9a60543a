"""CSTA's components as data: ``CSTAConfig`` switches, and the configurations of Table 2.

Torch-free, so the registry can list the variants without importing torch.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from vsumbench.errors import ConfigError

__all__ = ["ATT", "ATT_D", "BASELINE", "CLS", "CSTAConfig", "FINAL", "KEY_VALUE", "POSITIONAL"]


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
