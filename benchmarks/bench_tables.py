"""`vsumbench table --table 3`: MACs counted on every call (cold cache) against counts kept
on disk (warm cache), side by side, start-up included, as a user runs the command.

    python benchmarks/bench_tables.py [--repeats 3]

Prints JSON: median seconds of each side and their ratio. Each cold run gets an empty cache
folder of its own; the warm runs share one that a first (untimed) run filled.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

COMMAND = [sys.executable, "-m", "vsumbench", "table", "--table", "3", "--published-only"]


def timed(cache: Path) -> float:
    env = {**os.environ, "VSUMBENCH_CACHE": str(cache)}
    start = time.perf_counter()
    subprocess.run(COMMAND, env=env, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        warm = Path(tmp) / "warm"
        timed(warm)  # fills the cache
        cold_times, warm_times = [], []
        for i in range(args.repeats):  # interleaved, so load hits both sides alike
            cold_times.append(timed(Path(tmp) / f"cold{i}"))
            warm_times.append(timed(warm))
    cold, hot = statistics.median(cold_times), statistics.median(warm_times)
    print(json.dumps({"command": " ".join(COMMAND[1:]), "repeats": args.repeats,
                      "cold_s": round(cold, 3), "warm_s": round(hot, 3),
                      "ratio": round(cold / hot, 1)}, indent=2))  # fmt: skip


if __name__ == "__main__":
    main()
