"""A third-party summarizer written exactly as README's recipe, installed as a distribution
with an entry point, trains through `vsumbench run` like a built-in one."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import tomllib

README = Path(__file__).resolve().parents[1] / "README.md"


def readme_block(name: str) -> str:
    """The fenced code between README's ``<!-- name -->`` markers (the docs are executed)."""
    text = README.read_text()
    body = text.split(f"<!-- {name} -->", 1)[1].split(f"<!-- /{name} -->", 1)[0]
    return "\n".join(line for line in body.strip().splitlines() if not line.startswith("```"))


def install_readme_plugin(site: Path) -> None:
    """What `pip install .` of README's plugin leaves in site-packages: its package and a
    dist-info whose entry points are those of README's pyproject.toml."""
    project = tomllib.loads(readme_block("plugin:pyproject"))["project"]
    points = project["entry-points"]["vsumbench.summarizers"]
    package = site / "my_summarizers"
    package.mkdir(parents=True)
    module = readme_block("plugin:module") + "\n\n" + readme_block("plugin:objective")
    (package / "__init__.py").write_text(module)
    info = site / f"{project['name'].replace('-', '_')}-{project['version']}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {project['name']}\nVersion: {project['version']}\n"
    )
    lines = "".join(f"{k} = {v}\n" for k, v in points.items())
    (info / "entry_points.txt").write_text(f"[vsumbench.summarizers]\n{lines}")


def plugin_env(site: Path) -> dict[str, str]:
    path = os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")])
    return dict(os.environ, PYTHONPATH=path, OMP_NUM_THREADS="1")


def train_readme_model(model: str, data: Path, tmp_path: Path, *options: str):
    """`vsumbench run MODEL` on fold 0 of SumMe with README's plugin installed (hidden=16)."""
    site = tmp_path / "site"
    install_readme_plugin(site)
    results = tmp_path / "results"
    proc = subprocess.run(
        [sys.executable, "-m", "vsumbench", "run", model, "--dataset", "summe",
         "--data-dir", str(data), "--folds", "0", "--device", "cpu", "--results",
         str(results), "--model-arg", "hidden=16", "--quiet", *options],
        capture_output=True, text=True, env=plugin_env(site), timeout=300,
    )  # fmt: skip
    return proc, site, results


def test_readme_plugin_runs_through_vsumbench_run(small_benchmark, tmp_path):
    proc, site, results = train_readme_model("my-model", small_benchmark, tmp_path, "--epochs", "2")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    fold = results / "summe" / "my-model" / "paper-none+hidden=16" / "seed123456" / "fold0"
    result = json.loads((fold / "result.json").read_text())
    assert result["model"] == "my-model" and result["status"] == "complete"
    # The plugin's registered defaults drive training (epochs overridden to 2).
    assert [e["epoch"] for e in result["epochs"]] == [1, 2]
    assert result["config"]["lr"] == 1e-4 and result["config"]["weight_decay"] == 1e-5
    assert "my_summarizers" in result["config"]["model_source"]
    assert result["config"]["model_args"] == {"hidden": 16}
    assert result["config"]["threads"] >= 1
    assert str(fold.parent.parent) in proc.stdout
    # predict rebuilds the model with the options it was trained with.
    out = tmp_path / "pred.h5"
    proc = subprocess.run(
        [sys.executable, "-m", "vsumbench", "predict", "my-model", "--checkpoint",
         str(fold / "checkpoint.pt"), "--data",
         str(small_benchmark / "eccv16_dataset_summe_google_pool5.h5"), "--out", str(out),
         "--device", "cpu", "--quiet"],
        capture_output=True, text=True, env=plugin_env(site), timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr


def test_readme_plugin_with_its_own_objective_and_recipe(small_benchmark, tmp_path):
    """README's second model: its own targets and loss, 4 videos per step, clipping, an LR
    schedule and its own epoch rule, all used by the one runner and recorded."""
    proc, _, results = train_readme_model(
        "my-keyshot-model", small_benchmark, tmp_path, "--epochs", "3", "--selection", "official"
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    fold = results / "summe" / "my-keyshot-model" / "last-none+hidden=16" / "seed123456" / "fold0"
    result = json.loads((fold / "result.json").read_text())
    assert result["selection"] == "last" and result["chosen_epoch"] == 3
    config = result["config"]
    assert config["loss"] == "keyshot-bce" and config["batch"] == 4 and config["clip"] == 5.0
    assert config["schedule"] == "halve_every_20_epochs"
    losses = [e["loss"] for e in result["epochs"]]
    assert all(0 < loss < 1 for loss in losses)  # binary cross-entropy of a sigmoid MLP


def test_unknown_model_option_is_one_line(small_benchmark, tmp_path):
    site = tmp_path / "site"
    install_readme_plugin(site)
    proc = subprocess.run(
        [sys.executable, "-m", "vsumbench", "run", "my-model", "--dataset", "summe",
         "--data-dir", str(small_benchmark), "--folds", "0", "--results", str(tmp_path / "r"),
         "--model-arg", "hiden=16", "--quiet"],
        capture_output=True, text=True, env=plugin_env(site), timeout=300,
    )  # fmt: skip
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "'hiden'. Did you mean 'hidden'?" in proc.stderr


def test_listing_ignores_what_third_party_plugins_import(tmp_path):
    """vsumbench's own listing stays torch-free even beside a plugin that imports torch at
    module level (README's recipe): the check is on vsumbench's entry points only."""
    site = tmp_path / "site"
    install_readme_plugin(site)
    code = (
        "import sys, vsumbench.models.registry as r\n"
        "own = [ep for ep in r._entry_points() if ep.dist and ep.dist.name == 'vsumbench']\n"
        "assert any(ep.dist.name != 'vsumbench' for ep in r._entry_points())\n"
        "r._entry_points = lambda: own\n"
        "names = r.list_summarizers()\n"
        "assert 'csta' in names and 'vasnet' in names and 'my-model' not in names\n"
        "assert 'torch' not in sys.modules, 'torch imported'\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=plugin_env(site)
    )
    assert proc.returncode == 0, proc.stderr


def test_unknown_model_names_the_known_ones(small_benchmark, tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "vsumbench", "run", "vasnett", "--dataset", "summe",
         "--data-dir", str(small_benchmark), "--results", str(tmp_path), "--quiet"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert proc.returncode != 0
    assert "Did you mean 'vasnet'?" in proc.stderr
