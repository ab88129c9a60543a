"""DSNet training: targets from keyshot step labels, and the losses of both variants.

Anchor-free: a step inside a key segment is positive; its location target is its distance
to the segment's first and last step, its centerness target ``min / max`` of those
distances. The loss is focal loss on the scores (alpha 0.25, gamma 2, summed and divided by
the number of positives), soft-IoU on the positives' distances, and binary cross-entropy on
the positives' centerness, added with weights 1 (the official ``--lambda-reg``/``--lambda-ctr``).

Anchor-based: an anchor is positive when its IoU with a key segment is above 0.6 (its
offset target: that segment's centre and log-width relative to the anchor); negatives are
drawn at random, twice as many as the positives, among anchors that overlap no segment, and
as many again among anchors overlapping one by at most 0.3 ("incomplete" ones). The loss is
the mean of the positives' and the negatives' cross-entropy plus smooth-L1 on the
positives' offsets. The random draws use the generator given (the official code shuffles
with numpy's global one; the same seed gives the same draws).

Equal to the official targets and losses (tests/test_dsnet.py, training steps).
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

__all__ = ["ab_loss", "ab_targets", "af_loss", "af_targets", "focal_loss", "key_segments"]


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


def ab_targets(
    labels: np.ndarray,
    anchor_scales: tuple[int, ...],
    rng: np.random.RandomState,
    *,
    positive_iou: float = 0.6,
    negative_iou: float = 0.0,
    incomplete_iou: float = 0.3,
    negative_ratio: float = 2.0,
    incomplete_ratio: float = 1.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Per anchor (T, S): class 1 / -1 / 0 (positive, negative, ignored), and offsets (T, S, 2)."""
    segments = key_segments(labels).astype(np.float32)
    targets = np.stack([segments.mean(1), segments[:, 1] - segments[:, 0]], axis=1)  # centre, width
    t, s = len(labels), len(anchor_scales)
    anchors = np.stack(
        [
            np.repeat(np.arange(t, dtype=np.int32), s),
            np.tile(np.asarray(anchor_scales, np.int32), t),
        ],
        axis=1,
    )
    cls, loc = _matches(anchors, targets, positive_iou)
    n_pos = int(cls.sum())
    negative = _draw_negatives(
        _matches(anchors, targets, negative_iou)[0], int(negative_ratio * n_pos), rng
    )
    incomplete = _matches(anchors, targets, incomplete_iou)[0]
    incomplete[negative != 1] = 1  # as the official code: only anchors that overlap a segment
    incomplete = _draw_negatives(incomplete, int(incomplete_ratio * n_pos), rng)
    cls[(negative == -1) | (incomplete == -1)] = -1
    return cls.reshape(t, s), loc.reshape(t, s, 2)


def _cw_to_lr(cw: np.ndarray) -> np.ndarray:
    cw = np.asarray(cw, dtype=np.float32)
    return np.stack([cw[:, 0] - cw[:, 1] / 2, cw[:, 0] + cw[:, 1] / 2], axis=1)


def _matches(
    anchors: np.ndarray, targets: np.ndarray, threshold: float
) -> tuple[np.ndarray, np.ndarray]:
    """Anchors with IoU above ``threshold`` with some target (1), and their offset targets
    (centre offset in anchor widths, log width ratio; a later target overwrites)."""
    from baselines.dsnet import iou_lr

    cls = np.zeros(len(anchors), dtype=np.int32)
    loc = np.zeros((len(anchors), 2))
    anchors_lr = _cw_to_lr(anchors)
    for target in targets:
        hit = iou_lr(anchors_lr, _cw_to_lr(target[None])) > threshold
        cls[hit] = 1
        centre, width = anchors[hit, 0], anchors[hit, 1]
        loc[hit] = np.stack([(target[0] - centre) / width, np.log(target[1] / width)], axis=1)
    return cls, loc


def _draw_negatives(cls: np.ndarray, count: int, rng: np.random.RandomState) -> np.ndarray:
    """Mark ``count`` anchors drawn at random among the unlabelled ones as -1."""
    out = cls.copy()
    out[out < 0] = 0
    candidates = np.flatnonzero(out == 0)
    rng.shuffle(candidates)
    out[candidates[:count]] = -1
    return out


def ab_loss(
    score: torch.Tensor, offsets: torch.Tensor, cls: np.ndarray, loc: np.ndarray
) -> dict[str, torch.Tensor]:
    """``{"cls", "loc", "loss"}`` for one video's anchor outputs and `ab_targets`."""
    label = torch.as_tensor(cls, dtype=torch.float32, device=score.device)
    want = torch.as_tensor(loc, dtype=torch.float32, device=score.device)
    positive = label.eq(1)
    loc_loss = F.smooth_l1_loss(offsets[positive], want[positive])
    p = score.reshape(-1)
    flat = label.reshape(-1)

    def cross_entropy(mask: torch.Tensor, target: int) -> torch.Tensor:
        q = p[mask].unsqueeze(-1)
        both = torch.cat([1 - q, q], dim=-1).log()
        return F.nll_loss(
            both, torch.full((q.shape[0],), target, dtype=torch.long, device=p.device)
        )

    cls_loss = (cross_entropy(flat.eq(1), 1) + cross_entropy(flat.eq(-1), 0)) * 0.5
    return {"cls": cls_loss, "loc": loc_loss, "loss": cls_loss + loc_loss}
