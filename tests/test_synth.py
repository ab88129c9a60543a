"""The synthetic benchmark: valid files, the real protocol, determinism, learnability."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import kendalltau

from vsumbench.data.annotations import load_annotations
from vsumbench.data.eccv16 import check_file, file_attrs, is_synthetic, load_videos
from vsumbench.data.frame_counts import real_frame_counts
from vsumbench.data.splits import coverage, load_splits
from vsumbench.data.synth import GENERATOR_VERSION, frame_counts, generate_dataset
from vsumbench.protocol import keyshot_summary

SUMME = "eccv16_dataset_summe_google_pool5.h5"
TVSUM = "eccv16_dataset_tvsum_google_pool5.h5"


@pytest.fixture(scope="module")
def summe(small_benchmark):
    return load_videos(small_benchmark / SUMME)


@pytest.fixture(scope="module")
def tvsum(small_benchmark):
    return load_videos(small_benchmark / TVSUM)


@pytest.fixture(scope="module")
def annotations(small_benchmark):
    return load_annotations(small_benchmark / "ydata-anno.tsv")


def test_files_are_valid_and_marked(small_benchmark, summe, tvsum):
    for name, n in ((SUMME, 25), (TVSUM, 50)):
        path = small_benchmark / name
        assert check_file(path) == []
        assert len(load_videos(path, fields=())) == n
        assert is_synthetic(path)
        attrs = file_attrs(path)
        assert (attrs["seed"], attrs["size"], attrs["generator_version"]) == (
            0,
            "small",
            GENERATOR_VERSION,
        )
    assert list(summe) == [f"video_{i}" for i in range(1, 26)]
    assert len(tvsum) == 50
    for v in [*summe.values(), *tvsum.values()]:
        assert 300 <= v.n_frames <= 1200 and v.n_steps >= 14
        np.testing.assert_array_equal(v.picks, np.arange(v.n_steps) * 15)
        assert v.features.shape == (v.n_steps, 1024) and v.features.min() >= 0
        assert v.change_points.shape[0] >= 3  # KTS-like shots of a few seconds, not one block


def test_splits_are_5_fold_partitions(small_benchmark):
    for name, keys in (("summe", 25), ("tvsum", 50)):
        folds = load_splits(
            small_benchmark / "splits" / f"{name}_splits.json",
            [f"video_{i}" for i in range(1, keys + 1)],
            partition=True,
        )
        assert len(folds) == 5 and coverage(folds).is_partition


def test_summe_users_and_gtscore(summe):
    for v in summe.values():
        assert 15 <= v.user_summary.shape[0] <= 18
        kept = v.user_summary.sum(axis=1)
        assert np.all(kept > 0) and np.all(kept <= int(0.15 * v.n_frames))
        np.testing.assert_allclose(v.gtscore, v.user_summary[:, v.picks].mean(axis=0), rtol=1e-6)


def test_tvsum_annotations_follow_the_protocol(tvsum, annotations):
    assert list(annotations) == list(tvsum)
    ids = [a.youtube_id for a in annotations.values()]
    assert len(set(ids)) == 50 and all(len(i) == 11 for i in ids)
    for key in ("video_1", "video_37"):
        v, scores = tvsum[key], annotations[key].scores
        assert scores.shape == (20, v.n_frames) and scores.min() >= 1 and scores.max() <= 5
        # 2-second blocks: constant scores within each 60-frame block.
        blocks = scores[:, : (v.n_frames // 60) * 60].reshape(20, -1, 60)
        assert np.all(blocks == blocks[:, :, :1])
        np.testing.assert_allclose(v.gtscore, (scores[:, v.picks].mean(0) - 1) / 4, rtol=1e-6)
        # Every user summary is an optimal 15 % keyshot summary of that annotator's frame
        # scores: whole shots, within budget, and of the best total shot value (a plain
        # dynamic programme, independent of the project's knapsack and its tie-breaking).
        lengths = v.change_points[:, 1] - v.change_points[:, 0] + 1
        budget = int(v.n_frames * 0.15)
        for a in (0, 19):
            shot_values = np.array([scores[a, s : e + 1].mean() for s, e in v.change_points])
            chosen = np.array([v.user_summary[a, s] for s, _ in v.change_points], dtype=bool)
            for (s, e), on in zip(v.change_points, chosen, strict=True):
                assert np.all(v.user_summary[a, s : e + 1] == on)  # whole shots only
            assert lengths[chosen].sum() <= budget
            assert shot_values[chosen].sum() == pytest.approx(
                _best_knapsack_value(shot_values, lengths, budget), rel=1e-9
            )


def test_same_seed_same_arrays_other_seed_differs(summe):
    again, _ = generate_dataset("summe", "small", seed=0)
    for key, v in summe.items():  # what was written and read back, vs a fresh generation
        w = again[key]
        for name in ("change_points", "features", "gtscore", "user_summary", "gtsummary"):
            assert np.array_equal(getattr(w, name), getattr(v, name)), (key, name)
    other, _ = generate_dataset("summe", "small", seed=1)
    assert [v.n_frames for v in other.values()] != [v.n_frames for v in summe.values()]
    assert not np.array_equal(other["video_1"].features[:5, :5], summe["video_1"].features[:5, :5])


def test_full_size_uses_the_real_frame_counts():
    for name in ("summe", "tvsum"):
        assert frame_counts(name, "full") == list(real_frame_counts(name).values())
    assert frame_counts("tvsum", "small", seed=0) == frame_counts("tvsum", "small", seed=0)


def _context(f: np.ndarray, half: int = 8) -> np.ndarray:
    c = np.concatenate([np.zeros((1, f.shape[1])), np.cumsum(f, axis=0)])
    i = np.arange(len(f))
    lo, hi = np.maximum(i - half, 0), np.minimum(i + half + 1, len(f))
    return (c[hi] - c[lo]) / (hi - lo)[:, None]


def _probe_scores(videos, train, test):
    """Ridge regression from features + their temporal context to gtscore."""
    design = {k: np.hstack([videos[k].features, _context(videos[k].features)]) for k in videos}
    x = np.vstack([design[k] for k in train])
    y = np.concatenate([videos[k].gtscore for k in train])
    mu = x.mean(axis=0)
    xc = x - mu
    w = np.linalg.solve(xc.T @ xc + 10.0 * len(x) * np.eye(x.shape[1]), xc.T @ (y - y.mean()))
    return {k: (design[k] - mu) @ w for k in test}


def _folds(small_benchmark, name):
    return load_splits(small_benchmark / "splits" / f"{name}_splits.json")[:2]


def test_tvsum_importance_is_learnable(small_benchmark, tvsum, annotations):
    probe, rand = [], []
    rng = np.random.default_rng(0)
    for fold in _folds(small_benchmark, "tvsum"):
        pred = _probe_scores(tvsum, fold.train_keys, fold.test_keys)
        for k in fold.test_keys:  # TVSum protocol: vs each annotator, [::15], normalised
            refs = annotations[k].scores[:, ::15].astype(float)
            probe.append(np.mean([kendalltau(pred[k], r / r.max())[0] for r in refs]))
            noise = rng.random(len(pred[k]))
            rand.append(np.mean([kendalltau(noise, r / r.max())[0] for r in refs]))
    assert np.mean(probe) > 0.08 and np.mean(probe) > np.mean(rand) + 0.06, (
        np.mean(probe),
        np.mean(rand),
    )


def test_summe_importance_is_learnable(small_benchmark, summe):
    probe, rand = [], []
    rng = np.random.default_rng(0)
    for fold in _folds(small_benchmark, "summe"):
        pred = _probe_scores(summe, fold.train_keys, fold.test_keys)
        for k in fold.test_keys:  # SumMe protocol: keyshot summary vs mean user summary
            v = summe[k]
            ref = v.user_summary.mean(axis=0)
            for scores, out in ((pred[k], probe), (rng.random(v.n_steps), rand)):
                summary = keyshot_summary(scores, v.change_points, v.n_frames, v.picks)
                out.append(kendalltau(summary, ref)[0])
    assert np.mean(probe) > np.mean(rand) + 0.1, (np.mean(probe), np.mean(rand))


def _best_knapsack_value(values: np.ndarray, weights: np.ndarray, capacity: int) -> float:
    """The optimal 0/1 knapsack value by the textbook dynamic programme."""
    best = [0.0] * (capacity + 1)
    for value, weight in zip(values.tolist(), weights.tolist(), strict=True):
        for c in range(capacity, weight - 1, -1):
            best[c] = max(best[c], best[c - weight] + value)
    return best[capacity]
