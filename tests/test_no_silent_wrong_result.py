"""Nothing is written over what is not a file, and nothing wrong is computed without a word:
leaks refused, damaged finished folds caught, caches never stale (issue: B, items 8-12)."""

from __future__ import annotations

import json
import os
import shutil
import stat
from pathlib import Path

import h5py
import numpy as np
import pytest
from click.testing import CliRunner

from vsumbench.atomic import write_text
from vsumbench.cli import main

SUMME = "eccv16_dataset_summe_google_pool5.h5"
QUICK = ["--folds", "0", "--threads", "1", "--device", "cpu", "--quiet"]


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture
def data(small_benchmark, tmp_path) -> Path:
    return Path(shutil.copytree(small_benchmark, tmp_path / "data"))


# ---------------------------------------------------------------- 8. devices, links, folders


def test_a_device_node_is_written_in_place_never_replaced(tmp_path):
    node = tmp_path / "null"
    try:
        os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # what /dev/null is
    except PermissionError:
        pytest.skip("making a device node needs root (CAP_MKNOD)")
    result = invoke("table", "--published-only", "--out", node)
    assert result.exit_code == 0, result.output
    assert stat.S_ISCHR(node.stat().st_mode)  # still the device, not a regular file
    assert list(tmp_path.iterdir()) == [node]  # and no temporary left beside it


def test_a_link_is_followed_and_a_folder_refused(tmp_path):
    real = tmp_path / "real.md"
    real.write_text("old")
    link = tmp_path / "link.md"
    link.symlink_to(real)
    write_text(link, "new")
    assert link.is_symlink() and real.read_text() == "new"
    folder = tmp_path / "folder"
    folder.mkdir()
    result = invoke("table", "--published-only", "--out", folder)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert str(folder) in result.output and "is a folder" in result.output


def test_a_fifo_is_written_in_place(tmp_path):
    import threading

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_text()))
    reader.start()
    write_text(fifo, "through the pipe")
    reader.join(timeout=10)
    assert received == ["through the pipe"] and stat.S_ISFIFO(fifo.stat().st_mode)


# ---------------------------------------------------------------- 9, 12. leaks


def _copy_video(path: Path, source: str, target: str, field: str = "features") -> None:
    with h5py.File(path, "r+") as h5:
        value = h5[f"{source}/{field}"][()]
        del h5[f"{target}/{field}"]
        h5[f"{target}/{field}"] = value


def test_one_video_under_two_keys_is_refused_unless_allowed(data, tmp_path):
    with h5py.File(data / SUMME, "r+") as h5:  # video_7 becomes a copy of video_2
        for field in list(h5["video_7"]):
            del h5[f"video_7/{field}"]
        for field in h5["video_2"]:
            h5[f"video_7/{field}"] = h5[f"video_2/{field}"][()]
    args = ["run", "random", "--dataset", "summe", "--data-dir", data, *QUICK]
    refused = invoke(*args, "--results", tmp_path / "r1")
    assert refused.exit_code == 1 and "Traceback" not in refused.output
    assert "video_2 and video_7 hold identical features" in refused.output
    assert str(data / SUMME) in refused.output and "--allow-duplicates" in refused.output
    allowed = invoke(*args, "--results", tmp_path / "r2", "--allow-duplicates")
    assert allowed.exit_code == 0, allowed.output
    assert "share the video_name" in allowed.output  # the copy carries the same name


def test_two_keys_sharing_a_video_name_are_warned_about(data, tmp_path):
    with h5py.File(data / SUMME, "r+") as h5:
        del h5["video_9/video_name"]
        h5["video_9/video_name"] = h5["video_4/video_name"][()]
    result = invoke("run", "random", "--dataset", "summe", "--data-dir", data, "--results",
                    tmp_path, *QUICK)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "warning:" in result.output and "video_4, video_9 share the video_name" in result.output


def test_check_names_the_annotations_a_half_written_folder_lacks(data):
    (data / "ydata-anno.tsv").unlink()
    result = invoke("data", "check", "--data-dir", data)
    assert result.exit_code == 1
    assert f"FAIL {data / 'ydata-anno.tsv'}" in result.output
    assert "TVSum's tau/rho need its annotation file" in result.output


# ---------------------------------------------------------------- 10. damaged finished folds


@pytest.mark.parametrize("artefact", ["predictions.h5", "checkpoint.pt"])
def test_a_damaged_file_of_a_finished_fold_is_not_reused(small_benchmark, tmp_path, artefact):
    args = ["run", "vasnet", "--dataset", "summe", "--data-dir", small_benchmark, "--results",
            tmp_path, "--epochs", "1", *QUICK]  # fmt: skip
    assert invoke(*args).exit_code == 0
    (fold,) = tmp_path.glob("summe/vasnet/*/seed*/fold0")
    record = json.loads((fold / "result.json").read_text())["artefacts"]
    target = fold / artefact
    assert record[artefact]["bytes"] == target.stat().st_size
    blob = target.read_bytes()
    target.write_bytes(blob[: len(blob) // 2])  # truncated
    again = invoke(*args)
    assert again.exit_code == 1 and "already finished" not in again.output
    assert str(target) in again.output and "is damaged" in again.output
    target.write_bytes(blob[:-1] + bytes([blob[-1] ^ 1]))  # same size, other content
    again = invoke(*args)
    assert again.exit_code == 1 and "SHA-256 differs" in again.output
    target.write_bytes(blob)
    assert invoke(*args).exit_code == 0  # intact again: reused


# ---------------------------------------------------------------- 11. caches never stale


def test_an_edit_in_place_that_restores_the_mtime_is_not_served_from_cache(
    data, tmp_path, monkeypatch
):
    """The reference cache is keyed on size, inode, mtime and ctime: an edit of the same
    size with its mtime restored still changes the ctime, which no user can set."""
    from vsumbench.data import load_videos
    from vsumbench.data.predictions import write_predictions

    monkeypatch.setenv("VSUMBENCH_CACHE", str(tmp_path / "cache"))
    path = data / SUMME
    videos = load_videos(path, fields=("gtscore",))
    pred = tmp_path / "pred.h5"
    write_predictions(pred, {k: v.gtscore for k, v in videos.items()})
    args = ["evaluate", pred, "--dataset", "summe", "--data-dir", data, "--json"]
    before = json.loads(invoke(*args).output)
    info = path.stat()
    with h5py.File(path, "r+") as h5:  # same size: overwrite user summaries in place
        users = h5["video_1/user_summary"]
        users[...] = 1 - users[()]
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert path.stat().st_size == info.st_size and path.stat().st_mtime_ns == info.st_mtime_ns
    after = json.loads(invoke(*args).output)
    monkeypatch.setenv("VSUMBENCH_CACHE", str(tmp_path / "fresh"))
    fresh = json.loads(invoke(*args).output)
    assert after["per_video"]["video_1"] == fresh["per_video"]["video_1"]
    assert after["per_video"]["video_1"] != before["per_video"]["video_1"]
    assert np.isclose(after["f1"], fresh["f1"])
