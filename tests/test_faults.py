"""The user's environment is not a bug: disk full, file-size limits and unwritable folders
end in one line naming the path and the cause, never a traceback or a crash, and the
previous file stays intact."""

# ruff: noqa: F811 (the `trained` fixture is shared with test_predict by import)
from __future__ import annotations

import resource
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_predict import trained  # noqa: F401


def vsumbench(*args: str, limit: int | None = None, cwd: Path | None = None):
    """Run the CLI in a fresh process, optionally under a file-size limit (``ulimit -f``)."""

    def limited() -> None:
        if limit is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return subprocess.run(
        [sys.executable, "-m", "vsumbench", *args],
        capture_output=True, text=True, preexec_fn=limited, cwd=cwd, timeout=300,
    )  # fmt: skip


def assert_one_line_error(proc, *needles: str) -> None:
    assert proc.returncode == 1, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    last = proc.stderr.strip().splitlines()[-1].split("\r")[-1]
    assert last.startswith("Error: ")
    for needle in needles:
        assert needle in last, last


def test_data_synth_past_a_file_size_limit(tmp_path):
    proc = vsumbench("data", "synth", "--out", str(tmp_path / "d"), limit=200_000)
    assert_one_line_error(
        proc, str(tmp_path / "d" / "eccv16_dataset_summe_google_pool5.h5"), "File too large"
    )
    assert not list((tmp_path / "d").glob(".*.tmp"))  # no temporary left behind


def test_table_out_past_a_file_size_limit_keeps_the_old_file(tmp_path):
    out = tmp_path / "t1.md"
    out.write_text("previous table\n")
    proc = vsumbench("table", "--published-only", "--table", "1", "--out", str(out), limit=1_000)
    assert_one_line_error(proc, str(out), "File too large")
    assert out.read_text() == "previous table\n"


def test_predict_past_a_file_size_limit_keeps_the_old_file(trained, small_benchmark, tmp_path):
    out = tmp_path / "pred.h5"
    out.write_bytes(b"previous predictions")
    data = small_benchmark / "eccv16_dataset_summe_google_pool5.h5"
    proc = vsumbench(
        "predict", "vasnet", "--checkpoint", str(trained / "checkpoint.pt"), "--data",
        str(data), "--out", str(out), "--device", "cpu", "--quiet", limit=2_000,
    )  # fmt: skip
    assert_one_line_error(proc, str(out), "File too large")
    assert out.read_bytes() == b"previous predictions"


def test_run_past_a_file_size_limit(small_benchmark, tmp_path):
    proc = vsumbench(
        "run", "random", "--dataset", "summe", "--data-dir", str(small_benchmark), "--folds",
        "0", "--results", str(tmp_path / "r"), "--device", "cpu", "--quiet", limit=2_000,
    )  # fmt: skip
    assert_one_line_error(proc, str(tmp_path / "r"), "File too large")
    assert not (
        tmp_path / "r" / "summe" / "random" / "paper-none" / "seed123456" / "fold0"
    ).exists()


def test_run_into_an_unwritable_results_folder(small_benchmark, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    proc = vsumbench(
        "run", "vasnet", "--dataset", "summe", "--data-dir", str(small_benchmark), "--epochs",
        "1", "--folds", "0", "--results", str(blocker / "results"), "--device", "cpu", "--quiet",
    )  # fmt: skip
    assert_one_line_error(proc, str(blocker), "Not a directory")
    assert "epoch" not in proc.stderr  # reported before any training


@pytest.mark.parametrize("command", [("data", "synth", "--out"), ("data", "splits", "--dataset",
                                     "summe", "--out")])  # fmt: skip
def test_writing_under_a_file_is_one_line(command, small_benchmark, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    args = [*command, str(blocker / "out")]
    if "splits" in command:
        args += ["--data-dir", str(small_benchmark)]
    assert_one_line_error(vsumbench(*args), str(blocker))


def test_summarize_past_a_file_size_limit(tmp_path):
    from tests.test_cli_video import write_video
    from vsumbench.models import create
    from vsumbench.models.checkpoints import save_checkpoint

    write_video(tmp_path / "v.mp4", 300)
    save_checkpoint(tmp_path / "vas.pt", create("vasnet"), {"model": "vasnet"})
    out = tmp_path / "s.mp4"
    proc = vsumbench(
        "summarize", str(tmp_path / "v.mp4"), "--model", "vasnet", "--checkpoint",
        str(tmp_path / "vas.pt"), "--out", str(out), "--backbone-weights", "random",
        "--image-size", "32", "--device", "cpu", "--quiet", limit=2_000,
    )  # fmt: skip
    assert_one_line_error(proc, str(out), "File too large")
    assert not out.exists() and not list(tmp_path.glob(".*.tmp"))
