"""The result store: where a training run writes, how it writes, and how readers find it.

Layout (docs/architecture.md)::

    <root>/<dataset>/<model>/<selection>-<init>/seed<S>/fold<k>/
        result.json      complete record, written last (its presence means "done")
        checkpoint.pt    weights of the chosen epoch
        predictions.h5   test scores of the chosen epoch, in `vsumbench evaluate` format
        state.pt         resume state after the last finished epoch, removed when done

Every file is written to a temporary name in the same directory and moved into place
with ``os.replace``, so a crash never leaves a half-written file under the final name.
This module imports torch only inside the functions that save or load ``.pt`` files, so
tables and plots can discover results without it.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from vsumbench.atomic import atomic_path, json_safe, write_json  # noqa: F401 (re-exported)
from vsumbench.errors import DataError
from vsumbench.runner.selection import check_selection

RESULT_FILE = "result.json"
CHECKPOINT_FILE = "checkpoint.pt"
PREDICTIONS_FILE = "predictions.h5"
STATE_FILE = "state.pt"
STATUS_COMPLETE = "complete"
NO_BACKBONE = "none"  # the init label of models without a pretrained backbone


def init_label(backbone_init: str, has_backbone: bool) -> str:
    """The ``<init>`` part of a result path.

    ``imagenet`` and ``random`` stay as they are; a weights file becomes ``file-<stem>``
    (its full path is recorded in ``result.json``); models without a backbone get
    ``none`` because the option does not apply to them.
    """
    if not has_backbone:
        return NO_BACKBONE
    if backbone_init in ("imagenet", "random"):
        return backbone_init
    stem = Path(backbone_init).stem or "weights"
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in stem)
    return f"file-{safe}"


@dataclass(frozen=True)
class RunKey:
    """Identifies one fold of one training run; ``path(root)`` is its directory."""

    dataset: str
    model: str
    selection: str
    init: str
    seed: int
    fold: int

    def path(self, root: str | os.PathLike) -> Path:
        check_selection(self.selection)
        return (
            Path(root)
            / self.dataset.lower()
            / self.model
            / f"{self.selection}-{self.init}"
            / f"seed{self.seed}"
            / f"fold{self.fold}"
        )


# ---------------------------------------------------------------- atomic writes


def torch_save(path: str | os.PathLike, obj: Any) -> None:
    """``torch.save`` atomically."""
    import torch

    with atomic_path(path) as tmp:
        torch.save(obj, tmp)


def save_with(path: str | os.PathLike, writer: Callable[[Path], None]) -> None:
    """Call ``writer(tmp_path)`` and move the result over ``path`` atomically."""
    with atomic_path(path) as tmp:
        writer(tmp)


# ---------------------------------------------------------------- reading results


def read_result(fold_dir: str | os.PathLike) -> dict[str, Any] | None:
    """The fold's ``result.json`` as a dict, or None when there is none."""
    path = Path(fold_dir) / RESULT_FILE
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise DataError(f"result file is not valid JSON ({exc})", file=path) from None


def is_complete(fold_dir: str | os.PathLike) -> bool:
    """True when the fold finished: its ``result.json`` exists with status ``complete``."""
    result = read_result(fold_dir)
    return result is not None and result.get("status") == STATUS_COMPLETE


def discover(
    root: str | os.PathLike,
    *,
    dataset: str | None = None,
    model: str | None = None,
    selection: str | None = None,
) -> list[dict[str, Any]]:
    """Every complete ``result.json`` under ``root`` (optionally filtered), with its ``path``.

    Sorted by dataset, model, selection-init, seed and fold, so tables are stable.
    """
    root = Path(root)
    found = []
    for path in root.glob(f"*/*/*/seed*/fold*/{RESULT_FILE}"):
        result = read_result(path.parent)
        if result is None or result.get("status") != STATUS_COMPLETE:
            continue
        if dataset is not None and result.get("dataset") != dataset.lower():
            continue
        if model is not None and result.get("model") != model:
            continue
        if selection is not None and result.get("selection") != selection:
            continue
        result["path"] = str(path.parent)
        found.append(result)
    found.sort(
        key=lambda r: (
            r.get("dataset", ""),
            r.get("model", ""),
            Path(r["path"]).parent.parent.name,
            int(r.get("seed", 0)),
            int(r.get("fold", 0)),
        )
    )
    return found


# ---------------------------------------------------------------- resume state


def save_state(fold_dir: str | os.PathLike, state: Mapping[str, Any]) -> None:
    """Save the resume state after an epoch (atomically, so a crash keeps the previous one)."""
    torch_save(Path(fold_dir) / STATE_FILE, dict(state))


def load_state(fold_dir: str | os.PathLike) -> dict[str, Any] | None:
    """The resume state of an unfinished fold, or None. Loaded with ``weights_only=True``."""
    import torch

    path = Path(fold_dir) / STATE_FILE
    if not path.is_file():
        return None
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # a truncated or foreign file: say so, do not guess
        first = (str(exc).strip().splitlines() or [""])[0]
        raise DataError(
            f"cannot read the resume state ({type(exc).__name__}: {first}); delete it or "
            f"rerun with --force to start this fold again",
            file=path,
        ) from None


def clear_fold(fold_dir: str | os.PathLike) -> None:
    """Remove every file the runner writes in a fold directory (for ``--force``)."""
    for name in (RESULT_FILE, CHECKPOINT_FILE, PREDICTIONS_FILE, STATE_FILE):
        path = Path(fold_dir) / name
        if path.exists():
            path.unlink()


# ---------------------------------------------------------------- summary

METRICS = ("kendall", "spearman", "f1")


def _mean(values: list[Any]) -> float | None:
    """Mean of finite values; None when any is undefined (NaN never enters a mean silently)."""
    if not values or any(v is None or not math.isfinite(float(v)) for v in values):
        return None
    return float(np.mean([float(v) for v in values]))


def summarize(results: list[Mapping[str, Any]]) -> dict[str, Any]:
    """Per seed: mean over its folds; overall: mean and sample std over seeds.

    ``{"seeds": {seed: {metric: mean, "folds": n}}, "mean": {...}, "std": {...}}``; a metric
    with an undefined fold value is None at that seed (and overall), never a silent NaN.
    """
    by_seed: dict[int, list[Mapping[str, Any]]] = {}
    for r in results:
        by_seed.setdefault(int(r["seed"]), []).append(r)
    seeds = {
        seed: {**{m: _mean([r.get(m) for r in rs]) for m in METRICS}, "folds": len(rs)}
        for seed, rs in sorted(by_seed.items())
    }
    mean, std = {}, {}
    for m in METRICS:
        values = [s[m] for s in seeds.values()]
        mean[m] = _mean(values)
        ok = mean[m] is not None and len(values) > 1
        std[m] = float(np.std(values, ddof=1)) if ok else None
    return {"seeds": seeds, "mean": mean, "std": std}


def format_summary(results: list[Mapping[str, Any]], title: str = "") -> str:
    """The end-of-run table: one row per seed (mean over folds), then mean +- std over seeds."""
    from tabulate import tabulate

    s = summarize(results)

    def cell(value: float | None, spread: float | None = None) -> str:
        if value is None:
            return "undefined"
        return f"{value:.4f}" + (f" ± {spread:.4f}" if spread is not None else "")

    rows = [
        [f"seed {seed}", v["folds"], *(cell(v[m]) for m in METRICS)]
        for seed, v in s["seeds"].items()
    ]
    if len(s["seeds"]) > 1:
        rows.append(
            [
                f"mean ± std ({len(s['seeds'])} seeds)",
                "",
                *(cell(s["mean"][m], s["std"][m]) for m in METRICS),
            ]
        )
    table = tabulate(
        rows, headers=["", "folds", "Kendall τ", "Spearman ρ", "F1"], tablefmt="github"
    )
    return f"{title}\n{table}" if title else table
