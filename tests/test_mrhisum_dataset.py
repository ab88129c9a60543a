"""Mr.HiSum as a registered dataset: its file read as the authors ship it, `data check`,
`evaluate --dataset mrhisum` against the official evaluation's own numbers, bad input."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import h5py
import numpy as np
import pytest
from click.testing import CliRunner

from vsumbench.cli import main
from vsumbench.data.mrhisum import cp_convention, load_mrhisum
from vsumbench.errors import DataError

FIXTURE = Path(__file__).parent / "fixtures" / "official_mrhisum" / "official_eval.json"
OFFICIAL = json.loads(FIXTURE.read_text())["videos"]


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def one_line_error(result, *needles: str) -> None:
    assert result.exit_code in (1, 2), result.output
    assert "Traceback" not in result.output
    for needle in needles:
        assert needle in result.output, result.output


def write_file(path: Path, videos: dict[str, dict]) -> Path:
    with h5py.File(path, "w") as h5:
        for key, fields in videos.items():
            group = h5.create_group(key)
            for name, value in fields.items():
                group.create_dataset(name, data=np.asarray(value))
    return path


@pytest.fixture
def official_data(tmp_path) -> tuple[Path, Path]:
    """The official fixture's videos as a mr_hisum.h5 (no features: evaluation needs none)
    and their predictions as an evaluate file."""
    videos = {v["key"]: {"gtscore": np.asarray(v["gtscore"], dtype=np.float32),
                         "change_points": v["change_points"],
                         "gt_summary": np.asarray(v["gt_summary"], dtype=np.float32)}
              for v in OFFICIAL}  # fmt: skip
    write_file(tmp_path / "mr_hisum.h5", videos)
    with h5py.File(tmp_path / "pred.h5", "w") as h5:
        for v in OFFICIAL:
            h5.create_dataset(v["key"], data=np.asarray(v["pred"], dtype=np.float32))
    return tmp_path, tmp_path / "pred.h5"


def test_evaluate_gives_the_official_numbers_per_video_and_their_means(official_data):
    data, pred = official_data
    result = invoke("evaluate", pred, "--dataset", "mrhisum", "--data-dir", data, "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert set(out["per_video"][OFFICIAL[0]["key"]]) == {"f1", "map50", "map15"}
    for video in OFFICIAL:
        mine = out["per_video"][video["key"]]
        assert mine["f1"] == pytest.approx(video["f1_percent"] / 100, abs=1e-9)
        assert mine["map50"] == pytest.approx(video["map50"], abs=1e-9)
        assert mine["map15"] == pytest.approx(video["map15"], abs=1e-9)
    assert out["f1"] == pytest.approx(np.mean([v["f1_percent"] / 100 for v in OFFICIAL]), abs=1e-9)
    assert out["map50"] == pytest.approx(np.mean([v["map50"] for v in OFFICIAL]), abs=1e-9)
    assert out["map15"] == pytest.approx(np.mean([v["map15"] for v in OFFICIAL]), abs=1e-9)
    assert out["f1_kind"] == "official" and out["data"] == "real"


def test_corrected_f1_is_offered_and_differs_from_the_official(official_data):
    data, pred = official_data
    official = json.loads(invoke("evaluate", pred, "--dataset", "mrhisum", "--data-dir", data,
                                 "--json").output)  # fmt: skip
    corrected = invoke("evaluate", pred, "--dataset", "mrhisum", "--data-dir", data, "--json",
                       "--f1", "corrected")  # fmt: skip
    out = json.loads(corrected.output)
    assert out["f1_kind"] == "corrected"
    assert out["map50"] == official["map50"]  # only the F1 changes
    assert out["f1"] != pytest.approx(official["f1"], abs=1e-6)


def test_evaluate_refuses_wrong_lengths_naming_the_video(official_data):
    data, pred = official_data
    key = OFFICIAL[0]["key"]
    with h5py.File(pred, "a") as h5:
        del h5[key]
        h5.create_dataset(key, data=np.zeros(3, dtype=np.float32))
    result = invoke("evaluate", pred, "--dataset", "mrhisum", "--data-dir", data)
    one_line_error(result, key, "scores")


def synthetic_video(n=40, shots=((0, 9), (10, 24), (25, 39))) -> dict:
    cps = np.asarray(shots)
    gtscore = np.linspace(0, 1, n, dtype=np.float32)
    summary = np.zeros(int((cps[:, 1] - cps[:, 0]).sum()), dtype=np.float32)
    summary[:5] = 1
    return {"features": np.ones((n, 8), np.float32), "gtscore": gtscore, "change_points": cps,
            "gt_summary": summary}  # fmt: skip


def test_reader_takes_either_summary_name_and_either_length(tmp_path):
    plain = synthetic_video()
    readme_name = {**synthetic_video(), "gtsummary": np.zeros(40, np.float32)}
    del readme_name["gt_summary"]
    path = write_file(tmp_path / "mr_hisum.h5", {"video_1": plain, "video_2": readme_name})
    videos = load_mrhisum(path, features=True)
    assert videos["video_1"].gtsummary.size == 37  # sum(end - start): T minus 3 shots
    assert videos["video_2"].gtsummary.size == 40  # T
    assert videos["video_1"].n_frame_per_seg.tolist() == [9, 14, 14]  # the official lengths
    assert videos["video_1"].picks.tolist() == list(range(40))  # one step is one frame


@pytest.mark.parametrize(
    ("change", "field", "needle"),
    [
        (lambda v: v.pop("features"), "features", "vsumbench data mrhisum-features"),
        (lambda v: v.update(gt_summary=np.zeros(30)), "gt_summary", "sum(end - start) = 37"),
        (lambda v: v.update(change_points=np.asarray([[0, 9], [5, 39]])), "change_points",
         "overlap"),
        (lambda v: v.update(gtscore=np.full(40, 7.0)), "gtscore", "[0, 1]"),
    ],
)  # fmt: skip
def test_reader_and_data_check_name_the_file_video_and_field(tmp_path, change, field, needle):
    video = synthetic_video()
    change(video)
    path = write_file(tmp_path / "mr_hisum.h5", {"video_1": synthetic_video(), "video_7": video})
    with pytest.raises(DataError) as err:
        load_mrhisum(path, features=True)
    assert err.value.video == "video_7" and err.value.field == field
    assert needle in str(err.value)
    one_line_error(invoke("data", "check", path), "video_7", needle)


def test_data_check_reports_summary_lengths_and_change_point_convention(tmp_path):
    shared = synthetic_video(shots=((0, 10), (10, 25), (25, 40)))  # KTS-like shared ends
    shared["gt_summary"] = np.zeros(40, np.float32)
    write_file(tmp_path / "mr_hisum.h5", {"video_1": synthetic_video(), "video_2": shared})
    (tmp_path / "mr_hisum_split.json").write_text(
        json.dumps({"train_keys": ["video_1"], "val_keys": [], "test_keys": ["video_2"]})
    )
    result = invoke("data", "check", "--data-dir", tmp_path)
    assert result.exit_code == 0, result.output
    assert "1 with sum(end - start), 1 with T" in result.output
    assert "1 inclusive, 1 shared" in result.output
    assert cp_convention(np.asarray([[0, 4], [3, 9]]), 10) == "other"


def test_split_keys_missing_from_the_file_are_one_line(tmp_path):
    write_file(
        tmp_path / "mr_hisum.h5", {"video_1": synthetic_video(), "video_3": synthetic_video()}
    )
    split = tmp_path / "splits" / "mr_hisum_split.json"
    split.parent.mkdir()
    split.write_text(json.dumps({"train_keys": ["video_1"], "val_keys": ["video_2"],
                                 "test_keys": ["video_3"]}))  # fmt: skip
    result = invoke("run", "vasnet", "--dataset", "mrhisum", "--data-dir", tmp_path,
                    "--results", tmp_path / "r", "--epochs", "1", "--device", "cpu")  # fmt: skip
    one_line_error(result, "mr_hisum_split.json", "video_2", "val_keys")


def test_a_file_whose_features_are_not_filled_says_which_command_fills_them(tmp_path):
    videos = {f"video_{i}": synthetic_video() for i in range(1, 5)}
    del videos["video_2"]["features"]
    write_file(tmp_path / "mr_hisum.h5", videos)
    (tmp_path / "mr_hisum_split.json").write_text(json.dumps(
        {"train_keys": ["video_1", "video_2"], "val_keys": ["video_3"], "test_keys": ["video_4"]}
    ))  # fmt: skip
    result = invoke("run", "vasnet", "--dataset", "mrhisum", "--data-dir", tmp_path,
                    "--results", tmp_path / "r", "--epochs", "1", "--device", "cpu")  # fmt: skip
    one_line_error(result, "video_2", "vsumbench data mrhisum-features")
    assert not (tmp_path / "r" / "mrhisum").exists() or not any((tmp_path / "r").rglob("*.json"))


def test_synthetic_twin_passes_data_check(tmp_path):
    assert invoke("data", "synth", "--out", tmp_path, "--dataset", "mrhisum",
                  "--videos", "12").exit_code == 0  # fmt: skip
    result = invoke("data", "check", "--data-dir", tmp_path)
    assert result.exit_code == 0, result.output
    assert "12 videos" in result.output and "one split:" in result.output


def test_the_split_is_found_in_the_folder_or_under_splits(tmp_path):
    from vsumbench.data.paths import split_file

    (tmp_path / "splits").mkdir()
    (tmp_path / "splits" / "mr_hisum_split.json").write_text("{}")
    assert split_file("mrhisum", tmp_path) == tmp_path / "splits" / "mr_hisum_split.json"
    shutil.copy(tmp_path / "splits" / "mr_hisum_split.json", tmp_path / "mr_hisum_split.json")
    assert split_file("mrhisum", tmp_path) == tmp_path / "mr_hisum_split.json"
