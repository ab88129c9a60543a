"""Files vsumbench keeps between runs to skip repeated work (parsed annotations, prepared
references), keyed by the identity of the files they were made from.

A cache entry is named by a hash of its inputs' resolved paths, sizes and modification
times (and a version of its layout), so an edited input is read again. A cache that cannot
be read or written is never an error: the caller recomputes.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

__all__ = ["cache_dir", "cache_file", "file_identity"]


def cache_dir() -> Path:
    """``$VSUMBENCH_CACHE``, else ``$XDG_CACHE_HOME/vsumbench`` (``~/.cache/vsumbench``)."""
    root = os.environ.get("VSUMBENCH_CACHE")
    if root:
        return Path(root)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "vsumbench"


def file_identity(path: str | os.PathLike) -> str:
    """``resolved-path|size|mtime_ns`` of an existing file."""
    path = Path(path)
    stat = path.stat()
    return f"{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}"


def cache_file(kind: str, *parts: object) -> Path:
    """The cache file of ``kind`` for these inputs (``parts`` joined and hashed)."""
    tag = "|".join(str(p) for p in parts)
    return cache_dir() / f"{kind}-{hashlib.sha256(tag.encode()).hexdigest()[:24]}.npz"
