"""A watchdog that ends an embedded Ray when the sweep that started it is killed.

``ray.init()`` starts a Ray "cluster" of processes under the driver (GCS server, raylet,
agents, workers). A driver that ends normally shuts them down; one killed with SIGKILL (or
out of memory) cannot, and Ray's dashboard and runtime-env agents then live on, reparented
to init. This watchdog runs as its own process (its own session, so signals meant for the
sweep's terminal do not reach it): it notes the driver's descendants every second, and when
the driver is gone it ends those still running (SIGTERM, then SIGKILL). A process is
identified by its pid and start time, so a reused pid is never signalled. Linux only (it
reads ``/proc``); elsewhere it exits at once.

    python -m vsumbench.sweep.watchdog DRIVER_PID
"""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

__all__ = ["descendants", "start_watchdog"]

PROC = Path("/proc")


def _stat(pid: int) -> tuple[int, int] | None:
    """(parent pid, start time) of a process, or None when it is gone."""
    try:
        text = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()  # after "pid (comm) "
    return int(fields[1]), int(fields[19])


def descendants(root: int) -> dict[int, int]:
    """``{pid: start time}`` of every process below ``root`` now."""
    children: dict[int, list[int]] = {}
    starts: dict[int, int] = {}
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            info = _stat(int(entry.name))
            if info is not None:
                children.setdefault(info[0], []).append(int(entry.name))
                starts[int(entry.name)] = info[1]
    found, todo = {}, list(children.get(root, []))
    while todo:
        pid = todo.pop()
        if pid not in found and pid in starts:
            found[pid] = starts[pid]
            todo.extend(children.get(pid, []))
    return found


def _alive(pid: int) -> bool:
    return _stat(pid) is not None


def _end(known: dict[int, int], grace: float = 2.0) -> None:
    """SIGTERM to every known process still running as itself, then SIGKILL."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        left = [p for p, start in known.items() if (_stat(p) or (0, None))[1] == start]
        for pid in left:
            try:
                os.kill(pid, sig)
            except OSError:
                pass
        if not left:
            return
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline and any(_alive(p) for p in left):
            time.sleep(0.1)


def watch(driver: int, interval: float = 1.0) -> None:
    """Note the driver's descendants until it is gone, then end them."""
    known: dict[int, int] = {}
    while _alive(driver):
        known.update(descendants(driver))
        known.pop(os.getpid(), None)  # the watchdog is the driver's child too
        time.sleep(interval)
    _end(known)


def start_watchdog() -> object | None:
    """Start a watchdog over this process; its ``Popen`` (``terminate()`` it when Ray was
    shut down normally), or None where there is no ``/proc``."""
    import subprocess

    if not PROC.is_dir():
        return None
    return subprocess.Popen(
        [sys.executable, "-m", "vsumbench.sweep.watchdog", str(os.getpid())],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


if __name__ == "__main__":
    if PROC.is_dir() and len(sys.argv) == 2:
        watch(int(sys.argv[1]))
