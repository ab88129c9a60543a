"""A sweep through the engine vs the same folds one after another in one process.

All are the real command, start-up included (``vsumbench sweep --engine ray``, and
``vsumbench sweep --engine inline``: one process, with ``run``'s default threads and with
one thread), on the small
synthetic benchmark, each into a fresh result store. The engine's overhead per fold is
``(wall x slots - sum of the folds' own seconds) / folds``, the folds' seconds read from
their logs; so it counts Ray's start-up, scheduling and worker imports, spread over folds.

    python benchmarks/bench_sweep.py                      # 2 models x 2 datasets x 5 folds
    python benchmarks/bench_sweep.py --models vasnet --epochs 5
    python benchmarks/bench_sweep.py --gpu     # CSTA, 5 folds x 100 epochs, full-size TVSum:
                                               # packed on one GPU vs one fold at a time
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def sweep(engine: str, data: Path, results: Path, args: argparse.Namespace, *extra: str) -> float:
    command = [
        sys.executable, "-m", "vsumbench", "sweep", "--engine", engine,
        "--models", args.models, "--datasets", args.datasets, "--epochs", str(args.epochs),
        "--data-dir", str(data), "--results", str(results), "--device", "cpu",
        "--backbone-inits", "random", "--quiet",
    ]  # fmt: skip
    command += list(extra)
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def fold_seconds(results: Path) -> list[float]:
    found = []
    for log in results.rglob("fold*.log"):
        found += [float(s) for s in re.findall(r"== done after ([0-9.]+) s", log.read_text())]
    return found


def gpu_packing(epochs: int) -> None:
    """``vsumbench run csta --dataset tvsum`` on CUDA: 5 folds one at a time, then packed."""
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        data = tmp / "data"
        synth = [sys.executable, "-m", "vsumbench", "data", "synth", "--size", "full"]
        subprocess.run([*synth, "--out", str(data)], check=True, capture_output=True)
        walls = {}
        for name, extra in (("one fold at a time", []), ("5 folds packed", ["--parallel", "5"])):
            command = [
                sys.executable, "-m", "vsumbench", "run", "csta", "--dataset", "tvsum",
                "--epochs", str(epochs), "--device", "cuda", "--backbone-init", "random",
                "--data-dir", str(data), "--results", str(tmp / name.replace(" ", "-")),
                "--quiet", *extra,
            ]  # fmt: skip
            start = time.perf_counter()
            subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
            walls[name] = time.perf_counter() - start
    for name, wall in walls.items():
        print(f"csta, tvsum full-size, 5 folds x {epochs} epochs, {name}: {wall:7.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default="vasnet,csta-baseline")
    parser.add_argument("--datasets", default="summe,tvsum")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--gpu", action="store_true", help="GPU packing (needs CUDA)")
    args = parser.parse_args()
    if args.gpu:
        gpu_packing(100 if args.epochs == 3 else args.epochs)
        return
    slots = len(os.sched_getaffinity(0))
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        data = tmp / "data"
        subprocess.run(
            [sys.executable, "-m", "vsumbench", "data", "synth", "--out", str(data)],
            check=True,
            capture_output=True,
        )
        inline = sweep("inline", data, tmp / "inline", args)
        inline1 = sweep("inline", data, tmp / "inline1", args, "--threads", "1")
        ray = sweep("ray", data, tmp / "ray", args, "--cpus-per-task", "1")
        seconds = fold_seconds(tmp / "ray")
    n = len(seconds)
    overhead = (ray * slots - sum(seconds)) / n
    print(f"{args.models} x {args.datasets}, {args.epochs} epochs: {n} folds, {slots} cores")
    print(f"one process, one fold after another (run's default threads): {inline:7.1f} s")
    print(f"one process, one fold after another, 1 thread:              {inline1:7.1f} s")
    print(
        f"ray, embedded, {slots} folds at once, 1 thread each:           {ray:7.1f} s   "
        f"speed-up {inline / ray:.2f}x (vs default threads), {inline1 / ray:.2f}x (vs 1 thread)"
    )
    print(
        f"engine overhead per fold: {overhead:.2f} s (start-up included; folds' own time {sum(seconds):.1f} s)"
    )


if __name__ == "__main__":
    main()
