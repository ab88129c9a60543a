"""MACs under the paper's convention (Table 3, to the printed digit) and the exact one."""

from __future__ import annotations

import json
import math

import pytest
import torch
from click.testing import CliRunner
from torch import nn

from vsumbench.cli import main
from vsumbench.data.frame_counts import real_frame_counts
from vsumbench.errors import ConfigError
from vsumbench.models.macs import (
    count_macs,
    dataset_macs,
    exact_macs,
    googlenet_frame_macs,
    paper_macs,
)

GOOGLENET_FRAME_MACS = 1_511_332_032  # protocol.md section 7


def test_googlenet_frame_paper_convention() -> None:
    assert googlenet_frame_macs("paper") == GOOGLENET_FRAME_MACS


class Toy(nn.Module):
    """Every rule once, plus a module built inside forward and a functional matmul."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 4, kernel_size=3, padding=1, bias=True)  # out 1x4x5x5
        self.bn = nn.BatchNorm2d(4)
        self.relu = nn.ReLU()
        self.fc = nn.Linear(100, 10, bias=True)
        self.ln = nn.LayerNorm(10, elementwise_affine=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.relu(self.bn(self.conv(x)))
        y = nn.AdaptiveAvgPool2d((2, 5))(y)  # built inside forward: counted too
        y = self.ln(self.fc(y.new_ones(1, 100)))
        return y @ y.T  # functional matmul: not counted under the paper convention


def test_paper_rules_by_hand() -> None:
    counted = paper_macs(Toy().eval(), torch.zeros(1, 3, 5, 5))
    conv = 100 * (3 * 9 + 1)
    bn = 2 * 100 * 2  # affine
    pool = 40 * (5 / 2 * 1 + 1)  # thop's fractional kernel: (5/2) x (5/5)
    fc = 10 * 100
    ln = 2 * 10  # not affine
    assert counted.by_type == {
        "Conv2d": conv,
        "BatchNorm2d": bn,
        "ReLU": 0,
        "AdaptiveAvgPool2d": pool,
        "Linear": fc,
        "LayerNorm": ln,
    }
    assert counted.total == pytest.approx(conv + bn + pool + fc + ln)
    # the same on the meta device (no arithmetic)
    meta = Toy().to("meta").eval()
    assert paper_macs(meta, torch.empty(1, 3, 5, 5, device="meta")).total == counted.total


def test_exact_counts_the_matmul_the_paper_misses() -> None:
    model = Toy().eval()
    x = torch.zeros(1, 3, 5, 5)
    exact = exact_macs(model, x)
    # conv without bias term + linear + the 1x10 @ 10x1 matmul
    assert exact == 100 * 27 + 10 * 100 + 10
    assert count_macs(model, x, convention="exact") == exact
    with pytest.raises(ConfigError, match="unknown MACs convention"):
        count_macs(model, x, convention="thop")


@pytest.mark.parametrize(
    ("model", "dataset", "fe", "sp"),
    [
        ("vasnet", "summe", "413.03", "1.43"),
        (
            "vasnet",
            "tvsum",
            "661.82",
            "2.30",
        ),  # the paper prints FE 661.83 (see leaderboards/README.md)
        ("csta", "summe", "413.03", "9.78"),
        ("csta", "tvsum", "661.82", "15.73"),
        # DSNet's SP as the CSTA paper prints it (Table 3), at the official width.
        ("dsnet-af", "summe", "413.03", "1.18"),
        ("dsnet-af", "tvsum", "661.82", "1.90"),
        ("dsnet-ab", "summe", "413.03", "1.29"),
        ("dsnet-ab", "tvsum", "661.82", "2.07"),
    ],
)
def test_table3_paper_convention(model: str, dataset: str, fe: str, sp: str, one_thread) -> None:
    result = dataset_macs(model, dataset)
    assert len(result.per_video) == len(real_frame_counts(dataset))
    assert f"{result.fe_gmacs:.2f}" == fe
    assert f"{result.sp_gmacs:.2f}" == sp
    assert result.mean_n_steps == pytest.approx({"summe": 293.44, "tvsum": 470.2}[dataset])


def test_exact_exceeds_paper_for_vasnet_attention() -> None:
    counts = {"video_1": 30 * 15, "video_2": 100 * 15}
    paper = dataset_macs("vasnet", "summe", frame_counts=counts)
    exact = dataset_macs("vasnet", "summe", convention="exact", frame_counts=counts)
    for p, e in zip(paper.per_video, exact.per_video, strict=True):
        t = p.n_steps
        # the T x T attention (Q K^T, then weights^T V) is exactly what the paper misses
        assert e.sp - p.sp == 2 * t * t * 1024
    assert exact.fe_gmacs * 1e9 < paper.fe_gmacs * 2**30  # GoogLeNet: BN counted only by thop
    assert exact.unit.startswith("GMACs (G = 1e9") and paper.unit.startswith("GMACs (G = 2^30")


def test_cli_macs_json(tmp_path) -> None:
    res = CliRunner().invoke(main, ["macs", "vasnet", "--dataset", "summe", "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert {"fe_gmacs", "sp_gmacs", "convention", "unit", "mean_n_steps", "params"} <= set(out)
    assert out["convention"] == "paper" and math.isclose(out["mean_n_steps"], 293.44)
    assert f"{out['sp_gmacs']:.2f}" == "1.43"
    text = CliRunner().invoke(
        main, ["macs", "vasnet", "--dataset", "summe", "--convention", "exact"]
    )
    assert text.exit_code == 0 and "convention: exact" in text.output and "G = 1e9" in text.output
    bad = CliRunner().invoke(main, ["macs", "no-such-model", "--dataset", "summe"])
    assert bad.exit_code != 0 and "no-such-model" in bad.output
