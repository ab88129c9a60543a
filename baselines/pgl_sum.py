"""PGL-SUM (Apostolidis et al., ISM 2021): global and local multi-head attention over time.

A global multi-head attention over all T steps, and one 4-head attention per segment (the
video cut into ``segments`` equal parts of ``ceil(T / segments)`` steps); both outputs are
L2-normalised per step and fused (added, by default), then a residual, layer norms and a
two-layer regressor give sigmoid scores. Absolute positional encoding is added to the
attention energies (a (T, T) table, as the official code builds it).

Parameter names follow the official code (``attention.attention.Wq.0``,
``attention.local_attention.2.out``, ``linear_1``, ``norm_y``, ...), so official weights
load; `tests/test_pgl_sum.py` checks the outputs against the official model on fixed random
weights. Short videos: when T < segments the last segments are empty and only the global
attention scores those steps, exactly as the official code does; every step gets a score.

Not yet registered as a summarizer: its training recipe (gradient accumulation over 20
videos, clipping, the loss-curve epoch rule) needs the plugin hooks of issue 12.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

__all__ = ["PGLSum", "PGLSelfAttention", "absolute_position_table", "xavier_init"]

FUSIONS = ("add", "mult", "avg", "max")


def absolute_position_table(t: int, dim: int, freq: float, device=None) -> torch.Tensor:
    """The official (T, T) sinusoid table added to the energies: column ``2i`` holds
    ``sin(pos / freq^(2i/dim))`` and ``2i+1`` its cosine, for ``i < T // 2`` (with odd T the
    last column stays 0)."""
    half = t // 2
    pos = torch.arange(t, device=device).reshape(t, 1).expand(t, half)
    i = torch.arange(half, device=device).reshape(1, half).expand(t, half)
    angle = pos / freq ** ((2 * i) / dim)
    table = torch.zeros(t, t, device=device)
    table[:, 0 : 2 * half : 2] = torch.sin(angle)
    table[:, 1 : 2 * half : 2] = torch.cos(angle)
    return table


class PGLSelfAttention(nn.Module):
    """Multi-head attention over time with per-head Q, K, V projections (no scaling)."""

    def __init__(
        self,
        input_size: int = 1024,
        output_size: int = 1024,
        heads: int = 1,
        freq: float = 10000,
        pos_enc: str | None = "absolute",
    ) -> None:
        super().__init__()
        if pos_enc not in (None, "absolute"):
            raise ValueError(f"pos_enc must be 'absolute' or None, got {pos_enc!r}")
        self.input_size, self.freq, self.pos_enc = input_size, freq, pos_enc
        width = output_size // heads

        def projections() -> nn.ModuleList:
            return nn.ModuleList(nn.Linear(input_size, width, bias=False) for _ in range(heads))

        self.Wk, self.Wq, self.Wv = projections(), projections(), projections()
        self.out = nn.Linear(output_size, input_size, bias=False)
        self.drop = nn.Dropout(p=0.5)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        outputs = []
        for wk, wq, wv in zip(self.Wk, self.Wq, self.Wv, strict=True):
            energies = wq(x) @ wk(x).transpose(0, 1)
            if self.pos_enc == "absolute":
                t = energies.shape[0]
                energies = energies + absolute_position_table(
                    t, self.input_size, self.freq, x.device
                )
            outputs.append(self.drop(torch.softmax(energies, dim=-1)) @ wv(x))
        return self.out(torch.cat(outputs, dim=1))


class GlobalLocalAttention(nn.Module):
    """The global attention, and one local attention per segment fused into its steps."""

    def __init__(
        self, input_size: int, heads: int, segments: int, fusion: str, pos_enc: str | None
    ) -> None:
        super().__init__()
        if segments < 2:
            raise ValueError(f"segments must be at least 2, got {segments}")
        if fusion not in FUSIONS:
            raise ValueError(f"fusion must be one of {FUSIONS}, got {fusion!r}")
        self.segments, self.fusion = segments, fusion
        self.attention = PGLSelfAttention(input_size, input_size, heads, pos_enc=pos_enc)
        local = input_size // segments
        self.local_attention = nn.ModuleList(
            PGLSelfAttention(input_size, local, 4, pos_enc=pos_enc) for _ in range(segments)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        global_value = self.attention(x)
        size = math.ceil(x.shape[0] / self.segments)
        parts = []
        for k, local in enumerate(self.local_attention):
            span = slice(k * size, (k + 1) * size)
            if x[span].shape[0] == 0:  # a video shorter than its segments
                continue
            g = F.normalize(global_value[span], p=2, dim=1)
            loc = F.normalize(local(x[span]), p=2, dim=1)
            parts.append(_fuse(g, loc, self.fusion))
        return torch.cat(parts, dim=0)


def _fuse(g: torch.Tensor, loc: torch.Tensor, fusion: str) -> torch.Tensor:
    if fusion == "add":
        return g + loc
    if fusion == "mult":
        return g * loc
    if fusion == "avg":
        return (g + loc) / 2
    return torch.maximum(g, loc)


class PGLSum(nn.Module):
    """features (T, D) -> sigmoid scores (T,)."""

    def __init__(
        self,
        input_size: int = 1024,
        heads: int = 8,
        segments: int = 4,
        fusion: str = "add",
        pos_enc: str | None = "absolute",
    ) -> None:
        super().__init__()
        self.attention = GlobalLocalAttention(input_size, heads, segments, fusion, pos_enc)
        self.linear_1 = nn.Linear(input_size, input_size)
        self.linear_2 = nn.Linear(input_size, 1)
        self.drop = nn.Dropout(p=0.5)
        self.norm_y = nn.LayerNorm(input_size, eps=1e-6)
        self.norm_linear = nn.LayerNorm(input_size, eps=1e-6)

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        if features.dim() != 2:
            raise ValueError(
                f"PGL-SUM expects features of shape (T, D), got {tuple(features.shape)}"
            )
        y = self.norm_y(self.drop(self.attention(features) + features))
        y = self.norm_linear(self.drop(torch.relu(self.linear_1(y))))
        return torch.sigmoid(self.linear_2(y)).squeeze(-1)


def xavier_init(model: nn.Module) -> None:
    """The official initialisation: Xavier-uniform (gain sqrt 2) for every weight except the
    layer norms', 0.1 for every bias."""
    for name, param in model.named_parameters():
        if "weight" in name and "norm" not in name:
            nn.init.xavier_uniform_(param, gain=math.sqrt(2.0))
        elif "bias" in name:
            nn.init.constant_(param, 0.1)
