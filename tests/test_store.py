"""The result store keeps results safe: staged reruns, data identity, one run per fold, no
stale temporaries, and I/O problems reported before training (issue: nothing lost)."""

# ruff: noqa: F811 (the `config` fixture is shared with test_resume by import)
from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import h5py
import pytest

from tests.test_resume import config, count_epochs, fold_dir  # noqa: F401
from vsumbench.errors import ConfigError, ModelError
from vsumbench.runner import store, train

pytestmark = pytest.mark.usefixtures("one_thread")


def test_a_failed_force_rerun_leaves_the_previous_result(config, monkeypatch):
    train.run(replace(config, epochs=1))
    directory = fold_dir(config)
    before = {p.name: p.read_bytes() for p in directory.iterdir()}
    count_epochs(monkeypatch, fail_at=1)
    with pytest.raises(ModelError, match="failed in seed .*: Interrupted"):
        train.run(replace(config, epochs=1, force=True))
    assert {p.name: p.read_bytes() for p in directory.iterdir()} == before
    assert not store.staging_dir(directory).exists()  # nothing to resume: nothing left
    monkeypatch.undo()
    # The completed rerun replaces it; nothing is left in staging.
    train.run(replace(config, epochs=2, force=True))
    assert store.read_result(directory).config["epochs"] == 2
    assert not store.staging_dir(directory).exists()


def _copy_with_changed_video(src: Path, dst: Path, key: str) -> Path:
    shutil.copytree(src, dst)
    with h5py.File(dst / "eccv16_dataset_summe_google_pool5.h5", "r+") as h5:
        h5[f"{key}/features"][0, 0] += 1.0
    return dst


def test_a_finished_fold_is_not_reused_on_other_data(config, small_benchmark, tmp_path):
    train.run(replace(config, epochs=1))
    # A copy of the same data elsewhere is the same data: reused.
    same = tmp_path / "same"
    shutil.copytree(small_benchmark, same)
    report = train.run(replace(config, epochs=1, data_dir=str(same)))
    assert report.skipped == [str(fold_dir(config))]
    # One test video changed by one value: refused, naming the data and the way out.
    other = _copy_with_changed_video(small_benchmark, tmp_path / "other", "video_7")
    with pytest.raises(ConfigError, match="computed on other data.*--force"):
        train.run(replace(config, epochs=1, data_dir=str(other)))
    result = store.read_result(fold_dir(config))
    assert len(result.data.fingerprint) == 16


def test_a_resume_state_is_not_resumed_on_other_data(
    config,
    small_benchmark,
    tmp_path,
    monkeypatch,
):
    count_epochs(monkeypatch, fail_at=2)
    with pytest.raises(ModelError, match="failed in seed .*: Interrupted"):
        train.run(config)
    monkeypatch.undo()
    other = _copy_with_changed_video(small_benchmark, tmp_path / "other", "video_2")
    with pytest.raises(ConfigError, match="saved while training on other data"):
        train.run(replace(config, data_dir=str(other)))


def test_a_fold_in_use_is_refused_naming_its_holder(config, monkeypatch):
    calls = count_epochs(monkeypatch)
    directory = fold_dir(config)
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time; from vsumbench.runner import store\n"
         f"with store.fold_lock({str(directory)!r}):\n"
         "    print('locked', flush=True); time.sleep(60)"],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(ConfigError, match=rf"being trained by pid {holder.pid} on .*wait"):
            train.run(config)
        assert calls == []
    finally:
        holder.kill()
        holder.wait()
    train.run(replace(config, epochs=1))  # the kernel released the dead holder's lock
    assert store.read_result(directory).complete


def test_stale_temporaries_are_removed_when_the_fold_is_next_opened(config):
    train.run(replace(config, epochs=1))
    directory = fold_dir(config)
    staging = store.staging_dir(directory)
    staging.mkdir()
    stale = [directory / ".checkpoint.pt.x1y2.tmp", staging / ".state.pt.a9b8.tmp"]
    for path in stale:
        path.write_bytes(b"\0" * 4096)  # what a kill -9 during a write leaves
    train.run(replace(config, epochs=1))  # a no-op rerun still tidies the fold
    assert not any(p.exists() for p in stale)


def test_an_interrupted_publish_is_completed(config, monkeypatch):
    train.run(replace(config, epochs=1))
    directory = fold_dir(config)
    real_replace = store.os.replace

    def crash_after_first_rename(src, dst):
        real_replace(src, dst)
        if Path(dst).name.endswith(".old"):
            raise KeyboardInterrupt

    monkeypatch.setattr(store.os, "replace", crash_after_first_rename)
    with pytest.raises(KeyboardInterrupt):
        train.run(replace(config, epochs=2, force=True))
    monkeypatch.undo()
    assert not directory.exists()  # between the two renames
    report = train.run(replace(config, epochs=2))  # recovered, then found finished
    assert report.skipped and store.read_result(directory).config["epochs"] == 2


def test_an_unwritable_results_folder_is_reported_before_training(config, tmp_path, monkeypatch):
    calls = count_epochs(monkeypatch)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(OSError) as err:
        train.run(replace(config, results=str(blocker / "results")))
    assert calls == [] and str(blocker) in str(err.value)


def test_a_completed_but_unpublished_fold_is_published(config, monkeypatch):
    monkeypatch.setattr(store, "publish", lambda fold_dir: None)  # crash right before it
    train.run(replace(config, epochs=1))
    directory = fold_dir(config)
    assert not directory.exists() and (store.staging_dir(directory) / "result.json").is_file()
    monkeypatch.undo()
    calls = count_epochs(monkeypatch)
    report = train.run(replace(config, epochs=1))
    assert calls == [] and report.skipped == [str(directory)]
