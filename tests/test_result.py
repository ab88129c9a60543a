"""`RunResult`: the one reader and writer of result.json, and what it does with old files."""

from __future__ import annotations

import json

import pytest

from vsumbench.errors import DataError
from vsumbench.runner.result import SCHEMA_VERSION, DataRecord, RunResult

# A result.json exactly as vsumbench 0.1.0 wrote it, before the schema key existed.
LEGACY = {
    "model": "vasnet", "dataset": "summe", "fold": 2, "seed": 123457, "selection": "paper",
    "backbone_init": "none", "init": "none", "backbone_weights": None,
    "data": {"dir": "data", "file": "data/eccv16_dataset_summe_google_pool5.h5",
             "synthetic": True, "splits": "data/splits/summe_splits.json"},
    "config": {"epochs": 3, "lr": 5e-05, "weight_decay": 1e-05, "loss": "mse"},
    "environment": {"python": "3.11.7"},
    "epochs": [{"epoch": 1, "loss": 0.05, "test_kendall": 0.1, "test_spearman": 0.12,
                "test_f1": 0.4, "seconds": 0.3}],
    "chosen_epoch": 1, "kendall": 0.1, "spearman": 0.12, "f1": 0.4,
    "per_video": {"video_3": {"kendall": 0.1, "spearman": 0.12, "f1": 0.4}},
    "train_keys": ["video_1"], "val_keys": [], "test_keys": ["video_3"], "seconds": 0.9,
    "status": "complete",
}  # fmt: skip


def test_a_result_from_before_versioning_loads_and_round_trips(tmp_path):
    path = tmp_path / "result.json"
    path.write_text(json.dumps(LEGACY))
    result = RunResult.read(path)
    assert (result.model, result.seed, result.fold, result.init) == ("vasnet", 123457, 2, "none")
    assert result.data == DataRecord(
        "data", "data/eccv16_dataset_summe_google_pool5.h5", True, "data/splits/summe_splits.json"
    )
    assert result.synthetic and result.complete and result.path == tmp_path
    assert result.metric("kendall") == 0.1
    # Written back, it is the legacy record plus the schema version and nothing else.
    result.write(tmp_path / "again.json")
    again = json.loads((tmp_path / "again.json").read_text())
    assert again == {**LEGACY, "schema": SCHEMA_VERSION}


def test_undefined_metrics_stay_undefined(tmp_path):
    path = tmp_path / "result.json"
    path.write_text(json.dumps({**LEGACY, "kendall": None}))
    assert RunResult.read(path).metric("kendall") is None


def test_a_result_missing_fields_says_how_to_regenerate_it(tmp_path):
    path = tmp_path / "result.json"
    broken = {k: v for k, v in LEGACY.items() if k not in ("test_keys", "init")}
    path.write_text(json.dumps(broken))
    with pytest.raises(DataError) as err:
        RunResult.read(path)
    message = str(err.value)
    assert str(path) in message and "init, test_keys" in message
    assert "vsumbench run vasnet --dataset summe --force" in message


def test_a_newer_schema_or_a_foreign_file_is_refused(tmp_path):
    path = tmp_path / "result.json"
    path.write_text(json.dumps({**LEGACY, "schema": SCHEMA_VERSION + 1}))
    with pytest.raises(DataError, match="newer than this vsumbench reads"):
        RunResult.read(path)
    path.write_text("[1, 2]")
    with pytest.raises(DataError, match="does not hold a JSON object"):
        RunResult.read(path)
    path.write_text("{not json")
    with pytest.raises(DataError, match="not valid JSON"):
        RunResult.read(path)
