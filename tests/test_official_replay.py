"""`--rng official` replays the official CSTA train.py on the CPU.

The fixture (`tests/fixtures/official_csta/official_run.json`) holds recordings of the
authors' unmodified train.py (`make_fixture.py` beside it says how): both datasets in one
process, 5 tiny splits each, 2 epochs, the small synthetic benchmark, a seeded random
GoogLeNet in place of the ImageNet weights. vsumbench, given the same inputs, must draw the
same videos in the same order and start every split from the same weights as the official
run on any CPU, and on a CPU kind with a recording give the same 80 training losses and the
same saved weights for all 10 splits, bitwise. (Floating-point kernels differ between
processors: two official runs on two CPU kinds agree to 3.4e-7 at each split's first step
and drift apart by up to 9% in later steps; the fixture keeps one recording per kind.)
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import torch

from tests.fixtures.official_csta.setup import (
    EPOCHS,
    SEED,
    cpu_kind,
    split_text,
    state_digest,
    write_backbone,
)
from vsumbench.runner.config import RunConfig
from vsumbench.runner.train import run

FIXTURE = Path(__file__).parent / "fixtures" / "official_csta" / "official_run.json"
STEPS_PER_SPLIT = EPOCHS * 4  # 4 training videos, one step each


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


@dataclass
class Replay:
    losses: list[float]  # every training step's loss, in order
    steps: list[int]  # every training step's video, by its number of steps
    epochs: list[float]  # the epoch losses the results record
    digests: dict[str, str]  # each split's saved weights


@pytest.fixture(scope="module")
def replay(official, small_benchmark, tmp_path_factory) -> Replay:
    """vsumbench's `--rng official` run on the fixture's inputs, every step's loss recorded."""
    import torch.nn.functional as F

    tmp_path = tmp_path_factory.mktemp("replay")
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
    losses, steps, mse = [], [], F.mse_loss

    def recording(scores, target, *args, **kwargs):
        loss = mse(scores, target, *args, **kwargs)
        if torch.is_grad_enabled():
            losses.append(float(loss.detach()))
            steps.append(int(target.numel()))
        return loss

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(F, "mse_loss", recording)
        report = run(config)
    assert len(report.replayed) == 5 and len(report.results) == 5  # SumMe first, then TVSum
    epochs, digests = [], {}
    for dataset, name in (("summe", "SumMe"), ("tvsum", "TVSum")):
        for k in range(5):
            fold = next((tmp_path / "r").glob(f"{dataset}/csta/paper-*/seed{SEED}/fold{k}"))
            result = json.loads((fold / "result.json").read_text())
            assert result["config"]["rng"] == "official"
            epochs += [e["loss"] for e in result["epochs"]]
            ckpt = torch.load(fold / "checkpoint.pt", weights_only=True)
            digests[f"{name}/split{k}"] = state_digest(ckpt["state_dict"])
    return Replay(losses, steps, epochs, digests)


@pytest.mark.slow
def test_official_replay_draws_what_the_official_run_draws(official, replay):
    """On any CPU: the same videos in the same order, and every split's first step (before
    any update) on the same weights and video, so the same loss up to rounding."""
    assert len(replay.losses) == len(replay.steps) == 10 * STEPS_PER_SPLIT
    for recording in official["recordings"]:
        if "steps" in recording:
            assert replay.steps == recording["steps"]  # the DataLoader's shuffles
        first = slice(0, None, STEPS_PER_SPLIT)
        np.testing.assert_allclose(replay.losses[first], recording["losses"][first], rtol=1e-5)
        # later steps drift with the CPU's rounding (official vs official: up to 9%)
        np.testing.assert_allclose(replay.epochs, _epoch_means(recording["losses"]), rtol=0.1)


@pytest.mark.slow
def test_official_replay_is_bitwise_on_a_recorded_cpu_kind(official, replay):
    """Where the official run was recorded on this CPU kind: every loss and every saved
    weight bitwise."""
    here = cpu_kind()
    same = [r for r in official["recordings"] if r["losses"] == replay.losses]
    if not same:
        mine = [r for r in official["recordings"] if r["cpu"] == here]
        if not mine:
            kinds = "; ".join(str(r["cpu"]) for r in official["recordings"])
            pytest.skip(
                f"no official recording on this CPU kind ({here}; recorded: {kinds}). "
                "Bitwise equality holds per kind: make_fixture.py adds one."
            )
        same = mine
    recording = same[0]
    assert replay.losses == recording["losses"]  # every step took the official draws
    assert replay.epochs == _epoch_means(recording["losses"])  # what the results record
    assert replay.digests == recording["weights_sha256"]  # the epochs chosen, weights saved


def test_official_replay_refuses_a_partial_run(small_benchmark, tmp_path):
    from vsumbench.errors import ConfigError

    config = RunConfig(model="vasnet", dataset="summe", data_dir=str(small_benchmark),
                       folds=[0], results=str(tmp_path), progress=False, rng="official")  # fmt: skip
    with pytest.raises(ConfigError, match="one seed and every fold"):
        run(config)
