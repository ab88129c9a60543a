"""A sweep never hangs and never leaves Ray behind: joining a cluster that does not answer
gives up in bounded time, SIGINT and SIGTERM end a sweep within seconds, and an embedded Ray
dies with a driver killed by SIGKILL (issue: C, items 13-14)."""

from __future__ import annotations

import importlib.util
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from vsumbench.sweep.watchdog import PROC, descendants

# Found, not imported: importing Ray in the test process would fix its settings before a
# sweep's engine makes them (its embedded Ray then listens beyond the loopback interface).
pytestmark = [
    pytest.mark.skipif(not PROC.is_dir(), reason="needs Linux's /proc"),
    pytest.mark.skipif(importlib.util.find_spec("ray") is None, reason="needs Ray (sweep extra)"),
]


def _alive(pids) -> list[int]:
    out = []
    for pid in pids:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            continue
        try:  # a zombie is dead but not yet reaped
            if (PROC / str(pid) / "stat").read_text().split(") ")[1].startswith("Z"):
                continue
        except OSError:
            continue
        out.append(pid)
    return out


def _wait_gone(pids, seconds: float) -> list[int]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and _alive(pids):
        time.sleep(0.2)
    return _alive(pids)


@pytest.fixture
def listener():
    """Something on the loopback interface that accepts connections and says nothing."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held = []

    def accept():
        while True:
            try:
                held.append(server.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    yield f"127.0.0.1:{server.getsockname()[1]}"
    server.close()
    for conn in held:
        conn.close()


def _sweep(small_benchmark: Path, results: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "vsumbench", "sweep", "--models", "vasnet", "--datasets",
         "summe", "--folds", "0", "--epochs", "400", "--device", "cpu", "--threads", "1",
         "--data-dir", str(small_benchmark), "--results", str(results), "--quiet", *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def _training(results: Path, proc: subprocess.Popen, seconds: float = 120) -> None:
    """Wait until the fold's first attempt has started (Ray up, the worker training)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        logs = list(results.glob("summe/vasnet/*/seed*/fold0.log"))
        if logs and "attempt 1" in logs[0].read_text() and proc.poll() is None:
            time.sleep(2)  # a few epochs in
            return
        if proc.poll() is not None:
            pytest.fail(f"the sweep ended early: {proc.communicate()}")
        time.sleep(0.5)
    proc.kill()
    pytest.fail("the sweep did not start training in time")


def test_joining_something_that_is_not_ray_gives_up_in_time(listener, small_benchmark, tmp_path):
    start = time.monotonic()
    proc = _sweep(small_benchmark, tmp_path, "--address", listener, "--connect-timeout", "5")
    try:
        _, err = proc.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        proc.kill()
        pytest.fail("the sweep hung on a cluster that does not answer")
    assert proc.returncode == 1 and "Traceback" not in err
    assert f"no Ray cluster answered at {listener} within 5 s" in err
    assert time.monotonic() - start < 60


@pytest.mark.slow
def test_sigterm_ends_a_sweep_within_seconds_and_takes_ray_along(small_benchmark, tmp_path):
    proc = _sweep(small_benchmark, tmp_path)
    _training(tmp_path, proc)
    ray = list(descendants(proc.pid))
    assert ray  # Ray's own processes under the driver
    sent = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    try:
        _, err = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        pytest.fail("SIGTERM did not end the sweep")
    assert time.monotonic() - sent < 15
    assert proc.returncode == 1 and "interrupted: run the same command again" in err
    assert _wait_gone(ray, 10) == []


@pytest.mark.slow
def test_an_embedded_ray_does_not_outlive_a_killed_driver(small_benchmark, tmp_path):
    proc = _sweep(small_benchmark, tmp_path)
    _training(tmp_path, proc)
    ray = list(descendants(proc.pid))
    proc.kill()  # SIGKILL: the driver cannot shut Ray down itself
    proc.communicate()
    assert _wait_gone(ray, 20) == []  # the watchdog ended the rest


def test_the_watchdog_ends_an_orphaned_grandchild(tmp_path):
    """Without Ray: a driver starts the watchdog and a child that detaches (as Ray's agents
    are reparented to init); SIGKILL of the driver ends the child too."""
    pid_file = tmp_path / "child.pid"
    driver = subprocess.Popen(
        [sys.executable, "-c",
         "import subprocess, sys, time\n"
         "from vsumbench.sweep.watchdog import start_watchdog\n"
         "start_watchdog()\n"
         "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'])\n"
         f"open({str(pid_file)!r}, 'w').write(str(child.pid))\n"
         "time.sleep(600)\n"],
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while not (pid_file.is_file() and pid_file.read_text()) and time.monotonic() < deadline:
        time.sleep(0.1)
    child = int(pid_file.read_text())
    time.sleep(1.5)  # the watchdog notes descendants every second
    driver.kill()
    driver.wait()
    assert _wait_gone([child], 15) == []
