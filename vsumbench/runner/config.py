"""What ``vsumbench run`` is asked to do: one typed request, validated before any work.

Torch-free, so the CLI can build its options from these defaults at start-up.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from vsumbench.errors import ConfigError

__all__ = ["DEFAULT_SEED", "DEVICES", "RunConfig", "seeds_from"]

#: The official CSTA seed; ``--seeds K`` counts up from it.
DEFAULT_SEED = 123456
#: ``--device`` values; ``auto`` = CUDA when available.
DEVICES = ("auto", "cuda", "cpu")


def seeds_from(count: int, start: int = DEFAULT_SEED) -> list[int]:
    """``--seeds K``: the K consecutive seeds ``start, start + 1, ...`` (start = 123456)."""
    if count < 1:
        raise ConfigError(f"--seeds must be at least 1, got {count}")
    return [start + i for i in range(count)]


@dataclass(frozen=True)
class RunConfig:
    """A training request (``None`` = the model's registered default)."""

    model: str
    dataset: str
    data_dir: str | None = None
    splits: str | None = None
    epochs: int | None = None
    seeds: Sequence[int] = (DEFAULT_SEED,)
    folds: Sequence[int] | None = None
    device: str = "auto"
    selection: str = "paper"
    results: str = "results"
    backbone_init: str = "imagenet"
    deterministic: bool = False
    force: bool = False
    lr: float | None = None
    weight_decay: float | None = None
    progress: bool = True

    def to_dict(self) -> dict[str, Any]:
        """The request as plain data (for logs)."""
        return asdict(self)
