"""K-fold training of a registered summarizer, as the CSTA paper trained it.

Per fold: seed everything, build the model, Adam with the model's registered lr and weight
decay, one video per optimiser step in shuffled order, MSE between scores and ``gtscore``;
after every epoch score the test (and validation) videos and evaluate them with the fast
protocol against references prepared once per fold. The epoch selection rule
(:mod:`vsumbench.runner.selection`) decides which epoch the fold reports.

Speed: the data file is read once per run; features and targets live on the device as
tensors for the whole run, so an epoch touches neither the disk nor the host.

Resume: after every epoch the full training state (model, optimiser, RNG states, history,
chosen-so-far weights and scores) is saved atomically to ``state.pt``; a rerun continues at
the next epoch. A finished fold (``result.json`` with status ``complete``) is skipped
unless ``force``.
"""

from __future__ import annotations

import math
import os
import random
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from vsumbench.errors import ConfigError, PredictionError
from vsumbench.runner import results as store
from vsumbench.runner.environment import capture_environment
from vsumbench.runner.predict import score_videos
from vsumbench.runner.selection import EpochSelector, check_selection, validation_split

DEFAULT_SEED = 123456
STATE_FORMAT = 1
BACKBONE_INITS = ("imagenet", "random")


def seeds_from(count: int, start: int = DEFAULT_SEED) -> list[int]:
    """``--seeds K``: the K consecutive seeds ``start, start + 1, ...`` (start = 123456)."""
    if count < 1:
        raise ConfigError(f"--seeds must be at least 1, got {count}")
    return [start + i for i in range(count)]


def resolve_device(name: str = "auto") -> torch.device:
    """``auto`` -> CUDA when available, else CPU; ``cuda`` without a GPU is an error."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    device = torch.device(name)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ConfigError(
            f"--device {name} requested but CUDA is not available "
            f"(torch {torch.__version__}, built with CUDA {torch.version.cuda}); use --device cpu"
        )
    return device


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


@dataclass
class RunConfig:
    """What ``vsumbench run`` was asked to do (``None`` = the model's registered default)."""

    model: str
    dataset: str
    data_dir: str | None = None
    splits: str | None = None
    epochs: int | None = None
    seeds: Sequence[int] = (DEFAULT_SEED,)
    folds: Sequence[int] | None = None
    device: str = "auto"
    selection: str = "paper"
    results: str = "results"
    backbone_init: str = "imagenet"
    deterministic: bool = False
    force: bool = False
    lr: float | None = None
    weight_decay: float | None = None
    progress: bool = True


@dataclass
class Benchmark:
    """A dataset loaded once per run: videos, on-device tensors, splits, references input."""

    dataset: str
    data_file: Path
    split_file: Path
    synthetic: bool
    videos: dict[str, Any]
    features: dict[str, torch.Tensor]
    targets: dict[str, torch.Tensor]
    splits: list[Any]
    annotations: Any = None


@dataclass
class RunReport:
    """The outcome of :func:`run`: one result dict per (seed, fold), and where they are."""

    results: list[dict[str, Any]]
    root: Path
    skipped: list[str] = field(default_factory=list)


def load_benchmark(config: RunConfig, device: torch.device) -> Benchmark:
    """Read the data file once and move features and targets to ``device``."""
    from vsumbench.data import is_synthetic, load_videos
    from vsumbench.paths import dataset_file, split_file
    from vsumbench.splits import load_splits

    dataset = config.dataset.lower()
    data_file = dataset_file(dataset, config.data_dir)
    videos = load_videos(data_file, fields=("features", "gtscore", "user_summary"))
    split_path = Path(config.splits) if config.splits else split_file(dataset, config.data_dir)
    splits = load_splits(split_path, videos.keys())
    annotations = _load_annotations(dataset, config.data_dir)
    features = {k: torch.as_tensor(v.features, device=device) for k, v in videos.items()}
    targets = {k: torch.as_tensor(v.gtscore, device=device) for k, v in videos.items()}
    return Benchmark(
        dataset=dataset,
        data_file=data_file,
        split_file=split_path,
        synthetic=is_synthetic(data_file),
        videos=videos,
        features=features,
        targets=targets,
        splits=list(splits),
        annotations=annotations,
    )


def _load_annotations(dataset: str, data_dir: str | None) -> Any:
    """TVSum's per-annotator scores (its rank correlations need them); None for SumMe."""
    if dataset != "tvsum":
        return None
    from vsumbench.annotations import load_annotations
    from vsumbench.paths import annotation_file

    return load_annotations(annotation_file(data_dir))


def _loss_function(spec: Any) -> Callable[[torch.Tensor, torch.Tensor], torch.Tensor]:
    loss = getattr(spec, "loss", "mse")
    if callable(loss):
        return loss
    if loss == "mse":
        return F.mse_loss
    raise ConfigError(
        f"summarizer {spec.name!r} asks for loss {loss!r}; supported: 'mse' or a callable"
    )


def train_epoch(
    model: torch.nn.Module,
    optimizer: torch.optim.Optimizer,
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    keys: Sequence[str],
    features: Mapping[str, torch.Tensor],
    targets: Mapping[str, torch.Tensor],
    generator: torch.Generator,
) -> float:
    """One pass over ``keys`` in shuffled order, one video per optimiser step; mean loss."""
    model.train()
    order = torch.randperm(len(keys), generator=generator).tolist()
    total = None
    for i in order:
        key = keys[i]
        optimizer.zero_grad(set_to_none=True)
        scores = model(features[key]).reshape(-1)
        target = targets[key]
        if scores.shape != target.shape:
            raise PredictionError(
                f"model returned {tuple(scores.shape)} scores in training, expected "
                f"({target.shape[0]},), one per step",
                video=key,
            )
        loss = loss_fn(scores, target.to(scores.dtype))
        loss.backward()
        optimizer.step()
        # Accumulate on the device: no host sync per step.
        total = loss.detach() if total is None else total + loss.detach()
    return float(total.item()) / len(keys) if total is not None else math.nan


def _num(value: Any) -> float | None:
    return None if value is None else float(value)


def _metrics(evaluation: Any, prefix: str) -> dict[str, float | None]:
    return {
        f"{prefix}_kendall": _num(evaluation.kendall),
        f"{prefix}_spearman": _num(evaluation.spearman),
        f"{prefix}_f1": _num(evaluation.f1),
    }


def _per_video(evaluation: Any) -> dict[str, dict[str, Any]]:
    """``{key: {kendall, spearman, f1[, flags]}}`` of one evaluation."""
    return {key: score.to_dict() for key, score in evaluation.per_video.items()}


def _rng_state(generator: torch.Generator) -> dict[str, Any]:
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


def _set_rng_state(state: Mapping[str, Any], generator: torch.Generator) -> None:
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


def _cpu_state_dict(model: torch.nn.Module) -> dict[str, torch.Tensor]:
    return {k: v.detach().to("cpu", copy=True) for k, v in model.state_dict().items()}


def _to_cpu(obj: Any) -> Any:
    """A deep copy with every tensor on the CPU (the optimiser's state is live otherwise)."""
    if isinstance(obj, torch.Tensor):
        return obj.detach().to("cpu", copy=True)
    if isinstance(obj, Mapping):
        return {k: _to_cpu(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_to_cpu(v) for v in obj]
    if isinstance(obj, tuple):
        return tuple(_to_cpu(v) for v in obj)
    return obj


class _StateWriter:
    """Writes resume states in a background thread, one at a time.

    The snapshot is taken synchronously (CPU copies), so training goes on while the file
    is written; a failed write surfaces at the next ``submit`` or at ``wait``. The write
    itself is atomic, so a crash leaves the previous epoch's state in place.
    """

    def __init__(self) -> None:
        from concurrent.futures import ThreadPoolExecutor

        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="vsumbench-state")
        self._pending: Any = None

    def submit(self, directory: Path, state: dict[str, Any]) -> None:
        self.wait()
        self._pending = self._pool.submit(store.save_state, directory, state)

    def wait(self) -> None:
        if self._pending is not None:
            pending, self._pending = self._pending, None
            pending.result()

    def close(self) -> None:
        try:
            self.wait()
        finally:
            self._pool.shutdown(wait=True)


@dataclass
class _Fold:
    """Everything fixed about one fold before training starts."""

    seed: int
    index: int
    directory: Path
    train_keys: list[str]
    val_keys: list[str]
    test_keys: list[str]
    epochs: int
    lr: float
    weight_decay: float
    init: str

    def signature(self, config: RunConfig, bench: Benchmark) -> dict[str, Any]:
        """What must match for a saved state or result to belong to this request."""
        return {
            "model": config.model,
            "dataset": bench.dataset,
            "selection": config.selection,
            "backbone_init": config.backbone_init,
            "seed": self.seed,
            "fold": self.index,
            "epochs": self.epochs,
            "lr": self.lr,
            "weight_decay": self.weight_decay,
            "train_keys": list(self.train_keys),
            "val_keys": list(self.val_keys),
            "test_keys": list(self.test_keys),
        }


def _mismatch(saved: Mapping[str, Any], wanted: Mapping[str, Any]) -> list[str]:
    return [
        f"{k}: saved {saved.get(k)!r}, requested {wanted[k]!r}"
        for k in wanted
        if saved.get(k) != wanted[k]
    ]


def _check_existing(result: Mapping[str, Any], signature: Mapping[str, Any], where: Path) -> None:
    saved = dict(result.get("config", {}))
    saved.update({k: result.get(k) for k in ("model", "dataset", "selection", "seed", "fold")})
    saved["backbone_init"] = result.get("backbone_init")
    saved["train_keys"] = result.get("train_keys")
    saved["val_keys"] = result.get("val_keys", [])
    saved["test_keys"] = result.get("test_keys")
    diff = _mismatch(saved, signature)
    if diff:
        raise ConfigError(
            f"{where} already holds a finished result made with other settings "
            f"({'; '.join(diff[:3])}). Rerun with --force to overwrite it, or use "
            f"another --results directory"
        )


def run_fold(
    config: RunConfig,
    spec: Any,
    bench: Benchmark,
    fold: _Fold,
    device: torch.device,
    *,
    environment: Mapping[str, Any],
    progress: Any = None,
) -> dict[str, Any]:
    """Train one fold (resuming from ``state.pt`` when present); returns its result dict."""
    from vsumbench.protocol import evaluate, make_references
    from vsumbench.registry import create

    signature = fold.signature(config, bench)
    state = store.load_state(fold.directory)
    if state is not None:
        diff = _mismatch(state.get("signature", {}), signature)
        if state.get("format") != STATE_FORMAT or diff:
            raise ConfigError(
                f"{fold.directory / store.STATE_FILE} is the resume state of a run with other "
                f"settings ({'; '.join(diff[:3]) or 'older format'}). Rerun with --force to "
                f"start this fold again"
            )

    seed_everything(fold.seed)
    model_cfg = {"backbone_init": config.backbone_init} if spec.uses_backbone else {}
    if "seed" in spec.model_defaults:
        # Models that draw their own randomness (the random scorer) follow the run's seed.
        model_cfg["seed"] = fold.seed
    model = create(config.model, **model_cfg).to(device)
    params = [p for p in model.parameters() if p.requires_grad]
    trainable = bool(getattr(spec, "trainable", True)) and bool(params)
    optimizer = (
        torch.optim.Adam(params, lr=fold.lr, weight_decay=fold.weight_decay) if trainable else None
    )
    loss_fn = _loss_function(spec)
    generator = torch.Generator().manual_seed(fold.seed)

    videos = bench.videos
    references_kw = {"annotations": bench.annotations} if bench.annotations is not None else {}
    test_refs = make_references(
        {k: videos[k] for k in fold.test_keys}, bench.dataset, **references_kw
    )
    val_refs = (
        make_references({k: videos[k] for k in fold.val_keys}, bench.dataset, **references_kw)
        if fold.val_keys
        else None
    )

    selector = EpochSelector(config.selection)
    history: list[dict[str, Any]] = []
    best: dict[str, Any] | None = None
    start = 1
    if state is not None:
        model.load_state_dict(state["model"])
        if optimizer is not None and state.get("optimizer") is not None:
            optimizer.load_state_dict(state["optimizer"])
        _set_rng_state(state["rng"], generator)
        history = list(state["history"])
        selector = EpochSelector.from_state(state["selector"])
        best = state["best"]
        start = int(state["epoch"]) + 1

    epochs = fold.epochs if trainable else 1
    bar = _epoch_bar(progress, config, fold, epochs, start)
    fold_start = time.perf_counter()
    writer = _StateWriter()
    try:
        for epoch in range(start, epochs + 1):
            t0 = time.perf_counter()
            loss = (
                train_epoch(
                    model,
                    optimizer,
                    loss_fn,
                    fold.train_keys,
                    bench.features,
                    bench.targets,
                    generator,
                )
                if trainable
                else math.nan
            )
            test_scores = _score(model, fold.test_keys, bench, config.model, epoch)
            test_eval = evaluate(test_scores, test_refs)
            record: dict[str, Any] = {"epoch": epoch, "loss": loss, **_metrics(test_eval, "test")}
            if val_refs is not None:
                val_eval = evaluate(
                    _score(model, fold.val_keys, bench, config.model, epoch), val_refs
                )
                record.update(_metrics(val_eval, "val"))
            record["seconds"] = time.perf_counter() - t0
            history.append(record)
            if selector.update(record):
                best = {
                    "epoch": epoch,
                    "state_dict": _cpu_state_dict(model),
                    "scores": {k: torch.from_numpy(v) for k, v in test_scores.items()},
                    "per_video": _per_video(test_eval),
                    **_metrics(test_eval, "test"),
                }
            writer.submit(
                fold.directory,
                {
                    "format": STATE_FORMAT,
                    "signature": signature,
                    "epoch": epoch,
                    "model": _cpu_state_dict(model),
                    "optimizer": _to_cpu(optimizer.state_dict()) if optimizer is not None else None,
                    "rng": _rng_state(generator),
                    "history": [dict(r) for r in history],
                    "selector": selector.state_dict(),
                    "best": best,
                },
            )
            if bar is not None:
                bar.update(1)
                bar.set_postfix(
                    loss=f"{loss:.4f}",
                    tau=f"{record['test_kendall']:.3f}",
                    rho=f"{record['test_spearman']:.3f}",
                    best=selector.best_epoch,
                )
    finally:
        writer.close()  # the last epoch's state is on disk before anything else is written
        if bar is not None:
            bar.close()

    return _finish(
        config,
        spec,
        bench,
        fold,
        signature,
        history,
        selector,
        best,
        model,
        environment,
        device,
        time.perf_counter() - fold_start,
    )


def _epoch_bar(progress: Any, config: RunConfig, fold: _Fold, epochs: int, start: int) -> Any:
    if progress is None:
        return None
    from tqdm.auto import tqdm

    return tqdm(
        total=epochs,
        initial=start - 1,
        desc=f"seed {fold.seed} fold {fold.index}",
        unit="epoch",
        leave=False,
        disable=not config.progress,
    )


def _score(
    model: torch.nn.Module, keys: Sequence[str], bench: Benchmark, name: str, epoch: int
) -> dict[str, np.ndarray]:
    scores = score_videos(model, {k: bench.features[k] for k in keys})
    bad = [k for k, s in scores.items() if not np.all(np.isfinite(s))]
    if bad:
        raise PredictionError(
            f"{name} produced NaN/inf scores after epoch {epoch} (training diverged?); "
            f"first video {bad[0]}, {len(bad)} video(s) affected",
            video=bad[0],
        )
    return scores


def _finish(
    config: RunConfig,
    spec: Any,
    bench: Benchmark,
    fold: _Fold,
    signature: Mapping[str, Any],
    history: list[dict[str, Any]],
    selector: EpochSelector,
    best: dict[str, Any] | None,
    model: torch.nn.Module,
    environment: Mapping[str, Any],
    device: torch.device,
    seconds: float,
) -> dict[str, Any]:
    """Write predictions and checkpoint of the chosen epoch, then result.json, then drop state."""
    from vsumbench.checkpoints import save_checkpoint
    from vsumbench.protocol import write_predictions

    note = None
    if best is None:
        # No epoch satisfied the rule (every correlation undefined): report the last one.
        last = history[-1]
        note = f"no epoch met the {config.selection} rule; the last epoch is reported"
        best = {
            "epoch": last["epoch"],
            "state_dict": _cpu_state_dict(model),
            "scores": {
                k: torch.from_numpy(v)
                for k, v in _score(
                    model, fold.test_keys, bench, config.model, last["epoch"]
                ).items()
            },
            "per_video": None,
            **{k: last[k] for k in ("test_kendall", "test_spearman", "test_f1")},
        }
    directory = fold.directory
    scores = {k: best["scores"][k].numpy() for k in fold.test_keys}
    per_video = best["per_video"]
    if per_video is None:
        from vsumbench.protocol import evaluate, make_references

        kw = {"annotations": bench.annotations} if bench.annotations is not None else {}
        refs = make_references({k: bench.videos[k] for k in fold.test_keys}, bench.dataset, **kw)
        per_video = _per_video(evaluate(scores, refs))
    write_predictions(directory / store.PREDICTIONS_FILE, scores)

    model.load_state_dict(best["state_dict"])
    metadata = {
        "model": config.model,
        "dataset": bench.dataset,
        "fold": fold.index,
        "seed": fold.seed,
        "selection": config.selection,
        "epoch": best["epoch"],
        "backbone_init": config.backbone_init,
        "kendall": best["test_kendall"],
        "spearman": best["test_spearman"],
        "f1": best["test_f1"],
    }
    save_checkpoint(directory / store.CHECKPOINT_FILE, model, metadata)  # atomic itself

    result = {
        "model": config.model,
        "dataset": bench.dataset,
        "fold": fold.index,
        "seed": fold.seed,
        "selection": config.selection,
        "backbone_init": config.backbone_init,
        "init": fold.init,
        "backbone_weights": getattr(model, "backbone_init", None),
        "data": {
            "dir": str(bench.data_file.parent),
            "file": str(bench.data_file),
            "synthetic": bench.synthetic,
            "splits": str(bench.split_file),
        },
        "config": {
            **{k: signature[k] for k in ("epochs", "lr", "weight_decay")},
            "loss": spec.loss
            if isinstance(spec.loss, str)
            else getattr(spec.loss, "__name__", "custom"),
            "optimizer": "Adam",
            "batch": "one video per step, shuffled",
            "device": str(device),
            "deterministic": config.deterministic,
            "trainable": optimizer_used(history),
            "model_source": getattr(spec, "source", None),
        },
        "environment": dict(environment),
        "epochs": history,
        "chosen_epoch": best["epoch"],
        "kendall": best["test_kendall"],
        "spearman": best["test_spearman"],
        "f1": best["test_f1"],
        "per_video": per_video,
        "train_keys": list(fold.train_keys),
        "val_keys": list(fold.val_keys),
        "test_keys": list(fold.test_keys),
        "seconds": seconds,
        "status": store.STATUS_COMPLETE,
    }
    if note:
        result["note"] = note
    store.write_json(directory / store.RESULT_FILE, result)
    state_path = directory / store.STATE_FILE
    if state_path.exists():
        state_path.unlink()
    return result


def optimizer_used(history: Sequence[Mapping[str, Any]]) -> bool:
    """Whether the fold trained (a non-trainable scorer records no loss)."""
    return any(r.get("loss") is not None and math.isfinite(r["loss"]) for r in history)


def _folds(config: RunConfig, bench: Benchmark, spec: Any, init: str, root: Path) -> list[_Fold]:
    n = len(bench.splits)
    indices = list(config.folds) if config.folds is not None else list(range(n))
    bad = [i for i in indices if not 0 <= i < n]
    if bad:
        raise ConfigError(
            f"--folds {bad} out of range: {bench.split_file} has {n} folds (0..{n - 1})"
        )
    if not getattr(spec, "trainable", True):
        epochs = 1  # a fixed scorer (e.g. `random`) is evaluated once, never trained
    else:
        epochs = int(config.epochs if config.epochs is not None else spec.epochs)
    if epochs < 1:
        raise ConfigError(f"--epochs must be at least 1, got {epochs}")
    lr = float(config.lr if config.lr is not None else spec.lr)
    wd = float(config.weight_decay if config.weight_decay is not None else spec.weight_decay)
    out = []
    for seed in config.seeds:
        for i in indices:
            split = bench.splits[i]
            train = list(split.train_keys)
            val: list[str] = []
            if config.selection == "val":
                train, val = validation_split(train, seed, i)
            key = store.RunKey(bench.dataset, config.model, config.selection, init, int(seed), i)
            out.append(
                _Fold(
                    int(seed),
                    i,
                    key.path(root),
                    train,
                    val,
                    list(split.test_keys),
                    epochs,
                    lr,
                    wd,
                    init,
                )
            )
    return out


def check_backbone_init(value: str) -> str:
    """``imagenet``, ``random`` or an existing weights file."""
    if value in BACKBONE_INITS or Path(value).is_file():
        return value
    raise ConfigError(
        f"--backbone-init {value!r}: expected 'imagenet', 'random' or a path to a weights file "
        f"(no such file)"
    )


def run(config: RunConfig) -> RunReport:
    """Train every requested (seed, fold); skip finished ones; print nothing (see the CLI)."""
    from vsumbench.registry import get_spec

    check_selection(config.selection)
    check_backbone_init(config.backbone_init)
    spec = get_spec(config.model)
    device = resolve_device(config.device)
    set_determinism(config.deterministic)
    root = Path(config.results)
    bench = load_benchmark(config, device)
    if not spec.uses_backbone:  # the option does not apply: record it as such
        config = replace(config, backbone_init=store.NO_BACKBONE)
    init = store.init_label(config.backbone_init, spec.uses_backbone)
    folds = _folds(config, bench, spec, init, root)
    environment = capture_environment(device)

    from tqdm.auto import tqdm

    report = RunReport(results=[], root=root)
    outer = tqdm(
        folds, desc=f"{config.model} on {bench.dataset}", unit="fold", disable=not config.progress
    )
    for fold in outer:
        signature = fold.signature(config, bench)
        existing = store.read_result(fold.directory)
        if existing is not None and existing.get("status") == store.STATUS_COMPLETE:
            if not config.force:
                _check_existing(existing, signature, fold.directory)
                existing["path"] = str(fold.directory)
                report.results.append(existing)
                report.skipped.append(str(fold.directory))
                continue
        if config.force:
            store.clear_fold(fold.directory)
        result = run_fold(
            config, spec, bench, fold, device, environment=environment, progress=outer
        )
        result["path"] = str(fold.directory)
        report.results.append(result)
        outer.set_postfix(tau=f"{result['kendall']:.3f}", rho=f"{result['spearman']:.3f}")
    outer.close()
    return report


def config_dict(config: RunConfig) -> dict[str, Any]:
    """The run request as plain data (for logs)."""
    return asdict(config)
