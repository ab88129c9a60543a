"""Where a fold's randomness comes from: per-fold seeding (the default) or a replay of the
official CSTA ``train.py``'s random stream (``--rng official``).

Per fold (``fold``): every fold reseeds everything from its seed and shuffles with its own
generator, so any fold can be run, resumed or repeated alone.

Official (``official``): the authors' script seeds once per process, builds one extra model
for its parameter report before the first split, trains SumMe's splits and then TVSum's
without reseeding, and iterates PyTorch DataLoaders that draw from the global generator:
each training epoch draws the loader's base seed, then the shuffle seed of its sampler; each
evaluation draws the test loader's base seed. Emulating exactly these draws reproduces an
official run bitwise on the CPU, given the same initial backbone weights
(`tests/test_official_replay.py` checks it against a recorded official run).
"""

from __future__ import annotations

import torch

from vsumbench.errors import ConfigError
from vsumbench.runner.config import OFFICIAL_ORDER, RNG_MODES

__all__ = ["OFFICIAL_ORDER", "RNG_MODES", "Shuffler"]


def _draw() -> int:
    """One int64 from the global generator, as a DataLoader takes its seeds."""
    return int(torch.empty((), dtype=torch.int64).random_().item())


class Shuffler:
    """The training order of each epoch, and the draws around evaluation."""

    def __init__(self, mode: str, seed: int) -> None:
        if mode not in RNG_MODES:
            raise ConfigError(f"unknown --rng {mode!r}; expected one of {', '.join(RNG_MODES)}")
        self.official = mode == "official"
        self.generator = torch.Generator().manual_seed(seed)  # per-fold mode only

    def order(self, n: int) -> list[int]:
        """Indices of one epoch's training videos, in the order they are used."""
        if not self.official:
            return torch.randperm(n, generator=self.generator).tolist()
        _draw()  # the training loader's base seed (DataLoader iterator)
        sampler = torch.Generator()
        sampler.manual_seed(_draw())  # RandomSampler's own seed, at its first item
        return torch.randperm(n, generator=sampler).tolist()

    def before_evaluation(self) -> None:
        """The test loader's iterator draws its base seed even though it does not shuffle."""
        if self.official:
            _draw()
