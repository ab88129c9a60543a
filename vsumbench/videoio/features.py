"""GoogLeNet pool5 features (1024-d) of video frames, batched, on the GPU when there is one.

The network is torchvision's GoogLeNet, built and initialised by `vsumbench.models.backbones`
(ImageNet weights from the torchvision cache or a download, a state-dict file, or random for
tests). Its convolutional trunk runs up to ``inception5b``; pool5 is the global average of
that map (what torchvision's ``avgpool`` computes before dropout and ``fc``).

Preprocessing: the frame's shorter side resized to 256 and a centre 224 x 224 crop
(torchvision's ImageNet evaluation preset), pixels scaled to ``(x - 0.5) / 0.5``. The last
step equals ImageNet mean/std normalisation followed by the ``transform_input`` that
torchvision's pretrained GoogLeNet applies inside ``forward``, which the trunk skips.

These features will NOT equal the released eccv16 ones (whose exact preprocessing is
unknown): models trained on the released files should be re-trained on extracted features.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

__all__ = ["FEATURE_DIM", "FrameFeatures"]

FEATURE_DIM = 1024


class FrameFeatures:
    """Callable ``images (B, H, W, 3) uint8 RGB -> features (B, 1024) float32``.

    ``weights``: ``"imagenet"``, ``"random"`` (tests only: the features mean nothing) or a
    path to a torchvision GoogLeNet state dict. ``image_size`` is the crop side (224 for
    real use; tests use less to stay fast).
    """

    def __init__(
        self,
        weights: str | Path = "imagenet",
        *,
        device: str | torch.device = "auto",
        batch_size: int = 64,
        image_size: int = 224,
    ) -> None:
        from vsumbench.models.backbones import Trunk
        from vsumbench.models.weights import init_backbone
        from vsumbench.runner.environment import resolve_device

        self.device = (
            resolve_device(str(device)) if not isinstance(device, torch.device) else device
        )
        if batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, found {batch_size}")
        self.batch_size = int(batch_size)
        self.image_size = int(image_size)
        trunk = Trunk("googlenet")
        self.source = init_backbone(trunk, weights)
        self.net = trunk.eval().to(self.device)
        if self.device.type == "cuda":
            self.net = self.net.to(memory_format=torch.channels_last)

    @property
    def resize_to(self) -> int:
        """Shorter side before the centre crop (256 for a 224 crop)."""
        return round(self.image_size * 256 / 224)

    def encode(self, images: np.ndarray) -> torch.Tensor:
        """Features on the model's device, without waiting for the GPU (so decoding of the
        next batch overlaps with this one)."""
        x = torch.from_numpy(np.ascontiguousarray(images))
        if self.device.type == "cuda":
            x = x.pin_memory().to(self.device, non_blocking=True)
        x = x.permute(0, 3, 1, 2).float().div_(127.5).sub_(1.0)  # (x/255 - 0.5) / 0.5
        if self.device.type == "cuda":
            x = x.contiguous(memory_format=torch.channels_last)
        with torch.inference_mode():
            return self.net(x).mean(dim=(2, 3))

    def __call__(self, images: np.ndarray) -> np.ndarray:
        out = [
            self.encode(images[i : i + self.batch_size])
            for i in range(0, len(images), self.batch_size)
        ]
        if not out:
            return np.zeros((0, FEATURE_DIM), dtype=np.float32)
        return torch.cat(out).float().cpu().numpy()
