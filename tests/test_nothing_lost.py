"""Nothing of the user's is lost and nothing is left behind: `data synth` never replaces
real data, killed writers' temporaries go, failed runs leave no trace, and every attempt's
end is in its log (issue: D, items 15-16)."""

from __future__ import annotations

import os
from pathlib import Path

import h5py
import pytest
from click.testing import CliRunner

from vsumbench.cli import main

SUMME = "eccv16_dataset_summe_google_pool5.h5"
TVSUM = "eccv16_dataset_tvsum_google_pool5.h5"


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


# ---------------------------------------------------------------- 15. synth and real data


@pytest.mark.parametrize(
    "real_file",
    [TVSUM, "ydata-anno.tsv", "splits/summe_splits.json"],
)
def test_synth_never_replaces_a_file_that_is_not_synthetic(tmp_path, real_file):
    out = tmp_path / "data"
    target = out / real_file
    target.parent.mkdir(parents=True)
    if real_file.endswith(".h5"):
        with h5py.File(target, "w") as h5:  # a real file: no vsumbench_synthetic attribute
            h5["video_1/n_frames"] = 100
    else:
        target.write_text("the user's own file\n")
    before = _snapshot(out)
    refused = invoke("data", "synth", "--out", out)
    assert refused.exit_code == 1 and "Traceback" not in refused.output
    assert str(target) in refused.output and "--force" in refused.output
    assert _snapshot(out) == before  # refused before anything was written
    forced = invoke("data", "synth", "--out", out, "--force")
    assert forced.exit_code == 0, forced.output
    assert target.read_bytes() != before[real_file]


def test_synth_rewrites_its_own_files_and_marks_the_text_ones(tmp_path):
    out = tmp_path / "data"
    assert invoke("data", "synth", "--out", out).exit_code == 0
    again = invoke("data", "synth", "--out", out, "--seed", "1")  # its own: replaced
    assert again.exit_code == 0, again.output
    (out / "ydata-anno.tsv").write_text("edited by hand\n")  # no longer the synthetic one
    edited = invoke("data", "synth", "--out", out)
    assert edited.exit_code == 1 and "ydata-anno.tsv" in edited.output


def test_readme_first_command_does_not_touch_real_files_in_data(tmp_path, monkeypatch):
    """The README's install command writes `data/`, where users put the real files."""
    monkeypatch.chdir(tmp_path)
    Path("data").mkdir()
    with h5py.File("data/" + SUMME, "w") as h5:
        h5["video_1/n_frames"] = 100
    result = invoke("data", "synth", "--out", "data")
    assert result.exit_code == 1 and SUMME in result.output
    assert sorted(p.name for p in Path("data").iterdir()) == [SUMME]


# ---------------------------------------------------------------- 16. leftovers


def _dead_pid() -> int:
    pid = 4_000_000  # above Linux's pid_max: no such process
    while True:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return pid
        except PermissionError:
            pass
        pid -= 1


def test_a_killed_writers_temporary_is_removed_by_the_next_write(tmp_path):
    from vsumbench.atomic import _HOST

    out = tmp_path / "data"
    out.mkdir()
    dead = out / f".{TVSUM}.{_HOST}-{_dead_pid()}.x1y2z3.tmp"
    live = out / f".{TVSUM}.{_HOST}-{os.getpid()}.a1b2c3.tmp"  # a writer still at work
    other = out / f".{TVSUM}.elsewhere-1.q.tmp"  # another machine's writer (shared disk)
    for tmp in (dead, live, other):
        tmp.write_bytes(b"\0" * 1024)
    assert invoke("data", "synth", "--out", out).exit_code == 0
    assert not dead.exists()  # its writer is gone: removed
    assert live.exists() and other.exists()  # alive, or another machine's: left alone


def test_runs_leave_no_lock_files_and_refused_runs_no_folders(small_benchmark, tmp_path):
    results = tmp_path / "results"
    ok = invoke("run", "random", "--dataset", "summe", "--data-dir", small_benchmark,
                "--folds", "0,1", "--results", results, "--quiet")  # fmt: skip
    assert ok.exit_code == 0, ok.output
    assert not list(results.rglob(".*.lock"))
    bad_weights = tmp_path / "weights.pth"
    bad_weights.write_bytes(b"not a state dict")
    refused = invoke("run", "csta", "--dataset", "summe", "--data-dir", small_benchmark,
                     "--backbone-init", bad_weights, "--folds", "0", "--epochs", "1",
                     "--results", tmp_path / "other", "--quiet")  # fmt: skip
    assert refused.exit_code == 1 and str(bad_weights) in refused.output
    assert not (tmp_path / "other").exists()


def test_a_killed_attempt_is_said_in_the_fold_log(small_benchmark, tmp_path):
    from vsumbench.runner.config import RunConfig
    from vsumbench.sweep.plan import Task
    from vsumbench.sweep.task import run_task

    config = RunConfig("random", "summe", data_dir=str(small_benchmark), seeds=[1], folds=[0],
                       results=str(tmp_path), progress=False)  # fmt: skip
    task = Task(config, tmp_path / "summe" / "random" / "paper-none" / "seed1" / "fold0")
    task.log.parent.mkdir(parents=True)
    task.log.write_text("== 2026-01-01 00:00:00 attempt 1: random summe (pid 1 on host)\n")
    outcome = run_task(task, attempt=2)
    assert outcome.status == "done"
    lines = task.log.read_text().splitlines()
    assert lines[1].startswith("== attempt 1 ended without a word: its process was killed")
    assert lines[-1].startswith("== done after")
    run_task(task, attempt=3)  # the log's last attempt ended: nothing more to say
    assert task.log.read_text().count("ended without a word") == 1
