"""The summarizer registry: one dict, one decorator, entry-point plugins.

A summarizer is a small factory ``f(**cfg) -> torch.nn.Module`` whose module maps features
``(T, D)`` to scores ``(T,)``, or to other outputs that its `Objective` turns into scores.
Its registration is its authors' training recipe: optimiser settings, batching, gradient
clipping, learning-rate schedule, seed and epoch-selection rule. Built-ins (``csta``,
``baselines``) and third-party plugins both arrive through the ``vsumbench.summarizers``
entry-point group, so a plugin is a first-class citizen. This module never imports torch itself: factories do, when a model is created.
"""

from __future__ import annotations

import difflib
import importlib.metadata
import inspect
import types
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from vsumbench.errors import ConfigError

ENTRY_POINT_GROUP = "vsumbench.summarizers"
#: The official CSTA seed, every model's seed unless its registration names its authors'.
DEFAULT_SEED = 123456

__all__ = [
    "DEFAULT_SEED",
    "ENTRY_POINT_GROUP",
    "PluginWarning",
    "SummarizerSpec",
    "create",
    "get_spec",
    "list_summarizers",
    "load_plugins",
    "register_summarizer",
]


class PluginWarning(UserWarning):
    """A plugin could not be loaded, or two plugins claim the same summarizer name."""


@dataclass(frozen=True)
class SummarizerSpec:
    """Everything the runner needs to build and train one registered summarizer."""

    name: str
    factory: Callable[..., Any]
    lr: float
    weight_decay: float
    epochs: int = 100
    loss: str | Callable[..., Any] = "mse"
    description: str = ""
    uses_backbone: bool = False
    trainable: bool = True
    module: str = ""
    distribution: str | None = None
    model_defaults: Mapping[str, Any] = field(default_factory=dict)
    display_name: str = ""
    labels: Mapping[str, str] = field(default_factory=dict)
    objective: Callable[[], Any] | None = None  # zero-argument factory of an `Objective`
    batch: int = 1  # videos whose gradients are summed per optimiser step
    clip: float | None = None  # max gradient norm before each step
    schedule: Callable[..., Any] | None = None  # optimizer -> per-epoch LR scheduler
    seed: int = DEFAULT_SEED
    selection: str = "paper"  # the authors' epoch-selection rule (``--selection official``)
    optimizer: str = "adam"  # "adam" or "sgd" (with ``momentum``)
    momentum: float = 0.0
    # {dataset: {field: value}}: another recipe on that dataset (Mr.HiSum's authors train
    # with batch 256, their own optimisers and schedules)
    recipes: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    # the video fields the model reads (`vsumbench.models.inputs`); "name?" = optional
    inputs: tuple[str, ...] = ("features",)
    # the authors' (or a port's) state dict -> this module's, for `predict --checkpoint`
    adapt_state_dict: Callable[[dict], dict] | None = None

    def for_dataset(self, dataset: str) -> SummarizerSpec:
        """The spec with its recipe for ``dataset`` applied (itself when it has none)."""
        import dataclasses

        recipe = self.recipes.get(dataset.lower())
        return dataclasses.replace(self, **recipe) if recipe else self

    def make_optimizer(self, params: Any, lr: float, weight_decay: float) -> Any:
        """The recipe's optimiser over ``params``."""
        import torch

        if self.optimizer == "sgd":
            return torch.optim.SGD(params, lr=lr, momentum=self.momentum, weight_decay=weight_decay)
        return torch.optim.Adam(params, lr=lr, weight_decay=weight_decay)

    def make_objective(self) -> Any:
        """A fresh `Objective`: the registered one, else regression of gtscore by ``loss``."""
        from vsumbench.models.objective import Objective

        if self.objective is not None:
            return self.objective()
        return Objective(None if self.loss == "mse" else _loss_fn(self))

    @property
    def label(self) -> str:
        """The name tables and figures print (the paper's spelling, e.g. ``CSTA``)."""
        return self.display_name or self.name

    @property
    def source(self) -> str:
        """Where the summarizer comes from: ``module`` and, once known, ``[distribution]``."""
        return f"{self.module} [{self.distribution}]" if self.distribution else self.module

    @property
    def defaults(self) -> dict[str, Any]:
        """Training hyper-parameters followed by the factory's model options."""
        train = {
            "lr": self.lr,
            "weight_decay": self.weight_decay,
            "epochs": self.epochs,
            "loss": self.loss if isinstance(self.loss, str) else _qualname(self.loss),
            "uses_backbone": self.uses_backbone,
            "trainable": self.trainable,
            "batch": self.batch,
            "clip": self.clip,
            "schedule": _qualname(self.schedule) if self.schedule else None,
            "seed": self.seed,
            "selection": self.selection,
            "optimizer": self.optimizer,
        }
        if self.objective is not None:
            train["loss"] = getattr(self.objective, "name", None) or _qualname(self.objective)
        return {**train, **dict(self.model_defaults)}


_REGISTRY: dict[str, SummarizerSpec] = {}
_LOADED = False


def _qualname(obj: Any) -> str:
    return f"{getattr(obj, '__module__', '?')}.{getattr(obj, '__qualname__', repr(obj))}"


def _loss_fn(spec: SummarizerSpec) -> Callable[..., Any]:
    if callable(spec.loss):
        return spec.loss
    raise ConfigError(
        f"summarizer {spec.name!r} asks for loss {spec.loss!r}; supported: 'mse', a callable "
        f"(scores, target) -> loss, or an Objective (objective=...)"
    )


def _factory_defaults(factory: Callable[..., Any]) -> dict[str, Any]:
    """Keyword options of a factory with their defaults (the model cfg a user may override)."""
    try:
        params = inspect.signature(factory).parameters.values()
    except (TypeError, ValueError):
        return {}
    return {p.name: p.default for p in params if p.default is not inspect.Parameter.empty}


def register_summarizer(
    name: str,
    *,
    lr: float,
    weight_decay: float,
    epochs: int = 100,
    loss: str | Callable[..., Any] = "mse",
    description: str = "",
    uses_backbone: bool = False,
    trainable: bool = True,
    display_name: str = "",
    labels: Mapping[str, str] | None = None,
    objective: Callable[[], Any] | None = None,
    batch: int = 1,
    clip: float | None = None,
    schedule: Callable[..., Any] | None = None,
    seed: int = DEFAULT_SEED,
    selection: str = "paper",
    optimizer: str = "adam",
    momentum: float = 0.0,
    recipes: Mapping[str, Mapping[str, Any]] | None = None,
    inputs: Sequence[str] = ("features",),
    adapt_state_dict: Callable[[dict], dict] | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register ``factory(**cfg) -> nn.Module`` under ``name`` (returns the factory unchanged).

    The factory builds the module only; pretrained backbone weights are loaded afterwards by
    ``vsumbench.models.weights`` when ``uses_backbone``. ``display_name`` is the row name in
    tables and figures (default: ``name``); ``labels`` are further table labels, e.g.
    ``{"table2": "(+)Skip Connection"}`` places the model on that row of Table 2.
    A second registration of a name by different code is reported (``PluginWarning``) and
    ignored: the first one wins, so a plugin cannot silently replace a built-in.

    The recipe: Adam with ``lr`` and ``weight_decay`` for ``epochs``; ``batch`` videos'
    gradients summed per step (the last incomplete batch of an epoch dropped, as PGL-SUM's
    solver does); ``clip``: max gradient norm; ``schedule(optimizer)``: an LR scheduler
    stepped after every epoch; ``seed``: the authors' seed; ``selection``: the authors'
    epoch-selection rule; ``optimizer``: ``"adam"`` or ``"sgd"`` (with ``momentum``);
    ``recipes``: ``{dataset: {field: value}}`` replacing any of these on that dataset;
    ``inputs``: the video fields the model reads (default ``features``;
    `vsumbench.models.inputs`); ``adapt_state_dict``: maps an official state dict (another
    implementation's parameter names) onto the module's.
    ``loss``: ``"mse"`` or ``(scores, gtscore) -> loss``; a model
    with other targets or outputs passes ``objective``, a class or factory of a
    `vsumbench.models.Objective`.
    """
    if int(batch) < 1 or (clip is not None and not float(clip) > 0):
        raise ConfigError(f"summarizer {name!r}: batch must be >= 1 and clip positive")
    if optimizer not in ("adam", "sgd"):
        raise ConfigError(f"summarizer {name!r}: optimizer must be 'adam' or 'sgd'")

    def decorator(factory: Callable[..., Any]) -> Callable[..., Any]:
        spec = SummarizerSpec(
            name=name,
            factory=factory,
            lr=float(lr),
            weight_decay=float(weight_decay),
            epochs=int(epochs),
            loss=loss,
            description=description or (inspect.getdoc(factory) or "").split("\n")[0],
            uses_backbone=uses_backbone,
            trainable=trainable,
            module=getattr(factory, "__module__", "?"),
            model_defaults=types.MappingProxyType(_factory_defaults(factory)),
            display_name=display_name,
            labels=types.MappingProxyType(dict(labels or {})),
            objective=objective,
            batch=int(batch),
            clip=None if clip is None else float(clip),
            schedule=schedule,
            seed=int(seed),
            selection=selection,
            optimizer=optimizer,
            momentum=float(momentum),
            recipes=types.MappingProxyType(
                {k.lower(): dict(v) for k, v in (recipes or {}).items()}
            ),
            inputs=tuple(inputs),
            adapt_state_dict=adapt_state_dict,
        )
        old = _REGISTRY.get(name)
        if old is not None and _qualname(old.factory) != _qualname(factory):
            warnings.warn(
                f"summarizer {name!r} is registered twice: first by {_qualname(old.factory)} "
                f"({old.source}), again by {_qualname(factory)}; keeping the first",
                PluginWarning,
                stacklevel=2,
            )
            return factory
        _REGISTRY[name] = spec  # same code registering again (re-import): refresh
        return factory

    return decorator


def _entry_points() -> list[importlib.metadata.EntryPoint]:
    return list(importlib.metadata.entry_points(group=ENTRY_POINT_GROUP))


def load_plugins(*, reload: bool = False) -> None:
    """Import every ``vsumbench.summarizers`` entry point once (cached).

    An entry point names a module (importing it runs its decorators) or a callable (called
    with no argument). A plugin that fails to load becomes a ``PluginWarning`` naming it; the
    other summarizers stay available.
    """
    global _LOADED
    if _LOADED and not reload:
        return
    _LOADED = True
    for ep in _entry_points():
        dist = getattr(getattr(ep, "dist", None), "name", None)
        before = set(_REGISTRY)
        try:
            obj = ep.load()
            if not isinstance(obj, types.ModuleType) and callable(obj):
                obj()
        except Exception as exc:  # a broken plugin must not break the others
            warnings.warn(
                f"could not load summarizer plugin {ep.name!r} ({ep.value}"
                f"{', from ' + dist if dist else ''}): {type(exc).__name__}: {exc}; "
                "its summarizers are unavailable",
                PluginWarning,
                stacklevel=2,
            )
            continue
        root = ep.value.split(":")[0].strip()
        for key, spec in list(_REGISTRY.items()):
            mine = key not in before or spec.module == root or spec.module.startswith(root + ".")
            if mine and spec.distribution is None and dist:
                _REGISTRY[key] = replace(spec, distribution=dist)


def _unknown(name: str, known: list[str], what: str) -> ConfigError:
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.5)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    return ConfigError(f"unknown {what} {name!r}.{hint} Known: {', '.join(known) or '(none)'}")


def get_spec(name: str) -> SummarizerSpec:
    """The registered spec of ``name``; ``ConfigError`` with a suggestion when unknown."""
    load_plugins()
    try:
        return _REGISTRY[name]
    except KeyError:
        raise _unknown(name, sorted(_REGISTRY), "summarizer") from None


def list_summarizers() -> list[str]:
    """Registered summarizer names, sorted."""
    load_plugins()
    return sorted(_REGISTRY)


def create(name: str, **cfg: Any) -> Any:
    """Build summarizer ``name`` with model options ``cfg`` (unknown options are refused,
    values are given the factory's types by `typed_options`).

    Only the module is built: no pretrained weights are read (see
    ``vsumbench.models.weights``), so building is cheap and works offline.
    """
    spec = get_spec(name)
    cfg = typed_options(name, cfg)
    check_options(name, cfg)
    return spec.factory(**cfg)


def feature_width(name: str, cfg: Mapping[str, Any] | None = None) -> int | None:
    """The feature width the model ``name`` built with options ``cfg`` reads (its factory's
    ``in_dim``), or None when it does not declare one."""
    spec = get_spec(name)
    width = dict(cfg or {}).get("in_dim", spec.model_defaults.get("in_dim"))
    return width if isinstance(width, int) and not isinstance(width, bool) else None


def check_options(name: str, cfg: Mapping[str, Any]) -> None:
    """Refuse options the factory of ``name`` does not take, suggesting the closest."""
    spec = get_spec(name)
    accepted = _factory_defaults(spec.factory)
    try:
        params = inspect.signature(spec.factory).parameters.values()
        var_kw = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params)
        accepted.update({p.name: None for p in params})
    except (TypeError, ValueError):
        var_kw = True
    if not var_kw:
        for key in cfg:
            if key not in accepted:
                raise _unknown(key, sorted(accepted), f"option for summarizer {name!r}:")


_TRUE = ("true", "1", "yes", "on")
_FALSE = ("false", "0", "no", "off")


def typed_options(name: str, cfg: Mapping[str, Any]) -> dict[str, Any]:
    """Model options with the types the factory of ``name`` declares (its annotations, else
    its defaults' types); a value that does not fit is a ConfigError naming the option.

    Options come from the command line and from JSON, where ``False`` may arrive as the
    string ``"False"`` (truthy in Python): a bool option accepts only true/false/1/0/yes/no.
    """
    spec = get_spec(name)
    types_ = _option_types(spec.factory)
    out = {}
    for key, value in cfg.items():
        kind = types_.get(key)
        try:
            out[key] = _coerce(value, kind) if kind is not None else value
        except (TypeError, ValueError):
            raise ConfigError(
                f"model option {key}={value!r} of {name!r}: expected {_describe(kind)}"
            ) from None
    return out


def _option_types(factory: Callable[..., Any]) -> dict[str, Any]:
    """Each option's declared type: its annotation, else the type of its default."""
    import typing

    try:
        params = inspect.signature(factory).parameters.values()
    except (TypeError, ValueError):
        return {}
    try:
        hints = typing.get_type_hints(factory)
    except Exception:  # unresolvable annotations: fall back on the defaults
        hints = {}
    out = {}
    for p in params:
        if p.name in hints:
            out[p.name] = hints[p.name]
        elif p.default not in (inspect.Parameter.empty, None):
            out[p.name] = type(p.default)
    return out


def _coerce(value: Any, kind: Any) -> Any:
    """``value`` as ``kind`` (bool, int, float, str, tuple/list of them, X | None)."""
    import typing

    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        for arg in (a for a in args if a is not type(None)):
            try:
                return _coerce(value, arg)
            except (TypeError, ValueError):
                continue
        raise ValueError(value)
    if origin in (tuple, list):
        if not isinstance(value, (list, tuple)):
            raise TypeError(value)
        inner = args[0] if args else None
        items = [_coerce(v, inner) if inner not in (None, Ellipsis) else v for v in value]
        return origin(items)
    if kind is bool:
        text = str(value).strip().lower()
        if isinstance(value, bool) or text in _TRUE + _FALSE:
            return value if isinstance(value, bool) else text in _TRUE
        raise ValueError(value)
    if kind is int:
        if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
            raise ValueError(value)
        return int(value)
    if kind is float:
        if isinstance(value, bool):
            raise ValueError(value)
        return float(value)
    if kind is str:
        if isinstance(value, (dict, list)):
            raise TypeError(value)
        return value if isinstance(value, str) else json_text(value)
    return value


def json_text(value: Any) -> str:
    """A scalar as the text a user typed (``--model-arg name=128`` arrives as 128)."""
    import json

    return value if isinstance(value, str) else json.dumps(value)


def _describe(kind: Any) -> str:
    import typing

    if kind is bool:
        return "true or false (also 1/0, yes/no)"
    if kind in (int, float, str):
        return {int: "an integer", float: "a number", str: "a string"}[kind]
    if typing.get_origin(kind) in (tuple, list):
        return f"a list like [4, 8] ({kind})"
    return str(kind).replace("typing.", "")
