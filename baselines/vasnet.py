"""VASNet (Fajtl et al., ACCV 2018 workshops): soft self-attention over the T steps.

Parameter names follow the official code (``att.K``, ``att.Q``, ``att.V``,
``att.output_linear``, ``ka``, ``kd``, ``layer_norm_y``, ``layer_norm_ka``; plus its unused
``kb``/``kc``) so official checkpoints load. Its layer norm is the official one: divides by
the unbiased standard deviation plus eps, not by sqrt(var + eps) as ``nn.LayerNorm`` does.
"""

from __future__ import annotations

import math

import torch
from torch import nn

__all__ = ["VASNet", "SelfAttention", "VASNetLayerNorm"]


class VASNetLayerNorm(nn.Module):
    """gamma * (x - mean) / (std + eps) + beta over the last axis (unbiased std)."""

    def __init__(self, features: int, eps: float = 1e-6) -> None:
        super().__init__()
        self.gamma = nn.Parameter(torch.ones(features))
        self.beta = nn.Parameter(torch.zeros(features))
        self.eps = eps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        mean = x.mean(-1, keepdim=True)
        std = x.std(-1, keepdim=True)
        return self.gamma * (x - mean) / (std + self.eps) + self.beta


class SelfAttention(nn.Module):
    """Single-head attention over time; Q scaled by 0.06; dropout 0.5 on the weights."""

    def __init__(self, dim: int = 1024) -> None:
        super().__init__()
        self.K = nn.Linear(dim, dim, bias=False)
        self.Q = nn.Linear(dim, dim, bias=False)
        self.V = nn.Linear(dim, dim, bias=False)
        self.output_linear = nn.Linear(dim, dim, bias=False)
        self.drop50 = nn.Dropout(0.5)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        keys, queries, values = self.K(x), self.Q(x) * 0.06, self.V(x)
        weights = self.drop50(torch.softmax(queries @ keys.transpose(0, 1), dim=-1))
        return self.output_linear((values.transpose(0, 1) @ weights).transpose(0, 1))


class VASNet(nn.Module):
    """features (T, D) -> sigmoid scores (T,)."""

    def __init__(self, in_dim: int = 1024, hidden: int = 1024) -> None:
        super().__init__()
        self.att = SelfAttention(in_dim)
        self.ka = nn.Linear(in_dim, hidden)
        self.kb = nn.Linear(
            hidden, hidden
        )  # unused by the official forward; kept for its checkpoints
        self.kc = nn.Linear(hidden, hidden)  # unused, as above
        self.kd = nn.Linear(hidden, 1)
        self.sig = nn.Sigmoid()
        self.relu = nn.ReLU()
        self.drop50 = nn.Dropout(0.5)
        self.layer_norm_y = VASNetLayerNorm(in_dim)
        self.layer_norm_ka = VASNetLayerNorm(hidden)
        for module in self.modules():  # the official initialisation
            if isinstance(module, nn.Linear):
                nn.init.xavier_uniform_(module.weight, gain=math.sqrt(2.0))
                if module.bias is not None:
                    nn.init.constant_(module.bias, 0.1)

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        if features.dim() != 2:
            raise ValueError(
                f"VASNet expects features of shape (T, D), got {tuple(features.shape)}"
            )
        y = self.att(features) + features
        y = self.layer_norm_y(self.drop50(y))
        y = self.layer_norm_ka(self.drop50(self.relu(self.ka(y))))
        return self.sig(self.kd(y)).squeeze(-1)
