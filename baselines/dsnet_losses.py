"""DSNet anchor-free training: targets from keyshot step labels, and its three losses.

A step inside a key segment is positive; its location target is its distance to the
segment's first and last step, its centerness target ``min / max`` of those distances. The
loss is focal loss on the scores (alpha 0.25, gamma 2, summed and divided by the number of
positives), soft-IoU on the positives' distances, and binary cross-entropy on the
positives' centerness, added with weights 1 (the official ``--lambda-reg``/``--lambda-ctr``).
Equal to the official losses (tests/test_dsnet.py, one training step).
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

__all__ = ["af_loss", "af_targets", "focal_loss", "key_segments"]


def key_segments(labels: np.ndarray) -> np.ndarray:
    """``[first, last + 1)`` of every run of positive steps, as int32 (K, 2)."""
    positive = np.asarray(labels).astype(bool)
    edges = np.diff(np.concatenate([[0], positive.astype(np.int8), [0]]))
    return np.stack([np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)], axis=1).astype(
        np.int32
    )


def af_targets(labels: np.ndarray, eps: float = 1e-8) -> tuple[np.ndarray, np.ndarray]:
    """Per-step (left, right) distances to the key segment's ends, and centerness (0 outside)."""
    n = len(labels)
    distances = np.zeros((n, 2), dtype=np.float32)
    steps = np.arange(n, dtype=np.float32)
    for lo, hi in key_segments(labels):
        distances[lo:hi, 0] = steps[lo:hi] - lo
        distances[lo:hi, 1] = hi - 1 - steps[lo:hi]
    positive = np.asarray(labels).astype(bool)
    centerness = np.zeros(n, dtype=np.float32)
    left, right = distances[positive, 0], distances[positive, 1]
    centerness[positive] = np.minimum(left, right) / (np.maximum(left, right) + eps)
    return distances, centerness


def focal_loss(
    p: torch.Tensor, labels: torch.Tensor, alpha: float = 0.25, gamma: float = 2
) -> torch.Tensor:
    """Summed binary focal loss of probabilities ``p`` against 0/1 ``labels`` (both classes
    scored, as the official two-column form)."""
    both = torch.stack([1 - p, p], dim=-1)
    t = F.one_hot(labels.long(), 2).to(p.dtype)
    p_t = both * t + (1 - both) * (1 - t)
    alpha_t = alpha * t + (1 - alpha) * (1 - t)
    return (-alpha_t * (1 - p_t).pow(gamma) * p_t.log()).sum()


def af_loss(
    score: torch.Tensor,
    distances: torch.Tensor,
    centerness: torch.Tensor,
    labels: np.ndarray,
    eps: float = 1e-8,
) -> dict[str, torch.Tensor]:
    """``{"cls", "loc", "ctr", "loss"}`` for one video's outputs and 0/1 step labels."""
    want_loc, want_ctr = (torch.from_numpy(a).to(score.device) for a in af_targets(labels))
    cls_label = torch.as_tensor(np.asarray(labels), dtype=torch.float32, device=score.device)
    positive = cls_label.bool()
    cls = focal_loss(score, cls_label) / cls_label.long().sum()
    a, b = distances[positive], want_loc[positive]
    inter = (torch.minimum(a[:, 0], b[:, 0]) + torch.minimum(a[:, 1], b[:, 1])).clamp(min=0)
    union = a.sum(1) + b.sum(1) - inter
    union = torch.where(union <= 0, torch.full_like(union, eps), union)
    loc = -torch.log(inter / union + eps).mean()
    ctr = F.binary_cross_entropy(centerness[positive], want_ctr[positive])
    return {"cls": cls, "loc": loc, "ctr": ctr, "loss": cls + loc + ctr}
