"""Shared fixtures: the ``../shared`` folder beside the checkout and a small synthetic benchmark."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _shared_dir() -> Path | None:
    env = os.environ.get("VSUMBENCH_SHARED")
    candidates = [Path(env)] if env else []
    candidates.append(REPO.parent / "shared")
    for cand in candidates:
        if (cand / "data").is_dir():
            return cand
    return None


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """``../shared`` (real TVSum annotations, splits, video lengths); skip when absent."""
    path = _shared_dir()
    if path is None:
        pytest.skip(
            "../shared (real TVSum annotations, splits, video lengths) is not beside the "
            "checkout; set VSUMBENCH_SHARED to its path to run this test"
        )
    return path


@pytest.fixture(scope="session")
def tvsum_annotations_path(shared_dir: Path) -> Path:
    path = shared_dir / "data" / "tvsum" / "ydata-anno.tsv.gz"
    if not path.is_file():
        pytest.skip(f"real TVSum annotations not found at {path}")
    return path


@pytest.fixture(scope="session")
def small_benchmark(tmp_path_factory) -> Path:
    """The small synthetic benchmark (both datasets, annotations, splits), made once per session."""
    from vsumbench.data.synth import generate_benchmark

    out = tmp_path_factory.mktemp("synth-small")
    generate_benchmark(out, size="small", seed=0)
    return out


@pytest.fixture(scope="session")
def report_store(small_benchmark, tmp_path_factory) -> Path:
    """A result store with two short VASNet runs on SumMe (canonical and transfer settings),
    for the report site's tests."""
    from click.testing import CliRunner

    from vsumbench.cli import main

    root = tmp_path_factory.mktemp("store")
    for setting in ("canonical", "transfer"):
        args = ["run", "vasnet", "--dataset", "summe", "--data-dir", str(small_benchmark),
                "--results", str(root), "--epochs", "2", "--folds", "0", "--device", "cpu",
                "--quiet", "--setting", setting]  # fmt: skip
        done = CliRunner().invoke(main, args)
        assert done.exit_code == 0, done.output
    return root


ARTIFACTS = Path(os.environ.get("VSUMBENCH_ARTIFACTS") or REPO / "artifacts")


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """Where tests keep files for a person to look at (CI's artefacts): printed at the end."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


def pytest_terminal_summary(terminalreporter) -> None:
    kept = sorted(p for p in ARTIFACTS.rglob("*") if p.is_file()) if ARTIFACTS.is_dir() else []
    if kept:
        terminalreporter.write_line(f"artefacts kept for review ({len(kept)} files): {ARTIFACTS}")


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory):
    """Parsed-annotation caches of the test run go to a folder of its own, not the user's."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("VSUMBENCH_CACHE", str(tmp_path_factory.mktemp("cache")))
        yield


@pytest.fixture
def one_thread():
    """torch on one intra-op thread for the test (bitwise-stable sums, no oversubscription
    on a 2-core runner), restored afterwards: never a process-wide setting at import."""
    import torch

    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)
