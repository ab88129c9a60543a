"""`--log tensorboard|mlflow|wandb`: what a two-epoch run logged, read back with each
tracker's own reader (TensorBoard's event reader, MLflow's client on the local file store,
W&B's offline run file decoded with W&B's own record definitions)."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import pytest
from click.testing import CliRunner

from vsumbench.cli import main

pytest.importorskip("tensorboard", reason="the track extra is not installed")
pytest.importorskip("mlflow", reason="the track extra is not installed")
pytest.importorskip("wandb", reason="the track extra is not installed")


@pytest.fixture(scope="module")
def logged(small_benchmark, tmp_path_factory):
    import os

    root = tmp_path_factory.mktemp("tracked")
    for name in ("WANDB_MODE", "WANDB_API_KEY", "MLFLOW_TRACKING_URI"):
        os.environ.pop(name, None)
    done = CliRunner().invoke(main, [
        "run", "vasnet", "--dataset", "summe", "--data-dir", str(small_benchmark), "--results",
        str(root), "--epochs", "2", "--folds", "0", "--device", "cpu", "--quiet",
        "--log", "tensorboard", "--log", "mlflow", "--log", "wandb",
    ])  # fmt: skip
    assert done.exit_code == 0, done.output
    (path,) = root.rglob("result.json")
    return root, json.loads(path.read_text())


def test_tensorboard_event_files_hold_each_epoch_and_the_final_result(logged):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    root, result = logged
    (run,) = [p for p in (root / "tensorboard").rglob("fold0")]
    events = EventAccumulator(str(run))
    events.Reload()
    loss = events.Scalars("loss")
    assert [e.step for e in loss] == [1, 2]
    assert loss[1].value == pytest.approx(result["epochs"][1]["loss"], rel=1e-6)
    tau = events.Scalars("test/kendall")
    assert tau[0].value == pytest.approx(result["epochs"][0]["test_kendall"], rel=1e-6)
    assert events.Scalars("final/f1")[0].value == pytest.approx(result["f1"], rel=1e-6)


def test_mlflow_holds_the_configuration_and_the_metric_history(logged, monkeypatch):
    from mlflow.tracking import MlflowClient

    root, result = logged
    monkeypatch.setenv("MLFLOW_ALLOW_FILE_STORE", "true")
    client = MlflowClient(tracking_uri=(root / "mlruns").resolve().as_uri())
    (run,) = client.search_runs([client.get_experiment_by_name("vsumbench").experiment_id])
    assert run.info.run_name.endswith("seed123456/fold0")
    assert run.data.params["lr"] == str(result["config"]["lr"])
    history = client.get_metric_history(run.info.run_id, "test_spearman")
    assert [m.step for m in history] == [1, 2]
    assert history[1].value == pytest.approx(result["epochs"][1]["test_spearman"], rel=1e-6)
    assert run.data.metrics["final_kendall"] == pytest.approx(result["kendall"], rel=1e-6)


def _wandb_records(path: Path):
    """The records of a W&B transaction log (LevelDB log blocks after a 7-byte header)."""
    data, pos, block, buf = path.read_bytes(), 7, 32768, b""
    assert data[:4] == b":W&B"
    while pos + 7 <= len(data):
        if block - pos % block < 7:
            pos += block - pos % block
            continue
        _, length, kind = struct.unpack("<IHB", data[pos : pos + 7])
        pos += 7
        chunk, pos = data[pos : pos + length], pos + length
        if kind == 1:
            yield chunk
        elif kind == 2:
            buf = chunk
        elif kind == 3:
            buf += chunk
        elif kind == 4:
            yield buf + chunk


def _name(item) -> str:
    return item.key or "/".join(item.nested_key)


def test_wandb_runs_offline_and_its_run_file_holds_history_and_summary(logged):
    from wandb.proto import wandb_internal_pb2

    root, result = logged
    (path,) = (root / "wandb").glob("offline-run-*/run-*.wandb")  # offline: nothing uploaded
    history, summary = [], {}
    for raw in _wandb_records(path):
        record = wandb_internal_pb2.Record()
        record.ParseFromString(raw)
        kind = record.WhichOneof("record_type")
        if kind == "history":
            history.append({_name(i): json.loads(i.value_json) for i in record.history.item})
        elif kind == "summary":
            summary.update({_name(i): json.loads(i.value_json) for i in record.summary.update})
    assert [h["_step"] for h in history] == [1, 2]
    assert history[0]["loss"] == pytest.approx(result["epochs"][0]["loss"], rel=1e-6)
    assert summary["final/f1"] == pytest.approx(result["f1"], rel=1e-6)


def test_an_unknown_tracker_is_refused_before_any_work(small_benchmark, tmp_path):
    from vsumbench.errors import ConfigError
    from vsumbench.runner.trackers import check_trackers

    with pytest.raises(ConfigError, match="unknown tracker"):
        check_trackers(["neptune"])
    out = CliRunner().invoke(main, ["run", "vasnet", "--dataset", "summe", "--data-dir",
                                    str(small_benchmark), "--log", "neptune"])  # fmt: skip
    assert out.exit_code == 2 and not (tmp_path / "results").exists()
