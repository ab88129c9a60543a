"""DSNet (Zhu et al., TIP 2021): segment proposals instead of regressed scores.

Anchor-free (`DSNetAF`): every step predicts a score, its distances to the left and right
end of the key segment it belongs to, and a centerness; proposals are those segments,
scored by score x centerness (normalised by the maximum). Anchor-based (`DSNetAB`): every
step has one anchor per scale (centred on it, 4, 8, 16 and 32 steps wide), features
average-pooled over each anchor's width, and predicts a score and a centre/width offset per
anchor. Either way the proposals are suppressed by 1-D non-maximum suppression and turned
into step scores (each step: the best surviving proposal that covers it; 0 where none
does), which then go through the protocol's keyshot selection like any model's.

Parameter names follow the official code (``base_model.Q``, ``base_model.fc.0``,
``layer_norm``, ``fc1.0``, ``fc1.3``, ``fc_cls``, ``fc_loc``, ``fc_ctr``), so official
checkpoints load; `tests/test_dsnet.py` checks outputs, proposals after NMS and step scores
against the official code on fixed random weights.

Registered as ``dsnet-af`` and ``dsnet-ab``; their training targets, losses and scoring
are their objectives (`baselines.dsnet_objectives`).

A video shorter than the anchors or windows still gets one score per step: anchors and
proposals are clipped to the video (a 1-step video has one proposal, its only step).
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn

__all__ = [
    "DSNetAB",
    "DSNetAF",
    "MultiHeadAttention",
    "iou_lr",
    "nms",
    "proposal_step_scores",
    "proposals_ab",
    "proposals_af",
]

NMS_THRESHOLD = 0.5  # the official default (--nms-thresh)
ANCHOR_SCALES = (4, 8, 16, 32)  # the official default (--anchor-scales)


class MultiHeadAttention(nn.Module):
    """DSNet's base model: scaled dot-product attention in ``heads`` heads, an output
    projection and dropout (0.5 on the weights and on the output)."""

    def __init__(self, heads: int = 8, features: int = 1024) -> None:
        super().__init__()
        self.heads, self.d_k = heads, features // heads
        self.Q = nn.Linear(features, features, bias=False)
        self.K = nn.Linear(features, features, bias=False)
        self.V = nn.Linear(features, features, bias=False)
        self.drop = nn.Dropout(0.5)
        self.fc = nn.Sequential(nn.Linear(features, features, bias=False), nn.Dropout(0.5))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        t, features = x.shape

        def split(y: torch.Tensor) -> torch.Tensor:  # (T, F) -> (heads, T, d_k)
            return y.view(t, self.heads, self.d_k).transpose(0, 1)

        q, k, v = split(self.Q(x)), split(self.K(x)), split(self.V(x))
        weights = torch.softmax(q @ k.transpose(1, 2) / math.sqrt(self.d_k), dim=-1)
        y = (self.drop(weights) @ v).transpose(0, 1).reshape(t, features)
        return self.fc(y)


def _common_layers(
    model: nn.Module, features: int, hidden: int, heads: int, act: nn.Module
) -> None:
    """The layers both DSNets share, under the official names (the anchor-free one uses
    ReLU in ``fc1``, the anchor-based one tanh)."""
    model.base_model = MultiHeadAttention(heads, features)
    model.layer_norm = nn.LayerNorm(features)
    model.fc1 = nn.Sequential(
        nn.Linear(features, hidden), act, nn.Dropout(0.5), nn.LayerNorm(hidden)
    )
    model.fc_cls = nn.Linear(hidden, 1)
    model.fc_loc = nn.Linear(hidden, 2)


class DSNetAF(nn.Module):
    """features (T, D) -> (score (T,), left/right distances (T, 2), centerness (T,))."""

    def __init__(
        self,
        features: int = 1024,
        hidden: int = 128,
        heads: int = 8,
        nms_threshold: float = NMS_THRESHOLD,
    ) -> None:
        super().__init__()
        self.nms_threshold = float(nms_threshold)
        _common_layers(self, features, hidden, heads, nn.ReLU())
        self.fc_ctr = nn.Linear(hidden, 1)

    def forward(self, features: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        if features.dim() != 2:
            raise ValueError(f"DSNet expects features of shape (T, D), got {tuple(features.shape)}")
        out = self.fc1(self.layer_norm(self.base_model(features) + features))
        score = torch.sigmoid(self.fc_cls(out)).squeeze(-1)
        distances = torch.exp(self.fc_loc(out))
        centerness = torch.sigmoid(self.fc_ctr(out)).squeeze(-1)
        return score, distances, centerness

    @torch.no_grad()
    def step_scores(
        self, features: torch.Tensor, nms_threshold: float | None = None
    ) -> torch.Tensor:
        """The (T,) step scores the protocol evaluates: proposals, NMS, best cover."""
        nms_threshold = self.nms_threshold if nms_threshold is None else nms_threshold
        score, distances, centerness = self(features)
        scores, bboxes = proposals_af(score, distances, centerness)
        kept_scores, kept = nms(scores, bboxes, nms_threshold)
        steps = proposal_step_scores(features.shape[0], kept_scores, kept)
        return torch.from_numpy(steps).to(features.device)


class DSNetAB(nn.Module):
    """features (T, D) -> (score (T, S), centre/width offsets (T, S, 2)), S anchor scales."""

    def __init__(
        self,
        features: int = 1024,
        hidden: int = 128,
        heads: int = 8,
        anchor_scales: tuple[int, ...] = ANCHOR_SCALES,
        nms_threshold: float = NMS_THRESHOLD,
        skip_unmatched: bool = False,
    ) -> None:
        super().__init__()
        self.nms_threshold = float(nms_threshold)
        self.skip_unmatched = bool(skip_unmatched)  # training: see baselines.dsnet_objectives
        self.anchor_scales = tuple(int(s) for s in anchor_scales)
        _common_layers(self, features, hidden, heads, nn.Tanh())

    def forward(self, features: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        if features.dim() != 2:
            raise ValueError(f"DSNet expects features of shape (T, D), got {tuple(features.shape)}")
        t = features.shape[0]
        out = self.layer_norm(self.base_model(features) + features).T.unsqueeze(0)  # (1, D, T)
        # Each anchor's features: the mean over its width (zero padding counted, as the
        # official AvgPool1d(scale, stride=1, padding=scale // 2)), first T positions.
        pooled = [
            nn.functional.avg_pool1d(out, s, stride=1, padding=s // 2)[0, :, :t]
            for s in self.anchor_scales
        ]
        out = self.fc1(torch.stack(pooled).permute(2, 0, 1))  # (T, S, hidden)
        return torch.sigmoid(self.fc_cls(out)).squeeze(-1), self.fc_loc(out)

    @torch.no_grad()
    def step_scores(
        self, features: torch.Tensor, nms_threshold: float | None = None
    ) -> torch.Tensor:
        """The (T,) step scores the protocol evaluates: proposals, NMS, best cover."""
        nms_threshold = self.nms_threshold if nms_threshold is None else nms_threshold
        scores, bboxes = proposals_ab(*self(features), self.anchor_scales)
        kept_scores, kept = nms(scores, bboxes, nms_threshold)
        steps = proposal_step_scores(features.shape[0], kept_scores, kept)
        return torch.from_numpy(steps).to(features.device)


def proposals_ab(
    score: torch.Tensor, offsets: torch.Tensor, anchor_scales: tuple[int, ...]
) -> tuple[np.ndarray, np.ndarray]:
    """One proposal per anchor: centre ``c + oc * w``, width ``w * exp(ow)`` for the anchor
    at step ``c`` of width ``w``, as ``[left, right)`` in float32, clipped to the video and
    rounded to whole steps."""
    seq_len = score.shape[0]
    o = offsets.cpu().numpy().reshape(-1, 2)
    centre = np.repeat(np.arange(seq_len, dtype=np.int32), len(anchor_scales))
    width = np.tile(np.asarray(anchor_scales, dtype=np.int32), seq_len)
    c = (o[:, 0] * width + centre).astype(np.float32)
    w = (np.exp(o[:, 1]) * width).astype(np.float32)
    bboxes = np.stack([c - w / 2, c + w / 2], axis=1)
    scores = score.cpu().numpy().reshape(-1)
    return scores, np.clip(bboxes, 0, seq_len).round().astype(np.int32)


def proposals_af(
    score: torch.Tensor, distances: torch.Tensor, centerness: torch.Tensor
) -> tuple[np.ndarray, np.ndarray]:
    """One proposal per step: ``[t - left, t + right + 1)`` clipped to the video and rounded
    to whole steps, scored by score x centerness / (its maximum + 1e-8)."""
    seq_len = score.shape[0]
    scores = score * centerness
    scores = (scores / (scores.max() + 1e-8)).cpu().numpy()
    d = distances.cpu().numpy()
    steps = np.arange(seq_len)
    bboxes = np.stack([steps - d[:, 0], steps + d[:, 1] + 1], axis=1)
    return scores, np.clip(bboxes, 0, seq_len).round().astype(np.int32)


def nms(scores: np.ndarray, bboxes: np.ndarray, threshold: float) -> tuple[np.ndarray, np.ndarray]:
    """1-D non-maximum suppression: empty proposals dropped, then repeatedly keep the best
    one (ties: the later proposal first, as a reversed stable argsort gives) and drop every
    proposal overlapping it with IoU >= ``threshold``."""
    valid = bboxes[:, 0] < bboxes[:, 1]
    scores, bboxes = scores[valid], bboxes[valid]
    order = scores.argsort()[::-1]
    scores, bboxes = scores[order], bboxes[order]
    kept_scores, kept = [], []
    while len(bboxes):
        kept_scores.append(scores[0])
        kept.append(bboxes[0])
        keep = iou_lr(bboxes, bboxes[0]) < threshold
        scores, bboxes = scores[keep], bboxes[keep]
    return np.asarray(kept_scores, dtype=scores.dtype), np.asarray(
        kept, dtype=bboxes.dtype
    ).reshape(-1, 2)


def iou_lr(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """IoU of ``[left, right)`` segments, row by row (``b`` may be one segment), in the
    inputs' dtype as the official code computes it: a negative overlap counts 0, and an
    empty union counts 1e-6 (0 for integer segments)."""
    a, b = np.atleast_2d(a), np.atleast_2d(b)
    inter = np.minimum(a[:, 1], b[:, 1]) - np.maximum(a[:, 0], b[:, 0])
    union = np.maximum(a[:, 1], b[:, 1]) - np.minimum(a[:, 0], b[:, 0])
    inter = np.where(inter < 0, inter.dtype.type(0), inter)
    union = np.where(union <= 0, union.dtype.type(1e-6), union)
    return inter / union


def proposal_step_scores(seq_len: int, scores: np.ndarray, bboxes: np.ndarray) -> np.ndarray:
    """Each step's score: the highest-scoring kept proposal that covers it (0 if none)."""
    out = np.zeros(seq_len, dtype=np.float32)
    for (lo, hi), value in zip(bboxes, scores, strict=True):
        out[lo:hi] = np.maximum(out[lo:hi], value)
    return out
