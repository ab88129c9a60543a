"""TVSum annotations: the real file, and each error the reader must locate."""

from __future__ import annotations

import numpy as np
import pytest

from vsumbench.data.annotations import (
    VideoAnnotations,
    check_frame_counts,
    load_annotations,
    write_annotations,
)
from vsumbench.data.frame_counts import real_frame_counts
from vsumbench.errors import DataError


def test_real_file(tvsum_annotations_path):
    ann = load_annotations(tvsum_annotations_path)
    assert list(ann) == [f"video_{i}" for i in range(1, 51)]
    assert all(a.scores.shape[0] == 20 for a in ann.values())
    assert all(a.scores.min() >= 1 and a.scores.max() <= 5 for a in ann.values())
    assert ann["video_1"].youtube_id == "AwmHb44_ouw"  # first row of the file
    assert len({a.category for a in ann.values()}) == 10
    # Frame counts agree with the built-in counts of the real videos.
    assert check_frame_counts(ann, real_frame_counts("tvsum")) == []


def _write(path, rows):
    path.write_text("".join("\t".join(r) + "\n" for r in rows))
    return path


def _rows(n_videos=2, n_ann=20, n_frames=6):
    return [
        (f"yt{v}", "VT", ",".join(["3"] * n_frames)) for v in range(n_videos) for _ in range(n_ann)
    ]


def test_wrong_column_count(tmp_path):
    rows = _rows()
    rows[5] = rows[5][:2]
    with pytest.raises(DataError, match="line 6: expected 3 tab-separated columns"):
        load_annotations(_write(tmp_path / "a.tsv", rows))


def test_scores_out_of_range(tmp_path):
    rows = _rows()
    rows[21] = ("yt1", "VT", "3,3,6,3,3,3")
    with pytest.raises(DataError, match="line 22: scores must lie in 1..5") as exc:
        load_annotations(_write(tmp_path / "a.tsv", rows))
    assert exc.value.video == "yt1"


def test_wrong_annotator_count(tmp_path):
    rows = _rows()[:-1]
    with pytest.raises(DataError, match="expected 20 annotators, found 19") as exc:
        load_annotations(_write(tmp_path / "a.tsv", rows))
    assert "video_2" in exc.value.video
    assert len(load_annotations(tmp_path / "a.tsv", n_annotators=None)["video_2"].scores) == 19


def test_frame_count_mismatch_and_round_trip(tmp_path):
    scores = np.random.default_rng(0).integers(1, 6, (20, 30)).astype(np.int8)
    ann = {"video_1": VideoAnnotations("video_1", "abc", "GA", scores)}
    write_annotations(tmp_path / "a.tsv.gz", ann)
    back = load_annotations(tmp_path / "a.tsv.gz")
    np.testing.assert_array_equal(back["video_1"].scores, scores)
    [problem] = check_frame_counts(back, {"video_1": 31, "video_2": 5}, file="a.tsv")[:1]
    assert "annotations have 30 frames, n_frames is 31" in str(problem)
    assert len(check_frame_counts(back, {"video_1": 31, "video_2": 5})) == 2


def test_the_parsed_annotations_cache_is_exact_and_follows_the_file(tmp_path, monkeypatch):
    from vsumbench.data.annotations import load_annotations, load_annotations_cached

    monkeypatch.setenv("VSUMBENCH_CACHE", str(tmp_path / "cache"))
    path = tmp_path / "ydata-anno.tsv"
    rows = [f"vid{v}\tVT\t{','.join(str(1 + (v + a + i) % 5) for i in range(30))}"
            for v in range(2) for a in range(20)]  # fmt: skip
    path.write_text("\n".join(rows) + "\n")
    first = load_annotations_cached(path)  # parsed, then cached
    assert list((tmp_path / "cache").glob("annotations-*.npz"))
    again = load_annotations_cached(path)  # from the cache
    plain = load_annotations(path)
    for key in plain:
        for got in (first[key], again[key]):
            assert (got.youtube_id, got.category) == (plain[key].youtube_id, plain[key].category)
            assert np.array_equal(got.scores, plain[key].scores)
            assert got.scores.dtype == plain[key].scores.dtype
    # An edited file is parsed again, never served stale.
    path.write_text("\n".join(r.replace("VT", "GA") for r in rows) + "\n")
    assert load_annotations_cached(path)["video_1"].category == "GA"
