"""How Mr.HiSum's authors train each model on their benchmark (``main.py``, ``model/solver.py``
of MRHiSum/MR.HiSum): 200 epochs, 256 videos per step, L2 1e-4, masked MSE to gtscore; the
optimiser and schedule per model. Registered as each model's ``recipes["mrhisum"]``; the
selection (one checkpoint per metric) is the dataset's own rule."""

from __future__ import annotations

from typing import Any

__all__ = ["MRHISUM_PGL_SUM", "MRHISUM_SL_MODULE", "MRHISUM_VASNET"]


def exponential_097(optimizer: Any) -> Any:
    """PGL-SUM's schedule on Mr.HiSum: the learning rate times 0.97 after every epoch."""
    import torch

    return torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma=0.97)


def exponential_099(optimizer: Any) -> Any:
    """VASNet's schedule on Mr.HiSum: the learning rate times 0.99 after every epoch."""
    import torch

    return torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma=0.99)


def step_100(optimizer: Any) -> Any:
    """SL-module's schedule: the learning rate times 0.1 every 100 epochs."""
    import torch

    return torch.optim.lr_scheduler.StepLR(optimizer, step_size=100, gamma=0.1)


_COMMON = {"epochs": 200, "batch": 256, "weight_decay": 1e-4, "clip": None}
MRHISUM_PGL_SUM = {**_COMMON, "lr": 5e-5, "optimizer": "adam", "schedule": exponential_097}
MRHISUM_VASNET = {**_COMMON, "lr": 5e-5, "optimizer": "adam", "schedule": exponential_099}
MRHISUM_SL_MODULE = {**_COMMON, "lr": 0.05, "optimizer": "sgd", "momentum": 0.9,
                     "schedule": step_100}  # fmt: skip
