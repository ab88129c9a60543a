"""Atomic file writes: every file vsumbench produces appears whole or not at all.

One helper for all writers (data files, splits, annotations, predictions, results, tables,
plots, videos), so a crash or Ctrl-C never leaves a half-written file under its final name.
"""

from __future__ import annotations

import errno
import glob
import json
import math
import os
import re
import shutil
import socket
import stat
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

    Only regular files are replaced. A link is followed (the file it names is replaced, the
    link stays); a device or a pipe (``/dev/null``, a FIFO) is written in place, never
    replaced by a file; a folder is refused. Temporaries that a killed writer of the same
    file left (``.name.<host>-<pid>.*.tmp`` whose process is gone) are removed first.
    """
    target = Path(os.path.realpath(path)) if os.path.islink(path) else Path(path)
    in_place = _special_file(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(target)
    fd, tmp = tempfile.mkstemp(
        prefix=f".{target.name}.{_HOST}-{os.getpid()}.", suffix=".tmp", dir=target.parent
    )
    os.close(fd)
    tmp_path = Path(tmp)
    # mkstemp makes 0600 files; give the result the mode a plain open() would (0666 - umask).
    os.chmod(tmp_path, 0o666 & ~_umask())
    try:
        yield tmp_path
        if in_place:
            with open(tmp_path, "rb") as src, open(target, "wb") as dst:
                shutil.copyfileobj(src, dst)
        else:
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


def _special_file(target: Path) -> bool:
    """True for an existing device, pipe or socket (written in place); a folder is refused."""
    try:
        mode = target.stat().st_mode
    except FileNotFoundError:
        return False
    if stat.S_ISDIR(mode):
        raise IsADirectoryError(errno.EISDIR, "is a folder, not a file", str(target))
    return not stat.S_ISREG(mode)


_HOST = "".join(c for c in socket.gethostname() if c.isalnum())[:16] or "host"
_TEMPORARY = re.compile(r"^\.(?P<name>.+)\.(?P<host>[A-Za-z0-9]+)-(?P<pid>\d+)\.[^.]+\.tmp$")


def temporary_target(name: str) -> str | None:
    """The file a temporary name (``.x.h5.host-12.ab3.tmp``) stands for, or None."""
    found = _TEMPORARY.match(name)
    return found.group("name") if found else None


def remove_stale_temporaries(target: str | os.PathLike) -> list[Path]:
    """Remove the temporaries of ``target`` whose writer (on this host) is no longer alive:
    a killed ``data synth`` or run leaves them, and no one else ever would."""
    target = Path(target)
    removed = []
    if not target.parent.is_dir():
        return removed
    for tmp in target.parent.glob(f".{glob.escape(target.name)}.*.tmp"):
        found = _TEMPORARY.match(tmp.name)
        if found is None or found.group("name") != target.name or found.group("host") != _HOST:
            continue
        if not _alive(int(found.group("pid"))):
            tmp.unlink(missing_ok=True)
            removed.append(tmp)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


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
