"""`vsumbench data extract` and `vsumbench summarize` end to end (random weights, 32 px)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from tests.test_videoio import write_video
from vsumbench.cli import main

FAST = ["--backbone-weights", "random", "--image-size", "32", "--device", "cpu", "--quiet"]


def test_extract_directory_skips_bad_files_and_passes_check(tmp_path):
    from vsumbench.data.eccv16 import check_file, load_videos

    (tmp_path / "vids").mkdir()
    write_video(tmp_path / "vids" / "a.mp4", 120)
    write_video(tmp_path / "vids" / "b.mp4", 200, cuts=(0, 90))
    (tmp_path / "vids" / "broken.mp4").write_bytes(b"garbage" * 50)
    out = tmp_path / "own.h5"
    result = CliRunner().invoke(
        main, ["data", "extract", str(tmp_path / "vids"), "--out", str(out), *FAST]
    )
    assert result.exit_code == 0, result.output
    assert "skipped" in result.output and "broken.mp4" in result.output
    assert check_file(out, require=("features",)) == []
    checked = CliRunner().invoke(main, ["data", "check", "--features-only", str(out)])
    # The file says it was extracted, so a plain check needs only features too
    # (docs/own-videos.md).
    plain = CliRunner().invoke(main, ["data", "check", str(out)])
    assert plain.exit_code == 0, plain.output
    assert checked.exit_code == 0 and "OK" in checked.output, checked.output
    videos = load_videos(out, fields=("features", "video_name"))
    assert [(v.video_name, v.n_frames) for v in videos.values()] == [("a.mp4", 120), ("b.mp4", 200)]
    assert 90 in videos["video_2"].change_points[:, 0]
    import h5py

    with h5py.File(out) as h5:
        assert float(h5["video_1/fps"][()]) == 30.0


def test_summarize_writes_playable_video_and_matching_json(tmp_path):
    import av

    from vsumbench.models.checkpoints import save_checkpoint
    from vsumbench.models.registry import create

    write_video(tmp_path / "v.mp4", 300)
    save_checkpoint(tmp_path / "vas.pt", create("vasnet"), {"model": "vasnet"})
    out, js = tmp_path / "s.mp4", tmp_path / "s.json"
    args = [
        "summarize",
        str(tmp_path / "v.mp4"),
        "--model",
        "vasnet",
        "--checkpoint",
        str(tmp_path / "vas.pt"),
    ]
    result = CliRunner().invoke(
        main, [*args, "--budget", "0.2", "--out", str(out), "--json", str(js), *FAST]
    )
    assert result.exit_code == 0, result.output
    record = json.loads(js.read_text())
    with av.open(str(out)) as c:
        n_out = sum(1 for _ in c.decode(video=0))
    lengths = [s["end_frame"] - s["start_frame"] + 1 for s in record["segments"]]
    assert 0 < n_out == sum(lengths) == record["summary_frames"] <= int(300 * 0.2)
    starts = [s["start_frame"] for s in record["segments"]]
    assert starts == sorted(starts)
    for s in record["segments"]:
        assert s["start_s"] == pytest.approx(s["start_frame"] / 30)
        assert s["end_s"] == pytest.approx((s["end_frame"] + 1) / 30)
    # the knapsack's choice: the selected shots fit and carry the shot scores of the record
    shots = {(s["start_frame"], s["end_frame"]): s for s in record["shots"]}
    assert all(shots[(s["start_frame"], s["end_frame"])]["selected"] for s in record["segments"])
    assert np.isfinite([s["score"] for s in record["shots"]]).all()

    wrong = CliRunner().invoke(
        main,
        [
            "summarize",
            str(tmp_path / "v.mp4"),
            "--model",
            "csta",
            "--checkpoint",
            str(tmp_path / "vas.pt"),
            *FAST,
        ],
    )
    assert wrong.exit_code != 0 and "vas.pt" in wrong.output and "vasnet" in wrong.output


def test_summarize_report_page_shows_the_shots_the_selected_thumbnails_and_the_video(tmp_path):
    import re

    import matplotlib.image

    from vsumbench.models.checkpoints import save_checkpoint
    from vsumbench.models.registry import create

    colors = write_video(tmp_path / "v.mp4", 300)
    save_checkpoint(tmp_path / "vas.pt", create("vasnet"), {"model": "vasnet"})
    result = CliRunner().invoke(main, [
        "summarize", str(tmp_path / "v.mp4"), "--model", "vasnet", "--checkpoint",
        str(tmp_path / "vas.pt"), "--out", str(tmp_path / "s.mp4"), "--json",
        str(tmp_path / "s.json"), "--report", str(tmp_path / "page"), *FAST,
    ])  # fmt: skip
    assert result.exit_code == 0, result.output
    record = json.loads((tmp_path / "s.json").read_text())
    page = (tmp_path / "page" / "index.html").read_text()
    assert len(re.findall(r"<rect ", page)) == len(record["shots"])  # the timeline
    assert page.count('fill="#e8892b"') == len(record["segments"])  # selected shots coloured
    video = re.search(r'<video controls src="([^"]+)"', page).group(1)
    assert (tmp_path / "page" / video).is_file()
    thumbs = re.findall(r'<img src="([^"]+)"', page)
    assert len(thumbs) == len(record["segments"])
    for seg, thumb in zip(record["segments"], thumbs, strict=True):
        image = matplotlib.image.imread(tmp_path / "page" / thumb)[..., :3] * 255
        middle = (seg["start_frame"] + seg["end_frame"]) // 2
        scene = int(np.searchsorted((0, 70, 160, 200), middle, side="right")) - 1
        assert np.abs(image.mean(axis=(0, 1)) - colors[scene]).max() < 12  # its scene's colour
