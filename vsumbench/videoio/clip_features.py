"""CLIP image and text features of your videos (what CLIP-It reads), with open_clip.

The encoder is open_clip's (``pip install -e ".[clip]"``), ViT-B-32 unless told otherwise.
Its weights come from, in order: ``--encoder-weights PATH`` (a state dict of that model, or
a checkpoint holding one under ``state_dict``), else the user's open_clip / Hugging Face cache
(open_clip's ``openai`` weights, which the first use downloads when the machine has a
network), or ``--encoder-init random`` (tests only: the features mean nothing).

Frames are decoded by `vsumbench.videoio.decode` (the shorter side scaled to the crop size by
PyAV's scaler, a centre crop), then normalised with CLIP's mean and standard deviation; open_clip
itself resizes with PIL's bicubic filter, so the features differ from its pipeline's in the
last digits. Text: open_clip's tokenizer, then ``encode_text``. Both as the encoder gives them
(not normalised): the model prepares its input itself.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

import numpy as np
import torch

from vsumbench.errors import ConfigError, DataError, DataNotFoundError

__all__ = ["CLIP_MEAN", "CLIP_STD", "DEFAULT_ENCODER", "ClipFeatures"]

DEFAULT_ENCODER = "ViT-B-32"
CLIP_MEAN = (0.48145466, 0.4578275, 0.40821073)
CLIP_STD = (0.26862954, 0.26130258, 0.27577711)


def _open_clip() -> Any:
    try:
        import open_clip
    except ImportError:
        raise ConfigError(
            'CLIP features need open_clip: pip install -e ".[clip]" (or pip install '
            "open_clip_torch)"
        ) from None
    return open_clip


class ClipFeatures:
    """``images (B, H, W, 3) uint8 RGB -> (B, D)`` and ``sentences -> (N, D)`` with one CLIP
    model; the same interface as `vsumbench.videoio.features.FrameFeatures`."""

    def __init__(self, name: str = DEFAULT_ENCODER, weights: str | Path = "auto", *,
                 device: str | torch.device = "auto", batch_size: int = 64,
                 image_size: int = 224) -> None:  # fmt: skip
        from vsumbench.runner.environment import resolve_device

        open_clip = _open_clip()
        known = open_clip.list_models()
        if name not in known:
            close = difflib.get_close_matches(name, known, n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise ConfigError(f"open_clip does not know the encoder {name!r}{hint}")
        self.name, self.batch_size, self.image_size = name, int(batch_size), int(image_size)
        self.device = (
            resolve_device(str(device)) if not isinstance(device, torch.device) else device
        )
        self.model, self.source = self._build(open_clip, name, weights)
        self.model = self.model.eval().to(self.device)
        self.tokenizer = open_clip.get_tokenizer(name)
        self._mean = torch.tensor(CLIP_MEAN, device=self.device).view(1, 3, 1, 1)
        self._std = torch.tensor(CLIP_STD, device=self.device).view(1, 3, 1, 1)

    @staticmethod
    def _build(open_clip: Any, name: str, weights: str | Path) -> tuple[Any, str]:
        if str(weights) == "random":
            import logging

            torch.manual_seed(0)  # the same random encoder every time (tests)
            logging.disable(logging.WARNING)  # open_clip warns that no weights were loaded
            try:
                model = open_clip.create_model(name, pretrained=None)
            finally:
                logging.disable(logging.NOTSET)
            return model, f"{name}, random (testing only)"
        if str(weights) == "auto":
            try:
                return open_clip.create_model(name, pretrained="openai"), f"{name}, openai"
            except Exception as exc:  # no cache and no network, or no such tag
                raise DataNotFoundError(
                    f"no CLIP weights for {name} in the open_clip / Hugging Face cache and "
                    f"none could be downloaded ({type(exc).__name__}); pass --encoder-weights "
                    f"PATH (a state dict of {name})"
                ) from None
        return ClipFeatures._from_file(open_clip, name, Path(weights)), f"{name}, {weights}"

    @staticmethod
    def _from_file(open_clip: Any, name: str, path: Path) -> Any:
        from vsumbench.models.checkpoints import load_checkpoint

        state, _ = load_checkpoint(path)  # tensors only, never code
        model = open_clip.create_model(name, pretrained=None)
        own = model.state_dict()
        missing = [k for k in own if k not in state]
        shapes = [k for k in own if k in state and tuple(state[k].shape) != tuple(own[k].shape)]
        if missing or shapes:
            raise DataError(
                f"not a {name} CLIP state dict: {len(missing)} of its {len(own)} weights "
                f"missing, {len(shapes)} of another shape (first: "
                f"{(missing or shapes)[0]})",
                file=path,
            )
        model.load_state_dict({k: state[k] for k in own})
        return model

    @property
    def resize_to(self) -> int:
        """CLIP scales the shorter side to the crop size, then crops the centre."""
        return self.image_size

    @property
    def width(self) -> int:
        return int(self.model.visual.output_dim)

    def encode(self, images: np.ndarray) -> torch.Tensor:
        x = torch.from_numpy(np.ascontiguousarray(images)).to(self.device)
        x = (x.permute(0, 3, 1, 2).float() / 255.0 - self._mean) / self._std
        if x.shape[-1] != self.model.visual.image_size[0]:  # quick tests use small frames
            x = torch.nn.functional.interpolate(x, size=self.model.visual.image_size,
                                                mode="bilinear", align_corners=False)  # fmt: skip
        with torch.inference_mode():
            return self.model.encode_image(x).float()

    def encode_text(self, sentences: list[str]) -> np.ndarray:
        """(N, D) text features, one per sentence."""
        tokens = self.tokenizer(list(sentences)).to(self.device)
        with torch.inference_mode():
            return self.model.encode_text(tokens).float().cpu().numpy()
