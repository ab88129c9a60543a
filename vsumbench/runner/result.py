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

__all__ = ["METRICS", "SCHEMA_VERSION", "STATUS_COMPLETE", "DataRecord", "RunResult"]

SCHEMA_VERSION = 1
STATUS_COMPLETE = "complete"
METRICS = ("kendall", "spearman", "f1")


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
    schema: int = SCHEMA_VERSION
    path: Path | None = field(default=None, compare=False)  # where it was read from

    @property
    def complete(self) -> bool:
        return self.status == STATUS_COMPLETE

    @property
    def synthetic(self) -> bool:
        return self.data.synthetic

    def metric(self, name: str) -> float | None:
        """A fold metric as a finite float, or None when undefined (never NaN)."""
        value = getattr(self, name)
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
        if out["note"] is None:
            del out["note"]
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
        path = Path(path)
        try:
            obj = json.loads(path.read_text())
        except json.JSONDecodeError as exc:
            raise DataError(f"result file is not valid JSON ({exc})", file=path) from None
        if not isinstance(obj, dict):
            raise DataError("result file does not hold a JSON object", file=path)
        return cls.from_json(obj, file=path)


def _required(f) -> bool:
    return f.default is MISSING and f.default_factory is MISSING
