"""The random scorer: uniform scores, the "Random" reference as a summarizer."""

from __future__ import annotations

import zlib

import torch
from torch import nn

__all__ = ["RandomScorer"]


class RandomScorer(nn.Module):
    """features (T, D) -> uniform random scores (T,) in [0, 1); not trainable.

    The generator is seeded from ``seed`` and the input itself, so one video always gets the
    same scores whatever order videos are scored in.
    """

    def __init__(self, seed: int = 0) -> None:
        super().__init__()
        self.seed = int(seed)

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        if features.dim() != 2:
            raise ValueError(f"expected features of shape (T, D), got {tuple(features.shape)}")
        if features.is_meta:  # shape-only runs (MACs counting): no data to seed from
            return features.new_empty(features.shape[0])
        data = features.detach().cpu().contiguous().numpy().tobytes()
        # torch's CPU generator keeps 32 bits of a seed: mix the seed into the digest itself
        digest = zlib.crc32(data, zlib.crc32(str(self.seed).encode()))
        gen = torch.Generator().manual_seed(digest)
        return torch.rand(features.shape[0], generator=gen).to(features.device, features.dtype)
