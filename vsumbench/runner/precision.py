"""``--precision``: 32-bit training, or mixed precision under Lightning's names.

``32`` (the default) changes nothing. ``bf16-mixed`` runs the forward pass and the loss under
``torch.autocast`` in bfloat16 (weights and optimiser stay float32). ``16-mixed`` does the same
in float16, with a gradient scaler on CUDA so that small gradients do not underflow. Every
result records the precision it was trained with.
"""

from __future__ import annotations

import contextlib
from typing import Any

import torch

from vsumbench.errors import ConfigError

__all__ = ["PRECISIONS", "Precision", "check_precision"]

PRECISIONS = ("32", "bf16-mixed", "16-mixed")
_DTYPES = {"bf16-mixed": torch.bfloat16, "16-mixed": torch.float16}


def check_precision(name: str) -> str:
    text = str(name).strip().lower()
    if text in ("32-true", "fp32"):
        text = "32"
    if text not in PRECISIONS:
        raise ConfigError(f"unknown precision {name!r}; expected one of {', '.join(PRECISIONS)}")
    return text


class Precision:
    """The autocast context and the backward/step of one precision on one device."""

    def __init__(self, name: str, device: torch.device) -> None:
        self.name = check_precision(name)
        self.device = torch.device(device)
        self.dtype = _DTYPES.get(self.name)
        scaled = self.name == "16-mixed" and self.device.type == "cuda"
        self.scaler = torch.amp.GradScaler("cuda") if scaled else None

    def autocast(self) -> Any:
        """The context the forward pass and the loss run in."""
        if self.dtype is None:
            return contextlib.nullcontext()
        return torch.autocast(self.device.type, dtype=self.dtype)

    def backward(self, loss: torch.Tensor) -> None:
        (self.scaler.scale(loss) if self.scaler is not None else loss).backward()

    def unscale(self, optimizer: torch.optim.Optimizer) -> None:
        """Before clipping: gradients back at their true scale."""
        if self.scaler is not None:
            self.scaler.unscale_(optimizer)

    def step(self, optimizer: torch.optim.Optimizer) -> None:
        if self.scaler is None:
            optimizer.step()
            return
        self.scaler.step(optimizer)
        self.scaler.update()
