"""Checkpoints: untrusted files, strict key-by-key loading, atomic saves."""

from __future__ import annotations

import pickle

import pytest
import torch

from vsumbench.errors import DataError
from vsumbench.models import registry
from vsumbench.models.checkpoints import load_checkpoint, load_state_dict_strict, save_checkpoint

pytestmark = pytest.mark.usefixtures("one_thread")


@pytest.fixture(scope="module")
def vasnet():
    torch.manual_seed(0)
    return registry.create("vasnet")


def test_save_and_load_our_format(tmp_path, vasnet):
    path = tmp_path / "fold0" / "checkpoint.pt"
    save_checkpoint(path, vasnet, {"model": "vasnet", "epoch": 7})
    state, meta = load_checkpoint(path)
    assert meta == {"model": "vasnet", "epoch": 7}
    assert set(state) == set(vasnet.state_dict())
    assert list(path.parent.iterdir()) == [path]  # no temporary file left behind
    fresh = registry.create("vasnet")
    load_state_dict_strict(fresh, state, model_name="vasnet", file=path)
    x = torch.randn(6, 1024)
    vasnet.eval(), fresh.eval()
    with torch.no_grad():
        assert torch.equal(vasnet(x), fresh(x))


def test_missing_unexpected_and_misshaped_keys_are_named(vasnet):
    good = vasnet.state_dict()
    missing = {k: v for k, v in good.items() if k != "ka.bias"}
    with pytest.raises(DataError, match=r"1 missing key\(s\): ka\.bias"):
        load_state_dict_strict(registry.create("vasnet"), missing, model_name="vasnet", file="x.pt")
    extra = {**good, "surprise.weight": torch.zeros(2)}
    with pytest.raises(DataError, match=r"x\.pt: .*1 unexpected key\(s\): surprise\.weight"):
        load_state_dict_strict(registry.create("vasnet"), extra, model_name="vasnet", file="x.pt")
    shaped = {**good, "kd.weight": torch.zeros(2, 1024)}
    with pytest.raises(
        DataError, match=r"wrong shape.*kd\.weight \(checkpoint \(2, 1024\), model \(1, 1024\)\)"
    ):
        load_state_dict_strict(registry.create("vasnet"), shaped, model_name="vasnet")


def test_many_problems_are_counted_not_listed(vasnet):
    state = {f"junk{i}": torch.zeros(1) for i in range(9)} | dict(vasnet.state_dict())
    with pytest.raises(DataError, match=r"9 unexpected key\(s\): junk0, .* and 4 more"):
        load_state_dict_strict(registry.create("vasnet"), state, model_name="vasnet", suggest=False)


def test_error_says_which_model_the_checkpoint_belongs_to(vasnet):
    csta_state = registry.create("csta-pe").state_dict()
    with pytest.raises(DataError, match=r"look like those of summarizer 'csta-pe'") as err:
        load_state_dict_strict(registry.create("vasnet"), csta_state, model_name="vasnet")
    assert "missing key(s): att.K.weight" in str(err.value)


def test_code_in_a_checkpoint_is_refused(tmp_path):
    class Evil:
        def __reduce__(self):
            return (print, ("pwned",))

    path = tmp_path / "evil.pt"
    path.write_bytes(pickle.dumps({"state_dict": Evil()}, protocol=2))
    with pytest.raises(DataError, match="not a loadable checkpoint"):
        load_checkpoint(path)


def test_non_tensor_entries_and_missing_files(tmp_path):
    path = tmp_path / "odd.pt"
    torch.save({"a": torch.zeros(1), "b": 3}, path)
    with pytest.raises(DataError, match="not tensors: b"):
        load_checkpoint(path)
    with pytest.raises(DataError, match="not found"):
        load_checkpoint(tmp_path / "none.pt")
