"""Atomic file writes: every file vsumbench produces appears whole or not at all.

One helper for all writers (data files, splits, annotations, predictions, results, tables,
plots, videos), so a crash or Ctrl-C never leaves a half-written file under its final name.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np


@contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success move it over ``path``.

    Parent directories are created. On error the temporary file is removed and ``path`` is
    left untouched. The temporary name keeps the suffix (``.tmp`` is added before it is not):
    libraries that pick a format from the suffix still see e.g. ``.mp4`` via ``suffix``.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    # mkstemp makes 0600 files; give the result the mode a plain open() would (0666 - umask).
    os.chmod(tmp_path, 0o666 & ~_umask())
    try:
        yield tmp_path
        os.replace(tmp_path, target)
    except OSError as exc:
        # Name the file being written, not its temporary stand-in (or nothing at all).
        if exc.filename not in (None, str(tmp_path)):
            raise
        cause = exc.strerror or str(exc)
        raise OSError(exc.errno, cause, str(target)) from None
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def json_safe(obj: Any) -> Any:
    """Plain JSON types; NaN/inf become ``null`` so no reader mistakes them for numbers."""
    if isinstance(obj, Mapping):
        return {str(k): json_safe(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [json_safe(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return json_safe(obj.tolist())
    if isinstance(obj, (np.bool_, bool)):
        return bool(obj)
    if isinstance(obj, (np.integer, int)):
        return int(obj)
    if isinstance(obj, (np.floating, float)):
        value = float(obj)
        return value if math.isfinite(value) else None
    if isinstance(obj, Path):
        return str(obj)
    return obj


def dumps_json(obj: Any) -> str:
    """Indented JSON text of ``obj`` with NaN written as ``null``."""
    return json.dumps(json_safe(obj), indent=2, allow_nan=False) + "\n"


def write_json(path: str | os.PathLike, obj: Any) -> None:
    """Write ``obj`` as indented JSON, atomically (NaN written as ``null``)."""
    write_text(path, dumps_json(obj))


def write_text(path: str | os.PathLike, text: str) -> None:
    """Write UTF-8 text atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_torch(path: str | os.PathLike, obj: Any) -> None:
    """``torch.save`` atomically. Serialised in memory first: torch's own file writer turns
    a full disk into an unrelated ``RuntimeError``, a plain write gives the real ``OSError``."""
    import io

    import torch

    buffer = io.BytesIO()
    torch.save(obj, buffer)
    with atomic_path(path) as tmp:
        tmp.write_bytes(buffer.getbuffer())
