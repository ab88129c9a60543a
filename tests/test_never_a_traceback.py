"""Bad input and failures end in one line naming the file, the video and the field (or the
model and the fold), never a traceback and never a bare "Aborted!" (issue: A, items 1-7)."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import h5py
import numpy as np
import pytest
from click.testing import CliRunner

from vsumbench.cli import main
from vsumbench.errors import ConfigError, ModelError

SUMME = "eccv16_dataset_summe_google_pool5.h5"
QUICK = ["--epochs", "1", "--folds", "0", "--threads", "1", "--device", "cpu", "--quiet"]


def invoke(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args])


def one_line_error(result, *needles: str) -> None:
    """Exit status 1 or 2, no traceback, and every needle in the message."""
    assert result.exit_code in (1, 2), result.output
    assert "Traceback" not in result.output and result.output.strip() != "Aborted!"
    for needle in needles:
        assert needle in result.output, result.output


@pytest.fixture
def data(small_benchmark, tmp_path) -> Path:
    """A private copy of the small synthetic benchmark, free to damage."""
    return Path(shutil.copytree(small_benchmark, tmp_path / "data"))


def _narrow(path: Path, key: str | None, width: int = 512) -> None:
    with h5py.File(path, "r+") as h5:
        for name in [key] if key else list(h5):
            features = h5[f"{name}/features"][()]
            del h5[f"{name}/features"]
            h5[f"{name}/features"] = features[:, :width]


# ---------------------------------------------------------------- 1. feature width


def test_features_of_another_width_are_refused_before_any_work(data, tmp_path):
    _narrow(data / SUMME, "video_3")
    checked = invoke("data", "check", data / SUMME)
    one_line_error(checked, "video_3/features", "512 wide", "mixed feature widths")
    results = tmp_path / "results"
    run = invoke("run", "vasnet", "--dataset", "summe", "--data-dir", data, "--results",
                 results, *QUICK)  # fmt: skip
    one_line_error(run, str(data / SUMME), "video_3/features", "512 wide", "in_dim=512")
    assert not results.exists()  # refused before anything was written


def test_predict_checks_the_width_against_the_model(data, tmp_path):
    from vsumbench.models.checkpoints import save_checkpoint
    from vsumbench.models.registry import create

    _narrow(data / SUMME, None)
    checkpoint = tmp_path / "vasnet.pt"
    save_checkpoint(checkpoint, create("vasnet"), {"model": "vasnet"})
    result = invoke("predict", "vasnet", "--checkpoint", checkpoint, "--data", data / SUMME,
                    "--out", tmp_path / "p.h5", "--device", "cpu")  # fmt: skip
    one_line_error(result, "video_1/features", "512 wide", "reads 1024-wide")
    # The same features with a model built for them: predicted.
    save_checkpoint(checkpoint, create("vasnet", in_dim=512), {"model": "vasnet",
                    "model_args": {"in_dim": 512}})  # fmt: skip
    result = invoke("predict", "vasnet", "--checkpoint", checkpoint, "--data", data / SUMME,
                    "--out", tmp_path / "p.h5", "--device", "cpu", "--quiet")  # fmt: skip
    assert result.exit_code == 0, result.output


# ---------------------------------------------------------------- 2. typed model options


@pytest.mark.parametrize(
    "model, given, typed",
    [
        ("dsnet-ab", {"skip_unmatched": "False"}, {"skip_unmatched": False}),
        ("dsnet-ab", {"skip_unmatched": "yes"}, {"skip_unmatched": True}),
        ("dsnet-ab", {"skip_unmatched": 0}, {"skip_unmatched": False}),
        ("dsnet-ab", {"anchor_scales": [4, 8]}, {"anchor_scales": (4, 8)}),
        ("pgl-sum", {"pos_enc": None, "segments": "2"}, {"pos_enc": None, "segments": 2}),
        ("vasnet", {"in_dim": 512.0}, {"in_dim": 512}),
    ],
)
def test_model_options_get_the_factorys_types(model, given, typed):
    from vsumbench.models.registry import typed_options

    assert typed_options(model, given) == typed
    assert all(type(typed_options(model, given)[k]) is type(v) for k, v in typed.items())


@pytest.mark.parametrize(
    "model, given, expected",
    [
        ("vasnet", {"in_dim": "abc"}, "in_dim='abc' of 'vasnet': expected an integer"),
        ("vasnet", {"in_dim": 1.5}, "expected an integer"),
        ("dsnet-ab", {"skip_unmatched": "maybe"}, "expected true or false"),
        ("dsnet-ab", {"nms_threshold": "high"}, "expected a number"),
    ],
)
def test_an_option_of_the_wrong_type_is_refused(model, given, expected):
    from vsumbench.models.registry import typed_options

    with pytest.raises(ConfigError, match=expected.replace("(", r"\(").replace(")", r"\)")):
        typed_options(model, given)


def test_a_bool_option_given_as_text_does_what_it_says(small_benchmark, tmp_path):
    """`skip_unmatched=False` used to be the string 'False', which Python reads as True."""
    result = invoke("run", "dsnet-ab", "--dataset", "summe", "--data-dir", small_benchmark,
                    "--results", tmp_path, "--model-arg", "skip_unmatched=False",
                    "--model-arg", "hidden=16", *QUICK)  # fmt: skip
    assert result.exit_code == 0, result.output
    (record,) = tmp_path.glob("summe/dsnet-ab/*/seed*/fold0/result.json")
    saved = json.loads(record.read_text())["config"]["model_args"]
    assert saved == {"hidden": 16}  # False is the default: the default run, typed
    bad = invoke("run", "vasnet", "--dataset", "summe", "--data-dir", small_benchmark,
                 "--results", tmp_path, "--model-arg", "in_dim=abc", *QUICK)  # fmt: skip
    one_line_error(bad, "in_dim='abc'", "expected an integer")


def test_a_checkpoint_with_options_of_the_wrong_type_is_named(small_benchmark, tmp_path):
    from vsumbench.models.checkpoints import save_checkpoint
    from vsumbench.models.registry import create

    checkpoint = tmp_path / "odd.pt"
    save_checkpoint(checkpoint, create("vasnet"), {"model": "vasnet",
                    "model_args": {"in_dim": "abc"}})  # fmt: skip
    result = invoke("predict", "vasnet", "--checkpoint", checkpoint, "--data",
                    small_benchmark / SUMME, "--out", tmp_path / "p.h5")  # fmt: skip
    one_line_error(result, str(checkpoint), "model_args", "in_dim='abc'")


# ---------------------------------------------------------------- 3. --device


@pytest.mark.parametrize(
    "command",
    [
        ["summarize", "clip.mp4", "--model", "vasnet", "--checkpoint", "c.pt"],
        ["data", "extract", ".", "--out", "x.h5"],
        ["run", "vasnet", "--dataset", "summe"],
        ["predict", "vasnet", "--checkpoint", "c.pt", "--data", "d.h5", "--out", "p.h5"],
    ],
)
def test_every_command_checks_the_device_in_one_place(command, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in ("clip.mp4", "c.pt", "d.h5"):  # present: only the device is wrong
        (tmp_path / name).write_bytes(b"")
    result = invoke(*command, "--device", "tpu")
    one_line_error(result, "unknown device 'tpu'", "cuda:N")


def test_a_gpu_index_is_checked_against_the_machine():
    from vsumbench.runner.config import check_device
    from vsumbench.runner.environment import resolve_device

    assert check_device("CUDA:1") == "cuda:1"
    with pytest.raises(ConfigError):
        resolve_device("cuda:7")  # no GPU here, or not that many


# ---------------------------------------------------------------- 4. damaged result files


@pytest.fixture(scope="module")
def finished(small_benchmark, tmp_path_factory) -> Path:
    """A results store holding one finished fold of the `random` model."""
    results = tmp_path_factory.mktemp("finished")
    result = CliRunner().invoke(
        main,
        ["run", "random", "--dataset", "summe", "--data-dir", str(small_benchmark),
         "--folds", "0", "--results", str(results), "--device", "cpu", "--quiet"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return results


@pytest.fixture
def store(finished, tmp_path) -> tuple[Path, Path]:
    """(a copy of the finished store, its fold's result.json)."""
    root = Path(shutil.copytree(finished, tmp_path / "results"))
    (path,) = root.glob("summe/random/*/seed*/fold0/result.json")
    return root, path


def _edit(path: Path, change) -> None:
    record = json.loads(path.read_text())
    change(record)
    path.write_text(json.dumps(record))


DAMAGES = {
    "random bytes": (lambda p: p.write_bytes(bytes(range(256)) * 3), "not text"),
    "not JSON": (lambda p: p.write_text('{"model": '), "not valid JSON"),
    "kendall is text": (
        lambda p: _edit(p, lambda r: r.update(kendall="abc")),
        "kendall is str 'abc'",
    ),
    "a per-video kendall of 5": (
        lambda p: _edit(p, lambda r: next(iter(r["per_video"].values())).update(kendall=5.0)),
        "kendall = 5.0 is outside [-1, 1]",
    ),
    "an epoch record of text": (
        lambda p: _edit(p, lambda r: r["epochs"][0].update(test_kendall="x")),
        "epoch 1: test_kendall is str",
    ),
    "another dataset than its folder": (
        lambda p: _edit(p, lambda r: r.update(dataset="tvsum")),
        "records dataset 'tvsum' but sits in the folder of 'summe'",
    ),
}


@pytest.mark.parametrize("damage", DAMAGES)
def test_a_damaged_result_is_skipped_by_table_and_named(store, damage):
    root, path = store
    spoil, message = DAMAGES[damage]
    spoil(path)
    table = invoke("table", "--results", root)
    assert table.exit_code == 0, table.output
    assert "skipped 1 result file(s) that cannot be read" in table.output
    assert str(path) in table.output and message in table.output
    assert "| measured" not in table.output  # never tabulated


@pytest.mark.parametrize("damage", ["random bytes", "kendall is text", "a per-video kendall of 5"])
def test_run_plot_and_status_name_a_damaged_result(store, small_benchmark, damage):
    root, path = store
    DAMAGES[damage][0](path)
    message = DAMAGES[damage][1]
    run = invoke("run", "random", "--dataset", "summe", "--data-dir", small_benchmark,
                 "--folds", "0", "--results", root, "--device", "cpu", "--quiet")  # fmt: skip
    one_line_error(run, str(path), message, "--force")
    plot = invoke("plot", "training", "--run", path.parent, "--out", root / "fig")
    one_line_error(plot, str(path), message)
    status = invoke("sweep", "--models", "random", "--datasets", "summe", "--folds", "0",
                    "--data-dir", small_benchmark, "--results", root, "--status")  # fmt: skip
    assert status.exit_code == 0, status.output
    row = next(line for line in status.output.splitlines() if line.startswith("| random"))
    header = next(line for line in status.output.splitlines() if "damaged" in line)
    cells = {h.strip(): c.strip() for h, c in zip(header.split("|"), row.split("|"), strict=True)}
    assert cells["damaged"] == "1" and cells["done"] == "0", status.output


@pytest.mark.parametrize(
    "state, message",
    [
        ([1, 2, 3], "it holds a list, not a table"),
        ({"format": 3, "epoch": 1}, "it lacks signature, model"),
    ],
)
def test_a_resume_state_that_is_not_one_is_named(small_benchmark, tmp_path, state, message):
    import torch

    from vsumbench.runner import store

    fold = tmp_path / "summe" / "vasnet" / "paper-none" / "seed123456" / "fold0"
    staging = store.staging_dir(fold)
    staging.mkdir(parents=True)
    torch.save(state, staging / store.STATE_FILE)
    result = invoke("run", "vasnet", "--dataset", "summe", "--data-dir", small_benchmark,
                    "--results", tmp_path, *QUICK)  # fmt: skip
    one_line_error(result, str(staging / store.STATE_FILE), message, "--force")


# ---------------------------------------------------------------- 5. a plugin's own errors


@pytest.fixture
def plugin(monkeypatch):
    """Register a summarizer for one test (removed afterwards): ``plugin(name, factory)``."""
    from vsumbench.models import registry

    names = []

    def register(name, factory, **recipe):
        registry.register_summarizer(name, lr=1e-3, weight_decay=0.0, epochs=1, **recipe)(factory)
        names.append(name)

    yield register
    for name in names:
        registry._REGISTRY.pop(name, None)


def _module(forward):
    import torch

    class Broken(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.linear = torch.nn.Linear(1024, 1)

        def forward(self, x):
            return forward(self, x)

    return Broken()


def _raises(self, x):
    raise RuntimeError("my plugin's own bug")


def _numpy(self, x):
    return self.linear(x).squeeze(-1).detach().cpu().numpy()


def _detached(self, x):
    return self.linear(x).squeeze(-1).detach()


def _integers(self, x):
    return (self.linear(x).squeeze(-1) * 10).long()


PLUGIN_FAILURES = {
    "factory": (None, "RuntimeError: cannot build"),
    "forward": (_raises, "RuntimeError: my plugin's own bug"),
    "numpy": (_numpy, "returned numpy.ndarray, not a torch.Tensor"),
    "no gradient": (_detached, "has no gradient"),
    "integer scores": (_integers, "returned torch.int64 scores"),
}


@pytest.mark.parametrize("failure", PLUGIN_FAILURES)
def test_a_plugins_error_is_one_line_and_its_traceback_is_in_the_log(
    failure, plugin, small_benchmark, tmp_path
):
    forward, message = PLUGIN_FAILURES[failure]

    def factory(in_dim: int = 1024):
        if forward is None:
            raise RuntimeError("cannot build")
        return _module(forward)

    name = f"broken-{failure.replace(' ', '-')}"
    plugin(name, factory)
    result = invoke("run", name, "--dataset", "summe", "--data-dir", small_benchmark,
                    "--results", tmp_path, *QUICK)  # fmt: skip
    one_line_error(result, f"{name} failed in seed 123456 fold 0", message, "--debug")
    (log,) = tmp_path.glob(f"summe/{name}/*/seed123456/fold0.log")
    assert "Traceback (most recent call last)" in log.read_text()
    assert not list(tmp_path.glob(f"summe/{name}/*/seed123456/.fold0.*"))  # nothing left
    debug = CliRunner().invoke(main, ["--debug", "run", name, "--dataset", "summe",
                               "--data-dir", str(small_benchmark), "--results", str(tmp_path),
                               *QUICK])  # fmt: skip
    assert isinstance(debug.exception, ModelError)  # --debug: the exception itself
    assert debug.exception.__cause__ is not None


# ---------------------------------------------------------------- 6. spec files and caches


def test_a_binary_spec_file_is_one_line(tmp_path):
    spec = tmp_path / "sweep.toml"
    spec.write_bytes(b'models = ["\xff\xfe"]\n\x00\x01')
    one_line_error(invoke("sweep", "--spec", spec, "--status"), str(spec), "not a UTF-8 text file")


def test_a_truncated_reference_cache_is_ignored_and_rebuilt(small_benchmark, tmp_path,
                                                            monkeypatch):  # fmt: skip
    from vsumbench.data.predictions import write_predictions

    monkeypatch.setenv("VSUMBENCH_CACHE", str(tmp_path / "cache"))
    from vsumbench.data import load_videos

    videos = load_videos(small_benchmark / SUMME, fields=("gtscore",))
    pred = tmp_path / "pred.h5"
    write_predictions(pred, {k: v.gtscore for k, v in videos.items()})
    args = ["evaluate", pred, "--dataset", "summe", "--data-dir", small_benchmark, "--json"]
    first = invoke(*args)
    assert first.exit_code == 0, first.output
    caches = list((tmp_path / "cache").glob("references-*.npz"))
    assert caches
    for cache in caches:
        cache.write_bytes(cache.read_bytes()[:100])  # a truncated zip
    again = invoke(*args)
    assert again.exit_code == 0, again.output
    assert json.loads(again.output) == json.loads(first.output)
    for cache in caches:
        assert np.load(cache)  # rebuilt whole


# ---------------------------------------------------------------- 7. never "Aborted!"


def test_a_truncated_annotation_archive_is_named(data, tmp_path):
    tsv = data / "ydata-anno.tsv"
    packed = gzip.compress(tsv.read_bytes())
    tsv.unlink()
    (data / "ydata-anno.tsv.gz").write_bytes(packed[: len(packed) // 2])
    target = data / "ydata-anno.tsv.gz"
    one_line_error(invoke("data", "check", target), str(target), "ends too early (truncated)")
    run = invoke("run", "random", "--dataset", "tvsum", "--data-dir", data, "--results",
                 tmp_path / "r", "--folds", "0", "--quiet")  # fmt: skip
    one_line_error(run, str(target), "truncated")
    (data / "ydata-anno.tsv.gz").write_bytes(b"")
    one_line_error(invoke("data", "check", target), str(target))


def test_an_empty_cache_file_is_ignored(small_benchmark, tmp_path, monkeypatch):
    from vsumbench.data.annotations import load_annotations, load_annotations_cached
    from vsumbench.data.disk_cache import cache_file, file_identity

    monkeypatch.setenv("VSUMBENCH_CACHE", str(tmp_path / "cache"))
    tsv = small_benchmark / "ydata-anno.tsv"
    cache = cache_file("annotations", file_identity(tsv), 20, 1)
    cache.parent.mkdir(parents=True)
    cache.write_bytes(b"")
    loaded = load_annotations_cached(tsv)
    assert loaded.keys() == load_annotations(tsv).keys()
    assert cache.stat().st_size > 0  # replaced by a whole entry


def test_ctrl_c_says_where_the_run_stopped_and_how_to_resume(small_benchmark, tmp_path,
                                                              monkeypatch):  # fmt: skip
    from vsumbench.runner import train

    real, calls = train.train_epoch, []

    def interrupted(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(train, "train_epoch", interrupted)
    args = ["run", "vasnet", "--dataset", "summe", "--data-dir", small_benchmark, "--results",
            tmp_path, "--epochs", "3", "--folds", "0", "--threads", "1", "--device", "cpu",
            "--quiet"]  # fmt: skip
    result = invoke(*args)
    assert result.exit_code == 130, result.output
    assert "interrupted: vasnet seed 123456 fold 0 stopped during epoch 2 (epoch 1 is saved)" in (
        result.output
    )
    assert "the same command resumes it at epoch 2" in result.output
    monkeypatch.undo()
    resumed = invoke(*args)
    assert resumed.exit_code == 0, resumed.output
    (record,) = tmp_path.glob("summe/vasnet/*/seed123456/fold0/result.json")
    assert [e["epoch"] for e in json.loads(record.read_text())["epochs"]] == [1, 2, 3]
