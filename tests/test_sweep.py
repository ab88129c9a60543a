"""Sweeps: a grid's folds run through exactly the code of ``vsumbench run`` on real engines
(an embedded Ray with 2 CPUs, submitit's job machinery), bitwise equal to sequential runs,
idempotent, retried after crashes, and with clear errors for every bad request."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import h5py
import numpy as np
import pytest

from vsumbench.errors import ConfigError
from vsumbench.runner import store, train
from vsumbench.sweep.grid import SweepGrid, grid_from_file, grid_from_mapping
from vsumbench.sweep.plan import model_seeds

pytestmark = pytest.mark.usefixtures("one_thread")

COMMON = ["--epochs", "2", "--device", "cpu", "--deterministic", "--threads", "1"]


@pytest.fixture
def splits(tmp_path) -> Path:
    """Two small SumMe folds keep every task a few seconds long."""
    path = tmp_path / "splits.json"
    folds = [
        {"train_keys": [f"video_{i}" for i in range(1, 7)], "test_keys": ["video_7", "video_8"]},
        {"train_keys": [f"video_{i}" for i in range(3, 9)], "test_keys": ["video_1", "video_2"]},
    ]
    path.write_text(json.dumps(folds))
    return path


@pytest.fixture
def grid(small_benchmark, splits, tmp_path) -> SweepGrid:
    return SweepGrid(
        models=["vasnet", "random"],
        datasets=["summe"],
        data_dir=str(small_benchmark),
        splits=str(splits),
        results=str(tmp_path / "sweep"),
        epochs=2,
        device="cpu",
        deterministic=True,
        threads=1,
        engine="inline",
    )


def sequential(grid: SweepGrid, results: Path) -> Path:
    """The same grid, one ``run`` per model in this process: the reference."""
    for model in grid.models:
        config = train.RunConfig(
            model=model,
            dataset="summe",
            data_dir=grid.data_dir,
            splits=grid.splits,
            epochs=grid.epochs,
            folds=grid.folds,
            device="cpu",
            deterministic=True,
            threads=1,
            results=str(results),
            progress=False,
        )
        train.run(config)
    return results


def assert_same_results(got: Path, want: Path) -> int:
    """Every fold of ``want`` exists under ``got`` with identical numbers, weights and scores."""
    folds = sorted(p.parent.relative_to(want) for p in want.rglob(store.RESULT_FILE))
    assert folds
    for fold in folds:
        a, b = store.read_result(got / fold), store.read_result(want / fold)
        assert a is not None, fold
        strip = [{k: v for k, v in e.items() if k != "seconds"} for e in a.epochs]
        assert strip == [{k: v for k, v in e.items() if k != "seconds"} for e in b.epochs]
        assert (a.kendall, a.spearman, a.f1, a.chosen_epoch) == (
            b.kendall,
            b.spearman,
            b.f1,
            b.chosen_epoch,
        )
        assert a.per_video == b.per_video
        with h5py.File(got / fold / store.PREDICTIONS_FILE) as fa:
            with h5py.File(want / fold / store.PREDICTIONS_FILE) as fb:
                assert sorted(fa) == sorted(fb)
                for key in fa:
                    assert np.array_equal(fa[key][()], fb[key][()])
        if (want / fold / store.CHECKPOINT_FILE).is_file():
            assert (got / fold / store.CHECKPOINT_FILE).read_bytes() != b""
            _same_weights(got / fold / store.CHECKPOINT_FILE, want / fold / store.CHECKPOINT_FILE)
    return len(folds)


def _same_weights(a: Path, b: Path) -> None:
    import torch

    wa = torch.load(a, map_location="cpu", weights_only=True)["state_dict"]
    wb = torch.load(b, map_location="cpu", weights_only=True)["state_dict"]
    assert wa.keys() == wb.keys()
    assert all(torch.equal(wa[k], wb[k]) for k in wa)


def needs(module: str) -> None:
    """Skip without ``module``, without importing it here: Ray reads its settings when
    imported, and the in-process Ray test sets them first (as the engine does)."""
    import importlib.util

    if importlib.util.find_spec(module) is None:
        pytest.skip(f"{module} is not installed (pip install -e '.[sweep]')")


def cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "vsumbench", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=300,
    )


# ---------------------------------------------------------------- the grid and its errors


def test_spec_file_is_read_and_options_override_it(tmp_path):
    spec = tmp_path / "sweep.toml"
    spec.write_text(
        'models = ["csta", "vasnet"]\ndatasets = "summe,TVSum"\nseeds = 2\nfolds = [0, 1]\n'
        "epochs = 20\ndeterministic = true\ngpus_per_task = 0.25\n[model_args]\nhidden = 64\n"
    )
    grid = grid_from_file(spec)
    assert grid.models == ["csta", "vasnet"] and grid.datasets == ["summe", "tvsum"]
    assert grid.seed_count == 2 and grid.folds == [0, 1]
    # `seeds = 2` counts from each model's own seed, as `vsumbench run --seeds 2` does.
    assert model_seeds(grid, "csta") == [123456, 123457]
    assert model_seeds(grid, "pgl-sum") == [12345, 12346]
    assert grid.gpus_per_task == 0.25 and grid.model_args == {"hidden": 64}
    over = grid.with_options({"epochs": 3, "models": ["vasnet"], "device": None})
    assert over.epochs == 3 and over.models == ["vasnet"] and over.deterministic


def test_the_documented_spec_file_is_valid():
    import re

    tomllib = pytest.importorskip("tomllib" if sys.version_info >= (3, 11) else "tomli")

    text = (Path(__file__).resolve().parents[1] / "docs" / "sweeps.md").read_text()
    (block,) = re.findall(r"```toml\n(.*?)```", text, flags=re.S)
    grid = grid_from_mapping(tomllib.loads(block), "docs/sweeps.md").with_options({})
    assert model_seeds(grid, "csta") == [123456 + i for i in range(5)]
    assert grid.gpus_per_task == 0.25


@pytest.mark.parametrize(
    "text, message",
    [
        (
            'models = ["csta"]\ndatasets = ["summe"]\nepoch = 3\nspeed = 1\n',
            "unknown key(s) epoch, speed",
        ),
        ('models = ["csta"]\ndatasets = ["summe"]\nepochs = "3"\n', "epochs must be int"),
        (
            'models = ["csta"]\ndatasets = ["summe", "ovp2", "tvsm"]\n',
            "unknown dataset(s) ovp2, tvsm",
        ),
        ('models = ["csta"]\ndatasets = ["summe"]\nengine = "k8s"\n', "engine must be one of"),
        ('models = ["csta"]\ndatasets = ["summe"]\ngpus_per_task = 1.5\n', "whole number"),
        ('models = ["csta"\n', "not valid TOML"),
    ],
)
def test_bad_spec_files_are_refused_naming_the_file(tmp_path, text, message):
    spec = tmp_path / "bad.toml"
    spec.write_text(text)
    with pytest.raises(ConfigError) as err:
        grid_from_file(spec)
    assert message in str(err.value) and str(spec) in str(err.value)


def test_unknown_models_are_listed_at_once(grid):
    from vsumbench.sweep.plan import plan_sweep

    with pytest.raises(ConfigError, match="unknown model\\(s\\) cstaa, vasnett; known: .*csta"):
        plan_sweep(replace(grid, models=["cstaa", "vasnet", "vasnett"]))
    with pytest.raises(ConfigError, match="a sweep needs models and datasets"):
        grid_from_mapping({"models": ["csta"]}, "spec.toml").with_options({})


# ---------------------------------------------------------------- engines, against `run`


def test_ray_sweep_equals_sequential_runs_and_is_idempotent(grid, tmp_path):
    needs("ray")
    reference = sequential(grid, tmp_path / "reference")
    results = tmp_path / "ray"
    args = [
        "sweep", "--models", "vasnet,random", "--datasets", "summe", "--data-dir",
        grid.data_dir, "--results", str(results), "--quiet", *COMMON,
    ]  # fmt: skip
    spec = tmp_path / "sweep.toml"  # the split file from a spec file, the rest as options
    spec.write_text(f'splits = "{grid.splits}"\n')
    first = cli(*args, "--spec", str(spec))
    assert first.returncode == 0, first.stderr
    assert "4 to run on ray" in first.stdout and "vasnet on summe (synthetic data)" in first.stdout
    assert assert_same_results(results, reference) == 4  # bitwise, fold by fold
    logs = sorted(results.rglob("fold*.log"))
    assert len(logs) == 4 and "== done after" in logs[0].read_text()
    again = cli(*args, "--spec", str(spec))
    assert again.returncode == 0 and "4 finished, 0 to run" in again.stdout
    status = cli(*args, "--spec", str(spec), "--status")
    assert "4 of 4 fold(s) done" in status.stdout


def test_run_parallel_equals_run(grid, tmp_path):
    needs("ray")
    reference = sequential(replace(grid, models=["vasnet"]), tmp_path / "reference")
    results = tmp_path / "parallel"
    done = cli(
        "run", "vasnet", "--dataset", "summe", "--data-dir", grid.data_dir, "--splits",
        grid.splits, "--results", str(results), "--parallel", "2", "--quiet", *COMMON,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "| seed 123456 |       2 |" in done.stdout
    assert assert_same_results(results, reference) == 2


def test_slurm_path_through_submitit(grid, tmp_path):
    """submitit's job-array machinery end to end, with its local executor standing in for
    sbatch (no SLURM here); the same results as sequential runs."""
    pytest.importorskip("submitit")
    from vsumbench.sweep.driver import run_sweep

    reference = sequential(replace(grid, models=["vasnet"]), tmp_path / "reference")
    os.environ["VSUMBENCH_SLURM_LOCAL"] = "1"
    try:
        report = run_sweep(replace(grid, models=["vasnet"], engine="slurm"), progress=False)
    finally:
        del os.environ["VSUMBENCH_SLURM_LOCAL"]
    assert report.complete, report.failures
    assert assert_same_results(Path(grid.results), reference) == 2
    assert any((Path(grid.results) / ".sweeps" / "slurm").iterdir())


def _slurm_ready() -> str | None:
    """Why a real SLURM cannot be used here, or None when sbatch has an idle node."""
    import shutil

    if shutil.which("sbatch") is None:
        return "no sbatch on PATH (CI starts a single-node SLURM with .ci/slurm-up)"
    out = subprocess.run(["sinfo", "-h", "-o", "%T"], capture_output=True, text=True)
    if out.returncode != 0 or "idle" not in out.stdout:
        return f"SLURM has no idle node (sinfo: {out.stdout.strip() or out.stderr.strip()})"
    return None


def test_slurm_for_real(grid, tmp_path):
    """sbatch, a job array, SLURM running the folds: the same results as sequential runs."""
    pytest.importorskip("submitit")
    why = _slurm_ready()
    if why:
        pytest.skip(why)
    from vsumbench.sweep.driver import run_sweep

    reference = sequential(replace(grid, models=["vasnet"]), tmp_path / "reference")
    report = run_sweep(replace(grid, models=["vasnet"], engine="slurm", time=10), progress=False)
    assert report.complete, report.failures
    assert assert_same_results(Path(grid.results), reference) == 2
    script = next((Path(grid.results) / ".sweeps" / "slurm").glob("*_submission.sh")).read_text()
    assert "#SBATCH --array=0-1%2" in script and "#SBATCH --time=10" in script
    assert "#SBATCH --partition" not in script and "gpus" not in script


# ---------------------------------------------------------------- faults


def test_crashed_fold_is_retried_and_resumes_where_it_stopped(grid, tmp_path, monkeypatch):
    from vsumbench.sweep.driver import run_sweep

    grid = replace(grid, models=["vasnet"], folds=[0], epochs=3)
    reference = sequential(grid, tmp_path / "reference")
    real, calls = train.train_epoch, []

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("CUDA error: an illegal memory access was encountered")
        return real(*args, **kwargs)

    monkeypatch.setattr(train, "train_epoch", flaky)
    report = run_sweep(grid, progress=False)
    assert report.complete and len(calls) == 4  # epochs 1, 2 (crash), then 2 and 3 again
    assert report.attempts == {"vasnet summe paper-none seed123456 fold0": 2}
    log = next(Path(grid.results).rglob("fold0.log")).read_text()
    assert "attempt 2" in log and "illegal memory access" in log and "Traceback" in log
    assert assert_same_results(Path(grid.results), reference) == 1


def test_retries_are_bounded_and_failures_listed(grid, monkeypatch, small_benchmark):
    from click.testing import CliRunner

    from vsumbench.cli import main

    def broken(*args, **kwargs):
        raise RuntimeError("out of memory")

    monkeypatch.setattr(train, "train_epoch", broken)
    out = CliRunner().invoke(
        main,
        ["sweep", "--engine", "inline", "--models", "vasnet", "--datasets", "summe", "--folds",
         "0", "--data-dir", str(small_benchmark), "--results", grid.results, "--retries", "1",
         "--quiet", *COMMON],
    )  # fmt: skip
    assert out.exit_code == 1
    assert "1 fold(s) did not finish" in out.output
    assert "vasnet summe paper-none seed123456 fold0: crashed after 2 attempt(s)" in out.output
    assert "RuntimeError: out of memory" in out.output and "fold0.log" in out.output


def test_a_fold_held_by_another_run_is_left_to_it(grid):
    from vsumbench.sweep.driver import run_sweep
    from vsumbench.sweep.plan import plan_sweep
    from vsumbench.sweep.status import format_status

    grid = replace(grid, models=["vasnet"])
    held = plan_sweep(grid).todo[0]
    with store.fold_lock(held.directory):
        assert "running" in format_status(plan_sweep(grid))
        report = run_sweep(grid, progress=False)
    assert not report.complete
    [busy] = report.failures
    assert busy.status == "busy" and "is being trained by pid" in busy.error
    assert run_sweep(grid, progress=False).complete  # once free, the rerun finishes it


def test_interrupted_sweep_finishes_when_run_again(grid, monkeypatch):
    from vsumbench.sweep import engines
    from vsumbench.sweep.driver import run_sweep

    real, seen = engines.run_task, []

    def interrupt_second(task, attempt=1):
        seen.append(task.label)
        if len(seen) == 2:
            raise KeyboardInterrupt
        return real(task, attempt)

    monkeypatch.setattr(engines, "run_task", interrupt_second)
    first = run_sweep(grid, progress=False)
    assert first.interrupted and not first.complete
    monkeypatch.setattr(engines, "run_task", real)
    second = run_sweep(grid, progress=False)
    assert second.complete and len(second.plan.finished) == 1 and len(second.plan.todo) == 3


def test_ray_worker_death_is_a_crash_and_impossible_resources_are_refused(grid, monkeypatch):
    monkeypatch.setenv("RAY_USAGE_STATS_ENABLED", "0")  # as the engine sets them before
    monkeypatch.setenv("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")  # importing Ray
    ray = pytest.importorskip("ray")
    from vsumbench.sweep.engines import RayEngine
    from vsumbench.sweep.plan import plan_sweep

    with pytest.raises(
        ConfigError, match="no node of the Ray cluster can run a task with --cpus-per-task 64"
    ):
        RayEngine(replace(grid, engine="ray", cpus_per_task=64), num_cpus=1)
    engine = RayEngine(replace(grid, engine="ray"), num_cpus=1)
    try:
        engine._remote = ray.remote(lambda task, attempt: os._exit(3)).options(max_retries=0)
        task = plan_sweep(grid).todo[0]
        handle = engine.submit(task, 1)
        [(_, outcome)] = engine.wait([handle], timeout=60)
        address = ray.get_runtime_context().gcs_address
    finally:
        engine.stop()
    assert outcome.status == "crashed" and outcome.retryable
    assert address.startswith("127.0.0.1:")  # an embedded Ray stays on the loopback


def test_unreachable_cluster_and_missing_sbatch_are_clear_errors(grid, monkeypatch):
    import socket

    from vsumbench.sweep.engines import SubmititEngine, _reachable

    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(ConfigError, match=f"cannot reach the Ray cluster at 127.0.0.1:{port}"):
        _reachable(f"127.0.0.1:{port}", timeout=2)
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(ConfigError, match="needs SLURM's sbatch on PATH"):
        SubmititEngine(grid, Path(grid.results))
