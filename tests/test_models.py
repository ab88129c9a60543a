"""Every registered summarizer honours the contract; CSTA matches models.md step by step."""

from __future__ import annotations

import math
from functools import cache
from types import SimpleNamespace

import numpy as np
import pytest
import torch
import torch.nn.functional as F
import torchvision

from csta.model import CSTA
from csta.variants import VARIANTS, CSTAConfig
from vsumbench.errors import ConfigError
from vsumbench.models import registry
from vsumbench.models.backbones import BACKBONES, Trunk
from vsumbench.models.weights import init_backbone, load_backbone_weights

pytestmark = pytest.mark.usefixtures("one_thread")
D = 1024
CNN_ONLY = {"csta-baseline", "cnn-googlenet", "cnn-mobilenet", "cnn-efficientnet", "cnn-resnet18"}


@cache
def _model(name: str) -> torch.nn.Module:
    """One instance per registered name (GoogLeNet construction is the slow part)."""
    torch.manual_seed(0)
    return registry.create(name)


def _features(n_steps: int, seed: int = 0) -> torch.Tensor:
    return torch.randn(n_steps, D, generator=torch.Generator().manual_seed(seed))


def _inputs(name: str, n_steps: int, seed: int = 0):
    """What model ``name`` reads for a video of ``n_steps``: its registered inputs (CLIP-It:
    CLIP image features and three sentence features, 512 wide)."""
    from vsumbench.models.inputs import DEFAULT_INPUTS, input_fields

    fields = input_fields(registry.get_spec(name).inputs)
    if fields == DEFAULT_INPUTS:
        return _features(n_steps, seed)
    g = torch.Generator().manual_seed(seed)
    rows = {"features_clip_image": n_steps, "features_clip_txt": 3}
    return {f: torch.randn(rows[f], 512, generator=g) for f in fields}


def _video(n_steps: int = 64, shot: int = 8, seed: int = 1) -> SimpleNamespace:
    """A made-up video (15 frames per step, shots of ``shot`` steps, one clearly best)."""
    rng = np.random.default_rng(seed)
    gtscore = rng.uniform(0, 0.5, n_steps).astype(np.float32)
    gtscore[shot : 2 * shot] = 1.0
    starts = np.arange(0, n_steps, shot) * 15
    cps = np.stack([starts, np.minimum(starts + 15 * shot, 15 * n_steps) - 1], axis=1)
    return SimpleNamespace(gtscore=gtscore, picks=np.arange(n_steps) * 15,
                           change_points=cps, n_frames=15 * n_steps)  # fmt: skip


@pytest.mark.parametrize("name", registry.list_summarizers())
def test_contract_shape_and_range(name):
    """The step scores the runner evaluates (the model's objective): one per step, finite."""
    model = _model(name).eval()
    objective = registry.get_spec(name).make_objective()
    for n_steps in (1, 3, 16):
        with torch.no_grad():
            scores = objective.scores(model, _inputs(name, n_steps))
        assert scores.shape == (n_steps,), f"{name}: T={n_steps} gave {tuple(scores.shape)}"
        assert scores.dtype == torch.float32 and torch.isfinite(scores).all()
        if name in CNN_ONLY:  # squared map averaged: no sigmoid, but never negative
            assert (scores >= 0).all()
        else:
            assert ((scores >= 0) & (scores <= 1)).all(), f"{name}: scores outside [0, 1]"


@pytest.mark.parametrize(
    "name", [n for n in registry.list_summarizers() if registry.get_spec(n).trainable]
)
def test_trainable_models_get_gradients(name):
    """The model's own loss on its own targets reaches its parameters."""
    model = _model(name).train()
    objective = registry.get_spec(name).make_objective()
    video = _video()
    loss = objective.loss(model, _inputs(name, 64, seed=1), objective.target(video, "cpu"))
    assert torch.isfinite(loss)
    loss.backward()
    grads = [p.grad for p in model.parameters() if p.requires_grad]
    assert grads and any(g is not None and g.abs().sum() > 0 for g in grads)
    model.zero_grad(set_to_none=True)


def test_random_scorer_is_seeded_and_uniform():
    x = _features(200)
    a, b = registry.create("random", seed=3)(x), registry.create("random", seed=3)(x)
    assert torch.equal(a, b)
    assert not torch.equal(a, registry.create("random", seed=4)(x))
    assert 0 <= float(a.min()) and float(a.max()) < 1 and abs(float(a.mean()) - 0.5) < 0.1
    assert list(registry.create("random").parameters()) == []


def test_csta_every_length_from_1_to_20():
    model = _model("csta").eval()
    with torch.no_grad():
        for n_steps in range(1, 21):
            scores = model(_features(n_steps, seed=n_steps))
            assert scores.shape == (n_steps,) and torch.isfinite(scores).all()


def test_csta_rejects_wrong_feature_shape():
    with pytest.raises(ValueError, match=r"\(T, 1024\)"):
        _model("csta")(torch.zeros(1, 5, D))


# --- the official layout ------------------------------------------------------------------

OFFICIAL_NON_TRUNK = {
    "CLS": (1, 3, 1, 1024),
    "key_embedding.weight": (1024, 1024),
    "key_embedding.bias": (1024,),
    "value_embedding.weight": (1024, 1024),
    "value_embedding.bias": (1024,),
    "layernorm1.weight": (1,),
    "layernorm1.bias": (1,),
    "layernorm1.running_mean": (1,),
    "layernorm1.running_var": (1,),
    "layernorm1.num_batches_tracked": (),
    "Positional_encoding_op.pe": (5000, 1024),
    "linear1.0.weight": (1024, 1024),
    "linear1.0.bias": (1024,),
    "linear1.3.weight": (1024,),
    "linear1.3.bias": (1024,),
    "linear2.0.weight": (1, 1024),
    "linear2.0.bias": (1,),
}


def test_csta_state_dict_has_the_official_names():
    state = _model("csta").state_dict()
    tv = torchvision.models.googlenet(weights=None, aux_logits=False, init_weights=False)
    trunk_keys = {f"googlenet.{k}" for k in tv.state_dict()}
    assert {"googlenet.conv1.conv.weight", "googlenet.inception3a.branch4.1.conv.weight",
            "googlenet.fc.weight", "googlenet.fc.bias"} <= trunk_keys  # fmt: skip
    assert set(state) == trunk_keys | set(OFFICIAL_NON_TRUNK)
    for key, shape in OFFICIAL_NON_TRUNK.items():
        assert tuple(state[key].shape) == shape, key
    assert tuple(state["googlenet.conv1.bn.running_var"].shape) == (64,)


def test_csta_official_bare_state_dict_round_trip(tmp_path):
    """Write the state dict as the authors' split<k>.pt (bare) and load it back strictly."""
    from vsumbench.models.checkpoints import load_checkpoint, load_state_dict_strict

    torch.manual_seed(5)
    src = CSTA(CSTAConfig())
    with torch.no_grad():  # make buffers/parameters that are zero or one by default matter
        src.CLS.normal_()
        src.layernorm1.running_mean.fill_(0.3)
        src.layernorm1.running_var.fill_(2.0)
    path = tmp_path / "split1.pt"
    torch.save(src.state_dict(), path)
    state, meta = load_checkpoint(path)
    assert meta == {}
    dst = CSTA(CSTAConfig())
    load_state_dict_strict(dst, state, model_name="csta", file=path)
    x = _features(20, seed=2)
    src.eval(), dst.eval()
    with torch.no_grad():
        assert torch.equal(src(x), dst(x))
    assert all(torch.equal(v, dst.state_dict()[k]) for k, v in src.state_dict().items())


# --- CSTA against an independent, step-by-step reading of models.md -----------------------

GOOGLENET_ORDER = ["conv1", "maxpool1", "conv2", "conv3", "maxpool2", "inception3a", "inception3b",
                   "maxpool3", "inception4a", "inception4b", "inception4c", "inception4d",
                   "inception4e", "maxpool4", "inception5a", "inception5b"]  # fmt: skip


def _reference_csta(model: CSTA, X: torch.Tensor) -> torch.Tensor:
    """models.md steps 1-11 in eval mode, written with plain functional ops."""
    T, Dm = X.shape
    sd = model.state_dict()
    x = torch.stack([X, X, X]).unsqueeze(0)  # 1
    x = torch.cat([sd["CLS"], x], dim=2)  # 2
    key = x @ sd["key_embedding.weight"].T + sd["key_embedding.bias"]  # 3
    fmap = key
    for name in GOOGLENET_ORDER:  # 4
        fmap = getattr(model.googlenet, name)(fmap)
    att = F.adaptive_avg_pool2d(fmap, (T + 1, 1))[0, :, :, 0].T
    att = att + key[0, 0]  # 5
    mean, var = sd["layernorm1.running_mean"], sd["layernorm1.running_var"]
    att = (att - mean) / torch.sqrt(var + 1e-5) * sd["layernorm1.weight"] + sd["layernorm1.bias"]
    pos = np.arange(T + 1)[:, None]  # 6
    freq = np.exp(-(np.arange(0, Dm, 2)) * math.log(10000.0) / Dm)
    table = np.zeros((T + 1, Dm))
    table[:, 0::2], table[:, 1::2] = np.sin(pos * freq), np.cos(pos * freq)
    att = att + torch.tensor(table, dtype=torch.float32)
    temporal, spatial = torch.softmax(att, 0), torch.softmax(att, 1)  # 7
    value = x[0, 0] @ sd["value_embedding.weight"].T + sd["value_embedding.bias"]  # 8
    mixed = value * temporal + value * spatial  # 9
    mixed = F.adaptive_avg_pool1d(mixed.T.unsqueeze(0), T)[0].T  # 10
    h = F.relu(mixed @ sd["linear1.0.weight"].T + sd["linear1.0.bias"])  # 11
    h = F.layer_norm(h, (Dm,), sd["linear1.3.weight"], sd["linear1.3.bias"], eps=1e-6)
    return torch.sigmoid(h @ sd["linear2.0.weight"].T + sd["linear2.0.bias"]).squeeze(-1)


@pytest.mark.parametrize("n_steps", [14, 33])
def test_csta_matches_the_step_by_step_reference(n_steps):
    model = _model("csta").eval()
    with torch.no_grad():
        model.CLS.normal_(generator=torch.Generator().manual_seed(1))
        model.layernorm1.running_mean.fill_(0.1)
        model.layernorm1.running_var.fill_(3.0)
        x = _features(n_steps, seed=7)
        torch.testing.assert_close(model(x), _reference_csta(model, x), rtol=1e-5, atol=1e-6)


def test_positional_table_matches_the_formula():
    pe = _model("csta").Positional_encoding_op.pe
    k = torch.arange(3)
    f = torch.exp(-(2.0 * k) * math.log(10000.0) / D)
    torch.testing.assert_close(pe[7, 0:6:2], torch.sin(7 * f))
    torch.testing.assert_close(pe[7, 1:6:2], torch.cos(7 * f))
    assert pe[0, 0] == 0 and pe[0, 1] == 1


def test_cnn_only_head_is_the_squared_map_averaged_and_shared():
    model = _model("csta-baseline").eval()
    assert set(model.state_dict()) == {
        f"googlenet.{k}" for k in _model("cnn-googlenet").googlenet.state_dict()
    }
    assert VARIANTS["csta-baseline"] == _model("cnn-googlenet").config
    x = _features(20, seed=3)
    image = torch.stack([x, x, x]).unsqueeze(0)
    with torch.no_grad():
        fmap = model.googlenet(image)
        rows = F.adaptive_avg_pool2d(fmap, (20, 1))[0, :, :, 0].T
        torch.testing.assert_close(model(x), (rows**2).mean(dim=1))


def test_short_inputs_pad_only_for_the_cnn():
    trunk = _model("csta").googlenet
    image = torch.randn(1, 3, 15, 64)
    with torch.no_grad():  # enough rows: exactly the plain pooled map
        expected = F.adaptive_avg_pool2d(trunk(image), (15, 1))[0, :, :, 0].T
        torch.testing.assert_close(trunk.rows(image), expected, rtol=0, atol=0)
        # too few rows: same as pooling the zero-padded image and keeping the real rows
        short = image[:, :, :4]
        padded = F.pad(short, (0, 0, 0, 11))
        expected = F.adaptive_avg_pool2d(trunk(padded), (15, 1))[0, :, :4, 0].T
        torch.testing.assert_close(trunk.rows(short), expected, rtol=0, atol=0)


def test_table2_rows_add_one_component_each():
    order = ["csta-baseline", "csta-att", "csta-attd", "csta-kv", "csta-pe", "csta-cls", "csta"]
    configs = [VARIANTS[n] for n in order]
    assert configs[-1] == CSTAConfig()
    expected = [{"attention", "softmax_time"}, {"softmax_features"}, {"key_value"},
                {"positional_encoding"}, {"cls_token"}, {"skip_connection"}]  # fmt: skip
    for before, after, turned_on in zip(configs, configs[1:], expected, strict=False):
        changed = {
            f for f in before.__dataclass_fields__ if getattr(before, f) != getattr(after, f)
        }
        assert changed == turned_on and all(getattr(after, f) for f in changed)
    keys = {n: set(_model(n).state_dict()) for n in order}
    assert not any(k.startswith(("key_", "value_")) for k in keys["csta-attd"])
    assert {"key_embedding.weight", "value_embedding.weight"} <= keys["csta-kv"]
    assert "Positional_encoding_op.pe" in keys["csta-pe"] and "CLS" not in keys["csta-pe"]
    assert "CLS" in keys["csta-cls"] and "layernorm1.weight" not in keys["csta-cls"]


def test_invalid_variant_combinations_are_refused():
    with pytest.raises(ConfigError, match="CNN-only baseline"):
        CSTAConfig(attention=False)
    with pytest.raises(ConfigError, match="softmax"):
        CSTAConfig(softmax_time=False, softmax_features=False)


@pytest.mark.parametrize(("name", "attr", "dim"), [("csta-mobilenet", "mobilenet", 1280),
                                                   ("csta-resnet18", "resnet", 512)])  # fmt: skip
def test_other_attention_cnns_project_to_their_channels(name, attr, dim):
    state = _model(name).state_dict()
    assert tuple(state["key_embedding.weight"].shape) == (dim, D)
    assert tuple(state["linear1.0.weight"].shape) == (dim, dim)
    assert tuple(state["CLS"].shape) == (1, 3, 1, D)
    assert any(k.startswith(f"{attr}.") for k in state)


# --- VASNet ---------------------------------------------------------------------------------


def test_vasnet_matches_the_published_formulation():
    model = _model("vasnet").eval()
    sd = model.state_dict()
    x = _features(9, seed=4)

    def layer_norm(v, prefix):  # VASNet's own: (x - mean) / (unbiased std + 1e-6)
        return (
            sd[f"{prefix}.gamma"]
            * (v - v.mean(-1, keepdim=True))
            / (v.std(-1, keepdim=True) + 1e-6)
            + sd[f"{prefix}.beta"]
        )

    q, k, v = (x @ sd[f"att.{n}.weight"].T for n in "QKV")
    w = torch.softmax(0.06 * q @ k.T, dim=-1)
    y = (w.T @ v) @ sd["att.output_linear.weight"].T + x  # weights-transposed-weighted V
    y = layer_norm(y, "layer_norm_y")
    y = layer_norm(F.relu(y @ sd["ka.weight"].T + sd["ka.bias"]), "layer_norm_ka")
    expected = torch.sigmoid(y @ sd["kd.weight"].T + sd["kd.bias"]).squeeze(-1)
    with torch.no_grad():
        torch.testing.assert_close(model(x), expected, rtol=1e-5, atol=1e-6)
    assert torch.all(sd["ka.bias"] == 0.1)


# --- backbone initialisation ------------------------------------------------------------------


def test_imagenet_init_without_weights_says_how_to_provide_them(monkeypatch, tmp_path):
    def offline(*args, **kwargs):  # never touch the network in tests
        raise OSError("network disabled in tests")

    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    monkeypatch.setattr(torch.hub, "download_url_to_file", offline)
    with pytest.raises(ConfigError) as err:
        load_backbone_weights(registry.create("cnn-resnet18"), "imagenet")
    message = str(err.value)
    assert "ResNet18_Weights.IMAGENET1K_V1" in message and "network disabled" in message
    assert str(tmp_path / "hub" / "checkpoints" / "resnet18-f37072fd.pth") in message
    assert "--backbone-init PATH" in message


def test_imagenet_init_uses_the_torchvision_cache(monkeypatch, tmp_path):
    """A weight file already in $TORCH_HOME/hub/checkpoints is used without any download."""
    reference = torchvision.models.resnet18(weights=None)
    cache_dir = tmp_path / "hub" / "checkpoints"
    cache_dir.mkdir(parents=True)
    torch.save(reference.state_dict(), cache_dir / "resnet18-f37072fd.pth")
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    monkeypatch.setattr(
        torch.hub, "download_url_to_file", lambda *a, **k: pytest.fail("download attempted")
    )
    model = registry.create("cnn-resnet18")
    used = load_backbone_weights(model, "imagenet")
    assert used == "imagenet:ResNet18_Weights.IMAGENET1K_V1"
    assert torch.equal(model.resnet.conv1.weight, reference.conv1.weight)


def test_backbone_init_from_a_state_dict_file(tmp_path):
    reference = torchvision.models.mobilenet_v2(weights=None)
    path = tmp_path / "mobilenet.pth"
    torch.save(reference.state_dict(), path)
    model = registry.create("cnn-mobilenet")
    assert load_backbone_weights(model, str(path)) == f"file:{path}"
    assert torch.equal(model.mobilenet.features[0][0].weight, reference.features[0][0].weight)
    with pytest.raises(ConfigError, match="no such file"):
        load_backbone_weights(model, str(tmp_path / "missing.pth"))


def test_backbone_init_file_of_the_wrong_network_is_refused(tmp_path):
    path = tmp_path / "resnet.pth"
    torch.save(torchvision.models.resnet18(weights=None).state_dict(), path)
    trunk = Trunk("mobilenet")
    with pytest.raises(Exception, match=r"missing key\(s\).*features\.0\.0\.weight"):
        init_backbone(trunk, path)


def test_every_backbone_accepts_one_row():
    for name in BACKBONES:
        trunk = Trunk(name).eval()
        with torch.no_grad():
            rows = trunk.rows(torch.randn(1, 3, 1, 32))
        assert rows.shape == (1, BACKBONES[name].channels)
