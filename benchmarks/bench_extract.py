"""Feature-extraction throughput: batched vs a batch-of-one loop (frames per second).

    python benchmarks/bench_extract.py [--device cpu|cuda] [--frames 64] [--batch 32] [--threads 1]

Random-weight GoogLeNet on random 224x224 RGB frames (speed does not depend on the weights).
The batch-of-one loop is how the official CSTA script extracts features.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch

from vsumbench.videoio.features import FrameFeatures


def _rate(fn, frames: np.ndarray, device: torch.device) -> float:
    fn(frames[:2])  # warm-up (cuDNN autotune, allocator)
    if device.type == "cuda":
        torch.cuda.synchronize()
    start = time.perf_counter()
    fn(frames)
    if device.type == "cuda":
        torch.cuda.synchronize()
    return len(frames) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--device", default="auto")
    parser.add_argument("--frames", type=int, default=64)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--threads", type=int, default=0, help="torch CPU threads (0: default)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    frames = np.random.default_rng(0).integers(0, 256, (args.frames, 224, 224, 3), dtype=np.uint8)
    batched = FrameFeatures("random", device=args.device, batch_size=args.batch)
    single = FrameFeatures("random", device=args.device, batch_size=1)
    fps_batched = _rate(batched, frames, batched.device)
    fps_single = _rate(single, frames, single.device)
    print(
        f"device {batched.device}, threads {torch.get_num_threads()}, {args.frames} frames of 224x224"
    )
    print(f"batch of 1 : {fps_single:8.1f} frames/s")
    print(
        f"batch of {args.batch:<2}: {fps_batched:8.1f} frames/s  ({fps_batched / fps_single:.2f}x)"
    )


if __name__ == "__main__":
    main()
