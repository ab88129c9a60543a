"""`data extract --encoder clip` (open_clip, random weights, 32 px) and `summarize --query`
end to end; bad captions, encoders and weights in one line."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from vsumbench.cli import main

pytest.importorskip("open_clip", reason="the clip extra (open_clip_torch) is not installed")
pytest.importorskip("av")

QUICK = ["--encoder", "clip", "--encoder-init", "random", "--image-size", "32", "--device",
         "cpu", "--quiet"]  # fmt: skip


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture(scope="module")
def videos(tmp_path_factory) -> Path:
    from tests.test_videoio import write_video

    folder = tmp_path_factory.mktemp("clipvideos")
    write_video(folder / "a.mp4", 300)
    write_video(folder / "b.mp4", 200, (0, 100), seed=1)
    (folder / "caps.json").write_text(json.dumps({
        "a.mp4": [{"start": 0, "end": 3, "text": "a red room"},
                  {"start": 3, "end": 10, "text": "a blue sky"}],
        "b": [{"start": 0, "end": 6.6, "text": "a green field"}],
    }))  # fmt: skip
    return folder


def test_captions_give_text_features_beside_the_image_features(videos, tmp_path):
    from vsumbench.data.eccv16 import load_videos

    out = tmp_path / "clip.h5"
    done = invoke("data", "extract", videos / "a.mp4", videos / "b.mp4", "--out", out,
                  "--captions", videos / "caps.json", *QUICK)  # fmt: skip
    assert done.exit_code == 0, done.output
    fields = ("features_clip_image", "features_clip_txt", "captions", "caption_times")
    got = load_videos(out, fields=fields, require=fields)
    a, b = got["video_1"], got["video_2"]
    assert a.features_clip_image.shape == (a.n_steps, 512) and a.features is None
    assert a.features_clip_txt.shape == (2, 512) and a.captions == ("a red room", "a blue sky")
    assert a.caption_times.tolist() == [[0.0, 3.0], [3.0, 10.0]]
    assert b.captions == ("a green field",)  # keyed by the name without its extension
    assert not np.allclose(a.features_clip_txt[0], a.features_clip_txt[1])
    checked = invoke("data", "check", "--features-only", out)
    assert checked.exit_code == 0, checked.output


def test_a_query_is_one_sentence_over_the_whole_video_and_no_text_means_images_only(
    videos, tmp_path
):  # fmt: skip
    from vsumbench.data.eccv16 import load_videos

    assert invoke("data", "extract", videos / "a.mp4", "--out", tmp_path / "q.h5", "--query",
                  "the red room", *QUICK).exit_code == 0  # fmt: skip
    (video,) = load_videos(tmp_path / "q.h5", fields=("captions", "caption_times"),
                           require=()).values()  # fmt: skip
    assert video.captions == ("the red room",) and video.caption_times.tolist() == [[0.0, 10.0]]
    assert invoke("data", "extract", videos / "a.mp4", "--out", tmp_path / "i.h5",
                  *QUICK).exit_code == 0  # fmt: skip
    (only,) = load_videos(tmp_path / "i.h5", fields=("features_clip_image", "captions"),
                          require=()).values()  # fmt: skip
    assert only.features_clip_image is not None and only.captions is None


@pytest.mark.parametrize(
    ("extra", "needle"),
    [
        (["--captions", "late.json"], "a.mp4/captions[0]: ends at 99.0 s, after the video"),
        (["--captions", "broken.json"], "captions file is not JSON"),
        (["--clip-model", "ViT-B-33"], "did you mean ViT-B-32"),
        (["--encoder-weights", "notclip.pt"], "not a ViT-B-32 CLIP state dict"),
    ],
)
def test_bad_text_encoders_and_weights_are_one_line(videos, tmp_path, extra, needle):
    import torch

    (tmp_path / "late.json").write_text('{"a.mp4": [{"start": 0, "end": 99, "text": "x"}]}')
    (tmp_path / "broken.json").write_text("{nope")
    torch.save({"w": torch.zeros(3)}, tmp_path / "notclip.pt")
    extra = [str(tmp_path / e) if e.endswith((".json", ".pt")) else e for e in extra]
    args = [a for a in QUICK if a not in ("--encoder-init", "random")] if "--encoder-weights" in \
        extra else QUICK  # fmt: skip
    out = invoke("data", "extract", videos / "a.mp4", "--out", tmp_path / "x.h5", *extra, *args)
    assert out.exit_code in (1, 2) and "Traceback" not in out.output
    assert needle in out.output, out.output
    assert not (tmp_path / "x.h5").exists()


def test_summarize_with_a_query_uses_clip_features_and_the_query(videos, small_benchmark,
                                                                  tmp_path):  # fmt: skip
    train = invoke("run", "clip-it", "--dataset", "summe", "--data-dir", small_benchmark,
                   "--results", tmp_path / "r", "--epochs", "1", "--folds", "0", "--device",
                   "cpu", "--quiet", "--model-arg", "layers=1", "--model-arg", "heads=2")  # fmt: skip
    assert train.exit_code == 0, train.output
    (checkpoint,) = (tmp_path / "r").rglob("checkpoint.pt")
    common = ["summarize", videos / "a.mp4", "--model", "clip-it", "--checkpoint", checkpoint,
              "--encoder-init", "random", "--image-size", "32", "--device", "cpu", "--quiet"]  # fmt: skip
    done = invoke(*common, "--query", "the red room", "--out", tmp_path / "s.mp4", "--json",
                  tmp_path / "s.json")  # fmt: skip
    assert done.exit_code == 0, done.output
    record = json.loads((tmp_path / "s.json").read_text())
    assert record["text"] == ["the red room"] and record["segments"]
    missing = invoke(*common, "--out", tmp_path / "t.mp4")
    assert missing.exit_code in (1, 2) and "--query TEXT" in missing.output
