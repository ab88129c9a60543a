"""Training speed: throughput of one optimiser step per video, and a full 5-fold CSTA run.

1. Throughput (videos/s and steps/s, forward + backward + Adam step) of CSTA and VASNet on
   videos with the REAL TVSum length distribution (n_steps = ceil(n_frames / 15) of the 50
   real videos, from ``vsumbench.data.frame_counts``), random features, random backbone weights.
2. ``--full-run``: wall time of ``vsumbench run csta --dataset tvsum`` (5 folds) on the
   full-size synthetic TVSum (generated into ``--data-dir`` when missing); ``--epochs``
   limits it (e.g. on CPU) and the 100-epoch time is extrapolated from the per-epoch time.

Examples::

    python benchmarks/bench_training.py --device cpu --videos 4 --threads 1
    python benchmarks/bench_training.py --device cuda --videos 50 --full-run --epochs 100
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path


def _sync(device) -> None:
    import torch

    if device.type == "cuda":
        torch.cuda.synchronize(device)


def tvsum_lengths() -> list[int]:
    """n_steps of the 50 real TVSum videos, in key order."""
    from vsumbench.data.frame_counts import n_steps_for, real_frame_counts

    return [n_steps_for(n) for n in real_frame_counts("tvsum").values()]


def throughput(model_name: str, device_name: str, n_videos: int, warmup: int = 2) -> dict:
    """Time ``n_videos`` training steps (one video each) at real TVSum lengths."""
    import torch

    from vsumbench.models import create, get_spec
    from vsumbench.runner.environment import resolve_device
    from vsumbench.runner.seeding import seed_everything

    device = resolve_device(device_name)
    seed_everything(0)
    spec = get_spec(model_name)
    model = create(model_name)  # built without pretrained weights: random init
    model = model.to(device).train()
    opt = torch.optim.Adam(model.parameters(), lr=spec.lr, weight_decay=spec.weight_decay)
    lengths = tvsum_lengths()
    # Spread the timed videos over the whole distribution (sorted, evenly spaced picks).
    ordered = sorted(lengths)
    picks = [ordered[round(i * (len(ordered) - 1) / max(n_videos - 1, 1))] for i in range(n_videos)]
    gen = torch.Generator().manual_seed(0)
    data = [(torch.randn(t, 1024, generator=gen), torch.rand(t, generator=gen)) for t in picks]
    data = [(x.to(device), y.to(device)) for x, y in data]

    def step(x, y):
        opt.zero_grad(set_to_none=True)
        loss = torch.nn.functional.mse_loss(model(x).reshape(-1), y)
        loss.backward()
        opt.step()

    for x, y in data[:warmup]:
        step(x, y)
    _sync(device)
    t0 = time.perf_counter()
    for x, y in data:
        step(x, y)
    _sync(device)
    seconds = time.perf_counter() - t0
    return {
        "model": model_name,
        "device": str(device),
        "videos": n_videos,
        "steps": sum(picks),
        "seconds": seconds,
        "videos_per_s": n_videos / seconds,
        "steps_per_s": sum(picks) / seconds,
        # a TVSum training fold is 40 videos drawn from this distribution
        "est_epoch_s_40_videos": 40 * (sum(lengths) / len(lengths)) / (sum(picks) / seconds),
    }


def full_run(data_dir: Path | None, device: str, epochs: int, folds: list[int] | None) -> dict:
    """Wall time of a 5-fold CSTA run on the full-size synthetic TVSum."""
    from vsumbench.runner.config import RunConfig
    from vsumbench.runner.train import run

    if data_dir is None:
        data_dir = Path(tempfile.mkdtemp(prefix="vsumbench-full-"))
    if not (data_dir / "eccv16_dataset_tvsum_google_pool5.h5").is_file():
        from vsumbench.data.synth import generate_benchmark

        t0 = time.perf_counter()
        generate_benchmark(data_dir, size="full", seed=0, progress=True)
        print(
            f"generated full-size synthetic benchmark in {time.perf_counter() - t0:.1f} s",
            file=sys.stderr,
        )
    with tempfile.TemporaryDirectory(prefix="vsumbench-bench-results-") as results:
        config = RunConfig(
            model="csta",
            dataset="tvsum",
            data_dir=str(data_dir),
            epochs=epochs,
            folds=folds,
            device=device,
            results=results,
            backbone_init="random",
        )
        t0 = time.perf_counter()
        report = run(config)
        seconds = time.perf_counter() - t0
    n_folds = len(report.results)
    epoch_s = [e["seconds"] for r in report.results for e in r.epochs]
    per_epoch = sum(epoch_s) / len(epoch_s)
    return {
        "model": "csta",
        "dataset": "tvsum (synthetic, full size)",
        "device": report.results[0]["config"]["device"],
        "gpu": report.results[0]["environment"].get("gpu_name"),
        "folds": n_folds,
        "epochs": epochs,
        "wall_s": seconds,
        "mean_epoch_s": per_epoch,
        "est_5fold_100_epochs_s": per_epoch * 100 * 5,
        "kendall": sum(r.kendall for r in report.results) / n_folds,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--device", default="cpu", help="cpu, cuda or auto (comma-separated for several)"
    )
    parser.add_argument("--models", default="csta,vasnet")
    parser.add_argument("--videos", type=int, default=8, help="timed videos per model")
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads")
    parser.add_argument("--full-run", action="store_true", help="also time a 5-fold CSTA run")
    parser.add_argument("--epochs", type=int, default=100, help="epochs of the full run")
    parser.add_argument(
        "--folds", default=None, help="folds of the full run, e.g. 0 (default all 5)"
    )
    parser.add_argument(
        "--data-dir", type=Path, default=None, help="full-size synthetic data (made if missing)"
    )
    parser.add_argument("--json", type=Path, default=None, help="also write the numbers here")
    args = parser.parse_args(argv)

    import torch
    from tabulate import tabulate

    if args.threads:
        torch.set_num_threads(args.threads)
    rows = []
    for device in args.device.split(","):
        if device == "cuda" and not torch.cuda.is_available():
            print("CUDA not available: skipping --device cuda", file=sys.stderr)
            continue
        for name in args.models.split(","):
            rows.append(throughput(name, device, args.videos))
    print(tabulate(
        [[r["model"], r["device"], r["videos"], r["steps"], f"{r['videos_per_s']:.3f}",
          f"{r['steps_per_s']:.1f}", f"{r['est_epoch_s_40_videos']:.1f}"] for r in rows],
        headers=["model", "device", "videos", "steps", "videos/s", "steps/s", "est. s/epoch (40 videos)"],
        tablefmt="github",
    ))  # fmt: skip
    out = {"throughput": rows, "torch": torch.__version__, "threads": torch.get_num_threads()}
    if args.full_run:
        folds = [int(f) for f in args.folds.split(",")] if args.folds else None
        device = args.device.split(",")[-1]
        result = full_run(args.data_dir, device, args.epochs, folds)
        print(tabulate([[k, v] for k, v in result.items()], tablefmt="github"))
        out["full_run"] = result
    if args.json:
        args.json.write_text(json.dumps(out, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
