"""What ``vsumbench run`` is asked to do: one typed request, validated before any work.

Torch-free, so the CLI can build its options from these defaults at start-up.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from vsumbench.errors import ConfigError
from vsumbench.models.registry import DEFAULT_SEED

__all__ = [
    "DEFAULT_SEED",
    "DEVICES",
    "check_device",
    "RunConfig",
    "default_threads",
    "parse_model_args",
    "seeds_from",
]

#: ``--device`` values; ``auto`` = CUDA when available; ``cuda:N`` picks a GPU.
DEVICES = ("auto", "cuda", "cpu")


def check_device(name: str) -> str:
    """``name`` when it is a device vsumbench can use (auto, cpu, cuda, cuda:N), else a
    ConfigError: every command validates ``--device`` here, before any work."""
    import re

    text = str(name).strip().lower()
    if not re.fullmatch(r"auto|cpu|cuda(:\d+)?", text):
        raise ConfigError(
            f"unknown device {name!r}: expected auto (CUDA when available), cpu, cuda or cuda:N"
        )
    return text


#: ``--checkpoints`` values: a fold keeps its chosen epoch's weights, or only its scores.
CHECKPOINT_MODES = ("keep", "none")
#: ``--rng`` values (`vsumbench.runner.rng`).
RNG_MODES = ("fold", "official")
#: The official CSTA script trains these datasets in this order, in one process.
OFFICIAL_ORDER = ("summe", "tvsum")


def seeds_from(count: int, start: int = DEFAULT_SEED) -> list[int]:
    """``--seeds K``: the K consecutive seeds ``start, start + 1, ...`` (start = 123456)."""
    if count < 1:
        raise ConfigError(f"--seeds must be at least 1, got {count}")
    return [start + i for i in range(count)]


def default_threads() -> int:
    """torch's CPU threads when ``--threads`` is not given: the cores this process may use,
    at most 4. Batch-1 summarizers gain little from more, and on a shared machine more
    threads mostly contend (epochs 10-50x slower under load with torch's default)."""
    import os

    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(4, cores))


def parse_model_args(items: Sequence[str]) -> dict[str, Any]:
    """``["hidden=128", "name=x"]`` -> ``{"hidden": 128, "name": "x"}``.

    Values are read as JSON (numbers, true/false, null, lists), else kept as strings.

    >>> parse_model_args(["hidden=128", "act=gelu", "bias=true"])
    {'hidden': 128, 'act': 'gelu', 'bias': True}
    """
    out: dict[str, Any] = {}
    for item in items:
        key, sep, text = item.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"--model-arg expects NAME=VALUE, got {item!r}")
        try:
            value = json.loads(text)
        except ValueError:
            value = text
        out[key.strip()] = value
    return out


@dataclass(frozen=True)
class RunConfig:
    """A training request (``None`` = the model's registered default)."""

    model: str
    dataset: str
    data_dir: str | None = None
    splits: str | None = None
    epochs: int | None = None
    seeds: Sequence[int] | None = None  # None: the model's registered seed
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
    model_args: Mapping[str, Any] = field(default_factory=dict)  # factory options
    threads: int | None = None  # torch CPU threads; None: `default_threads()`
    rng: str = "fold"  # "fold" (reseed per fold) or "official" (vsumbench.runner.rng)
    checkpoints: str = "keep"  # "keep" (checkpoint.pt per fold) or "none" (disk: CSTA 60 MB)
    allow_duplicates: bool = False  # train on a file that holds one video under two keys
    precision: str = "32"  # "32", "bf16-mixed" or "16-mixed" (vsumbench.runner.precision)
    workers: int | None = None  # data-loading processes of streamed datasets; None: automatic
    setting: str = "canonical"  # canonical | augmented | transfer (vsumbench.runner.settings)
    log: tuple[str, ...] = ()  # experiment trackers (vsumbench.runner.trackers)

    def to_dict(self) -> dict[str, Any]:
        """The request as plain data (for logs)."""
        return asdict(self)
