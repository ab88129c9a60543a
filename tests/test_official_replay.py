"""`--rng official` replays the official CSTA train.py bitwise on the CPU.

The fixture (`tests/fixtures/official_csta/official_run.json`) was recorded by running the
authors' unmodified train.py (`make_fixture.py` beside it says how): both datasets in one
process, 5 tiny splits each, 2 epochs, the small synthetic benchmark, a seeded random
GoogLeNet in place of the ImageNet weights. vsumbench, given the same inputs, must produce
the same 80 training losses and the same saved weights for all 10 splits.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch

from tests.fixtures.official_csta.setup import (
    EPOCHS,
    SEED,
    split_text,
    state_digest,
    write_backbone,
)
from vsumbench.runner.config import RunConfig
from vsumbench.runner.train import run

FIXTURE = Path(__file__).parent / "fixtures" / "official_csta" / "official_run.json"


@pytest.fixture(scope="module")
def official():
    record = json.loads(FIXTURE.read_text())
    if record["torch"].split("+")[0] != torch.__version__.split("+")[0]:
        pytest.skip(f"fixture recorded with torch {record['torch']}, here {torch.__version__}")
    return record


def _epoch_means(losses: list[float]) -> list[float]:
    """Per epoch, what vsumbench records: float32 running sum of 4 steps, divided by 4."""
    out = []
    for start in range(0, len(losses), 4):
        total = np.float32(0)
        for value in losses[start : start + 4]:
            total = np.float32(total + np.float32(value))
        out.append(float(total) / 4)
    return out


@pytest.mark.slow
def test_official_replay_is_bitwise(official, small_benchmark, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(small_benchmark, data)
    for dataset in ("SumMe", "TVSum"):
        (data / "splits" / f"{dataset.lower()}_splits.json").write_text(split_text(dataset))
    config = RunConfig(
        model="csta", dataset="tvsum", data_dir=str(data), epochs=EPOCHS, seeds=(SEED,),
        device="cpu", results=str(tmp_path / "r"), progress=False, rng="official",
        backbone_init=str(write_backbone(tmp_path / "backbone.pt")),
        threads=official["threads"],
    )  # fmt: skip
    report = run(config)
    assert len(report.replayed) == 5 and len(report.results) == 5  # SumMe first, then TVSum
    root = tmp_path / "r"
    expected = _epoch_means(official["losses"])
    got, digests = [], {}
    for dataset, name in (("summe", "SumMe"), ("tvsum", "TVSum")):
        for k in range(5):
            fold = next(root.glob(f"{dataset}/csta/paper-*/seed{SEED}/fold{k}"))
            result = json.loads((fold / "result.json").read_text())
            got += [e["loss"] for e in result["epochs"]]
            ckpt = torch.load(fold / "checkpoint.pt", weights_only=True)
            digests[f"{name}/split{k}"] = state_digest(ckpt["state_dict"])
            assert result["config"]["rng"] == "official"
    assert got == expected  # bitwise: every training step took the official random draws
    assert digests == official["weights_sha256"]  # the epochs chosen and the weights saved


def test_official_replay_refuses_a_partial_run(small_benchmark, tmp_path):
    from vsumbench.errors import ConfigError

    config = RunConfig(model="vasnet", dataset="summe", data_dir=str(small_benchmark),
                       folds=[0], results=str(tmp_path), progress=False, rng="official")  # fmt: skip
    with pytest.raises(ConfigError, match="one seed and every fold"):
        run(config)
