"""Speed of the evaluation protocol against straightforward implementations.

1. ``vsumbench evaluate`` on a full-size TVSum predictions file (50 videos, F1 against 20
   user summaries, tau/rho against 20 annotators), timed as a subprocess (start-up, file
   reading and annotation parsing included), against a plain implementation written here
   (Python double-loop DP knapsack, one scipy call per annotator). The plain version is
   timed three ways: as a script in a subprocess that reads the files with plain h5py and
   string splitting (start-up included on both sides: the like-for-like figure), in process
   with our loaders, and on compute only. Both must give the same numbers; the script
   checks that.
2. The Human row on the real TVSum annotations (50 videos x 380 ordered pairs, full frame
   rate): `vsumbench.protocol.human_row` against one scipy call per pair.

    python benchmarks/bench_protocol.py [--data-dir DIR] [--annotations ydata-anno.tsv.gz]

Without ``--data-dir`` the full-size synthetic benchmark is generated into a temporary
folder (``vsumbench.data.synth.generate_benchmark(size="full")``).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from scipy import stats

REPO = Path(__file__).resolve().parents[1]
DEFAULT_ANNOTATIONS = REPO.parent / "shared" / "data" / "tvsum" / "ydata-anno.tsv.gz"


# ----------------------------------------------------------------- straightforward versions


def naive_knapsack(capacity, weights, values):
    n = len(values)
    k = [[0.0] * (capacity + 1) for _ in range(n + 1)]
    for i in range(1, n + 1):
        for w in range(1, capacity + 1):
            if weights[i - 1] <= w:
                k[i][w] = max(values[i - 1] + k[i - 1][w - weights[i - 1]], k[i - 1][w])
            else:
                k[i][w] = k[i - 1][w]
    chosen, w = [], capacity
    for i in range(n, 0, -1):
        if k[i][w] != k[i - 1][w]:
            chosen.append(i - 1)
            w -= weights[i - 1]
    return chosen


def naive_video(scores, video, annotator_scores):
    frames = np.zeros(video.n_frames, dtype=np.float32)
    positions = list(video.picks) + [video.n_frames]
    for i in range(len(positions) - 1):
        frames[positions[i] : positions[i + 1]] = scores[i]
    cps = video.change_points
    values = [frames[a : b + 1].mean().item() for a, b in cps]
    weights = [int(b - a + 1) for a, b in cps]
    length = int(cps[-1][1]) + 1
    chosen = naive_knapsack(int(length * 0.15), weights, values)
    summary = np.zeros(length, dtype=np.uint8)
    for i in chosen:
        summary[cps[i][0] : cps[i][1] + 1] = 1
    f1s = []
    for user in video.user_summary:
        overlap = int((summary.astype(bool) & user.astype(bool)).sum())
        if overlap == 0:
            f1s.append(0.0)
            continue
        p, r = overlap / summary.sum(), overlap / user.sum()
        f1s.append(2 * p * r / (p + r))
    taus, rhos = [], []
    for ann in annotator_scores:
        ref = (ann / ann.max())[::15]
        taus.append(stats.kendalltau(scores, ref).statistic)
        rhos.append(stats.spearmanr(scores, ref).statistic)
    return float(np.mean(taus)), float(np.mean(rhos)), float(np.mean(f1s))


def naive_human(scores):
    taus, rhos = [], []
    for i in range(len(scores)):
        for j in range(len(scores)):
            if i != j:
                taus.append(stats.kendalltau(scores[i], scores[j]).statistic)
                rhos.append(stats.spearmanr(scores[i], scores[j]).statistic)
    return float(np.mean(taus)), float(np.mean(rhos))


def naive_script(pred_path: str, data_dir: str) -> None:
    """The straightforward evaluation as a whole program: plain h5py, plain text parsing."""
    import h5py

    ann: dict[str, list[np.ndarray]] = {}
    with open(Path(data_dir) / "ydata-anno.tsv") as fh:
        for line in fh:
            vid, _cat, text = line.rstrip("\n").split("\t")
            ann.setdefault(vid, []).append(np.array(text.split(","), dtype=int))
    annotators = {f"video_{i}": np.stack(rows) for i, rows in enumerate(ann.values(), 1)}
    out = {}
    with (
        h5py.File(pred_path, "r") as pred,
        h5py.File(Path(data_dir) / "eccv16_dataset_tvsum_google_pool5.h5", "r") as h5,
    ):
        for key in pred:
            g = h5[key]
            video = argparse.Namespace(
                n_frames=int(g["n_frames"][()]),
                picks=g["picks"][()],
                change_points=g["change_points"][()],
                user_summary=g["user_summary"][()],
            )
            out[key] = naive_video(pred[key][()], video, annotators[key])
    print(json.dumps(out))


# ------------------------------------------------------------------------------ benchmarks


def _timed(cmd: list[str], env: dict) -> tuple[float, float, str]:
    """Wall and CPU seconds of one fresh process, and its output."""
    before = _children_cpu()
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=True, env=env)
    return time.perf_counter() - t0, _children_cpu() - before, proc.stdout


def bench_evaluate(data_dir: Path, repeats: int) -> dict:
    from vsumbench.data.annotations import load_annotations
    from vsumbench.data.eccv16 import load_videos
    from vsumbench.data.paths import annotation_file, dataset_file
    from vsumbench.data.predictions import write_predictions
    from vsumbench.protocol import evaluate, make_references

    n_steps = {
        k: v.n_steps for k, v in load_videos(dataset_file("tvsum", data_dir), fields=()).items()
    }
    rng = np.random.default_rng(0)
    # Ties on purpose (a model with saturated outputs), so tie-breaking is exercised too.
    preds = {k: np.round(rng.random(n), 2).astype(np.float32) for k, n in n_steps.items()}
    pred_path = data_dir / "bench_predictions.h5"
    write_predictions(pred_path, preds)
    cmd = [sys.executable, "-m", "vsumbench", "evaluate", str(pred_path), "--dataset", "tvsum"]
    cmd += ["--data-dir", str(data_dir), "--json"]
    bare = [sys.executable, "-c", "import numpy, h5py"]
    script = [sys.executable, __file__, "--naive-script", str(pred_path), str(data_dir)]
    # As a user runs them: bytecode cached (like an installed package), a cache folder of
    # its own for the parsed annotations (the first CLI run is timed separately, cold).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["VSUMBENCH_CACHE"] = tempfile.mkdtemp(prefix="vsumbench-bench-cache-")
    first = _timed(cmd, env)
    out = json.loads(first[2])
    cli_wall, cli_cpu, bare_wall, script_wall, script_cpu = [], [], [], [], []
    naive_out = None
    for _ in range(repeats):  # interleaved, so load on the machine hits every side alike
        wall, cpu, _ = _timed(cmd, env)
        cli_wall.append(wall)
        cli_cpu.append(cpu)
        bare_wall.append(_timed(bare, env)[0])
        wall, cpu, naive_out = _timed(script, env)
        script_wall.append(wall)
        script_cpu.append(cpu)
    naive_proc_stdout = naive_out
    for key, (tau, rho, f1) in json.loads(naive_proc_stdout).items():
        got = out["per_video"][key]
        assert abs(got["kendall"] - tau) < 1e-9 and abs(got["f1"] - f1) < 1e-9, (key, got)
        assert abs(got["spearman"] - rho) < 1e-9, (key, got, rho)
    # The straightforward version reads the same files with the same loaders, then computes.
    w0, c0 = time.perf_counter(), time.process_time()
    videos = load_videos(dataset_file("tvsum", data_dir), fields=("user_summary",))
    annotations = load_annotations(annotation_file("tvsum", data_dir))
    w1, c1 = time.perf_counter(), time.process_time()
    naive = {k: naive_video(preds[k], v, annotations[k].scores) for k, v in videos.items()}
    w2, c2 = time.perf_counter(), time.process_time()
    # In process, files already read: references once (per dataset), then one evaluation
    # (what a training loop pays per epoch).
    r0 = time.process_time()
    references = make_references(videos, "tvsum", annotations)
    r1 = time.process_time()
    evaluate(preds, references)
    r2 = time.process_time()
    for key, (tau, rho, f1) in naive.items():
        got = out["per_video"][key]
        assert abs(got["kendall"] - tau) < 1e-9, (key, got, tau)
        assert abs(got["spearman"] - rho) < 1e-9, (key, got, rho)
        assert abs(got["f1"] - f1) < 1e-9, (key, got, f1)
    cli_s, cli_c = statistics.median(cli_wall), statistics.median(cli_cpu)
    bare_s = statistics.median(bare_wall)
    script_s, script_c = statistics.median(script_wall), statistics.median(script_cpu)
    return {
        "videos": len(videos),
        "annotators": int(next(iter(annotations.values())).scores.shape[0]),
        "repeats": repeats,
        "cli_first_run_wall_s": round(first[0], 3),
        "cli_wall_s": round(cli_s, 3),
        "cli_cpu_s": round(cli_c, 3),
        "bare_numpy_h5py_startup_wall_s": round(bare_s, 3),
        "cli_vs_bare_startup": round(cli_s / bare_s, 2),
        "naive_script_wall_s": round(script_s, 3),
        "naive_script_cpu_s": round(script_c, 3),
        "speedup_cli_vs_script_wall": round(script_s / cli_s, 1),
        "speedup_cli_first_run_vs_script_wall": round(script_s / first[0], 1),
        "speedup_cli_vs_script_cpu": round(script_c / cli_c, 1),
        "naive_compute_wall_s": round(w2 - w1, 3),
        "naive_compute_cpu_s": round(c2 - c1, 3),
        "naive_with_loading_wall_s": round(w2 - w0, 3),
        "naive_with_loading_cpu_s": round(c2 - c0, 3),
        "speedup_cpu_compute_only": round((c2 - c1) / cli_c, 1),
        "speedup_cpu_with_loading": round((c2 - c0) / cli_c, 1),
        "in_process_make_references_cpu_s": round(r1 - r0, 3),
        "in_process_evaluate_cpu_s": round(r2 - r1, 3),
        "speedup_in_process_compute": round((c2 - c1) / (r2 - r0), 1),
        "speedup_per_epoch_evaluate": round((c2 - c1) / (r2 - r1), 1),
        "same_numbers": True,
    }


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def bench_human(annotations_path: Path, naive_videos: int | None) -> dict:
    from vsumbench.data.annotations import load_annotations
    from vsumbench.protocol import human_row

    annotations = load_annotations(annotations_path)
    t0 = time.process_time()
    row = human_row(annotations)
    fast_s = time.process_time() - t0
    keys = list(annotations)[: naive_videos or None]
    t0 = time.process_time()
    naive = {k: naive_human(annotations[k].scores) for k in keys}
    naive_s = time.process_time() - t0
    for k, (tau, rho) in naive.items():
        assert abs(row.per_video[k].kendall - tau) < 1e-9
        assert abs(row.per_video[k].spearman - rho) < 1e-9
    frac = sum(annotations[k].scores.shape[1] for k in keys) / sum(
        a.scores.shape[1] for a in annotations.values()
    )
    naive_full = naive_s / frac  # extrapolated by frame count when a subset was timed
    return {
        "videos": len(annotations),
        "kendall": round(row.kendall, 4),
        "spearman": round(row.spearman, 4),
        "human_row_cpu_s": round(fast_s, 3),
        "naive_scipy_cpu_s": round(naive_full, 1),
        "naive_timed_videos": len(keys),
        "speedup": round(naive_full / fast_s, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, help="folder with a full-size TVSum benchmark")
    parser.add_argument("--annotations", type=Path, default=DEFAULT_ANNOTATIONS)
    parser.add_argument(
        "--repeats", type=int, default=9, help="interleaved runs of each side (medians)"
    )
    parser.add_argument(
        "--naive-videos",
        type=int,
        default=None,
        help="time scipy per pair on the first N videos only and extrapolate (default: all 50)",
    )
    parser.add_argument(
        "--naive-script", nargs=2, metavar=("PRED", "DATA_DIR"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.naive_script:
        naive_script(*args.naive_script)
        return
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = args.data_dir
        if data_dir is None:
            from vsumbench.data.synth import generate_benchmark

            data_dir = Path(tmp)
            print("generating the full-size synthetic benchmark ...", file=sys.stderr)
            generate_benchmark(data_dir, size="full", seed=0)
        results["evaluate_tvsum_full"] = bench_evaluate(Path(data_dir), args.repeats)
        print(json.dumps(results, indent=2), file=sys.stderr)
    if args.annotations.is_file():
        results["human_row_tvsum_real"] = bench_human(args.annotations, args.naive_videos)
    else:
        print(f"skipping the Human row: {args.annotations} not found", file=sys.stderr)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
