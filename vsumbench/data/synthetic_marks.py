"""Which files of a folder `vsumbench data synth` wrote, so that it never replaces others.

HDF5 files carry the root attribute ``vsumbench_synthetic``; text files (``ydata-anno.tsv``,
split files) cannot, so the folder's ``.vsumbench-synthetic.json`` lists the SHA-256 of each
synthetic text file as it was written. A file not known to be synthetic (the user's real
data, or a synthetic file edited by hand) is refused before anything is written.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from pathlib import Path

from vsumbench.errors import ConfigError

__all__ = ["MANIFEST", "SyntheticMarks", "refuse_foreign"]

MANIFEST = ".vsumbench-synthetic.json"


def refuse_foreign(out: Path, paths: Iterable[str | os.PathLike]) -> None:
    """Stop, naming the file, when any of ``paths`` exists and is not known to be synthetic."""
    marks = SyntheticMarks(out)
    for path in paths:
        if os.path.lexists(path) and not marks.is_synthetic(Path(path)):
            raise ConfigError(
                f"{path} exists and is not a synthetic file made by `vsumbench data synth` "
                f"(it may be real data): refusing to replace it. Write the synthetic "
                f"benchmark elsewhere (--out DIR), or pass --force to replace it"
            )


class SyntheticMarks:
    """The digests of the synthetic text files in a folder (HDF5 files carry an attribute)."""

    def __init__(self, out: Path) -> None:
        self.path = Path(out) / MANIFEST
        self.digests = self._read()

    def _read(self) -> dict[str, str]:
        try:
            files = json.loads(self.path.read_text(encoding="utf-8")).get("files", {})
        except (OSError, ValueError, AttributeError):
            return {}
        return {str(k): str(v) for k, v in files.items()} if isinstance(files, dict) else {}

    def _key(self, path: Path) -> str:
        return os.path.relpath(path, self.path.parent)

    def is_synthetic(self, path: Path) -> bool:
        if path.suffix == ".h5":
            from vsumbench.data.eccv16 import is_synthetic
            from vsumbench.errors import DataError

            try:
                return is_synthetic(path)
            except DataError:
                return False
        return path.is_file() and self.digests.get(self._key(path)) == _digest(path)

    def add(self, path: Path) -> None:
        """Record a synthetic text file just written."""
        from vsumbench.atomic import write_json

        self.digests[self._key(path)] = _digest(path)
        write_json(self.path, {"files": self.digests})


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
