"""One fold's result, typed: the record ``result.json`` holds, read and written here only.

Every reader (tables, compare, plots, resume, the run summary) gets a `RunResult`, never a
dict to re-parse by string. ``schema`` versions the layout: files from before versioning
(no ``schema`` key, same fields) load as they are; a file that lacks a field, or comes from
a newer vsumbench, is refused with the command that regenerates it.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping
from dataclasses import MISSING, asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from vsumbench.atomic import write_json
from vsumbench.errors import DataError

__all__ = [
    "METRICS",
    "SCHEMA_VERSION",
    "STATUS_COMPLETE",
    "DataRecord",
    "RunResult",
    "variant_label",
]

SCHEMA_VERSION = 1
STATUS_COMPLETE = "complete"
METRICS = ("kendall", "spearman", "f1")


def variant_label(model_args: Mapping[str, Any] | None) -> str:
    """A short readable label of non-default model options (``hidden=64,skip_unmatched=true``),
    '' for none: a variant gets its own result folder and its own table row.

    Long option lists become ``args-<digest>`` (the options themselves are in the result).
    """
    if not model_args:
        return ""
    parts = []
    for key in sorted(model_args):
        text = json.dumps(model_args[key], separators=("-", "="))
        text = text.strip('"').replace("[", "").replace("]", "")
        parts.append(f"{key}={text}")
    label = "".join(c if c.isalnum() or c in "-_.=," else "_" for c in ",".join(parts))
    if len(label) > 48:
        import hashlib

        blob = json.dumps(model_args, sort_keys=True, default=str).encode()
        label = f"args-{hashlib.sha256(blob).hexdigest()[:10]}"
    return label


@dataclass(frozen=True)
class DataRecord:
    """Which data a result came from (``synthetic`` is read from the file itself)."""

    dir: str
    file: str
    synthetic: bool
    splits: str | None = None
    fingerprint: str | None = None  # of the fold's videos and split (data/fingerprint.py)


@dataclass
class RunResult:
    """A finished fold: request, environment, history, chosen epoch and its scores."""

    model: str
    dataset: str
    fold: int
    seed: int
    selection: str
    backbone_init: str
    init: str  # the <init> part of the result path: imagenet | random | file-<stem> | none
    data: DataRecord
    config: dict[str, Any]
    environment: dict[str, Any]
    epochs: list[dict[str, Any]]
    chosen_epoch: int
    kendall: float | None
    spearman: float | None
    f1: float | None
    per_video: dict[str, dict[str, Any]] | None
    train_keys: list[str]
    test_keys: list[str]
    val_keys: list[str] = field(default_factory=list)
    backbone_weights: str | None = None
    seconds: float | None = None
    status: str = STATUS_COMPLETE
    note: str | None = None
    # {file name: {"bytes": n, "sha256": hex}} of the fold's other files, checked on reuse
    artefacts: dict[str, dict[str, Any]] | None = None
    # a dataset's further metrics (Mr.HiSum: map50, map15), and the epoch each metric was
    # reported from when its selection keeps one checkpoint per metric
    metrics: dict[str, float] | None = None
    chosen_epochs: dict[str, int] | None = None
    setting: str = "canonical"  # vsumbench.runner.settings (results before it: canonical)
    schema: int = SCHEMA_VERSION
    path: Path | None = field(default=None, compare=False)  # where it was read from

    @property
    def complete(self) -> bool:
        return self.status == STATUS_COMPLETE

    @property
    def synthetic(self) -> bool:
        return self.data.synthetic

    @property
    def variant(self) -> str:
        """The label of the model options it was trained with ('' for the defaults)."""
        args = self.config.get("model_args") if isinstance(self.config, dict) else None
        return variant_label(args if isinstance(args, dict) else None)

    def metric(self, name: str) -> float | None:
        """A fold metric as a finite float, or None when undefined (never NaN)."""
        value = getattr(self, name, None)
        if value is None and self.metrics:
            value = self.metrics.get(name)
        if value is None:
            return None
        value = float(value)
        return value if math.isfinite(value) else None

    def to_json(self) -> dict[str, Any]:
        out = {"schema": self.schema}
        out.update({f.name: getattr(self, f.name) for f in fields(self) if f.name != "path"})
        out["data"] = asdict(self.data)
        if out["data"]["fingerprint"] is None:
            del out["data"]["fingerprint"]
        for optional in ("note", "artefacts", "metrics", "chosen_epochs"):
            if out[optional] is None:
                del out[optional]
        if out["setting"] == "canonical":  # as results from before settings read
            del out["setting"]
        return out

    @classmethod
    def from_json(
        cls, obj: Mapping[str, Any], *, file: str | os.PathLike | None = None
    ) -> RunResult:
        """Parse a ``result.json`` object; a clear error for old or foreign layouts."""
        schema = obj.get("schema", 0)  # files before versioning carry the same fields
        if not isinstance(schema, int) or schema > SCHEMA_VERSION:
            raise DataError(
                f"result schema {schema!r} is newer than this vsumbench reads "
                f"({SCHEMA_VERSION}); upgrade vsumbench or rerun the fold with --force",
                file=file,
            )
        names = {f.name for f in fields(cls)} - {"path"}
        required = {f.name for f in fields(cls) if _required(f)}
        missing = sorted(required - set(obj))
        if missing:
            raise DataError(
                f"result.json lacks {', '.join(missing)} (not a vsumbench {SCHEMA_VERSION} "
                f"result); regenerate it with `vsumbench run {obj.get('model', 'MODEL')} "
                f"--dataset {obj.get('dataset', 'DATASET')} --force` and the same options",
                file=file,
            )
        problem = _schema_problem(obj)
        if problem:
            raise DataError(f"damaged result ({problem}); {_REGENERATE}", file=file)
        values = {k: v for k, v in obj.items() if k in names}
        data = obj["data"] or {}
        values["data"] = DataRecord(
            dir=str(data.get("dir", "")),
            file=str(data.get("file", "")),
            synthetic=bool(data.get("synthetic", False)),
            splits=data.get("splits"),
            fingerprint=data.get("fingerprint"),
        )
        values["schema"] = SCHEMA_VERSION
        result = cls(**values)
        result.path = Path(file).parent if file is not None else None
        return result

    def write(self, path: str | os.PathLike) -> None:
        """Write atomically (NaN becomes null: the file stays strict JSON)."""
        write_json(path, self.to_json())

    @classmethod
    def read(cls, path: str | os.PathLike) -> RunResult:
        """Read and validate ``path``; a `DataError` naming it for anything damaged."""
        path = Path(path)
        try:
            obj = json.loads(path.read_text(encoding="utf-8"))
        except UnicodeDecodeError:
            raise DataError(
                f"result file is not text (damaged?); {_REGENERATE}", file=path
            ) from None
        except json.JSONDecodeError as exc:
            raise DataError(
                f"result file is not valid JSON ({exc}); {_REGENERATE}", file=path
            ) from None
        if not isinstance(obj, dict):
            raise DataError(f"result file does not hold a JSON object; {_REGENERATE}", file=path)
        return cls.from_json(obj, file=path)


_REGENERATE = "rerun the fold with --force to regenerate it"
_TYPES: dict[str, tuple[type, ...]] = {
    "model": (str,),
    "dataset": (str,),
    "fold": (int,),
    "seed": (int,),
    "selection": (str,),
    "backbone_init": (str,),
    "init": (str,),
    "data": (dict,),
    "config": (dict,),
    "environment": (dict,),
    "epochs": (list,),
    "chosen_epoch": (int,),
    "per_video": (dict, type(None)),
    "train_keys": (list,),
    "test_keys": (list,),
    "val_keys": (list,),
    "backbone_weights": (str, type(None)),
    "seconds": (int, float, type(None)),
    "status": (str,),
    "note": (str, type(None)),
    "artefacts": (dict, type(None)),
    "metrics": (dict, type(None)),
    "chosen_epochs": (dict, type(None)),
    "setting": (str,),
}
#: The range of each metric: a value outside is a damaged or foreign file, never a row.
_RANGES = {
    "kendall": (-1.0, 1.0),
    "spearman": (-1.0, 1.0),
    "f1": (0.0, 1.0),
    "map50": (0.0, 1.0),
    "map15": (0.0, 1.0),
}


def _schema_problem(obj: Mapping[str, Any]) -> str | None:
    """What is wrong with a result object's types or values, or None."""
    for name, kinds in _TYPES.items():
        value = obj.get(name)
        if name in obj and (not isinstance(value, kinds) or isinstance(value, bool)):
            return f"{name} is {type(value).__name__} {_short(value)}"
    for name in ("train_keys", "test_keys", "val_keys"):
        if not all(isinstance(k, str) for k in obj.get(name, [])):
            return f"{name} holds something other than video keys"
    for record in obj.get("epochs", []):
        if not isinstance(record, dict) or not isinstance(record.get("epoch"), int):
            return "epochs holds something other than epoch records"
        for name, value in record.items():
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, (int, float))
            ):
                return f"epoch {record['epoch']}: {name} is {type(value).__name__} {_short(value)}"
        where = _epoch_metric_problem(record)
        if where:
            return where
    where = _metric_problem(obj, "") or _metric_problem(obj.get("metrics") or {}, "metrics/")
    if where:
        return where
    for metric, epoch in (obj.get("chosen_epochs") or {}).items():
        if isinstance(epoch, bool) or not isinstance(epoch, int):
            return f"chosen_epochs/{metric} is {type(epoch).__name__} {_short(epoch)}"
    for key, record in (obj.get("per_video") or {}).items():
        if not isinstance(record, dict):
            return f"per_video/{key} is {type(record).__name__}, not a record"
        where = _metric_problem(record, f"per_video/{key}/")
        if where:
            return where
    return None


def _metric_problem(record: Mapping[str, Any], prefix: str) -> str | None:
    for name, (lo, hi) in _RANGES.items():
        value = record.get(name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return f"{prefix}{name} is {type(value).__name__} {_short(value)}, not a number"
        if not lo <= value <= hi:
            return f"{prefix}{name} = {value} is outside [{lo:g}, {hi:g}]"
    return None


def _epoch_metric_problem(record: Mapping[str, Any]) -> str | None:
    for split in ("test", "val"):
        values = {m: record.get(f"{split}_{m}") for m in _RANGES}
        where = _metric_problem(values, f"epoch {record['epoch']}: {split}_")
        if where:
            return where
    return None


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _required(f) -> bool:
    return f.default is MISSING and f.default_factory is MISSING
