"""Seeds, determinism flags and the random state a resumed fold must restore bitwise."""

from __future__ import annotations

import os
import random
from collections.abc import Mapping
from typing import Any

import numpy as np
import torch

__all__ = ["get_rng_state", "seed_everything", "set_determinism", "set_rng_state"]


def seed_everything(seed: int) -> None:
    """Seed Python, NumPy and torch (CPU and every GPU), as the official code does."""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    if torch.cuda.is_available():
        torch.cuda.manual_seed_all(seed)


def set_determinism(deterministic: bool) -> None:
    """cuDNN flags as the official CSTA code sets them, and ``--deterministic``.

    Always (the official ``Config.set_seed`` does this on every run): cuDNN deterministic
    mode on, benchmark mode off (video lengths vary, so it would re-tune for every shape).
    ``--deterministic`` adds deterministic algorithms (warn only) and the cuBLAS workspace
    setting. Adaptive average pooling's CUDA backward has no deterministic kernel; with
    ``warn_only=True`` torch warns and runs it anyway, so CSTA on CUDA stays slightly
    nondeterministic (as the official README notes). CPU runs are bitwise repeatable.
    """
    if deterministic:
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    torch.use_deterministic_algorithms(deterministic, warn_only=True)
    torch.backends.cudnn.deterministic = True
    torch.backends.cudnn.benchmark = False


def get_rng_state(generator: torch.Generator) -> dict[str, Any]:
    """Every random stream a fold draws from (tensors only: saved with ``weights_only``)."""
    np_state = np.random.get_state()
    return {
        "torch": torch.get_rng_state(),
        "cuda": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else [],
        "numpy": {
            "keys": torch.from_numpy(np_state[1].astype(np.int64)),
            "pos": int(np_state[2]),
            "has_gauss": int(np_state[3]),
            "cached_gaussian": float(np_state[4]),
        },
        "python": random.getstate(),
        "shuffle": generator.get_state(),
    }


def set_rng_state(state: Mapping[str, Any], generator: torch.Generator) -> None:
    """Restore what `get_rng_state` saved (CUDA streams only on the same GPU count)."""
    torch.set_rng_state(state["torch"])
    if (
        state.get("cuda")
        and torch.cuda.is_available()
        and len(state["cuda"]) == torch.cuda.device_count()
    ):
        torch.cuda.set_rng_state_all(state["cuda"])
    n = state["numpy"]
    np.random.set_state(
        (
            "MT19937",
            n["keys"].numpy().astype(np.uint32),
            n["pos"],
            n["has_gauss"],
            n["cached_gaussian"],
        )
    )
    py = state["python"]
    random.setstate((py[0], tuple(py[1]), py[2]))
    generator.set_state(state["shuffle"])
