"""What a result is computed on: the device choice, and the library versions, hardware
and platform recorded with it.

Stored in every ``result.json`` so a number can be traced to the software and GPU that
produced it (CUDA kernels differ between GPUs and versions; see the determinism notes).
"""

from __future__ import annotations

import platform
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path
from typing import Any


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def _git_commit() -> str | None:
    """The checkout's commit when vsumbench runs from a git tree (editable installs)."""
    here = Path(__file__).resolve().parent
    try:
        out = subprocess.run(
            ["git", "-C", str(here), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if out.returncode != 0:
        return None
    return out.stdout.strip() or None


def capture_environment(device: Any = None) -> dict[str, Any]:
    """Versions, platform and (when CUDA is used) the GPU, as a JSON-ready dict."""
    import numpy
    import torch

    env: dict[str, Any] = {
        "python": platform.python_version(),
        "python_implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "processor": platform.processor() or None,
        "executable": sys.executable,
        "vsumbench": _version("vsumbench"),
        "git_commit": _git_commit(),
        "torch": torch.__version__,
        "torchvision": _version("torchvision"),
        "numpy": numpy.__version__,
        "h5py": _version("h5py"),
        "scipy": _version("scipy"),
        "torch_num_threads": torch.get_num_threads(),
        "cuda_available": torch.cuda.is_available(),
        "cuda_version": torch.version.cuda,
        "cudnn_version": torch.backends.cudnn.version()
        if torch.backends.cudnn.is_available()
        else None,
        "device": str(device) if device is not None else None,
        "gpu_name": None,
        "gpu_count": torch.cuda.device_count() if torch.cuda.is_available() else 0,
    }
    dev = torch.device(device) if device is not None else None
    if dev is not None and dev.type == "cuda" and torch.cuda.is_available():
        index = dev.index if dev.index is not None else torch.cuda.current_device()
        env["gpu_name"] = torch.cuda.get_device_name(index)
        props = torch.cuda.get_device_properties(index)
        env["gpu_memory_bytes"] = int(props.total_memory)
        env["gpu_capability"] = f"{props.major}.{props.minor}"
    return env


def resolve_device(name: str = "auto"):
    """``auto`` -> CUDA when available, else CPU; ``cuda`` without a GPU is an error."""
    import torch

    from vsumbench.errors import ConfigError
    from vsumbench.runner.config import check_device

    name = check_device(name)
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    device = torch.device(name)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ConfigError(
            f"--device {name} requested but CUDA is not available "
            f"(torch {torch.__version__}, built with CUDA {torch.version.cuda}); use --device cpu"
        )
    if device.index is not None and device.index >= torch.cuda.device_count():
        raise ConfigError(
            f"--device {name}: this machine has {torch.cuda.device_count()} GPU(s) "
            f"(cuda:0 to cuda:{torch.cuda.device_count() - 1})"
        )
    return device


@contextmanager
def torch_threads(threads: int | None) -> Iterator[int]:
    """Run the block on ``threads`` torch CPU threads (None: `default_threads`), then restore.

    ``run`` and ``predict`` share it: CPU kernels may split their sums by thread, so the
    same model scores bitwise alike only at the same thread count.
    """
    import torch

    from vsumbench.errors import ConfigError
    from vsumbench.runner.config import default_threads

    threads = threads or default_threads()
    if threads < 1:
        raise ConfigError(f"--threads must be at least 1, got {threads}")
    previous = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        yield threads
    finally:
        torch.set_num_threads(previous)
