"""Where a sweep's tasks run. Each engine only submits `run_task` and reports finished
attempts; retries, progress and the final report belong to the driver (`sweep.driver`).

* `InlineEngine`: this process, one task after another (debugging; the benchmark baseline).
* `RayEngine`: Ray, started embedded on this machine (all local cores and GPUs, nothing to
  set up) or joined at ``--address``. Fractional ``--gpus-per-task`` packs several batch-1
  folds on one GPU.
* `SubmititEngine`: SLURM through submitit, one job array per sweep. Its ``local`` form
  (submitit's local executor) runs the same job machinery as processes on this machine.
"""

from __future__ import annotations

import math
import shutil
import time
from pathlib import Path
from typing import Any, Protocol

from vsumbench.errors import ConfigError
from vsumbench.sweep.grid import SweepGrid
from vsumbench.sweep.plan import Task
from vsumbench.sweep.task import TaskOutcome, run_task

__all__ = ["Engine", "InlineEngine", "RayEngine", "SubmititEngine", "make_engine"]


class Engine(Protocol):
    slots: int  # tasks that can run at once

    def submit(self, task: Task, attempt: int) -> Any: ...

    def wait(self, handles: list[Any], timeout: float) -> list[tuple[Any, TaskOutcome]]: ...

    def stop(self) -> None: ...


def _crashed(task: Task, exc: BaseException) -> TaskOutcome:
    """A worker that died (killed, out of memory, node lost) before returning."""
    first = (str(exc).strip().splitlines() or [""])[0][:300]
    return TaskOutcome(task.label, "crashed", str(task.log), f"{type(exc).__name__}: {first}")


class InlineEngine:
    """Run each task in this process when the driver waits for it."""

    slots = 1

    def __init__(self) -> None:
        self._queue: dict[int, tuple[Task, int]] = {}
        self._next = 0

    def submit(self, task: Task, attempt: int) -> int:
        self._next += 1
        self._queue[self._next] = (task, attempt)
        return self._next

    def wait(self, handles: list[int], timeout: float) -> list[tuple[int, TaskOutcome]]:
        handle = handles[0]
        task, attempt = self._queue.pop(handle)
        return [(handle, run_task(task, attempt))]

    def stop(self) -> None:
        self._queue.clear()


class RayEngine:
    """Ray tasks, one per fold, with the grid's CPUs and (fractional) GPUs each."""

    def __init__(self, grid: SweepGrid, *, num_cpus: int | None = None) -> None:
        _quiet_local_ray(embedded=grid.address is None)
        try:
            import ray
        except ImportError:
            raise ConfigError(
                "the ray engine needs Ray: pip install 'vsumbench[sweep]' (or --engine inline)"
            ) from None
        self._ray = ray
        _keeping_sigterm(_start_ray, ray, grid.address, num_cpus, grid.connect_timeout)
        self._watchdog = None
        if grid.address is None:  # an embedded Ray must not outlive this process
            from vsumbench.sweep.watchdog import start_watchdog

            self._watchdog = start_watchdog()
        self.slots = _check_resources(ray, grid.cpus_per_task, grid.gpus_per_task)
        self._remote = ray.remote(run_task).options(
            num_cpus=grid.cpus_per_task, num_gpus=grid.gpus_per_task, max_retries=0
        )
        self._tasks: dict[Any, Task] = {}

    def submit(self, task: Task, attempt: int) -> Any:
        ref = self._remote.remote(task, attempt)
        self._tasks[ref] = task
        return ref

    def wait(self, handles: list[Any], timeout: float) -> list[tuple[Any, TaskOutcome]]:
        ready, _ = self._ray.wait(handles, num_returns=len(handles), timeout=timeout)
        out = []
        for ref in ready:
            task = self._tasks.pop(ref)
            try:
                out.append((ref, self._ray.get(ref)))
            except Exception as exc:  # the worker process died
                out.append((ref, _crashed(task, exc)))
        return out

    def stop(self) -> None:
        self._ray.shutdown()
        if self._watchdog is not None:
            self._watchdog.terminate()
            self._watchdog.wait()


def _keeping_sigterm(start: Any, *args: Any) -> None:
    """``start(*args)``, then this process's own SIGTERM handler back: Ray's core installs
    one that dumps a stack and exits, where a sweep stops its engine and says so."""
    import signal
    import threading

    handler = signal.getsignal(signal.SIGTERM)
    start(*args)
    if threading.current_thread() is threading.main_thread() and handler is not None:
        signal.signal(signal.SIGTERM, handler)


def _quiet_local_ray(*, embedded: bool) -> None:
    """Before Ray is imported: no usage report to Ray's servers (a sweep's business is its
    own), and an embedded Ray addresses its own processes on the loopback interface only,
    never through the machine's network address. A user's own settings are kept."""
    import os

    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    if embedded:  # Ray's switch for "this machine only" (its default on macOS/Windows)
        os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")


def _start_ray(ray: Any, address: str | None, num_cpus: int | None, timeout: float) -> None:
    """Start Ray embedded, or join ``address`` (host:port, or ``auto``), quietly; a cluster
    that does not answer within ``timeout`` seconds is a ConfigError, never a hang."""
    import logging

    options = dict(include_dashboard=False, log_to_driver=False, logging_level=logging.ERROR)
    if address is None:
        ray.init(num_cpus=num_cpus, **options)
        return
    if address != "auto":
        _reachable(address)
    _probe(address, timeout)
    try:
        ray.init(address=address, **options)
    except Exception as exc:
        first = (str(exc).strip().splitlines() or [""])[0]
        raise ConfigError(f"cannot join the Ray cluster at {address}: {first}") from None


def _reachable(address: str, timeout: float = 5.0) -> None:
    """Fail in seconds, naming the address, when nothing listens there."""
    import socket

    host, _, port = address.rpartition(":")
    if address.startswith("ray://") or not port.isdigit():
        return
    try:
        socket.create_connection((host or "127.0.0.1", int(port)), timeout=timeout).close()
    except OSError as exc:
        raise ConfigError(
            f"cannot reach the Ray cluster at {address} ({exc.strerror or exc}); start it with "
            f"`ray start --head` there, or drop --address to run on this machine"
        ) from None


_PROBE = """
import logging, sys
import ray
ray.init(address=sys.argv[1], include_dashboard=False, log_to_driver=False,
         logging_level=logging.ERROR)
ray.shutdown()
"""


def _probe(address: str, timeout: float) -> None:
    """Join the cluster once from a child process, bounded by ``timeout``: Ray's own
    client retries "Failed to connect to GCS" for ever when something listens at the
    address but is not Ray (or a Ray that is shutting down), and ignores Ctrl-C meanwhile."""
    import os
    import signal
    import subprocess
    import sys

    child = subprocess.Popen(
        [sys.executable, "-c", _PROBE, address],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own group: ended with everything it started
    )
    try:
        _, err = child.communicate(timeout=timeout)
    except BaseException as exc:  # the time is up, or Ctrl-C / SIGTERM
        os.killpg(child.pid, signal.SIGKILL)
        child.wait()
        if not isinstance(exc, subprocess.TimeoutExpired):
            raise
        raise ConfigError(
            f"no Ray cluster answered at {address} within {timeout:g} s (something listens "
            f"there, but not a running Ray: check the address with `ray status` on the head "
            f"node, or raise --connect-timeout)"
        ) from None
    if child.returncode != 0:
        lines = [ln for ln in err.decode("utf-8", "replace").splitlines() if ln.strip()]
        raise ConfigError(
            f"cannot join the Ray cluster at {address}: {lines[-1] if lines else 'no reason given'}"
        )


def _check_resources(ray: Any, cpus: float, gpus: float) -> int:
    """Refuse a task no node can hold; return how many tasks fit at once."""
    nodes = [n["Resources"] for n in ray.nodes() if n.get("Alive")]
    fits = [n for n in nodes if n.get("CPU", 0) >= cpus and n.get("GPU", 0) >= gpus]
    if not fits:
        biggest = max(nodes, key=lambda n: (n.get("GPU", 0), n.get("CPU", 0)), default={})
        ray.shutdown()
        raise ConfigError(
            f"no node of the Ray cluster can run a task with --cpus-per-task {cpus:g} and "
            f"--gpus-per-task {gpus:g} (largest node: {biggest.get('CPU', 0):g} CPUs, "
            f"{biggest.get('GPU', 0):g} GPUs)"
        )
    slots = 0
    for node in fits:
        by_cpu = int(node.get("CPU", 0) // cpus)
        by_gpu = int(node.get("GPU", 0) // gpus) if gpus else by_cpu
        slots += min(by_cpu, by_gpu)
    return max(1, slots)


class SubmititEngine:
    """One submitit job array for the sweep's tasks; retries go out as jobs of their own."""

    def __init__(self, grid: SweepGrid, folder: Path, *, cluster: str = "slurm") -> None:
        if cluster == "slurm" and shutil.which("sbatch") is None:
            raise ConfigError(
                "--engine slurm needs SLURM's sbatch on PATH (run the sweep on a SLURM login "
                "node), or use --engine ray"
            )
        try:
            import submitit
        except ImportError:
            raise ConfigError(
                "--engine slurm needs submitit: pip install 'vsumbench[sweep]'"
            ) from None
        self._executor = submitit.AutoExecutor(folder=str(folder), cluster=cluster)
        params: dict[str, Any] = dict(
            timeout_min=grid.time,
            cpus_per_task=max(1, int(grid.cpus_per_task)),
            slurm_array_parallelism=grid.array_parallelism,
            name="vsumbench-sweep",
        )
        if grid.partition:
            params["slurm_partition"] = grid.partition
        if grid.gpus_per_task:
            params["gpus_per_node"] = math.ceil(grid.gpus_per_task)  # whole GPUs on SLURM
        self._executor.update_parameters(**params)
        self.slots = grid.array_parallelism
        self._tasks: dict[Any, Task] = {}

    def submit_all(self, tasks: list[tuple[Task, int]]) -> list[Any]:
        """Submit first attempts as one job array."""
        jobs = self._executor.map_array(run_task, [t for t, _ in tasks], [a for _, a in tasks])
        for job, (task, _) in zip(jobs, tasks, strict=True):
            self._tasks[job] = task
        return jobs

    def submit(self, task: Task, attempt: int) -> Any:
        return self.submit_all([(task, attempt)])[0]

    def wait(self, handles: list[Any], timeout: float) -> list[tuple[Any, TaskOutcome]]:
        deadline = time.monotonic() + timeout
        while True:
            ready = [job for job in handles if job.done()]
            if ready or time.monotonic() >= deadline:
                break
            time.sleep(min(0.5, timeout))
        out = []
        for job in ready:
            task = self._tasks.pop(job)
            try:
                out.append((job, job.result()))
            except Exception as exc:  # killed, timed out, node failure
                out.append((job, _crashed(task, exc)))
        return out

    def stop(self) -> None:
        for job in list(self._tasks):
            if not job.done():
                job.cancel(check=False)


def make_engine(grid: SweepGrid, results: Path, *, num_cpus: int | None = None) -> Engine:
    """The engine the grid asks for (``slurm`` jobs keep their files in RESULTS/.sweeps)."""
    if grid.engine == "inline":
        return InlineEngine()
    if grid.engine == "ray":
        return RayEngine(grid, num_cpus=num_cpus)
    folder = results / ".sweeps" / "slurm"
    return SubmititEngine(grid, folder, cluster=_slurm_cluster())


def _slurm_cluster() -> str:
    """``slurm``; ``local`` (submitit's local executor) when VSUMBENCH_SLURM_LOCAL=1, so the
    SLURM path can be exercised where no SLURM is installed (the tests)."""
    import os

    return "local" if os.environ.get("VSUMBENCH_SLURM_LOCAL") == "1" else "slurm"
