"""Multiply-accumulate counts (Table 3) under two labelled conventions.

``paper``: the convention of the CSTA paper's Table 3, reproduced to the printed digit
(``docs/protocol.md`` section 7). It applies the ``thop`` package's per-module rules,
re-implemented here (thop is unmaintained), to every *leaf-module call* seen by a global
forward hook, so modules built inside ``forward`` count too. Functional calls
(``torch.matmul``, ``F.softmax``) are invisible, which hides e.g. VASNet's T x T attention.
Unit: G = 2**30.

``exact``: every multiply-accumulate that PyTorch's ``FlopCounterMode`` sees (matmuls,
convolutions, attention included) = FLOPs / 2. Element-wise work (norms, activations,
softmax) is not a multiply-accumulate there. Unit: G = 1e9 (SI).

Models run on the ``meta`` device: shapes flow, no arithmetic happens, so counting a
1300-step CSTA costs milliseconds.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from functools import cache
from typing import Any

import torch
from torch import nn

from vsumbench.data.frame_counts import n_steps_for, real_frame_counts
from vsumbench.errors import ConfigError

CONVENTIONS = ("paper", "exact")
UNITS = {
    "paper": ("GMACs (G = 2^30, paper/thop convention)", float(2**30)),
    "exact": ("GMACs (G = 1e9, exact multiply-accumulates)", 1e9),
}
FEATURE_DIM = 1024  # GoogLeNet pool5, the eccv16 features
FRAME_SHAPE = (1, 3, 224, 224)


# --------------------------------------------------------------------------- paper rules
def _conv(m: nn.modules.conv._ConvNd, x: torch.Tensor, y: torch.Tensor) -> float:
    kernel = math.prod(m.weight.shape[2:])
    bias = 1 if m.bias is not None else 0
    return y.numel() * (m.in_channels // m.groups * kernel + bias)


def _linear(m: nn.Linear, x: torch.Tensor, y: torch.Tensor) -> float:
    return y.numel() * m.in_features


def _norm(m: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    ops = 2 * x.numel()
    if getattr(m, "affine", False) or getattr(m, "elementwise_affine", False):
        ops *= 2
    return ops


def _adaptive_avgpool(m: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    # thop's "kernel": the (possibly fractional) ratio of input to output sizes over dims 2+,
    # taken literally (for an unbatched input that skips a spatial dim, as thop does).
    kernel = math.prod(a / b for a, b in zip(x.shape[2:], y.shape[2:], strict=True))
    return y.numel() * (kernel + 1)


def _avgpool(m: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    return y.numel()


def _softmax(m: nn.Softmax, x: torch.Tensor, y: torch.Tensor) -> float:
    # thop's rule for the nn.Softmax *module* (the functional F.softmax is not counted).
    n = x.shape[m.dim if m.dim is not None else -1]
    return (x.numel() // n) * (3 * n - 1)


def _zero(m: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    return 0


PAPER_RULES: dict[type, Callable[[nn.Module, torch.Tensor, torch.Tensor], float]] = {
    nn.modules.conv._ConvNd: _conv,
    nn.Linear: _linear,
    nn.modules.batchnorm._BatchNorm: _norm,
    nn.LayerNorm: _norm,
    nn.GroupNorm: _norm,
    nn.modules.instancenorm._InstanceNorm: _norm,
    nn.AdaptiveAvgPool1d: _adaptive_avgpool,
    nn.AdaptiveAvgPool2d: _adaptive_avgpool,
    nn.AdaptiveAvgPool3d: _adaptive_avgpool,
    nn.AvgPool1d: _avgpool,
    nn.AvgPool2d: _avgpool,
    nn.AvgPool3d: _avgpool,
    nn.Softmax: _softmax,
    nn.ReLU: _zero,
    nn.ReLU6: _zero,
    nn.LeakyReLU: _zero,
    nn.modules.pooling._MaxPoolNd: _zero,
    nn.modules.pooling._AdaptiveMaxPoolNd: _zero,
    nn.modules.dropout._DropoutNd: _zero,
    nn.Identity: _zero,
}


def _rule_for(module: nn.Module):
    for cls in type(module).__mro__:
        if cls in PAPER_RULES:
            return PAPER_RULES[cls]
    return None


@dataclass
class PaperCount:
    """Result of one forward pass under the paper convention (raw MACs, no unit)."""

    total: float = 0.0
    by_type: dict[str, float] = field(default_factory=dict)
    uncounted: set[str] = field(default_factory=set)  # leaf types with no rule (count 0, like thop)


@contextmanager
def _shape_only_batch_norm(inputs: Sequence[Any]) -> Iterator[None]:
    """On meta inputs, make ``F.batch_norm`` return an empty tensor of the input's shape.

    Its meta kernel is a Python decomposition that costs ~80% of a CSTA count, and a batch
    norm never changes the shape, so counts are identical and four times faster.
    """
    tensors = [x for x in inputs if isinstance(x, torch.Tensor)]
    if not tensors or any(x.device.type != "meta" for x in tensors):
        yield
        return
    import torch.nn.functional as F

    original = F.batch_norm
    F.batch_norm = lambda input, *args, **kwargs: torch.empty_like(input)
    try:
        yield
    finally:
        F.batch_norm = original


def paper_macs(model: nn.Module, *inputs: Any) -> PaperCount:
    """MACs of ``model(*inputs)`` under thop's per-module rules, every leaf call counted."""
    count = PaperCount()

    def hook(module: nn.Module, args: tuple, output: Any) -> None:
        if next(module.children(), None) is not None:
            return  # containers: their leaves are counted when they run
        name = type(module).__name__
        rule = _rule_for(module)
        if rule is None:
            count.uncounted.add(name)
            return
        x = args[0] if args else None
        y = output[0] if isinstance(output, tuple) else output
        if not isinstance(x, torch.Tensor) or not isinstance(y, torch.Tensor):
            count.uncounted.add(name)
            return
        ops = rule(module, x, y)
        count.total += ops
        count.by_type[name] = count.by_type.get(name, 0) + ops

    handle = nn.modules.module.register_module_forward_hook(hook)
    try:
        with torch.no_grad(), _shape_only_batch_norm(inputs):
            model(*inputs)
    finally:
        handle.remove()
    return count


def exact_macs(model: nn.Module, *inputs: Any) -> float:
    """Every multiply-accumulate PyTorch's flop counter sees in ``model(*inputs)`` (FLOPs / 2)."""
    from torch.utils.flop_counter import FlopCounterMode

    counter = FlopCounterMode(display=False)
    with counter, torch.no_grad():
        model(*inputs)
    return counter.get_total_flops() / 2


def count_macs(model: nn.Module, *inputs: Any, convention: str = "paper") -> float:
    """Raw MACs of one forward pass under ``convention`` (``paper`` or ``exact``)."""
    check_convention(convention)
    if convention == "paper":
        return paper_macs(model, *inputs).total
    return exact_macs(model, *inputs)


def check_convention(convention: str) -> None:
    if convention not in CONVENTIONS:
        raise ConfigError(
            f"unknown MACs convention {convention!r}; expected one of {', '.join(CONVENTIONS)}"
        )


# --------------------------------------------------------------------------- models
def _googlenet_meta() -> nn.Module:
    import torchvision

    with torch.device("meta"):
        net = torchvision.models.googlenet(weights=None, aux_logits=False, init_weights=True)
    return net.eval()


@cache
def googlenet_frame_macs(convention: str = "paper") -> float:
    """MACs of torchvision GoogLeNet on one 3x224x224 frame (the feature extractor, FE).

    Paper convention: 1,511,332,032 (the whole network, classifier included, as the paper
    counted it).
    """
    net = _googlenet_meta()
    return count_macs(net, torch.empty(FRAME_SHAPE, device="meta"), convention=convention)


CLIP_WIDTH, CLIP_SENTENCES = 512, 7  # what CLIP-It reads per step / per video


@cache
def clip_frame_macs(convention: str = "paper", name: str = "ViT-B-32") -> float:
    """MACs of open_clip's ``name`` image tower on one 3x224x224 frame (CLIP-It's FE).

    Under the paper convention ``nn.MultiheadAttention`` computes with functional calls and
    is not counted, as thop does not count it (``docs/protocol.md`` section 7).
    """
    try:
        import open_clip
    except ImportError:
        raise ConfigError(
            'counting CLIP-It\'s feature extractor needs open_clip: pip install -e ".[clip]"'
        ) from None
    import logging

    logging.disable(logging.WARNING)  # "no pretrained weights": none are wanted for counting
    try:
        with torch.device("meta"):
            visual = open_clip.create_model(name, pretrained=None, device="meta").visual.eval()
    finally:
        logging.disable(logging.NOTSET)
    return count_macs(visual, torch.empty(FRAME_SHAPE, device="meta"), convention=convention)


def frame_macs(model_name: str, convention: str = "paper") -> float:
    """The feature extractor's MACs per step of a model: GoogLeNet, or CLIP's image tower
    for a model that reads CLIP features."""
    from vsumbench.models.inputs import reads_clip
    from vsumbench.models.registry import get_spec

    if reads_clip(get_spec(model_name).inputs):
        return clip_frame_macs(convention)
    return googlenet_frame_macs(convention)


def meta_inputs(model_name: str, n_steps: int, device: Any = "meta") -> tuple[Any, ...]:
    """Empty inputs of one video of ``n_steps`` for counting: what the model reads."""
    from vsumbench.models.inputs import DEFAULT_INPUTS, input_fields
    from vsumbench.models.registry import get_spec

    fields = input_fields(get_spec(model_name).inputs)
    if fields == DEFAULT_INPUTS:
        return (torch.empty((n_steps, FEATURE_DIM), device=device),)
    rows = {"features_clip_image": n_steps, "features_clip_txt": CLIP_SENTENCES}
    return tuple(torch.empty((rows[f], CLIP_WIDTH), device=device) for f in fields)


def create_meta_model(name: str, **cfg: Any) -> nn.Module:
    """A registered summarizer with parameters on the meta device, in eval mode.

    Built without weights (counts do not depend on them), so nothing is downloaded.
    """
    from vsumbench.models.registry import create

    try:
        with torch.device("meta"):
            model = create(name, **cfg)
    except (RuntimeError, NotImplementedError):
        # Some initialisers refuse meta tensors: build on CPU, then drop the storage.
        model = create(name, **cfg).to("meta")
    return model.eval()


def summarizer_macs(
    model: nn.Module, n_steps: int, *, convention: str = "paper", feature_dim: int = FEATURE_DIM
) -> float:
    """Raw MACs of a summarizer scoring one video of ``n_steps`` feature vectors."""
    device = next(iter(model.parameters()), torch.empty(0, device="meta")).device
    features = torch.empty((n_steps, feature_dim), device=device)
    return count_macs(model, features, convention=convention)


@dataclass(frozen=True)
class VideoMacs:
    key: str
    n_frames: int
    n_steps: int
    fe: float  # raw MACs
    sp: float


@dataclass(frozen=True)
class DatasetMacs:
    """FE/SP MACs of one model on one dataset: per-video raw counts and the dataset means."""

    model: str
    dataset: str
    convention: str
    unit: str
    divisor: float
    params: int
    frame_source: str
    per_video: tuple[VideoMacs, ...]
    uncounted: tuple[str, ...] = ()

    @property
    def mean_n_steps(self) -> float:
        return sum(v.n_steps for v in self.per_video) / len(self.per_video)

    @property
    def fe_gmacs(self) -> float:
        return sum(v.fe for v in self.per_video) / len(self.per_video) / self.divisor

    @property
    def sp_gmacs(self) -> float:
        return sum(v.sp for v in self.per_video) / len(self.per_video) / self.divisor

    def to_json(self, per_video: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {
            "model": self.model,
            "dataset": self.dataset,
            "fe_gmacs": self.fe_gmacs,
            "sp_gmacs": self.sp_gmacs,
            "convention": self.convention,
            "unit": self.unit,
            "unit_divisor": self.divisor,
            "mean_n_steps": self.mean_n_steps,
            "n_videos": len(self.per_video),
            "params": self.params,
            "frame_source": self.frame_source,
            "uncounted_module_types": list(self.uncounted),
        }
        if per_video:
            out["per_video"] = [asdict(v) for v in self.per_video]
        return out


def dataset_frame_counts(dataset: str, data_dir: str | None = None) -> tuple[dict[str, int], str]:
    """``{key: n_frames}`` of every video: from ``data_dir``'s file, else the built-in real counts."""
    if data_dir is None:
        return real_frame_counts(dataset), "built-in real frame counts"
    from vsumbench.data.eccv16 import load_videos
    from vsumbench.data.paths import dataset_file

    path = dataset_file(dataset, data_dir)
    videos = load_videos(path, fields=())
    return {k: int(v.n_frames) for k, v in videos.items()}, str(path)


def dataset_macs(
    model_name: str,
    dataset: str,
    *,
    convention: str = "paper",
    frame_counts: Mapping[str, int] | None = None,
    frame_source: str = "given frame counts",
    model_cfg: Mapping[str, Any] | None = None,
    progress: bool = False,
) -> DatasetMacs:
    """Table 3's figures for one model: mean over ALL videos of FE and SP MACs per video.

    n_steps = ceil(n_frames / 15); FE = n_steps x GoogLeNet on one frame.
    """
    check_convention(convention)
    if frame_counts is None:
        frame_counts, frame_source = real_frame_counts(dataset), "built-in real frame counts"
    model = create_meta_model(model_name, **dict(model_cfg or {}))
    params = sum(p.numel() for p in model.parameters())
    frame = frame_macs(model_name, convention)
    unit, divisor = UNITS[convention]
    cache: dict[int, float] = {}
    uncounted: set[str] = set()
    per_video = []
    items: Sequence = list(frame_counts.items())
    if progress:
        from vsumbench.progress import progress_bar

        items = progress_bar(items, desc=f"MACs {model_name} {dataset}", unit="video", leave=False)
    for key, n_frames in items:
        n_steps = n_steps_for(int(n_frames))
        if n_steps not in cache:
            if convention == "paper":
                counted = paper_macs(model, *meta_inputs(model_name, n_steps))
                uncounted |= counted.uncounted
                cache[n_steps] = counted.total
            else:
                inputs = meta_inputs(model_name, n_steps)
                cache[n_steps] = count_macs(model, *inputs, convention=convention)
        per_video.append(VideoMacs(key, int(n_frames), n_steps, n_steps * frame, cache[n_steps]))
    if not per_video:
        raise ConfigError(f"no videos to count MACs over for dataset {dataset!r}")
    return DatasetMacs(
        model=model_name,
        dataset=dataset,
        convention=convention,
        unit=unit,
        divisor=divisor,
        params=params,
        frame_source=frame_source,
        per_video=tuple(per_video),
        uncounted=tuple(sorted(uncounted)),
    )
