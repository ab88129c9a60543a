"""CLIP-It against ModelScope's port (its ``transformer``) on fixed random weights, and the
input preparation against the port's pipeline (``tests/fixtures/official_clip_it``)."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from baselines.clip_it import (
    ClipIt,
    adapt_port_state_dict,
    prepare_image,
    prepare_text,
    sentence_indices,
)

FIXTURE = Path(__file__).parent / "fixtures" / "official_clip_it" / "official.pt"


@pytest.fixture(scope="module")
def official():
    return torch.load(FIXTURE, weights_only=True)


def ours_from(official) -> ClipIt:
    c = official["config"]
    model = ClipIt(in_dim=c["d_frame_vec"], sentences=c["num_sentence"],
                   text_heads=c["txt_atten_head"], d_model=c["d_model"], d_inner=c["d_inner"],
                   layers=c["n_layers"], heads=c["n_head"], d_k=c["d_k"], d_v=c["d_v"],
                   dropout=c["dropout"], positions=c["n_position"])  # fmt: skip
    missing, unexpected = model.load_state_dict(
        adapt_port_state_dict(official["state_dict"]), strict=False
    )
    assert unexpected == [] and sorted(missing) == ["reconstruct.bias", "reconstruct.weight"]
    return model.eval()


def test_scores_equal_the_port(official):
    model = ours_from(official)
    with torch.no_grad():
        for video in official["videos"]:
            torch.testing.assert_close(model(video["image"], video["text"]), video["scores"],
                                       rtol=0, atol=1e-6)  # fmt: skip


def test_inputs_are_prepared_as_the_ports_pipeline(official):
    for video in official["videos"]:
        torch.testing.assert_close(prepare_image(video["image"]), video["prepared_image"],
                                   rtol=0, atol=1e-7)  # fmt: skip
        torch.testing.assert_close(prepare_text(video["text"], 7),
                                   video["prepared_text"].view(-1), rtol=0, atol=1e-7)  # fmt: skip


def test_the_position_table_equals_the_ports(official):
    model = ours_from(official)
    port = official["state_dict"]["encoder.position_enc.pos_table"]
    assert torch.equal(model.encoder.pos_table, port)


def test_more_sentences_than_places_are_taken_evenly_and_deterministically():
    assert sentence_indices(3, 7) == [0, 1, 2, 2, 2, 2, 2]
    assert sentence_indices(13, 7) == [0, 2, 4, 6, 8, 10, 12]
    assert sentence_indices(9, 7)[0] == 0 and sentence_indices(9, 7)[-1] == 8
    assert len(set(sentence_indices(9, 7))) == 7


def test_image_only_ablation_reads_no_text_and_text_is_required_otherwise(official):
    model = ClipIt(in_dim=32, d_model=32, d_inner=32, layers=1, heads=2, d_k=8, d_v=8,
                   text_heads=2, positions=50)  # fmt: skip
    with pytest.raises(ValueError, match="image_only=true"):
        model(torch.randn(10, 32))
    ablation = ClipIt(in_dim=32, d_model=32, d_inner=32, layers=1, heads=2, d_k=8, d_v=8,
                      text_heads=2, positions=50, image_only=True)  # fmt: skip
    assert ablation(torch.randn(10, 32)).shape == (10,)
    with pytest.raises(ValueError, match="positions"):
        ablation(torch.randn(60, 32))
