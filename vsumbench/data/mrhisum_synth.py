"""The synthetic Mr.HiSum twin: ``mr_hisum.h5`` and ``mr_hisum_split.json`` in the
authors' layout, with features filled, so Mr.HiSum's commands run without YouTube-8M.

One step is one second (Mr.HiSum's features are YouTube-8M's 1 fps frame features, the first
300 seconds of each video). Per video, from its own ``default_rng([seed, 3, index])``:

* a duration drawn uniformly from YouTube-8M's 120-500 s, cut at 300 steps;
* KTS-like shots: gamma-distributed lengths (mean 6 steps, 2-20) tiling ``[0, T)`` as
  inclusive ``[first, last]`` pairs;
* features: 1024-d, the benchmark's planted concept (`vsumbench.data.synth`: content smooth
  over shots, a fixed read-out defines importance, only some dimensions carry it), clipped
  to YouTube-8M's dequantised range [-2, 2];
* ``gtscore``: the importance seen through viewers' noise, squashed and scaled to [0, 1]
  per video (as Mr.HiSum normalises "Most replayed");
* ``gt_summary``: the official summary of ``gtscore`` (`official_summary`), with the
  ``sum(end - start)`` entries the authors' evaluation needs.

The split holds train/val/test keys in the authors' proportions (27,892 / 2,000 / 2,000).
Videos are written one at a time into a temporary file that replaces the target when
complete: memory does not grow with the number of videos. The full 31,892 videos take about
35 GB (1.1 MB a video, float32 features; 200 videos: 219 MB in 2 s on 2 cores).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from vsumbench.data.synth import (
    SynthConfig,
    _ar_process,
    _concept,
    _moving_average,
    _shots,
    _standardize,
)
from vsumbench.data.synthetic_marks import SyntheticMarks, refuse_foreign

__all__ = ["FILE", "SPLIT_FILE", "generate_mrhisum", "mrhisum_video"]

FILE = "mr_hisum.h5"
SPLIT_FILE = "mr_hisum_split.json"
STREAM = 3  # videos draw from default_rng([seed, STREAM, index])
AUTHORS_SPLIT = (27_892, 2_000, 2_000)  # train, val, test
MAX_STEPS = 300
DURATION = (120, 500)  # YouTube-8M's video lengths, seconds
SHOTS = (6.0, 2, 20)  # mean, min, max steps
VIEWER_NOISE = 0.6


def mrhisum_video(rng: np.random.Generator, concept, cfg: SynthConfig) -> dict[str, np.ndarray]:
    """One video's ``features``, ``gtscore``, ``change_points`` and ``gt_summary``."""
    from vsumbench.protocol.mrhisum import official_summary

    n = min(MAX_STEPS, int(rng.integers(DURATION[0], DURATION[1] + 1)))
    cps = _shots(rng, n, *SHOTS)
    shot_of_step = np.searchsorted(cps[:, 1], np.arange(n), side="left")
    content = _ar_process(rng, len(cps), cfg.n_latent, cfg.shot_rho)[shot_of_step]
    content += cfg.within_shot * rng.standard_normal((n, cfg.n_latent))
    other = _ar_process(rng, len(cps), cfg.n_distractor_latent, cfg.shot_rho)[shot_of_step]
    level = content @ concept.readout
    importance = _standardize(
        level + cfg.context_gain * (level - _moving_average(level, cfg.context_steps))
    )
    features = np.empty((n, cfg.n_features))
    features[:, concept.signal_dims] = cfg.signal_gain * content @ concept.signal_proj.T
    features[:, concept.distractor_dims] = cfg.distractor_gain * other @ concept.distractor_proj.T
    features += cfg.feature_noise * rng.standard_normal(features.shape)
    replayed = 1 / (1 + np.exp(-(importance + VIEWER_NOISE * rng.standard_normal(n))))
    gtscore = (replayed - replayed.min()) / max(replayed.max() - replayed.min(), 1e-12)
    gtscore = gtscore.astype(np.float32)
    return {
        "features": np.clip(features, -2.0, 2.0).astype(np.float32),
        "gtscore": gtscore,
        "change_points": cps,
        "gt_summary": official_summary(gtscore, cps).astype(np.float32),
    }


def split_keys(keys: list[str], seed: int) -> dict[str, list[str]]:
    """``train_keys``/``val_keys``/``test_keys`` in the authors' proportions (each at least
    one video when there are three or more)."""
    order = list(np.random.default_rng([seed, STREAM, 0]).permutation(len(keys)))
    total = sum(AUTHORS_SPLIT)
    n_test = max(1, round(len(keys) * AUTHORS_SPLIT[2] / total)) if len(keys) >= 3 else 0
    n_val = max(1, round(len(keys) * AUTHORS_SPLIT[1] / total)) if len(keys) >= 3 else 0
    picked = [keys[i] for i in order]
    test, val, train = picked[:n_test], picked[n_test : n_test + n_val], picked[n_test + n_val :]
    return {"train_keys": sorted(train, key=_number), "val_keys": sorted(val, key=_number),
            "test_keys": sorted(test, key=_number)}  # fmt: skip


def _number(key: str) -> int:
    return int(key.rsplit("_", 1)[-1])


def generate_mrhisum(
    out: str | os.PathLike,
    n_videos: int,
    seed: int = 0,
    *,
    cfg: SynthConfig | None = None,
    progress: bool = False,
    force: bool = False,
) -> dict[str, Path]:
    """Write the twin into ``out``; ``{what: path}``. Files that are not synthetic are never
    replaced unless ``force`` (`vsumbench.data.synthetic_marks`)."""
    import h5py

    from vsumbench.atomic import atomic_path, write_json
    from vsumbench.data.synth import GENERATOR_VERSION
    from vsumbench.progress import progress_bar

    if n_videos < 1:
        raise ValueError(f"n_videos must be at least 1, got {n_videos}")
    cfg = cfg or SynthConfig()
    out = Path(out)
    targets = {"mrhisum": out / FILE, "mrhisum_split": out / SPLIT_FILE}
    if not force:
        refuse_foreign(out, targets.values())
    out.mkdir(parents=True, exist_ok=True)
    concept = _concept(seed, cfg)
    keys = [f"video_{i}" for i in range(1, n_videos + 1)]
    with atomic_path(targets["mrhisum"]) as tmp, h5py.File(tmp, "w") as h5:
        h5.attrs.update(vsumbench_synthetic=1, seed=int(seed), dataset="Mr.HiSum",
                        generator_version=GENERATOR_VERSION, videos=n_videos)  # fmt: skip
        for index, key in enumerate(progress_bar(keys, desc="synth mrhisum", unit="video",
                                                 disable=not progress), 1):  # fmt: skip
            video = mrhisum_video(np.random.default_rng([seed, STREAM, index]), concept, cfg)
            group = h5.create_group(key)
            for name, value in video.items():
                group.create_dataset(name, data=value)
    write_json(targets["mrhisum_split"], split_keys(keys, seed))
    SyntheticMarks(out).add(targets["mrhisum_split"])
    return targets
