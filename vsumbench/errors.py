"""Exceptions that say what was expected, what was found, and where.

Every data problem names the file, the video key and the field, so a user with a
broken 2 GB HDF5 file knows exactly which dataset to look at.
"""

from __future__ import annotations

from pathlib import Path


class VsumbenchError(Exception):
    """Base class: every error vsumbench raises on purpose derives from it."""


class DataError(VsumbenchError):
    """A problem in an input file, located by file, video key and field."""

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        video: str | None = None,
        field: str | None = None,
    ) -> None:
        self.message = message
        self.file = str(file) if file is not None else None
        self.video = video
        self.field = field
        super().__init__(self.__str__())

    @property
    def location(self) -> str:
        parts = [p for p in (self.file, self.video, self.field) if p]
        return ": ".join(parts[:1] + ["/".join(parts[1:])] if len(parts) > 1 else parts)

    def __str__(self) -> str:
        loc = self.location
        return f"{loc}: {self.message}" if loc else self.message


class DataNotFoundError(DataError):
    """A required file is missing; the message says where we looked and what to do."""


class PredictionError(DataError):
    """A predictions file does not fit the dataset (unknown key, wrong length, NaN)."""


class ConfigError(VsumbenchError):
    """Bad command-line or API configuration (unknown model, bad option combination)."""


class ModelError(VsumbenchError):
    """A summarizer's own code failed (its factory, forward or loss), or its outputs break
    the contract (not a tensor, no gradient, integer scores). The message names the model;
    the full traceback goes to the fold's log (``--debug`` shows it)."""


class Interrupted(VsumbenchError):
    """The user stopped a run (Ctrl-C, SIGTERM); the message says where and how to resume."""
