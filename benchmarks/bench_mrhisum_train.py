"""Mr.HiSum training throughput and peak memory: vsumbench's streamed loop against the
authors' ``MrHiSumDataset`` + ``BatchCollator`` pipeline, at several dataset sizes.

    python benchmarks/bench_mrhisum_train.py --official CHECKOUT --videos 2000,8000
    python benchmarks/bench_mrhisum_train.py --official CHECKOUT --videos 2000 --device cuda --batch 256

CHECKOUT is a checkout of MRHiSum/MR.HiSum (nothing is copied from it). For each size the
synthetic twin is generated once (``--data-root``, default a temporary folder; about 1.1 MB a
video), then each side trains ``--batches`` optimiser steps of ``--batch`` videos in a
process of its own, from a cold start (imports, opening the file, loader workers):

* vsumbench: the streamed loop of ``vsumbench run`` (`vsumbench.runner.split_train`):
  loader workers read each video from the file, VASNet runs over each video's own steps;
* authors: their dataset class (the file opened once, one read per item), their collator
  (padding and the mask), a ``DataLoader`` with ``--workers`` workers and ``shuffle=True``,
  their VASNet on the padded batch with the mask, and their masked MSE, as ``Solver.train``.

Both use Adam (lr 5e-5, L2 1e-4). Reported per side: videos per second (after the first
batch, which pays for the start), wall time, and peak resident memory of the process and of
its loader workers (``ru_maxrss``). Peak memory must not grow with the number of videos.
Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _peak_mb() -> dict[str, float]:
    self_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {"main_mb": self_kb / 1024, "workers_mb": children_kb / 1024}


def ours(args) -> dict:
    import torch

    from vsumbench.models import create
    from vsumbench.runner.stream import StreamedVideos, video_batches

    torch.manual_seed(0)
    model = create("vasnet").to(args.device)
    optimizer = torch.optim.Adam(model.parameters(), lr=5e-5, weight_decay=1e-4)
    keys = json.loads((args.data / "mr_hisum_split.json").read_text())["train_keys"]
    data = StreamedVideos(args.data / "mr_hisum.h5", keys)
    order = torch.randperm(len(keys)).tolist()
    batches = [order[i : i + args.batch] for i in range(0, args.batch * args.batches, args.batch)]
    return _loop(args, model, optimizer, video_batches(data, batches, args.workers), _our_step)


def _our_step(model, optimizer, batch, device):
    import torch.nn.functional as F

    model.train()
    optimizer.zero_grad()
    steps = sum(int(y.shape[0]) for _, _, y in batch)
    for _, x, y in batch:
        x, y = x.to(device), y.to(device)
        (F.mse_loss(model(x), y) * (y.shape[0] / steps)).backward()
    optimizer.step()
    return len(batch)


def authors(args) -> dict:
    import torch

    os.chdir(args.workdir)  # their dataset reads dataset/mr_hisum.h5 from the working folder
    sys.path.insert(0, str(args.official))
    from model.mrhisum_dataset import BatchCollator, MrHiSumDataset
    from networks.vasnet.vasnet import VASNet

    torch.manual_seed(0)
    model = VASNet(hidden_dim=1024).to(args.device)
    optimizer = torch.optim.Adam(model.parameters(), lr=5e-5, weight_decay=1e-4)
    loader = torch.utils.data.DataLoader(MrHiSumDataset(mode="train"), batch_size=args.batch,
                                         shuffle=True, num_workers=args.workers,
                                         collate_fn=BatchCollator())  # fmt: skip
    return _loop(args, model, optimizer, loader, _their_step)


def _their_step(model, optimizer, batch, device):
    import torch

    model.train()
    optimizer.zero_grad()
    mask = batch["mask"].to(device)
    score, _ = model(batch["features"].to(device), mask)
    loss = torch.nn.MSELoss(reduction="none")(score[mask], batch["gtscore"].to(device)[mask])
    loss.mean().backward()
    optimizer.step()
    return int(mask.shape[0])


def _loop(args, model, optimizer, batches, step) -> dict:
    import torch

    start = time.perf_counter()
    first = None
    videos = 0
    for i, batch in enumerate(batches):
        if i >= args.batches:
            break
        done = step(model, optimizer, batch, args.device)
        if args.device.startswith("cuda"):
            torch.cuda.synchronize()
        if first is None:
            first = time.perf_counter()
        else:
            videos += done
    end = time.perf_counter()
    return {"videos_per_s": videos / (end - first) if videos else None, "wall_s": end - start,
            **_peak_mb()}  # fmt: skip


def prepare(root: Path, n: int) -> Path:
    """The twin with ``n`` videos (kept across runs under --data-root), and the authors'
    expected layout (dataset/mr_hisum.h5) beside it as links."""
    from vsumbench.data.mrhisum_synth import generate_mrhisum

    folder = root / f"twin{n}"
    if not (folder / "mr_hisum.h5").is_file():
        generate_mrhisum(folder, n, seed=0, progress=True, force=True)
    work = folder / "authors" / "dataset"
    work.mkdir(parents=True, exist_ok=True)
    for name in ("mr_hisum.h5", "mr_hisum_split.json"):
        if not (work / name).exists():
            (work / name).symlink_to(folder / name)
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--official", type=Path, required=True)
    parser.add_argument("--videos", default="2000,8000")
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--batches", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--data-root", type=Path, default=None)
    parser.add_argument("--side", choices=("ours", "authors"), help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.side:  # one measurement, in a process of its own
        args.workdir = args.data / "authors"
        print(json.dumps((ours if args.side == "ours" else authors)(args)))
        return
    root = args.data_root or Path(tempfile.mkdtemp(prefix="mrhisum-bench-"))
    out = []
    for n in (int(v) for v in args.videos.split(",")):
        folder = prepare(root, n)
        for side in ("ours", "authors"):
            cmd = [sys.executable, __file__, "--side", side, "--data", str(folder),
                   "--official", str(args.official), "--batch", str(args.batch),
                   "--batches", str(args.batches), "--workers", str(args.workers),
                   "--device", args.device]  # fmt: skip
            done = subprocess.run(cmd, capture_output=True, text=True, check=True)
            out.append({"videos": n, "side": side, **json.loads(done.stdout.splitlines()[-1])})
            print(json.dumps(out[-1]), file=sys.stderr)
    print(json.dumps({"batch": args.batch, "batches": args.batches, "workers": args.workers,
                      "device": args.device, "runs": out}, indent=2))  # fmt: skip


if __name__ == "__main__":
    main()
