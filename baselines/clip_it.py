"""CLIP-It (Narasimhan, Rohrbach and Darrell, NeurIPS 2021): language-guided video summarization.

The authors released no code; the network follows the most complete public port, ModelScope's
``language_guided_video_summarization`` (its ``transformer/``):

* **inputs**, prepared as the port's pipeline prepares them (`prepare_image`,
  `prepare_text`): CLIP image features of the sampled frames, each L2-normalised; CLIP
  sentence features padded to ``sentences`` (7) by repeating the last one, concatenated and
  L2-normalised as one vector. With more sentences than that the port samples 7 at random;
  here they are taken evenly spaced (``np.linspace(0, n - 1, 7)`` rounded), the first and last
  always kept (ours, deterministic).
* **language-guided attention**: the text vector through ``Linear(7 x 512 -> 512)``, then
  multi-head attention with the frames as queries and the text as keys and values (4 heads,
  d_k = d_v = 256), residual and layer norm;
* **frame-scoring transformer**: sinusoidal positions, dropout, layer norm, 6 post-norm
  encoder layers (8 heads, d_k = d_v = 256, d_model 512, d_inner 2048, dropout 0.1);
* **head**: dropout 0.5, LayerNorm, Linear 512, ReLU, dropout, LayerNorm, Linear 1, sigmoid.

Parameter names are the port's (``linear_txt``, ``lg_attention.w_qs``,
``encoder.layer_stack.0.slf_attn.fc``, ``linear_1``, ``norm_y``, ...), so its checkpoints
load (`adapt_port_state_dict` drops what its forward never uses: the decoder and three layer
norms). ``reconstruct`` (a 1x1 convolution from the transformer's output back to the input
features) exists for the paper's reconstruction and diversity losses and is not in the port.
``tests/test_clip_it.py`` compares the outputs with the port's on fixed random weights.
"""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

__all__ = ["ClipIt", "adapt_port_state_dict", "prepare_image", "prepare_text", "sentence_indices"]

#: Keys of the port's state dict that its forward never uses.
PORT_UNUSED = ("decoder.", "layer_norm_img_src.", "layer_norm_img_trg.", "layer_norm_txt.")


def sentence_indices(n: int, count: int) -> list[int]:
    """Which of ``n`` sentences fill ``count`` places: all of them, the last one repeated to
    pad; evenly spaced when there are more (the port samples at random)."""
    if n <= count:
        return list(range(n)) + [n - 1] * (count - n)
    return [int(i) for i in np.round(np.linspace(0, n - 1, count))]


def prepare_image(image: torch.Tensor) -> torch.Tensor:
    """Each frame's CLIP feature divided by its L2 norm (the port's ``norm_feature``)."""
    return image / torch.linalg.vector_norm(image, dim=-1, keepdim=True)


def prepare_text(text: torch.Tensor, count: int) -> torch.Tensor:
    """(N, D) sentence features -> one (count * D,) vector, L2-normalised as a whole."""
    index = torch.as_tensor(sentence_indices(int(text.shape[0]), count), device=text.device)
    chosen = text[index].reshape(-1)
    return chosen / torch.linalg.vector_norm(chosen)


def position_table(positions: int, dim: int) -> torch.Tensor:
    """The port's sinusoid table (float64 angles, then float32): (1, positions, dim)."""
    pos = np.arange(positions)[:, None]
    angles = pos / np.power(10000, 2 * (np.arange(dim) // 2) / dim)
    angles[:, 0::2], angles[:, 1::2] = np.sin(angles[:, 0::2]), np.cos(angles[:, 1::2])
    return torch.tensor(angles, dtype=torch.float32).unsqueeze(0)  # on the default device


class _Attention(nn.Module):
    """Multi-head attention with residual and post-layer-norm (the port's
    ``MultiHeadAttention``)."""

    def __init__(self, heads: int, d_model: int, d_k: int, d_v: int, dropout: float = 0.1):
        super().__init__()
        self.heads, self.d_k, self.d_v = heads, d_k, d_v
        self.w_qs = nn.Linear(d_model, heads * d_k, bias=False)
        self.w_ks = nn.Linear(d_model, heads * d_k, bias=False)
        self.w_vs = nn.Linear(d_model, heads * d_v, bias=False)
        self.fc = nn.Linear(heads * d_v, d_model, bias=False)
        self.attn_dropout, self.dropout = nn.Dropout(0.1), nn.Dropout(dropout)
        self.layer_norm = nn.LayerNorm(d_model, eps=1e-6)

    def forward(self, q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
        b, lq, lk = q.shape[0], q.shape[1], k.shape[1]
        heads = (self.w_qs(q).view(b, lq, self.heads, self.d_k).transpose(1, 2),
                 self.w_ks(k).view(b, lk, self.heads, self.d_k).transpose(1, 2),
                 self.w_vs(v).view(b, lk, self.heads, self.d_v).transpose(1, 2))  # fmt: skip
        energies = torch.matmul(heads[0] / math.sqrt(self.d_k), heads[1].transpose(2, 3))
        weights = self.attn_dropout(F.softmax(energies, dim=-1))
        out = torch.matmul(weights, heads[2]).transpose(1, 2).contiguous().view(b, lq, -1)
        return self.layer_norm(self.dropout(self.fc(out)) + q)


class _FeedForward(nn.Module):
    def __init__(self, d_in: int, d_hidden: int, dropout: float = 0.1):
        super().__init__()
        self.w_1, self.w_2 = nn.Linear(d_in, d_hidden), nn.Linear(d_hidden, d_in)
        self.layer_norm, self.dropout = nn.LayerNorm(d_in, eps=1e-6), nn.Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.layer_norm(self.dropout(self.w_2(F.relu(self.w_1(x)))) + x)


class _EncoderLayer(nn.Module):
    def __init__(self, d_model, d_inner, heads, d_k, d_v, dropout):
        super().__init__()
        self.slf_attn = _Attention(heads, d_model, d_k, d_v, dropout)
        self.pos_ffn = _FeedForward(d_model, d_inner, dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.pos_ffn(self.slf_attn(x, x, x))


class _Encoder(nn.Module):
    def __init__(self, d_model, d_inner, layers, heads, d_k, d_v, dropout, positions):
        super().__init__()
        # The port keeps it in a sub-module (its state dict's encoder.position_enc.pos_table);
        # recomputed here, not stored.
        self.register_buffer("pos_table", position_table(positions, d_model), persistent=False)
        self.dropout = nn.Dropout(dropout)
        self.layer_stack = nn.ModuleList(
            _EncoderLayer(d_model, d_inner, heads, d_k, d_v, dropout) for _ in range(layers)
        )
        self.layer_norm = nn.LayerNorm(d_model, eps=1e-6)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.shape[1] > self.pos_table.shape[1]:
            raise ValueError(f"CLIP-It's position table has {self.pos_table.shape[1]} steps; "
                             f"the video has {x.shape[1]} (raise the `positions` option)")  # fmt: skip
        x = self.layer_norm(self.dropout(x + self.pos_table[:, : x.shape[1]]))
        for layer in self.layer_stack:
            x = layer(x)
        return x


class ClipIt(nn.Module):
    """(T, D) CLIP image features and (N, D) sentence features -> sigmoid scores (T,).

    ``image_only``: the ablation without language (the frames skip the language-guided
    attention; no text is read). After a forward pass ``last_hidden`` holds the
    transformer's output (1, T, d_model), which the paper's losses reconstruct from.
    """

    def __init__(self, in_dim: int = 512, sentences: int = 7, text_heads: int = 4,
                 d_model: int = 512, d_inner: int = 2048, layers: int = 6, heads: int = 8,
                 d_k: int = 256, d_v: int = 256, dropout: float = 0.1, positions: int = 4000,
                 image_only: bool = False) -> None:  # fmt: skip
        super().__init__()
        if in_dim != d_model:
            raise ValueError(f"in_dim ({in_dim}) must equal d_model ({d_model}), as in the port")
        self.sentences, self.image_only = sentences, image_only
        self.linear_txt = nn.Linear(sentences * in_dim, d_model)
        self.lg_attention = _Attention(text_heads, d_model, d_k, d_v)
        self.encoder = _Encoder(d_model, d_inner, layers, heads, d_k, d_v, dropout, positions)
        for p in self.parameters():  # the port's initialisation, before its head exists
            if p.dim() > 1:
                nn.init.xavier_uniform_(p)
        self.linear_1, self.linear_2 = nn.Linear(d_model, d_model), nn.Linear(d_model, 1)
        self.drop = nn.Dropout(p=0.5)
        self.norm_y = nn.LayerNorm(d_model, eps=1e-6)
        self.norm_linear = nn.LayerNorm(d_model, eps=1e-6)
        self.reconstruct = nn.Conv1d(d_model, in_dim, kernel_size=1)
        self.last_hidden: torch.Tensor | None = None

    def forward(self, image: torch.Tensor, text: torch.Tensor | None = None) -> torch.Tensor:
        if image.dim() != 2:
            raise ValueError(f"CLIP-It expects image features (T, D), got {tuple(image.shape)}")
        x = prepare_image(image).unsqueeze(0)
        if not self.image_only:
            if text is None or text.dim() != 2 or text.shape[0] == 0:
                raise ValueError("CLIP-It needs sentence features (N, D); pass "
                                 "--model-arg image_only=true to train without text")  # fmt: skip
            words = self.linear_txt(prepare_text(text, self.sentences).view(1, 1, -1))
            x = self.lg_attention(x, words, words)
        hidden = self.encoder(x)
        self.last_hidden = hidden
        y = self.norm_y(self.drop(hidden))
        y = self.norm_linear(self.drop(F.relu(self.linear_1(y))))
        return torch.sigmoid(self.linear_2(y)).view(-1)


def adapt_port_state_dict(
    state: dict[str, torch.Tensor], own: dict[str, torch.Tensor] | None = None
) -> dict[str, torch.Tensor]:
    """The port's state dict as this module's: its unused decoder and layer norms and its
    stored position table (recomputed here) dropped; with ``own`` (the module's state dict),
    ``reconstruct`` (not in the port: it only serves the paper's training losses) taken from
    it. A state dict that is already this module's passes unchanged."""
    skip = (*PORT_UNUSED, "encoder.position_enc.pos_table")
    out = {k: v for k, v in state.items() if not k.startswith(skip)}
    for key, value in (own or {}).items():
        if key.startswith("reconstruct.") and key not in out:
            out[key] = value
    return out
