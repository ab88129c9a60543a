"""The eccv16 HDF5 layer: round trips, natural order, partial loading, every schema error."""

from __future__ import annotations

import h5py
import numpy as np
import pytest

from vsumbench.data.eccv16 import (
    Video,
    check_file,
    file_attrs,
    is_synthetic,
    load_videos,
    natural_sorted,
    video_keys,
    write_videos,
)
from vsumbench.errors import DataError, DataNotFoundError


def make_video(
    key: str, n_frames: int = 100, n_users: int = 3, dim: int = 8, seed: int = 0
) -> Video:
    rng = np.random.default_rng(seed)
    n_steps = -(-n_frames // 15)
    ends = np.array([n_frames // 3, 2 * n_frames // 3, n_frames]) - 1
    starts = np.concatenate([[0], ends[:-1] + 1])
    cp = np.stack([starts, ends], axis=1)
    return Video(
        key=key,
        n_frames=n_frames,
        n_steps=n_steps,
        picks=np.arange(n_steps) * 15,
        change_points=cp,
        n_frame_per_seg=ends - starts + 1,
        features=rng.random((n_steps, dim), dtype=np.float32),
        gtscore=rng.random(n_steps, dtype=np.float32),
        user_summary=(rng.random((n_users, n_frames)) > 0.7).astype(np.uint8),
        gtsummary=(rng.random(n_steps) > 0.5).astype(np.float32),
        video_name=f"name of {key}",
    )


@pytest.fixture
def good_file(tmp_path):
    path = tmp_path / "eccv16_dataset_summe_google_pool5.h5"
    videos = {f"video_{i}": make_video(f"video_{i}", 90 + 7 * i, seed=i) for i in (10, 2, 1, 3)}
    write_videos(path, videos)
    return path, videos


def test_round_trip_keeps_every_array(good_file):
    path, videos = good_file
    assert check_file(path) == []
    loaded = load_videos(path)
    for key, v in videos.items():
        w = loaded[key]
        assert (w.n_frames, w.n_steps, w.video_name) == (v.n_frames, v.n_steps, v.video_name)
        for name in (
            "picks",
            "change_points",
            "n_frame_per_seg",
            "features",
            "gtscore",
            "user_summary",
            "gtsummary",
        ):
            np.testing.assert_array_equal(getattr(w, name), getattr(v, name), err_msg=name)
        assert w.picks.dtype == np.int64 and w.features.dtype == np.float32
        assert w.user_summary.dtype == np.uint8


def test_natural_key_order(good_file):
    path, _ = good_file
    assert list(load_videos(path)) == ["video_1", "video_2", "video_3", "video_10"]
    assert video_keys(path) == ["video_1", "video_2", "video_3", "video_10"]
    assert natural_sorted(["video_10", "video_9", "video_1"]) == ["video_1", "video_9", "video_10"]
    # Requested keys come back in natural order too.
    assert list(load_videos(path, ["video_10", "video_2"])) == ["video_2", "video_10"]


def test_fields_skip_big_arrays(good_file):
    path, videos = good_file
    v = load_videos(path, fields=("user_summary",))["video_2"]
    assert v.features is None and v.gtscore is None
    np.testing.assert_array_equal(v.user_summary, videos["video_2"].user_summary)
    v = load_videos(path, fields=("features",))["video_2"]
    assert v.user_summary is None and v.features.shape == (videos["video_2"].n_steps, 8)
    v = load_videos(path, fields=())["video_2"]
    assert v.features is None and v.n_frames == videos["video_2"].n_frames


def test_features_only_file_loads_for_prediction(tmp_path):
    path = tmp_path / "extracted.h5"
    full = make_video("video_1")
    bare = Video(
        full.key,
        full.n_frames,
        full.n_steps,
        full.picks,
        full.change_points,
        full.n_frame_per_seg,
        features=full.features,
    )
    write_videos(path, {"video_1": bare})
    v = load_videos(path, fields=("features",))["video_1"]
    np.testing.assert_array_equal(v.features, full.features)
    # The default load is for benchmark files: it says what is missing, and where.
    with pytest.raises(DataError, match="gtscore: required dataset is missing"):
        load_videos(path)
    assert check_file(path, require=("features",)) == []
    assert {e.field for e in check_file(path)} == {"gtscore", "user_summary"}


def test_unknown_key_and_missing_file(good_file, tmp_path):
    path, _ = good_file
    with pytest.raises(DataError, match="video_99") as exc:
        load_videos(path, ["video_1", "video_99"])
    assert exc.value.file == str(path)
    with pytest.raises(DataNotFoundError):
        load_videos(tmp_path / "nope.h5")


def test_attributes_and_synthetic_flag(tmp_path):
    path = tmp_path / "a.h5"
    write_videos(path, {"video_1": make_video("video_1")})
    assert not is_synthetic(path)
    write_videos(
        path, {"video_1": make_video("video_1")}, attrs={"vsumbench_synthetic": 1, "size": "small"}
    )
    assert is_synthetic(path)
    assert file_attrs(path) == {"vsumbench_synthetic": 1, "size": "small"}


def test_write_is_atomic(tmp_path):
    path = tmp_path / "a.h5"
    write_videos(path, {"video_1": make_video("video_1")})
    before = path.read_bytes()
    broken = make_video("video_2")
    object.__setattr__(broken, "features", np.array([["not a number"]], dtype=object))
    with pytest.raises(ValueError):
        write_videos(path, {"video_2": broken})
    assert path.read_bytes() == before  # the old file is untouched
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.h5"]  # no temporary left


# ----------------------------------------------------------------------------- schema errors


def _replace(group, name, value):
    if name in group:
        del group[name]
    if value is not None:
        group.create_dataset(name, data=value)


def _gap(cp):
    cp = cp.copy()
    cp[1, 0] += 2
    return cp


def _overlap(cp):
    cp = cp.copy()
    cp[1, 0] -= 2
    return cp


def _shift_first(cp):
    cp = cp.copy()
    cp[0, 0] = 1
    return cp


def _short_last(cp):
    cp = cp.copy()
    cp[-1, 1] -= 1
    return cp


# (field, mutation of the group's arrays, words the message must contain)
BROKEN = [
    ("features", lambda v: None, "required dataset is missing"),
    ("user_summary", lambda v: None, "required dataset is missing"),
    ("change_points", lambda v: None, "required dataset is missing"),
    ("features", lambda v: v.features[:-1], "expected n_steps="),
    ("features", lambda v: v.features[:, 0], "expected shape (n_steps, D)"),
    (
        "features",
        lambda v: np.where(
            np.arange(v.features.size).reshape(v.features.shape) == 5, np.nan, v.features
        ).astype(np.float32),
        "NaN/inf",
    ),
    ("features", lambda v: np.full_like(v.features, np.inf), "NaN/inf"),
    ("picks", lambda v: v.picks[:-1], "expected n_steps="),
    ("picks", lambda v: v.picks[::-1], "increase strictly"),
    ("picks", lambda v: v.picks + v.n_frames, "must lie in [0, n_frames"),
    ("n_steps", lambda v: np.int64(v.n_steps + 1), None),  # reported on picks etc.
    ("n_frames", lambda v: np.float64(2.5), "expected an integer"),
    ("n_frames", lambda v: np.arange(3), "expected a scalar"),
    ("change_points", lambda v: _gap(v.change_points), "gap"),
    ("change_points", lambda v: _overlap(v.change_points), "overlap"),
    ("change_points", lambda v: _shift_first(v.change_points), "first shot starts at frame 1"),
    ("change_points", lambda v: _short_last(v.change_points), "expected n_frames-1"),
    ("change_points", lambda v: v.change_points[:, 0], "expected shape (n_shots, 2)"),
    ("n_frame_per_seg", lambda v: v.n_frame_per_seg + 1, "disagrees with change_points"),
    ("n_frame_per_seg", lambda v: v.n_frame_per_seg[:-1], "one per change point"),
    ("user_summary", lambda v: v.user_summary[:, :-1], "expected width n_frames="),
    ("user_summary", lambda v: v.user_summary * 2, "expected binary values"),
    ("user_summary", lambda v: v.user_summary[0], "expected shape (n_users, n_frames)"),
    ("gtscore", lambda v: v.gtscore[:-2], "expected n_steps="),
    ("gtscore", lambda v: np.full_like(v.gtscore, np.nan), "NaN/inf"),
    ("gtsummary", lambda v: v.gtsummary[:-1], "expected n_steps="),
]


@pytest.mark.parametrize(
    "field,mutate,words", BROKEN, ids=[f"{b[0]}-{i}" for i, b in enumerate(BROKEN)]
)
def test_each_schema_error_is_located(good_file, field, mutate, words):
    path, videos = good_file
    with h5py.File(path, "r+") as h5:
        _replace(h5["video_3"], field, mutate(videos["video_3"]))
    problems = check_file(path)
    assert problems, "the broken file passed check_file"
    assert all(p.file == str(path) and p.video == "video_3" for p in problems)
    if words is not None:
        mine = [p for p in problems if p.field == field]
        assert mine and words in mine[0].message, [str(p) for p in problems]
    # load_videos raises the first problem with the same message.
    with pytest.raises(DataError) as exc:
        load_videos(path)
    assert str(exc.value) == str(problems[0])
    # Other videos still load on their own.
    assert list(load_videos(path, ["video_1", "video_2"])) == ["video_1", "video_2"]


def test_only_loaded_fields_are_validated(good_file):
    path, videos = good_file
    with h5py.File(path, "r+") as h5:
        _replace(h5["video_2"], "features", np.full_like(videos["video_2"].features, np.nan))
    # Evaluation does not read features, so NaN there does not stop it...
    assert load_videos(path, fields=("user_summary",))["video_2"].features is None
    # ...but prediction does.
    with pytest.raises(DataError, match="video_2/features: .*NaN"):
        load_videos(path, fields=("features",))


def test_check_file_reports_every_problem(good_file):
    path, videos = good_file
    with h5py.File(path, "r+") as h5:
        _replace(h5["video_1"], "gtscore", videos["video_1"].gtscore[:-1])
        _replace(h5["video_1"], "user_summary", videos["video_1"].user_summary * 3)
        _replace(h5["video_2"], "change_points", _gap(videos["video_2"].change_points))
        _replace(h5["video_10"], "features", None)
        h5.create_group("video_11")  # empty group
        h5.create_dataset("readme", data=b"not a video")  # non-group entry
    problems = check_file(path)
    where = {(p.video, p.field) for p in problems}
    assert {
        ("video_1", "gtscore"),
        ("video_1", "user_summary"),
        ("video_2", "change_points"),
        ("video_10", "features"),
        ("video_11", None),
        ("readme", None),
    } <= where
    assert len(problems) == 6
    texts = [str(p) for p in problems]
    assert any("empty video group" in t for t in texts)
    assert any("not a video group" in t for t in texts)
    assert all(t.startswith(str(path)) for t in texts)


def test_not_hdf5(tmp_path):
    path = tmp_path / "x.h5"
    path.write_text("hello")
    [problem] = check_file(path)
    assert "not a readable HDF5 file" in str(problem)
    with pytest.raises(DataError):
        load_videos(path)


def test_float_counts_and_float_user_summary_are_accepted(good_file):
    """Published files store some counts as floats and user summaries as float32."""
    path, videos = good_file
    v = videos["video_1"]
    with h5py.File(path, "r+") as h5:
        _replace(h5["video_1"], "n_frames", np.float64(v.n_frames))
        _replace(h5["video_1"], "user_summary", v.user_summary.astype(np.float32))
    assert check_file(path) == []
    w = load_videos(path)["video_1"]
    assert w.n_frames == v.n_frames and w.user_summary.dtype == np.uint8
