"""The synthetic benchmark: SumMe- and TVSum-like files whose importance is learnable.

The real eccv16 files are not redistributable here, so every command, test and CI job runs
on files of exactly their format made by this generator. The importance is a planted
signal: a few feature dimensions (WHICH) carry a latent content process that is smooth over
shots, and importance is a linear read-out of that content contrasted with its temporal
neighbourhood (WHEN). Annotators see it through heavy noise and make their summaries with the
real keyshot protocol. How and why, with the numbers: ``docs/synthetic.md``.

Same seed, same arrays, byte for byte: every video draws from its own
``numpy.random.default_rng([seed, dataset, video])`` stream.
"""

from __future__ import annotations

import os
import string
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np

from vsumbench.data.annotations import N_ANNOTATORS, VideoAnnotations, write_annotations
from vsumbench.data.eccv16 import Video, write_videos
from vsumbench.data.frame_counts import STEP, n_steps_for, real_frame_counts
from vsumbench.data.paths import dataset_filename
from vsumbench.data.splits import make_kfold, write_splits
from vsumbench.data.synth_multimodal import STREAM as MULTIMODAL_STREAM
from vsumbench.data.synth_multimodal import clip_fields, concept_directions
from vsumbench.data.synthetic_marks import SyntheticMarks, refuse_foreign
from vsumbench.datasets import get_dataset


@dataclass(frozen=True)
class SynthRecipe:
    """How one synthetic dataset is made: which registered dataset it imitates, its random
    stream, how many videos, and who rates them: ``"users"`` choose their own 15 % summaries
    (SumMe), ``"annotators"`` score 2-second blocks 1-5 (TVSum, with an annotation file)."""

    dataset: str
    stream: int  # videos draw from default_rng([seed, stream, video])
    n_videos: int
    raters: str


RECIPES = {
    r.dataset: r
    for r in (
        SynthRecipe("summe", 1, 25, "users"),
        SynthRecipe("tvsum", 2, 50, "annotators"),
        # The extra training sets of the augmented and transfer settings (DSNet's OVP and
        # YouTube files: 50 and 39 videos, users' summaries like SumMe's).
        SynthRecipe("ovp", 4, 50, "users"),
        SynthRecipe("youtube", 5, 39, "users"),
    )
}

GENERATOR_VERSION = "1"
SIZES = ("small", "full")
TVSUM_CATEGORIES = ("VT", "VU", "GA", "MS", "PK", "PR", "FM", "BK", "BT", "DS")
_YOUTUBE_ALPHABET = string.ascii_letters + string.digits + "-_"


@dataclass(frozen=True)
class SynthConfig:
    """Knobs of the generator (the defaults are what ``vsumbench data synth`` writes)."""

    n_features: int = 1024  # GoogLeNet pool5 width
    n_signal: int = 128  # feature dims that carry the importance concept (WHICH)
    n_latent: int = 16  # dimension of the per-shot content process
    n_distractor_latent: int = 16  # content driving the other dims, unrelated to importance
    shot_rho: float = 0.6  # AR(1) correlation of content between consecutive shots
    within_shot: float = 0.3  # step-to-step content drift inside a shot
    signal_gain: float = 0.35  # amplitude of the concept in the signal dims
    distractor_gain: float = 0.35  # amplitude of the distractor content
    feature_noise: float = 0.3  # i.i.d. per-step noise on every dim
    context_steps: int = 8  # half-width (steps) of the neighbourhood importance is contrasted with
    context_gain: float = 2.0  # weight of the contrast term (WHEN)
    summe_user_noise: float = 0.85  # per-user noise (x signal sd), SumMe
    summe_users: tuple[int, int] = (15, 18)  # users per SumMe video (inclusive)
    # How a SumMe user turns importance into a 15% summary: "free" (own segments, best
    # first, like the real SumMe users who chose intervals freely) or "keyshot" (knapsack
    # over the KTS shots; biased towards short shots, see docs/synthetic.md).
    summe_selection: str = "free"
    tvsum_annotator_noise: float = 1.3  # per-annotator noise (x signal sd), TVSum
    tvsum_block_frames: int = 60  # TVSum annotators score 2-second blocks (30 fps)
    tvsum_score_quantiles: tuple[float, ...] = (0.2, 0.45, 0.75, 0.9)  # cut points for 1..5
    proportion: float = 0.15  # keyshot summary budget
    small_frames: tuple[int, int] = (300, 1200)  # frame range of size="small"
    shot_frames_full: tuple[float, int, int] = (90.0, 30, 300)  # mean, min, max shot length
    shot_frames_small: tuple[float, int, int] = (40.0, 15, 90)
    multimodal: bool = True  # also CLIP-like image/text features and captions (CLIP-It)


@dataclass(frozen=True)
class _Concept:
    """What importance means in this benchmark, shared by every video of both datasets."""

    signal_dims: np.ndarray  # (n_signal,) sorted feature indices
    distractor_dims: np.ndarray  # (n_features - n_signal,)
    signal_proj: np.ndarray  # (n_signal, n_latent)
    distractor_proj: np.ndarray  # (n_features - n_signal, n_distractor_latent)
    readout: np.ndarray  # (n_latent,) unit vector: importance direction in content space


def _concept(seed: int, cfg: SynthConfig) -> _Concept:
    rng = np.random.default_rng([seed, 0])
    dims = rng.permutation(cfg.n_features)
    signal = np.sort(dims[: cfg.n_signal])
    distractor = np.sort(dims[cfg.n_signal :])
    signal_proj = rng.standard_normal((cfg.n_signal, cfg.n_latent)) / np.sqrt(cfg.n_latent)
    distractor_proj = rng.standard_normal((distractor.size, cfg.n_distractor_latent)) / np.sqrt(
        cfg.n_distractor_latent
    )
    readout = rng.standard_normal(cfg.n_latent)
    readout /= np.linalg.norm(readout)
    return _Concept(signal, distractor, signal_proj, distractor_proj, readout)


def _shots(rng: np.random.Generator, n_frames: int, mean: float, lo: int, hi: int) -> np.ndarray:
    """KTS-like shots: gamma-distributed lengths in [lo, hi] tiling [0, n_frames)."""
    draws = np.clip(np.round(rng.gamma(4.0, mean / 4.0, n_frames // lo + 2)), lo, hi)
    ends = np.cumsum(draws.astype(np.int64))
    n = int(np.searchsorted(ends, n_frames, side="left")) + 1  # shots needed to cover
    ends = ends[:n]
    ends[-1] = n_frames
    if n > 1 and ends[-1] - ends[-2] < lo:  # a sliver at the end joins the previous shot
        ends = np.delete(ends, -2)
    starts = np.concatenate([[0], ends[:-1]])
    return np.stack([starts, ends - 1], axis=1).astype(np.int64)


def _ar_process(rng: np.random.Generator, n: int, dim: int, rho: float) -> np.ndarray:
    out = np.empty((n, dim))
    out[0] = rng.standard_normal(dim)
    scale = np.sqrt(1.0 - rho**2)
    for i in range(1, n):
        out[i] = rho * out[i - 1] + scale * rng.standard_normal(dim)
    return out


def _moving_average(x: np.ndarray, half: int) -> np.ndarray:
    """Mean over [t-half, t+half], clipped at the video's ends (no wrap-around)."""
    c = np.concatenate([[0.0], np.cumsum(x)])
    idx = np.arange(x.size)
    lo = np.maximum(idx - half, 0)
    hi = np.minimum(idx + half + 1, x.size)
    return (c[hi] - c[lo]) / (hi - lo)


def _standardize(x: np.ndarray) -> np.ndarray:
    sd = x.std()
    return (x - x.mean()) / (sd if sd > 0 else 1.0)


def _step_to_frames(step_values: np.ndarray, n_frames: int) -> np.ndarray:
    """Frame-level copy of step values (step i covers frames [15 i, 15 (i + 1)))."""
    return step_values[np.minimum(np.arange(n_frames) // STEP, step_values.size - 1)]


def _video_core(
    rng: np.random.Generator, n_frames: int, size: str, concept: _Concept, cfg: SynthConfig
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Shots, picks, features and the true (noise-free, standardised) step importance."""
    mean, lo, hi = cfg.shot_frames_small if size == "small" else cfg.shot_frames_full
    change_points = _shots(rng, n_frames, mean, lo, hi)
    n_steps = n_steps_for(n_frames)
    picks = np.arange(n_steps, dtype=np.int64) * STEP
    shot_of_step = np.searchsorted(change_points[:, 1], picks, side="left")
    n_shots = change_points.shape[0]

    # Content: smooth across shots (AR(1)), nearly constant within a shot.
    content = _ar_process(rng, n_shots, cfg.n_latent, cfg.shot_rho)[shot_of_step]
    content += cfg.within_shot * rng.standard_normal((n_steps, cfg.n_latent))
    distractor = _ar_process(rng, n_shots, cfg.n_distractor_latent, cfg.shot_rho)[shot_of_step]
    distractor += cfg.within_shot * rng.standard_normal((n_steps, cfg.n_distractor_latent))

    # Importance: the concept's read-out, contrasted with its temporal neighbourhood.
    level = content @ concept.readout
    importance = level + cfg.context_gain * (level - _moving_average(level, cfg.context_steps))
    importance = _standardize(importance)

    # Features: pool5-like (non-negative, mean ~0.5); only the signal dims see the concept.
    raw = np.empty((n_steps, cfg.n_features))
    raw[:, concept.signal_dims] = cfg.signal_gain * content @ concept.signal_proj.T
    raw[:, concept.distractor_dims] = cfg.distractor_gain * distractor @ concept.distractor_proj.T
    raw += cfg.feature_noise * rng.standard_normal((n_steps, cfg.n_features))
    features = np.maximum(0.5 + raw, 0.0).astype(np.float32)
    return change_points, picks, features, importance


def _keyshot() -> Callable[..., np.ndarray]:
    from vsumbench.protocol import keyshot_summary

    return keyshot_summary


def _summary_of(scores: np.ndarray, change_points: np.ndarray, n_frames: int, cfg) -> np.ndarray:
    """Keyshot summary of frame-level scores, with the benchmark's own protocol code."""
    frames = np.arange(n_frames, dtype=np.int64)
    return np.asarray(
        _keyshot()(scores, change_points, n_frames, frames, proportion=cfg.proportion),
        dtype=np.uint8,
    )


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _free_summary(
    frame_importance: np.ndarray,
    segments: np.ndarray,
    noise: float,
    proportion: float,
    rng: np.random.Generator,
) -> np.ndarray:
    """A user's free choice: their own segments, best (noisy mean importance) first, while
    they fit the 15% budget. No knapsack, hence no preference for short segments."""
    n_frames = frame_importance.size
    budget = int(n_frames * proportion)
    c = np.concatenate([[0.0], np.cumsum(frame_importance)])
    starts, ends = segments[:, 0], segments[:, 1] + 1
    judged = (c[ends] - c[starts]) / (ends - starts) + noise * rng.standard_normal(len(segments))
    summary = np.zeros(n_frames, dtype=np.uint8)
    used = 0
    for seg in np.argsort(-judged, kind="stable"):
        length = int(ends[seg] - starts[seg])
        if used + length <= budget:
            summary[starts[seg] : ends[seg]] = 1
            used += length
    return summary


def _gtsummary(gtscore, change_points, n_frames, picks, cfg) -> np.ndarray:
    summary = _keyshot()(gtscore, change_points, n_frames, picks, proportion=cfg.proportion)
    return np.asarray(summary, dtype=np.float32)[picks]


def synth_summe_video(
    key: str,
    n_frames: int,
    size: str,
    rng: np.random.Generator,
    concept: _Concept,
    cfg: SynthConfig,
) -> Video:
    """A SumMe-like video: 15-18 users, each a 15% keyshot summary of their noisy importance."""
    change_points, picks, features, importance = _video_core(rng, n_frames, size, concept, cfg)
    n_users = int(rng.integers(cfg.summe_users[0], cfg.summe_users[1] + 1))
    frame_importance = _step_to_frames(importance, n_frames)
    mean, lo, hi = cfg.shot_frames_small if size == "small" else cfg.shot_frames_full
    users = []
    for _ in range(n_users):
        if cfg.summe_selection == "keyshot":
            noisy = importance + cfg.summe_user_noise * rng.standard_normal(importance.size)
            frames = _step_to_frames(_sigmoid(noisy), n_frames)
            users.append(_summary_of(frames, change_points, n_frames, cfg))
        elif cfg.summe_selection == "free":
            # The user's own segments (not the KTS shots), judged with per-segment noise.
            segments = _shots(rng, n_frames, mean / 2, max(lo // 2, 1), hi // 2)
            users.append(
                _free_summary(frame_importance, segments, cfg.summe_user_noise, cfg.proportion, rng)
            )
        else:
            raise ValueError(f"unknown summe_selection {cfg.summe_selection!r}")
    user_summary = np.stack(users)
    gtscore = user_summary[:, picks].mean(axis=0).astype(np.float32)
    return _assemble(
        key,
        n_frames,
        picks,
        change_points,
        features,
        gtscore,
        user_summary,
        cfg,
        video_name=f"synthetic_summe_{key.split('_')[-1]}",
    )


def _assemble(
    key: str,
    n_frames: int,
    picks: np.ndarray,
    change_points: np.ndarray,
    features: np.ndarray,
    gtscore: np.ndarray,
    user_summary: np.ndarray,
    cfg: SynthConfig,
    *,
    video_name: str | None,
) -> Video:
    """One eccv16 video from its parts; the derived fields are computed the same way for both datasets."""
    return Video(
        key=key,
        n_frames=n_frames,
        n_steps=picks.size,
        picks=picks,
        change_points=change_points,
        n_frame_per_seg=change_points[:, 1] - change_points[:, 0] + 1,
        features=features,
        gtscore=gtscore,
        user_summary=user_summary,
        gtsummary=_gtsummary(gtscore, change_points, n_frames, picks, cfg),
        video_name=video_name,
    )


def _youtube_id(rng: np.random.Generator) -> str:
    return "".join(_YOUTUBE_ALPHABET[i] for i in rng.integers(0, len(_YOUTUBE_ALPHABET), 11))


def synth_tvsum_video(
    key: str,
    n_frames: int,
    size: str,
    category: str,
    rng: np.random.Generator,
    concept: _Concept,
    cfg: SynthConfig,
) -> tuple[Video, VideoAnnotations]:
    """A TVSum-like video: 20 annotators score 2-second blocks 1-5 from their noisy importance."""
    change_points, picks, features, importance = _video_core(rng, n_frames, size, concept, cfg)
    youtube_id = _youtube_id(rng)
    frame_importance = _step_to_frames(importance, n_frames)
    block = np.arange(n_frames) // cfg.tvsum_block_frames
    n_blocks = int(block[-1]) + 1
    block_importance = np.bincount(block, frame_importance) / np.bincount(block)
    scores = np.empty((N_ANNOTATORS, n_frames), dtype=np.int8)
    for a in range(N_ANNOTATORS):
        noisy = block_importance + cfg.tvsum_annotator_noise * rng.standard_normal(n_blocks)
        cuts = np.quantile(noisy, cfg.tvsum_score_quantiles)
        scores[a] = (1 + np.searchsorted(cuts, noisy, side="right")).astype(np.int8)[block]
    user_summary = np.stack(
        [_summary_of(row.astype(np.float64), change_points, n_frames, cfg) for row in scores]
    )
    gtscore = ((scores[:, picks].mean(axis=0) - 1.0) / 4.0).astype(np.float32)
    video = _assemble(
        key, n_frames, picks, change_points, features, gtscore, user_summary, cfg, video_name=None
    )
    return video, VideoAnnotations(key, youtube_id, category, scores)


def frame_counts(
    dataset: str, size: str, seed: int = 0, cfg: SynthConfig | None = None
) -> list[int]:
    """Frame counts of the synthetic videos: the real ones (full) or short ones (small)."""
    cfg = cfg or SynthConfig()
    if size == "full" and get_dataset(dataset).benchmark:  # OVP/YouTube: no real counts here
        return list(real_frame_counts(dataset).values())
    if size in SIZES:
        recipe = _recipe(dataset)
        rng = np.random.default_rng([seed, recipe.stream, 0])
        lo, hi = cfg.small_frames
        return [int(n) for n in rng.integers(lo, hi + 1, recipe.n_videos)]
    raise ValueError(f"unknown size {size!r}; expected one of {SIZES}")


def generate_dataset(
    dataset: str,
    size: str = "small",
    seed: int = 0,
    *,
    cfg: SynthConfig | None = None,
    progress: bool = False,
) -> tuple[dict[str, Video], dict[str, VideoAnnotations] | None]:
    """The videos of one synthetic dataset (and its annotations, if annotator-rated)."""
    from vsumbench.progress import progress_bar

    cfg = cfg or SynthConfig()
    recipe = _recipe(dataset)
    concept = _concept(seed, cfg)
    counts = frame_counts(recipe.dataset, size, seed, cfg)
    annotated = recipe.raters == "annotators"
    categories = None
    if annotated:
        per = -(-len(counts) // len(TVSUM_CATEGORIES))
        cat_rng = np.random.default_rng([seed, recipe.stream, 0, 1])
        categories = list(cat_rng.permutation(np.repeat(TVSUM_CATEGORIES, per))[: len(counts)])
    videos: dict[str, Video] = {}
    annotations: dict[str, VideoAnnotations] = {}
    items = progress_bar(
        list(enumerate(counts, 1)),
        desc=f"synth {recipe.dataset}",
        unit="video",
        disable=not progress,
        leave=False,
    )
    directions = concept_directions(seed) if cfg.multimodal else None
    for index, n_frames in items:
        key = f"video_{index}"
        rng = np.random.default_rng([seed, recipe.stream, index])
        if annotated:
            video, ann = synth_tvsum_video(
                key, n_frames, size, str(categories[index - 1]), rng, concept, cfg
            )
            videos[key] = video
            annotations[key] = ann
        else:
            videos[key] = synth_summe_video(key, n_frames, size, rng, concept, cfg)
        if directions is not None:  # the same core again, for its importance; its own stream
            core = _video_core(np.random.default_rng([seed, recipe.stream, index]), n_frames,
                               size, concept, cfg)  # fmt: skip
            clip_rng = np.random.default_rng([seed, recipe.stream, index, MULTIMODAL_STREAM])
            fields = clip_fields(clip_rng, core[3], core[0], core[1], directions)
            videos[key] = replace(videos[key], **fields)
    return videos, (annotations if annotated else None)


def _recipe(dataset: str) -> SynthRecipe:
    try:
        return RECIPES[dataset.lower()]
    except KeyError:
        raise ValueError(
            f"no synthetic recipe for dataset {dataset!r}; expected one of {', '.join(RECIPES)}"
        ) from None


def generate_benchmark(
    out: str | os.PathLike,
    size: str = "small",
    seed: int = 0,
    *,
    cfg: SynthConfig | None = None,
    progress: bool = False,
    n_folds: int = 5,
    force: bool = False,
) -> dict[str, Path]:
    """Write the synthetic benchmark into ``out``; returns ``{what: path}``.

    Files: both eccv16 HDF5 files (root attributes ``vsumbench_synthetic=1``, ``seed``,
    ``size``, ``generator_version``), ``ydata-anno.tsv`` and ``splits/{summe,tvsum}_splits.json``
    (``n_folds``-fold partition from :func:`vsumbench.data.splits.make_kfold` with ``seed``).
    Text files cannot carry an attribute, so ``out/.vsumbench-synthetic.json`` lists their
    digests. A file that is not known to be synthetic (a user's real data) is never replaced
    unless ``force``: the refusal comes before anything is written.
    """
    if size not in SIZES:
        raise ValueError(f"unknown size {size!r}; expected one of {SIZES}")
    cfg = cfg or SynthConfig()
    out = Path(out)
    targets = benchmark_files(out)
    if not force:
        refuse_foreign(out, targets.values())
    out.mkdir(parents=True, exist_ok=True)
    manifest = SyntheticMarks(out)
    written: dict[str, Path] = {}
    for dataset in RECIPES:
        videos, annotations = generate_dataset(dataset, size, seed, cfg=cfg, progress=progress)
        attrs = {
            "vsumbench_synthetic": 1,
            "seed": int(seed),
            "size": size,
            "generator_version": GENERATOR_VERSION,
            "dataset": get_dataset(dataset).label,
            "config": repr(asdict(cfg)),
        }
        write_videos(targets[dataset], videos, attrs=attrs)
        written[dataset] = targets[dataset]
        if annotations is not None:
            written["annotations"] = targets["annotations"]
            write_annotations(written["annotations"], annotations)
            manifest.add(written["annotations"])
        split_path = targets.get(f"{dataset}_splits")
        if split_path is not None:  # extra training sets have no folds of their own
            write_splits(split_path, make_kfold(videos, k=n_folds, seed=seed))
            manifest.add(split_path)
            written[f"{dataset}_splits"] = split_path
    return written


def benchmark_files(out: Path) -> dict[str, Path]:
    """Where `generate_benchmark` writes each of its files."""
    files: dict[str, Path] = {}
    for dataset in RECIPES:
        spec = get_dataset(dataset)
        files[dataset] = out / dataset_filename(dataset)
        if RECIPES[dataset].raters == "annotators":
            files["annotations"] = out / spec.annotation_files[0]
        if spec.benchmark:
            files[f"{dataset}_splits"] = out / "splits" / f"{dataset}_splits.json"
    return files
