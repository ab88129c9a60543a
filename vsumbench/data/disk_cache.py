"""Files vsumbench keeps between runs to skip repeated work (parsed annotations, prepared
references), keyed by the identity of the files they were made from.

A cache entry is named by a hash of its inputs' resolved paths, sizes, inodes, modification
and change times (and a version of its layout), so an edited input is read again: an edit in
place that keeps the size and restores the modification time (``touch -r``, ``os.utime``)
still moves the change time, which only the kernel sets. A cache that cannot be read is
never an error: a damaged entry (truncated, empty) is ignored, removed and rebuilt.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

__all__ = ["cache_dir", "cache_file", "code_identity", "file_identity", "read_npz"]


def cache_dir() -> Path:
    """``$VSUMBENCH_CACHE``, else ``$XDG_CACHE_HOME/vsumbench`` (``~/.cache/vsumbench``)."""
    root = os.environ.get("VSUMBENCH_CACHE")
    if root:
        return Path(root)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "vsumbench"


def file_identity(path: str | os.PathLike) -> str:
    """``resolved-path|size|inode|mtime_ns|ctime_ns`` of an existing file.

    Any write to a file updates its ctime, and no user call can set it back, so a change of
    content always changes the identity; a change of metadata only (chmod, touch) costs a
    recomputation, never a stale answer. Reading every byte for a digest would cost more
    than the work the cache saves (a 14 MB annotation file).
    """
    path = Path(path)
    stat = path.stat()
    return f"{path.resolve()}|{stat.st_size}|{stat.st_ino}|{stat.st_mtime_ns}|{stat.st_ctime_ns}"


def read_npz(path: str | os.PathLike) -> dict | None:
    """Every array of a cache entry, or None when there is none or it is damaged (then it
    is removed, and the caller's fresh entry replaces it)."""
    import numpy as np

    path = Path(path)
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as npz:
            return {name: npz[name] for name in npz.files}
    except Exception:  # truncated zip, empty file, foreign content: all mean "recompute"
        try:
            path.unlink()
        except OSError:
            pass
        return None


def cache_file(kind: str, *parts: object, suffix: str = ".npz") -> Path:
    """The cache file of ``kind`` for these inputs (``parts`` joined and hashed)."""
    tag = "|".join(str(p) for p in parts)
    return cache_dir() / f"{kind}-{hashlib.sha256(tag.encode()).hexdigest()[:24]}{suffix}"


def code_identity(*modules: str) -> str:
    """The identity of the source files of ``modules``' top-level packages (every ``.py``
    below each): results computed from code, such as MAC counts, are recomputed when the
    code changes."""
    import importlib.util

    parts = []
    for name in modules:
        found = importlib.util.find_spec(name.split(".")[0])
        roots = list(found.submodule_search_locations or []) if found else []
        if found and not roots and found.origin:
            parts.append(file_identity(found.origin))
        for root in roots:
            parts += [file_identity(p) for p in sorted(Path(root).rglob("*.py"))]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()
