"""CSTA (Son et al., CVPR 2024): a 2D CNN over stacked frame features as attention.

One ``CSTA`` module covers the final model and every Table 2 row; ``CSTAConfig`` switches
components on. Parameter and buffer names are those of the official implementation, so the
authors' ``weights/<Dataset>/split<k>.pt`` files load unchanged:
``CLS``, ``googlenet.*`` (torchvision GoogLeNet names, unused ``fc`` included),
``key_embedding.*``, ``value_embedding.*``, ``layernorm1.*`` (a BatchNorm2d(1)),
``Positional_encoding_op.pe``, ``linear1.{0,3}.*``, ``linear2.0.*``.

Every pooling is an ``nn.Module`` call so that the MACs counter's global hooks see it.
"""

from __future__ import annotations

import math
from functools import reduce
from operator import add

import torch
import torch.nn.functional as F
from torch import nn

from csta.config import CSTAConfig
from vsumbench.errors import ConfigError
from vsumbench.models.backbones import Trunk, backbone_info

__all__ = ["CSTA", "FixedPositionalEncoding", "init_classifier"]


def sinusoid_table(n_rows: int, dim: int, freq: float = 10000.0) -> torch.Tensor:
    """(n_rows, dim): even columns sin(pos * f_k), odd columns cos(pos * f_k)."""
    position = torch.arange(n_rows).unsqueeze(1)
    div_term = torch.exp(torch.arange(0, dim, 2) * (-math.log(freq) / dim))
    table = torch.zeros(n_rows, dim)
    table[:, 0::2] = torch.sin(position * div_term)
    table[:, 1::2] = torch.cos(position * div_term)
    return table


class FixedPositionalEncoding(nn.Module):
    """Adds the fixed sinusoidal table to a (rows, dim) map; longer maps extend the table."""

    def __init__(self, dim: int, max_len: int = 5000) -> None:
        super().__init__()
        self.register_buffer("pe", sinusoid_table(max_len, dim))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        n = x.shape[0]
        pe = self.pe[:n] if n <= self.pe.shape[0] else sinusoid_table(n, x.shape[1]).to(x)
        return x + pe


def init_classifier(linears: list[nn.Linear]) -> None:
    """Xavier-uniform weights with gain sqrt(2), biases 0.1 (the official initialisation)."""
    for linear in linears:
        nn.init.xavier_uniform_(linear.weight, gain=math.sqrt(2.0))
        nn.init.constant_(linear.bias, 0.1)


class CSTA(nn.Module):
    """features (T, D) -> scores (T,); sigmoid scores unless the config is the CNN-only head."""

    def __init__(self, config: CSTAConfig | None = None) -> None:
        super().__init__()
        self.config = config = config or CSTAConfig()
        info = backbone_info(config.backbone)
        dim = info.channels
        if config.attention and not config.key_value and dim != config.in_dim:
            raise ConfigError(
                f"CSTA without key/value embeddings needs feature size = the {config.backbone} "
                f"trunk's {dim} channels, got in_dim={config.in_dim}"
            )
        self.dim = dim
        # Construction order follows the official code, so a seed gives the same initial
        # weights; pretrained trunk weights are loaded afterwards (vsumbench.models.weights).
        self.trunk_attr = info.attr
        setattr(self, info.attr, Trunk(config.backbone))
        if config.positional_encoding:
            self.Positional_encoding_op = FixedPositionalEncoding(dim)
        if config.attention:
            self.dropout = nn.Dropout(p=config.attention_dropout)
            self.linear1 = nn.Sequential(
                nn.Linear(dim, dim), nn.ReLU(), nn.Dropout(p=0.5), nn.LayerNorm(dim, eps=1e-6)
            )
            self.linear2 = nn.Sequential(nn.Linear(dim, 1), nn.Sigmoid())
            init_classifier([self.linear1[0], self.linear2[0]])
        if config.cls_token:
            self.CLS = nn.Parameter(torch.zeros(1, 3, 1, config.in_dim))
        if config.key_value:
            self.key_embedding = nn.Linear(config.in_dim, dim)
            self.value_embedding = nn.Linear(config.in_dim, dim)
        if config.skip_connection:
            self.layernorm1 = nn.BatchNorm2d(num_features=1)

    @property
    def trunk(self) -> Trunk:
        return getattr(self, self.trunk_attr)

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        cfg = self.config
        if features.dim() != 2 or features.shape[1] != cfg.in_dim:
            raise ValueError(
                f"CSTA expects features of shape (T, {cfg.in_dim}), got {tuple(features.shape)}"
            )
        n_steps = features.shape[0]
        x = features.unsqueeze(0).unsqueeze(0).expand(1, 3, n_steps, cfg.in_dim)
        if not cfg.attention:
            return self._cnn_only(x)
        if cfg.cls_token:
            x = torch.cat((self.CLS, x), dim=2)
        key = self.key_embedding(x) if cfg.key_value else x
        att = self.trunk.rows(key)  # (T[+1], dim)
        if cfg.skip_connection:
            att = att + key[0, 0]
            att = self.layernorm1(att.unsqueeze(0).unsqueeze(0)).squeeze(0).squeeze(0)
        if cfg.positional_encoding:
            att = self.Positional_encoding_op(att)
        weights = []
        if cfg.softmax_time:
            weights.append(self.dropout(F.softmax(att, dim=0)))
        if cfg.softmax_features:
            weights.append(self.dropout(F.softmax(att, dim=1)))
        value = self.value_embedding(x[0, 0]) if cfg.key_value else x[0, 0]
        mixed = reduce(add, [value * w for w in weights])
        if cfg.cls_token:
            mixed = nn.AdaptiveAvgPool2d((n_steps, self.dim))(mixed.unsqueeze(0)).squeeze(0)
        return self.linear2(self.linear1(mixed)).squeeze(-1)

    def _cnn_only(self, x: torch.Tensor) -> torch.Tensor:
        """Table 2's baseline head: the CNN's (T, C) map squared, averaged over C."""
        att = self.trunk.rows(x)
        return nn.AdaptiveAvgPool1d(1)(att * att).squeeze(-1)
