"""What a summarizer reads of a video: the inputs its registration declares.

Most summarizers read ``features`` (the GoogLeNet pool5 steps) and get one tensor (T, D). A
model that declares other inputs (CLIP-It: ``features_clip_image`` and, unless it runs
image-only, ``features_clip_txt``) gets a ``{name: tensor}`` dict, built here from the
video's fields; the loader reads only the declared fields, and a missing one is refused in
one line that names the command which adds it. A trailing ``?`` marks an input a model can
do without (it is loaded when present).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

__all__ = [
    "DEFAULT_INPUTS",
    "check_inputs",
    "input_fields",
    "model_input",
    "n_steps",
    "reads_clip",
    "required_inputs",
    "to_device",
]

DEFAULT_INPUTS = ("features",)
#: How a missing input is added to a file.
HOW_TO_ADD = {
    "features": "`vsumbench data extract VIDEOS --out FILE`",
    "features_clip_image": "`vsumbench data extract VIDEOS --encoder clip --captions "
    "FILE.json --out FILE` (the synthetic benchmark of `vsumbench data synth` has them)",
    "features_clip_txt": "`vsumbench data extract VIDEOS --encoder clip --captions FILE.json` "
    "or `--query TEXT` (the synthetic benchmark of `vsumbench data synth` has them)",
}


def input_fields(inputs: Sequence[str]) -> tuple[str, ...]:
    """Every field a model reads (optional ones included)."""
    return tuple(name.rstrip("?") for name in inputs)


def reads_clip(inputs: Sequence[str]) -> bool:
    """Whether a model reads CLIP features (and so needs a CLIP encoder, not GoogLeNet)."""
    return "features_clip_image" in input_fields(inputs)


def required_inputs(inputs: Sequence[str]) -> tuple[str, ...]:
    return tuple(name for name in inputs if not name.endswith("?"))


def check_inputs(
    videos: Mapping[str, Any], inputs: Sequence[str], model: str, *, file: Any
) -> None:
    """Refuse, naming the file, the first video and the field, when a video lacks an input
    the model needs."""
    from vsumbench.errors import DataError

    for field in required_inputs(inputs):
        for key, video in videos.items():
            if getattr(video, field, None) is None:
                raise DataError(
                    f"{model} reads {field}, which this file does not have; add it with "
                    f"{HOW_TO_ADD.get(field, 'the command that made the file')}",
                    file=file, video=key, field=field,
                )  # fmt: skip


def model_input(video: Any, inputs: Sequence[str], device: Any) -> Any:
    """The model's input for one video: a tensor for the default input, else a dict."""
    import torch

    fields = input_fields(inputs)
    if fields == DEFAULT_INPUTS:
        return torch.as_tensor(video.features, device=device)
    return {name: torch.as_tensor(getattr(video, name), device=device)
            for name in fields if getattr(video, name, None) is not None}  # fmt: skip


def to_device(x: Any, device: Any) -> Any:
    import torch

    if isinstance(x, Mapping):
        return {k: torch.as_tensor(v, device=device) for k, v in x.items()}
    return torch.as_tensor(x, device=device)


def n_steps(x: Any) -> int:
    """Steps of a model input (the first field's rows for a dict)."""
    if isinstance(x, Mapping):
        return int(next(iter(x.values())).shape[0])
    return int(x.shape[0])


def first_array(x: Any) -> Any:
    """The array a width or duplicate check looks at."""
    return next(iter(x.values())) if isinstance(x, Mapping) else x


def fields_to_load(inputs: Iterable[str], *extra: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys((*input_fields(tuple(inputs)), *extra)))
