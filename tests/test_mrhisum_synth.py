"""The synthetic Mr.HiSum twin: the authors' layout, their split proportions, the official
`gt_summary`, a learnable signal, determinism, and real files never replaced."""

from __future__ import annotations

import json

import h5py
import numpy as np
import pytest
from click.testing import CliRunner
from scipy.stats import spearmanr

from vsumbench.cli import main
from vsumbench.data.mrhisum_synth import FILE, SPLIT_FILE, generate_mrhisum
from vsumbench.protocol.mrhisum import official_summary


@pytest.fixture(scope="module")
def twin(tmp_path_factory):
    out = tmp_path_factory.mktemp("mrhisum")
    result = CliRunner().invoke(main, ["data", "synth", "--out", str(out), "--dataset",
                                       "mrhisum", "--videos", "120", "--seed", "1"])  # fmt: skip
    assert result.exit_code == 0, result.output
    return out


def test_the_files_have_the_authors_layout(twin):
    split = json.loads((twin / SPLIT_FILE).read_text())
    assert set(split) == {"train_keys", "val_keys", "test_keys"}
    keys = [k for part in split.values() for k in part]
    assert sorted(keys) == sorted(f"video_{i}" for i in range(1, 121)) and len(set(keys)) == 120
    assert (len(split["val_keys"]), len(split["test_keys"])) == (8, 8)  # 2,000 of 31,892
    with h5py.File(twin / FILE) as h5:
        assert int(h5.attrs["vsumbench_synthetic"]) == 1 and len(h5) == 120
        for key in h5:
            video = h5[key]
            assert set(video) == {"features", "gtscore", "change_points", "gt_summary"}
            features, gtscore = video["features"][()], video["gtscore"][()]
            n = len(gtscore)
            assert 120 <= n <= 300 and features.shape == (n, 1024)
            assert features.dtype == np.float32 and -2 <= features.min() <= features.max() <= 2
            assert gtscore.min() == 0 and gtscore.max() == 1
            cps = video["change_points"][()]
            assert cps[0, 0] == 0 and cps[-1, 1] == n - 1 and (cps[1:, 0] == cps[:-1, 1] + 1).all()
            gt = video["gt_summary"][()]
            assert gt.size == int((cps[:, 1] - cps[:, 0]).sum())  # what the official code needs
            assert np.array_equal(gt, official_summary(gtscore, cps))


def test_the_signal_is_learnable(twin):
    """A ridge probe from features to gtscore, fitted on training videos, ranks the test
    videos' steps well; random scores do not."""
    split = json.loads((twin / SPLIT_FILE).read_text())
    with h5py.File(twin / FILE) as h5:

        def data(keys):
            return [(h5[k]["features"][()].astype(np.float64), h5[k]["gtscore"][()]) for k in keys]

        train, test = data(split["train_keys"][:60]), data(split["test_keys"])
    x = np.concatenate([f for f, _ in train])
    y = np.concatenate([g for _, g in train])
    w = np.linalg.solve(x.T @ x + 10 * len(x) * np.eye(x.shape[1]), x.T @ (y - y.mean()))
    probe = np.mean([spearmanr(f @ w, g)[0] for f, g in test])
    rng = np.random.default_rng(0)
    chance = np.mean([spearmanr(rng.random(len(g)), g)[0] for _, g in test])
    assert probe > 0.4 and abs(chance) < 0.15


def test_same_seed_same_videos(tmp_path, twin):
    generate_mrhisum(tmp_path, 3, seed=1)
    with h5py.File(tmp_path / FILE) as small, h5py.File(twin / FILE) as big:
        for key in small:  # a video does not depend on how many are made
            for name in small[key]:
                assert np.array_equal(small[key][name][()], big[key][name][()])


def test_real_files_are_never_replaced(tmp_path):
    (tmp_path / FILE).write_bytes(b"the authors' file")
    result = CliRunner().invoke(main, ["data", "synth", "--out", str(tmp_path), "--dataset",
                                       "mrhisum", "--videos", "2"])  # fmt: skip
    assert result.exit_code == 1 and str(tmp_path / FILE) in result.output
    assert (tmp_path / FILE).read_bytes() == b"the authors' file"
