"""SL-module against the Mr.HiSum authors' network (``networks/sl_module``) on fixed random
weights: same parameter names and values when built with the same seed, same scores
(``tests/fixtures/official_mrhisum/make_sl_fixture.py`` made the fixture)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
import torch

from baselines.sl_module import SLModule

FIXTURE = Path(__file__).parent / "fixtures" / "official_mrhisum" / "official_sl_module.pt"


@pytest.fixture(scope="module")
def official():
    return torch.load(FIXTURE, weights_only=True)


def built_like_the_authors(official) -> SLModule:
    cfg = official["config"]
    torch.manual_seed(official["seed"])
    return SLModule(in_dim=cfg["input_dim"], depth=cfg["depth"], heads=cfg["heads"],
                    mlp_dim=cfg["mlp_dim"], dropout=cfg["dropout_ratio"])  # fmt: skip


def test_parameter_names_and_values_equal_the_authors(official):
    model = built_like_the_authors(official)
    mine = {k: hashlib.sha256(v.detach().contiguous().numpy().tobytes()).hexdigest()
            for k, v in model.state_dict().items()}  # fmt: skip
    assert mine == official["weights_sha256"]


def test_scores_equal_the_authors(official):
    model = built_like_the_authors(official).eval()
    with torch.no_grad():
        for x, expected in zip(official["videos"], official["scores"], strict=True):
            torch.testing.assert_close(model(x), expected, rtol=0, atol=1e-6)


def test_registered_model_trains_and_scores_one_value_per_step():
    from vsumbench.models import create

    model = create("sl-module", in_dim=32, heads=4, mlp_dim=16, depth=1)
    x = torch.randn(11, 32)
    loss = torch.nn.functional.mse_loss(model(x), torch.rand(11))
    loss.backward()
    assert model(x).shape == (11,) and all(p.grad is not None for p in model.parameters())
    with pytest.raises(ValueError, match="multiple of heads"):
        create("sl-module", in_dim=30, heads=4)


def test_the_authors_checkpoint_layout_loads(official, tmp_path):
    """Their SL-module checkpoints hold one state dict per sub-module (their
    ``load_state_dict`` reads ``transformer`` and ``score_model``); `predict` reads them
    through `load_checkpoint`."""
    from vsumbench.models.checkpoints import load_checkpoint, load_state_dict_strict

    state = built_like_the_authors(official).state_dict()
    nested = {part: {k.split(".", 1)[1]: v for k, v in state.items() if k.startswith(part + ".")}
              for part in ("transformer", "score_model")}  # fmt: skip
    torch.save(nested, tmp_path / "sl_module_best_f1.pkl")
    loaded, meta = load_checkpoint(tmp_path / "sl_module_best_f1.pkl")
    assert meta == {} and set(loaded) == set(state)
    cfg = official["config"]
    model = SLModule(in_dim=1024, depth=cfg["depth"], mlp_dim=cfg["mlp_dim"]).eval()
    load_state_dict_strict(model, loaded, model_name="sl-module")
    with torch.no_grad():
        torch.testing.assert_close(model(official["videos"][1]), official["scores"][1], rtol=0,
                                   atol=1e-6)  # fmt: skip
