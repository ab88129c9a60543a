"""Progress for long work: a live bar on a terminal, plain periodic lines in a log.

tqdm redraws its bar with carriage returns and cursor moves (``\\x1b[A``); in a file (a
sweep's fold log, ``2> run.log``, a CI transcript) those become noise. Every progress
display of vsumbench comes from `progress_bar`, which gives tqdm's bar when stderr is a
terminal and, otherwise, the same text as whole lines, at most one every ``interval``
seconds, plus the last.
"""

from __future__ import annotations

import sys
import time
from typing import Any

__all__ = ["LOG_INTERVAL", "progress_bar"]

#: Seconds between two progress lines when stderr is not a terminal.
LOG_INTERVAL = 30.0


def _is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def progress_bar(iterable: Any = None, **kwargs: Any) -> Any:
    """``tqdm(iterable, **kwargs)`` on a terminal; a line-writing tqdm elsewhere."""
    from tqdm import tqdm

    stream = kwargs.get("file") or sys.stderr
    if _is_terminal(stream):
        return tqdm(iterable, **kwargs)
    return _line_progress()(iterable, **kwargs)


_LINE_CLASS = None


def _line_progress() -> type:
    """The tqdm subclass that writes whole lines (made once, on first use)."""
    global _LINE_CLASS
    if _LINE_CLASS is not None:
        return _LINE_CLASS
    from tqdm import tqdm

    class LineProgress(tqdm):
        """tqdm's text, one line per display, no bar, no cursor movement."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs.setdefault("mininterval", LOG_INTERVAL)
            kwargs.setdefault(
                "bar_format",
                "{desc}: {percentage:3.0f}% {n_fmt}/{total_fmt} [{elapsed}<{remaining}, {rate_fmt}{postfix}]",
            )
            kwargs["dynamic_ncols"] = False
            kwargs["ncols"] = None
            kwargs["position"] = 0
            self._stream = kwargs.get("file") or sys.stderr
            self._last = ""
            self._written_at = -float("inf")
            self._final = False
            super().__init__(*args, **kwargs)
            if self.total is None:  # no percentage to give
                self.bar_format = "{desc}: {n_fmt} [{elapsed}, {rate_fmt}{postfix}]"

        def display(self, msg: str | None = None, pos: int | None = None) -> bool:
            if msg == "":  # tqdm clearing its line: nothing to clear in a log
                return False
            now = time.monotonic()
            if not self._final and now - self._written_at < self.mininterval:
                return True  # set_postfix refreshes on every call: a log gets one line per interval
            text = " ".join((msg if msg is not None else self.__str__()).split())
            if text and text != self._last:
                self._stream.write(text + "\n")
                self._stream.flush()
                self._last, self._written_at = text, now
            return True

        def clear(self, nolock: bool = False) -> None:
            pass

        def moveto(self, n: int) -> None:
            pass

        def close(self) -> None:
            if not self.disable and self.n:
                self._final = True
                self.display()  # the final state, also for bars that do not stay
            leave = self.leave
            self.leave = False
            try:
                super().close()
            finally:
                self.leave = leave

    _LINE_CLASS = LineProgress
    return LineProgress
