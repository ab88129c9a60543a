"""A third-party summarizer, installed as a distribution with an entry point, trains through
`vsumbench run` like a built-in one (registered defaults included)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

PLUGIN = textwrap.dedent(
    '''
    """A tiny third-party summarizer: one linear read-out per step."""
    from vsumbench.models import register_summarizer


    @register_summarizer("tiny-linear", lr=1e-3, weight_decay=0.0, epochs=2)
    def tiny_linear(in_dim: int = 1024):
        import torch

        class TinyLinear(torch.nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = torch.nn.Linear(in_dim, 1)

            def forward(self, x):
                return torch.sigmoid(self.fc(x)).squeeze(-1)

        return TinyLinear()
    '''
)


def install_plugin(site: Path) -> None:
    """What `pip install tinyplug` would leave in site-packages: the package and its dist-info."""
    (site / "tinyplug").mkdir()
    (site / "tinyplug" / "__init__.py").write_text(PLUGIN)
    info = site / "tinyplug-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: tinyplug\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[vsumbench.summarizers]\ntiny = tinyplug\n")


def test_entry_point_plugin_runs_through_vsumbench_run(small_benchmark, tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    install_plugin(site)
    results = tmp_path / "results"
    env = dict(
        os.environ, PYTHONPATH=os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")])
    )
    env["OMP_NUM_THREADS"] = "1"
    proc = subprocess.run(
        [sys.executable, "-m", "vsumbench", "run", "tiny-linear", "--dataset", "summe",
         "--data-dir", str(small_benchmark), "--folds", "0", "--device", "cpu",
         "--results", str(results), "--quiet"],
        capture_output=True, text=True, env=env, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    fold = results / "summe" / "tiny-linear" / "paper-none" / "seed123456" / "fold0"
    result = json.loads((fold / "result.json").read_text())
    assert result["model"] == "tiny-linear" and result["status"] == "complete"
    # The plugin's registered defaults drive training: 2 epochs, lr 1e-3, no weight decay.
    assert [e["epoch"] for e in result["epochs"]] == [1, 2]
    assert result["config"]["lr"] == 1e-3 and result["config"]["weight_decay"] == 0.0
    assert "tinyplug" in result["config"]["model_source"]
    assert (fold / "predictions.h5").is_file() and (fold / "checkpoint.pt").is_file()
    assert str(fold.parent.parent) in proc.stdout


def test_unknown_model_names_the_known_ones(small_benchmark, tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "vsumbench", "run", "vasnett", "--dataset", "summe",
         "--data-dir", str(small_benchmark), "--results", str(tmp_path), "--quiet"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert proc.returncode != 0
    assert "Did you mean 'vasnet'?" in proc.stderr
