"""evaluate(): the protocol end to end on hand-made videos, and its errors."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from vsumbench.data.eccv16 import Video
from vsumbench.data.predictions import read_predictions, write_predictions
from vsumbench.errors import DataError, PredictionError
from vsumbench.protocol import (
    evaluate,
    f1_score,
    keyshot_summary,
    make_references,
)


def _video(key, n_frames, rng, n_users=4):
    picks = np.arange(0, n_frames, 15)
    bounds = np.unique(np.r_[0, np.sort(rng.choice(np.arange(1, n_frames), 8, replace=False))])
    ends = np.r_[bounds[1:] - 1, n_frames - 1]
    cps = np.stack([bounds, ends], axis=1)
    users = (rng.random((n_users, n_frames)) < 0.2).astype(np.uint8)
    return Video(
        key=key,
        n_frames=n_frames,
        n_steps=picks.size,
        picks=picks,
        change_points=cps,
        n_frame_per_seg=ends - bounds + 1,
        user_summary=users,
    )


@pytest.fixture
def tvsum_like():
    rng = np.random.default_rng(0)
    videos = {f"video_{i}": _video(f"video_{i}", int(rng.integers(200, 400)), rng) for i in (1, 2)}
    annotations = {k: rng.integers(1, 6, size=(5, v.n_frames)) for k, v in videos.items()}
    return videos, annotations, make_references(videos, "tvsum", annotations)


def test_tvsum_matches_the_protocol_computed_with_scipy(tvsum_like):
    videos, annotations, refs = tvsum_like
    rng = np.random.default_rng(1)
    preds = {k: rng.random(v.n_steps).astype(np.float32) for k, v in videos.items()}
    result = evaluate(preds, refs)
    for key, video in videos.items():
        scores = annotations[key] / annotations[key].max(axis=1, keepdims=True)
        steps = scores[:, ::15]
        tau = np.mean([stats.kendalltau(preds[key], r).statistic for r in steps])
        rho = np.mean([stats.spearmanr(preds[key], r).statistic for r in steps])
        summary = keyshot_summary(preds[key], video.change_points, video.n_frames, video.picks)
        got = result.per_video[key]
        assert got.kendall == pytest.approx(tau, abs=1e-12)
        assert got.spearman == pytest.approx(rho, abs=1e-12)
        assert got.f1 == pytest.approx(f1_score(summary, video.user_summary, "mean"))
    assert result.kendall == pytest.approx(np.mean([s.kendall for s in result.per_video.values()]))
    d = result.to_dict()
    assert set(d) == {"kendall", "spearman", "f1", "per_video"}
    assert set(d["per_video"]["video_1"]) == {"kendall", "spearman", "f1"}


def test_summe_compares_keyshot_summary_with_mean_user_summary():
    rng = np.random.default_rng(2)
    videos = {"video_1": _video("video_1", 300, rng, n_users=6)}
    refs = make_references(videos, "summe")
    pred = rng.random(videos["video_1"].n_steps)
    v = videos["video_1"]
    summary = keyshot_summary(pred, v.change_points, v.n_frames, v.picks)
    ref = v.user_summary.mean(axis=0)
    got = evaluate({"video_1": pred}, refs).per_video["video_1"]
    assert got.kendall == pytest.approx(stats.kendalltau(summary, ref).statistic, abs=1e-12)
    assert got.spearman == pytest.approx(stats.spearmanr(summary, ref).statistic, abs=1e-12)
    assert got.f1 == pytest.approx(f1_score(summary, v.user_summary, "max"))


def test_constant_prediction_scores_zero_and_is_flagged(tvsum_like):
    videos, _, refs = tvsum_like
    preds = {k: np.full(v.n_steps, 0.5) for k, v in videos.items()}
    result = evaluate(preds, refs)
    for score in result.per_video.values():
        assert score.kendall == 0.0 and score.spearman == 0.0
        assert score.flags and "constant prediction" in score.flags[0]
    assert result.to_dict()["per_video"]["video_1"]["flags"]


def test_errors_name_file_video_and_field(tvsum_like):
    videos, _, refs = tvsum_like
    good = {k: np.zeros(v.n_steps) for k, v in videos.items()}
    with pytest.raises(PredictionError, match="unknown video key") as exc:
        evaluate({**good, "video_99": np.zeros(3)}, refs, file="pred.h5")
    assert exc.value.file == "pred.h5" and exc.value.video == "video_99"
    with pytest.raises(PredictionError, match=r"expected \d+ step scores") as exc:
        evaluate({"video_1": np.zeros(videos["video_1"].n_steps + 1)}, refs, file="pred.h5")
    assert exc.value.video == "video_1" and exc.value.field == "scores"
    bad = np.zeros(videos["video_2"].n_steps)
    bad[3] = np.nan
    with pytest.raises(PredictionError, match="finite.*step 3") as exc:
        evaluate({"video_2": bad}, refs, file="pred.h5")
    assert "pred.h5: video_2/scores" in str(exc.value)
    with pytest.raises(PredictionError, match="no predictions"):
        evaluate({}, refs)


def test_reference_errors(tvsum_like):
    videos, annotations, _ = tvsum_like
    with pytest.raises(DataError, match="ydata-anno"):
        make_references(videos, "tvsum", None)
    short = {k: a[:, :-20] for k, a in annotations.items()}
    with pytest.raises(DataError, match="n_frames") as exc:
        make_references(videos, "tvsum", short)
    assert exc.value.video == "video_1"


def test_predictions_file_round_trip(tmp_path):
    preds = {"video_10": np.arange(3.0), "video_2": np.array([0.5, 0.25], dtype=np.float32)}
    path = tmp_path / "pred.h5"
    write_predictions(path, preds)
    back = read_predictions(path)
    assert list(back) == ["video_2", "video_10"]  # natural order
    np.testing.assert_array_equal(back["video_10"], preds["video_10"])
    assert back["video_2"].dtype == np.float32
    (tmp_path / "junk.h5").write_text("not hdf5")
    with pytest.raises(PredictionError, match="cannot open"):
        read_predictions(tmp_path / "junk.h5")
