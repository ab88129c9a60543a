"""`vsumbench evaluate --dataset mrhisum` against Mr.HiSum's official evaluation loop.

    python benchmarks/bench_mrhisum_eval.py --official CHECKOUT [--sklearn DIR] [--videos 2000]

CHECKOUT is a checkout of MRHiSum/MR.HiSum (`fetch` it; nothing is copied from it); DIR is
where scikit-learn can be imported from when it is not installed (the official loop calls
``average_precision_score``). The script writes, in a temporary folder, a Mr.HiSum file of
``--videos`` synthetic test videos (the twin's durations and shots; features are not read by
either side) and seeded predictions, then times two whole programs, start-up included,
interleaved ``--repeats`` times (medians):

* ours: ``vsumbench evaluate pred.h5 --dataset mrhisum --json``;
* official: a driver that imports the official ``model/utils`` and runs, per video, the body
  of ``Solver.evaluate`` with a batch of one (``generate_summary``, ``evaluate_summary``,
  the clip means, ``top50_summary``/``top15_summary``, the softmax and scikit-learn's AP),
  reading the same two files with h5py.

Both must give the same three means (to 1e-9) or the script fails. Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import h5py
import numpy as np

DRIVER = textwrap.dedent(
    """
    import sys, json
    import h5py, numpy as np, torch
    sys.path.insert(0, sys.argv[1])
    from sklearn.metrics import average_precision_score
    from model.utils.generate_summary import generate_summary
    from model.utils.evaluation_metrics import evaluate_summary
    from model.utils.evaluate_map import generate_mrhisum_seg_scores, top50_summary, top15_summary
    data, preds = h5py.File(sys.argv[2], "r"), h5py.File(sys.argv[3], "r")
    f1s, m50, m15 = [], [], []
    for key in json.load(open(sys.argv[4]))["test_keys"]:
        video = data[key]
        gtscore = torch.Tensor(np.array(video["gtscore"])).unsqueeze(0)
        score = torch.Tensor(np.array(preds[key]))
        cps = np.array(video["change_points"])
        n = np.array([score.shape[0]])
        nfps = [cp[1] - cp[0] for cp in cps]
        picks = np.arange(score.shape[0])
        gt_summary = np.expand_dims(np.array(video["gt_summary"]), axis=0)
        machine = generate_summary(score, cps, n, nfps, picks)
        f, _, _ = evaluate_summary(machine, gt_summary, eval_method="avg")
        f1s.append(f)
        gt_seg = generate_mrhisum_seg_scores(gtscore.squeeze(0), uniform_clip=5)
        seg = generate_mrhisum_seg_scores(score, uniform_clip=5)
        seg = torch.exp(seg) / (torch.exp(seg).sum() + 1e-7)
        seg = seg.clone().detach().cpu().numpy()
        m50.append(average_precision_score(top50_summary(gt_seg), seg))
        m15.append(average_precision_score(top15_summary(gt_seg), seg))
    print(json.dumps({"f1": float(np.mean(f1s)) / 100, "map50": float(np.mean(m50)),
                      "map15": float(np.mean(m15))}))
    """
)


def make_data(folder: Path, videos: int, seed: int, quantised: bool = True) -> None:
    """A Mr.HiSum file without features (neither side reads them), the list of its keys, and
    predictions with ties."""
    from vsumbench.data.mrhisum_synth import STREAM, _concept, mrhisum_video
    from vsumbench.data.synth import SynthConfig

    cfg = SynthConfig(n_features=32, n_signal=8)
    concept = _concept(seed, cfg)
    keys = [f"video_{i}" for i in range(1, videos + 1)]
    rng = np.random.default_rng(seed)
    with h5py.File(folder / "mr_hisum.h5", "w") as h5, h5py.File(folder / "pred.h5", "w") as p:
        for i, key in enumerate(keys, 1):
            video = mrhisum_video(np.random.default_rng([seed, STREAM, i]), concept, cfg)
            group = h5.create_group(key)
            for name in ("gtscore", "change_points", "gt_summary"):
                group.create_dataset(name, data=video[name])
            n = video["gtscore"].size
            scores = rng.random(n)
            scores = np.round(scores, 2) if quantised else scores  # ties, near-ties or none
            p.create_dataset(key, data=scores.astype(np.float32))
    # No mr_hisum_split.json beside it: `evaluate` then expects every video, as the driver.
    (folder / "keys.json").write_text(json.dumps({"test_keys": keys}))


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, str]:
    start = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, check=True).stdout
    return time.perf_counter() - start, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--official", type=Path, required=True)
    parser.add_argument("--sklearn", type=Path, default=None)
    parser.add_argument("--videos", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--predictions", choices=("quantised", "continuous"), default="quantised",
                        help="scores rounded to 2 decimals (ties, and near-ties that make "
                        "vsumbench recompute the softmax with torch) or not (a model's sigmoid "
                        "outputs)")  # fmt: skip
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        make_data(folder, args.videos, args.seed, args.predictions == "quantised")
        (folder / "driver.py").write_text(DRIVER)
        env = dict(os.environ)
        if args.sklearn:
            env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(args.sklearn),
                                                               env.get("PYTHONPATH")]))  # fmt: skip
        env["VSUMBENCH_CACHE"] = str(folder / "cache")
        ours = [sys.executable, "-m", "vsumbench", "evaluate", str(folder / "pred.h5"),
                "--dataset", "mrhisum", "--data-dir", str(folder), "--json"]  # fmt: skip
        official = [sys.executable, str(folder / "driver.py"), str(args.official),
                    str(folder / "mr_hisum.h5"), str(folder / "pred.h5"),
                    str(folder / "keys.json")]  # fmt: skip
        times: dict[str, list[float]] = {"vsumbench": [], "official": []}
        for _ in range(args.repeats):
            t, out = timed(ours, env)
            times["vsumbench"].append(t)
            mine = json.loads(out)
            t, out = timed(official, env)
            times["official"].append(t)
            theirs = json.loads(out)
        for metric in ("f1", "map50", "map15"):
            if abs(mine[metric] - theirs[metric]) > 1e-9:
                raise SystemExit(
                    f"{metric} differs: ours {mine[metric]}, official {theirs[metric]}"
                )
        med = {k: statistics.median(v) for k, v in times.items()}
        print(json.dumps({"videos": args.videos, "predictions": args.predictions,
                          "repeats": args.repeats, "seconds": med,
                          "speedup": med["official"] / med["vsumbench"],
                          "means": {m: mine[m] for m in ("f1", "map50", "map15")}}, indent=2))  # fmt: skip


if __name__ == "__main__":
    main()
