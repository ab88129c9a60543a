"""Registry: lookup errors, duplicates, entry-point plugins (working, broken, third-party)."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys
import textwrap

import pytest

from vsumbench.errors import ConfigError
from vsumbench.models import registry

BUILT_INS = {
    "csta", "csta-baseline", "csta-att", "csta-attd", "csta-kv", "csta-pe", "csta-cls",
    "csta-mobilenet", "csta-efficientnet", "csta-resnet18",
    "cnn-googlenet", "cnn-mobilenet", "cnn-efficientnet", "cnn-resnet18", "vasnet", "random",
}  # fmt: skip


@pytest.fixture
def isolated_registry(monkeypatch):
    """A private copy of the registry, with plugins already loaded, restored afterwards."""
    registry.load_plugins()
    monkeypatch.setattr(registry, "_REGISTRY", dict(registry._REGISTRY))
    monkeypatch.setattr(registry, "_LOADED", True)
    return registry._REGISTRY


def _entry_points(monkeypatch, *eps: importlib.metadata.EntryPoint) -> None:
    def fake(**kwargs):
        assert kwargs == {"group": registry.ENTRY_POINT_GROUP}
        return list(eps)

    monkeypatch.setattr(importlib.metadata, "entry_points", fake)


def _ep(name: str, value: str) -> importlib.metadata.EntryPoint:
    return importlib.metadata.EntryPoint(name=name, value=value, group=registry.ENTRY_POINT_GROUP)


def test_built_ins_are_registered_through_entry_points():
    names = set(registry.list_summarizers())
    assert BUILT_INS <= names
    assert registry.get_spec("csta").source.startswith("csta.variants")
    assert registry.get_spec("vasnet").module == "baselines"


def test_official_training_defaults():
    csta = registry.get_spec("csta")
    assert (csta.lr, csta.weight_decay, csta.epochs, csta.loss) == (1e-3, 1e-7, 100, "mse")
    assert csta.uses_backbone and csta.trainable
    assert csta.label == "CSTA" and csta.labels["table2"] == "(+)Skip Connection"
    vasnet = registry.get_spec("vasnet")
    assert (vasnet.lr, vasnet.weight_decay, vasnet.uses_backbone) == (5e-5, 1e-5, False)
    assert registry.get_spec("random").trainable is False


def test_unknown_name_suggests_the_closest():
    with pytest.raises(ConfigError, match=r"unknown summarizer 'cstaa'.*Did you mean 'csta'"):
        registry.create("cstaa")
    with pytest.raises(ConfigError, match="vasnet"):
        registry.get_spec("vasnett")


def test_unknown_option_is_refused():
    with pytest.raises(ConfigError) as err:
        registry.create("vasnet", hidden_sise=3)
    assert str(err.value) == "unknown option for summarizer 'vasnet': 'hidden_sise'. Known: in_dim"


def test_building_never_loads_weights(monkeypatch):
    """Build, then load: creating a backbone model reads no pretrained weights (offline-safe),
    and a model without a backbone gets nothing from the weights module."""
    import torchvision

    from vsumbench.models.weights import load_backbone_weights

    def refuse(*args, **kwargs):
        raise AssertionError("pretrained weights requested while building")

    monkeypatch.setattr(torchvision.models.GoogLeNet_Weights, "get_state_dict", refuse)
    registry.create("csta")  # would fail if the constructor loaded ImageNet weights
    assert load_backbone_weights(registry.create("vasnet"), "imagenet") is None
    with pytest.raises(ConfigError, match="backbone_init"):
        registry.create("csta", backbone_init="random")  # no longer a model option


def test_spec_is_frozen():
    spec = registry.get_spec("csta")
    with pytest.raises(AttributeError):
        spec.lr = 1.0  # type: ignore[misc]


def test_listing_does_not_import_torch():
    """vsumbench's own summarizers list without torch. Only vsumbench's entry points are
    loaded here, so a third-party plugin that imports torch cannot decide this test."""
    code = (
        "import sys, vsumbench.models.registry as r\n"
        "own = [ep for ep in r._entry_points() if ep.dist and ep.dist.name == 'vsumbench']\n"
        "r._entry_points = lambda: own\n"
        "names = r.list_summarizers()\n"
        "assert 'csta' in names and 'vasnet' in names\n"
        "assert 'torch' not in sys.modules, 'torch imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_duplicate_name_is_reported_and_first_kept(isolated_registry):
    def first():
        return "first"

    def second():
        return "second"

    registry.register_summarizer("dup-model", lr=1e-3, weight_decay=0.0)(first)
    with pytest.warns(registry.PluginWarning, match="'dup-model' is registered twice"):
        registry.register_summarizer("dup-model", lr=1e-3, weight_decay=0.0)(second)
    assert registry.create("dup-model") == "first"


def test_broken_plugin_becomes_a_warning(monkeypatch, isolated_registry):
    _entry_points(monkeypatch, _ep("broken", "vsumbench_no_such_plugin_module"))
    with pytest.warns(registry.PluginWarning, match="'broken'.*vsumbench_no_such_plugin_module"):
        registry.load_plugins(reload=True)
    assert "csta" in registry.list_summarizers()  # the others stay available


def test_plugins_are_loaded_once(monkeypatch, isolated_registry):
    calls = []
    _entry_points(monkeypatch, _ep("counting", "os.path:join"))
    monkeypatch.setattr(registry, "_LOADED", False)
    monkeypatch.setattr("os.path.join", lambda *a: calls.append(a))
    registry.list_summarizers()
    registry.get_spec("csta")
    assert calls == [()]


@pytest.mark.parametrize("form", ["module", "callable"])
def test_third_party_plugin_registers_a_model(form, tmp_path, monkeypatch, isolated_registry):
    body = """
        import torch
        from vsumbench.models import register_summarizer

        def register():
            @register_summarizer("mean-feature", lr=0.01, weight_decay=0.0, epochs=3,
                                 description="sigmoid of the mean feature")
            def mean_feature(scale: float = 1.0):
                class MeanFeature(torch.nn.Module):
                    def forward(self, features):
                        return torch.sigmoid(scale * features.mean(dim=1))
                return MeanFeature()
        """
    body = textwrap.dedent(body)
    if form == "module":
        body += "\nregister()\n"  # a module registers at import
    module = f"third_party_{form}"
    (tmp_path / f"{module}.py").write_text(body)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, module, raising=False)
    value = module if form == "module" else f"{module}:register"
    _entry_points(monkeypatch, _ep("mean", value))
    registry.load_plugins(reload=True)

    spec = registry.get_spec("mean-feature")
    assert spec.module == module and spec.epochs == 3 and spec.defaults["scale"] == 1.0
    import torch

    scores = registry.create("mean-feature", scale=2.0)(torch.zeros(4, 8))
    assert torch.equal(scores, torch.full((4,), 0.5))
