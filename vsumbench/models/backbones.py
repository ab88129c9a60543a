"""Torchvision CNN trunks used on stacked frame features, and their initialisation.

CSTA and the CNN-only baselines treat a video's (T, D) features as a 3-channel image and run
an ImageNet CNN over it. The networks come from torchvision unchanged; ``Trunk`` adopts their
children under torchvision's own names (so official checkpoints and torchvision weight files
load as they are) and runs the convolutional part in order, without the classifier head.

Building a trunk never touches pretrained weights: ``vsumbench.models.weights`` loads
them into the built model (``--backbone-init``), in one place.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from vsumbench.errors import ConfigError

__all__ = ["BACKBONES", "BackboneInfo", "Trunk", "backbone_info"]


@dataclass(frozen=True)
class BackboneInfo:
    """How to build one torchvision network and which of its children form the trunk."""

    builder: str  # torchvision.models function
    builder_kwargs: tuple[tuple[str, object], ...]
    weights: str  # torchvision weights enum member, e.g. "GoogLeNet_Weights.IMAGENET1K_V1"
    trunk: tuple[str, ...]  # children called in order
    channels: int  # channels of the trunk's output map
    attr: str  # attribute name of the trunk in the official CSTA state dict
    min_rows: int  # fewest input rows the trunk accepts (stride-32 nets with ceil pools)


BACKBONES: dict[str, BackboneInfo] = {
    "googlenet": BackboneInfo(
        builder="googlenet",
        builder_kwargs=(("aux_logits", False), ("init_weights", False)),
        weights="GoogLeNet_Weights.IMAGENET1K_V1",
        trunk=(
            "conv1",
            "maxpool1",
            "conv2",
            "conv3",
            "maxpool2",
            "inception3a",
            "inception3b",
            "maxpool3",
            "inception4a",
            "inception4b",
            "inception4c",
            "inception4d",
            "inception4e",
            "maxpool4",
            "inception5a",
            "inception5b",
        ),  # fmt: skip
        channels=1024,
        attr="googlenet",
        min_rows=15,  # fewer rows: maxpool3/maxpool4 produce an empty map
    ),
    "mobilenet": BackboneInfo(
        builder="mobilenet_v2",
        builder_kwargs=(),
        weights="MobileNet_V2_Weights.IMAGENET1K_V1",
        trunk=("features",),
        channels=1280,
        attr="mobilenet",
        min_rows=1,
    ),
    "efficientnet": BackboneInfo(
        builder="efficientnet_b0",
        builder_kwargs=(),
        weights="EfficientNet_B0_Weights.IMAGENET1K_V1",
        trunk=("features",),
        channels=1280,
        attr="efficientnet",
        min_rows=1,
    ),
    "resnet18": BackboneInfo(
        builder="resnet18",
        builder_kwargs=(),
        weights="ResNet18_Weights.IMAGENET1K_V1",
        trunk=("conv1", "bn1", "relu", "maxpool", "layer1", "layer2", "layer3", "layer4"),
        channels=512,
        attr="resnet",
        min_rows=1,
    ),
}


def backbone_info(name: str) -> BackboneInfo:
    try:
        return BACKBONES[name]
    except KeyError:
        raise ConfigError(
            f"unknown backbone {name!r}; expected one of {', '.join(BACKBONES)}"
        ) from None


class Trunk(nn.Module):
    """A torchvision CNN whose convolutional part maps an image to one row per input row.

    The torchvision network's children are adopted under their own names; unused heads
    (``fc``, ``classifier``) stay so that state dicts keep torchvision's layout.
    """

    def __init__(self, name: str) -> None:
        super().__init__()
        import torchvision.models as tvm

        info = backbone_info(name)
        net = getattr(tvm, info.builder)(weights=None, **dict(info.builder_kwargs))
        for child_name, child in net.named_children():
            self.add_module(child_name, child)
        self.backbone = name
        self.order = info.trunk
        self.channels = info.channels
        self.min_rows = info.min_rows

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        """(1, 3, H, W) -> the final feature map (1, C, h, w)."""
        x = image
        for child_name in self.order:
            x = getattr(self, child_name)(x)
        return x

    def rows(self, image: torch.Tensor) -> torch.Tensor:
        """(1, 3, H, W) -> (H, C): the map average-pooled to H rows and one column.

        Inputs with fewer than ``min_rows`` rows are zero-padded at the bottom for the CNN
        only (the stride-32 trunk cannot handle them) and the pooled rows of the padding are
        dropped again; inputs with enough rows are processed exactly as the official code.
        """
        n_rows = image.shape[2]
        padded = n_rows
        if n_rows < self.min_rows:
            padded = self.min_rows
            image = nn.functional.pad(image, (0, 0, 0, padded - n_rows))
        fmap = self(image)
        pooled = nn.AdaptiveAvgPool2d((padded, 1))(fmap)  # a module call: MACs hooks see it
        return pooled[0, :, :n_rows, 0].transpose(0, 1)
