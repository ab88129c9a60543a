"""SL-module (Mr.HiSum's baseline; Sul et al., NeurIPS 2023 Datasets and Benchmarks): a
pre-norm transformer over time and a three-layer score head.

Five layers of (LayerNorm -> multi-head self-attention -> residual, LayerNorm -> GELU MLP ->
residual), then Linear 1024 -> 256 -> 64 -> 1 with ReLU and dropout, and a sigmoid. As the
authors' ``networks/sl_module``: one linear layer makes queries, keys and values (no bias),
and the attention energies are scaled by ``dim ** -0.5`` of the whole width, not of a head's.
The authors' forward ignores its mask; each video here is attended over its own steps.

Parameter names follow the authors' code (``transformer.layers.0.0.fn.norm``,
``transformer.layers.0.0.fn.fn.to_qkv``, ``score_model.fc1``, ...), so their checkpoints
load; ``tests/test_sl_module.py`` checks the outputs against their model on fixed random
weights (``tests/fixtures/official_mrhisum/make_sl_fixture.py``).
"""

from __future__ import annotations

import torch
from torch import nn

__all__ = ["SLModule"]


class _Residual(nn.Module):
    def __init__(self, fn: nn.Module) -> None:
        super().__init__()
        self.fn = fn

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fn(x) + x


class _PreNorm(nn.Module):
    def __init__(self, dim: int, fn: nn.Module) -> None:
        super().__init__()
        self.norm, self.fn = nn.LayerNorm(dim), fn

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fn(self.norm(x))


class _FeedForward(nn.Module):
    def __init__(self, dim: int, hidden: int, dropout: float) -> None:
        super().__init__()
        self.net = nn.Sequential(nn.Linear(dim, hidden), nn.GELU(), nn.Dropout(dropout),
                                 nn.Linear(hidden, dim), nn.Dropout(dropout))  # fmt: skip

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


class _Attention(nn.Module):
    """Multi-head self-attention; energies scaled by the full width (the authors' choice)."""

    def __init__(self, dim: int, heads: int, dropout: float) -> None:
        super().__init__()
        self.heads, self.scale = heads, dim**-0.5
        self.to_qkv = nn.Linear(dim, dim * 3, bias=False)
        self.to_out = nn.Sequential(nn.Linear(dim, dim), nn.Dropout(dropout))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, n, width = x.shape
        # (b, n, [qkv][head][d]) -> 3 x (b, head, n, d)
        q, k, v = self.to_qkv(x).view(b, n, 3, self.heads, -1).permute(2, 0, 3, 1, 4)
        attn = (q @ k.transpose(-1, -2) * self.scale).softmax(dim=-1)
        return self.to_out((attn @ v).transpose(1, 2).reshape(b, n, width))


class _Transformer(nn.Module):
    def __init__(self, dim: int, depth: int, heads: int, mlp_dim: int, dropout: float) -> None:
        super().__init__()
        self.layers = nn.ModuleList(
            nn.ModuleList([
                _Residual(_PreNorm(dim, _Attention(dim, heads, dropout))),
                _Residual(_PreNorm(dim, _FeedForward(dim, mlp_dim, dropout))),
            ])
            for _ in range(depth)
        )  # fmt: skip

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for attention, feed_forward in self.layers:
            x = feed_forward(attention(x))
        return x


class _ScoreHead(nn.Module):
    def __init__(self, dim: int, dropout: float) -> None:
        super().__init__()
        self.fc1, self.fc2 = nn.Linear(dim, dim // 4), nn.Linear(dim // 4, dim // 16)
        self.fc3 = nn.Linear(dim // 16, 1)
        self.relu, self.dropout = nn.ReLU(), nn.Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.dropout(self.relu(self.fc1(x)))
        return self.fc3(self.dropout(self.relu(self.fc2(x))))


class SLModule(nn.Module):
    """features (T, D) -> sigmoid scores (T,)."""

    def __init__(self, in_dim: int = 1024, depth: int = 5, heads: int = 8, mlp_dim: int = 3072,
                 dropout: float = 0.5) -> None:  # fmt: skip
        super().__init__()
        if in_dim % heads:
            raise ValueError(f"in_dim ({in_dim}) must be a multiple of heads ({heads})")
        self.transformer = _Transformer(in_dim, depth, heads, mlp_dim, dropout)
        self.score_model = _ScoreHead(in_dim, dropout)

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        if features.dim() != 2:
            raise ValueError(f"SL-module expects features of shape (T, D), got "
                             f"{tuple(features.shape)}")  # fmt: skip
        x = self.transformer(features.unsqueeze(0))
        return torch.sigmoid(self.score_model(x).squeeze(-1)).squeeze(0)
