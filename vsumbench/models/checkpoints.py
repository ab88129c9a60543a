"""Model checkpoints: untrusted files, loaded as tensors only and checked key by key.

Two layouts are accepted: ours (a dict with ``"state_dict"`` plus metadata such as
``"model"``), and an official bare state dict (e.g. CSTA's ``weights/<Dataset>/split<k>.pt``,
or Mr.HiSum's SL-module checkpoint of one state dict per sub-module).
Loading is always ``torch.load(weights_only=True)``: a checkpoint cannot run code.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch

from vsumbench.atomic import write_torch
from vsumbench.errors import DataError

__all__ = ["guess_model", "load_checkpoint", "load_state_dict_strict", "save_checkpoint"]

_SHOW = 5  # keys named in a message before switching to a count


def _few(keys: list[str]) -> str:
    shown = ", ".join(keys[:_SHOW])
    return shown + (f" and {len(keys) - _SHOW} more" if len(keys) > _SHOW else "")


def _flatten(obj: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """A state dict of sub-module state dicts (Mr.HiSum's SL-module checkpoints:
    ``{"transformer": {...}, "score_model": {...}}``) as one flat state dict."""
    out: dict[str, Any] = {}
    for key, value in obj.items():
        if isinstance(value, Mapping) and value and all(isinstance(k, str) for k in value):
            out.update(_flatten(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def load_checkpoint(path: str | Path) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    """Read a checkpoint: ``(state_dict, metadata)``; metadata is ``{}`` for a bare state dict."""
    path = Path(path)
    if not path.is_file():
        raise DataError("checkpoint file not found", file=path)
    try:
        obj = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:
        raise DataError(
            f"not a loadable checkpoint (only tensors and plain containers are accepted): "
            f"{type(exc).__name__}: {exc}",
            file=path,
        ) from None
    if not isinstance(obj, Mapping):
        raise DataError(
            f"expected a state dict or a checkpoint dict, found {type(obj).__name__}", file=path
        )
    if isinstance(obj.get("state_dict"), Mapping):
        meta = {k: v for k, v in obj.items() if k != "state_dict"}
        state = dict(obj["state_dict"])
    else:
        meta, state = {}, _flatten(obj)
    bad = [k for k, v in state.items() if not isinstance(v, torch.Tensor)]
    if bad:
        raise DataError(f"state dict entries are not tensors: {_few(bad)}", file=path)
    return state, meta


def save_checkpoint(path: str | Path, model: torch.nn.Module, meta: Mapping[str, Any]) -> None:
    """Write ``{"state_dict": ..., **meta}`` atomically (temp file in the same folder, rename)."""
    payload = {
        **dict(meta),
        "state_dict": {k: v.detach().cpu() for k, v in model.state_dict().items()},
    }
    write_torch(path, payload)


_KEY_SETS: dict[str, set[str]] = {}  # a registered model's key set never changes: cache it


def _registered_key_sets() -> dict[str, set[str]]:
    """State-dict key sets of every registered summarizer (built once, no weights loaded)."""
    from vsumbench.models import registry

    for name in registry.list_summarizers():
        if name in _KEY_SETS:
            continue
        try:
            _KEY_SETS[name] = set(registry.create(name).state_dict())
        except Exception:  # a model that cannot be built is simply not a candidate
            _KEY_SETS[name] = set()
    return dict(_KEY_SETS)


def guess_model(keys: set[str], exclude: str | None = None) -> str | None:
    """The registered summarizer whose state-dict keys match ``keys`` best (Jaccard > 0.5)."""
    best, score = None, 0.5
    for name, theirs in _registered_key_sets().items():
        if name == exclude or not theirs:
            continue
        s = len(keys & theirs) / len(keys | theirs)
        if s > score or (s == score and best is None and s > 0.5):
            best, score = name, s
    return best


def load_state_dict_strict(
    model: torch.nn.Module,
    state_dict: Mapping[str, torch.Tensor],
    *,
    model_name: str,
    file: str | Path | None = None,
    suggest: bool = True,
) -> None:
    """Load ``state_dict`` into ``model``, refusing missing, unexpected or mis-shaped keys.

    The error names a few offending keys (then counts them) and, when the keys fit another
    registered summarizer better, says which one the checkpoint looks like it belongs to
    (``suggest=False`` skips that search, e.g. for a backbone's own state dict).
    """
    own = model.state_dict()
    missing = [k for k in own if k not in state_dict]
    unexpected = [k for k in state_dict if k not in own]
    shapes = [
        f"{k} (checkpoint {tuple(state_dict[k].shape)}, model {tuple(own[k].shape)})"
        for k in own
        if k in state_dict and tuple(state_dict[k].shape) != tuple(own[k].shape)
    ]
    if not (missing or unexpected or shapes):
        model.load_state_dict(state_dict, strict=True)
        return
    problems = []
    if missing:
        problems.append(f"{len(missing)} missing key(s): {_few(missing)}")
    if unexpected:
        problems.append(f"{len(unexpected)} unexpected key(s): {_few(unexpected)}")
    if shapes:
        problems.append(f"{len(shapes)} wrong shape(s): {_few(shapes)}")
    message = f"checkpoint does not fit summarizer {model_name!r}: " + "; ".join(problems)
    if suggest and (missing or unexpected):
        other = guess_model(set(state_dict), exclude=model_name)
        if other is not None:
            message += f". Its keys look like those of summarizer {other!r}"
    raise DataError(message, file=file)
