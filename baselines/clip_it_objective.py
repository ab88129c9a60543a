"""CLIP-It's training objectives (the `Objective` API; the runner does not know the model).

* ``paper`` (supervised, the paper's): weighted binary cross-entropy of the frame scores
  against keyshot labels (the protocol's 15 % keyshot summary of ``gtscore`` read at each
  step; positives weighted by negatives / positives of the video), plus a diversity loss
  (mean pairwise cosine similarity of the reconstructed features) and a reconstruction loss
  (a 1x1 convolution from the transformer's output back to the prepared image features, MSE).
* ``unsupervised`` (the paper's unsupervised variant): diversity and reconstruction only.
* ``port-mse``: ModelScope's port, MSE of the scores to ``gtscore``.

Ours, where neither the paper's text available here nor the port says: the loss weights
(classification 1, diversity 0.1, reconstruction 0.1; model options ``w_class``, ``w_div``,
``w_rec``), and that the reconstruction is made from the transformer's outputs weighted by
the frame scores, so that the unsupervised losses reach the scores.
"""

from __future__ import annotations

from typing import Any

from vsumbench.models import Objective, check_scores, keyshot_labels

__all__ = ["LOSSES", "ClipItObjective"]

LOSSES = ("paper", "unsupervised", "port-mse")


class ClipItObjective(Objective):
    """Reads the loss kind and weights from the module (its factory's options)."""

    name = "clip-it"

    def target(self, video: Any, device: Any) -> Any:
        import torch

        labels = torch.as_tensor(keyshot_labels(video), dtype=torch.float32, device=device)
        return {"labels": labels, "gtscore": torch.as_tensor(video.gtscore, device=device)}

    def _forward(self, model: Any, x: Any) -> Any:
        return check_scores(model(x["features_clip_image"], x.get("features_clip_txt")))

    def scores(self, model: Any, features: Any) -> Any:
        return self._forward(model, features)

    def loss(self, model: Any, features: Any, target: Any) -> Any:
        import torch.nn.functional as F

        scores = self._forward(model, features)
        kind = getattr(model, "loss_kind", "paper")
        if kind == "port-mse":
            return F.mse_loss(scores, target["gtscore"].to(scores.dtype))
        w = getattr(model, "loss_weights", (1.0, 0.1, 0.1))
        diversity, reconstruction = _unsupervised_terms(model, features, scores)
        total = w[1] * diversity + w[2] * reconstruction
        if kind == "paper":
            total = total + w[0] * _weighted_bce(scores, target["labels"])
        return total


def _weighted_bce(scores: Any, labels: Any) -> Any:
    import torch
    import torch.nn.functional as F

    positives = labels.sum()
    negatives = labels.numel() - positives
    weight = torch.where(labels > 0, negatives / positives.clamp(min=1), torch.ones_like(labels))
    return F.binary_cross_entropy(scores.clamp(1e-6, 1 - 1e-6), labels, weight=weight)


def _unsupervised_terms(model: Any, features: Any, scores: Any) -> tuple[Any, Any]:
    """(diversity, reconstruction) from the transformer's output of the last forward pass."""
    import torch
    import torch.nn.functional as F

    from baselines.clip_it import prepare_image

    hidden = model.last_hidden[0] * scores[:, None]  # (T, d_model), weighted by the scores
    rebuilt = model.reconstruct(hidden.T.unsqueeze(0))[0].T  # 1x1 convolution: (T, in_dim)
    reconstruction = F.mse_loss(rebuilt, prepare_image(features["features_clip_image"]))
    unit = F.normalize(rebuilt, dim=1)
    similarity = unit @ unit.T
    n = similarity.shape[0]
    off = similarity.sum() - torch.diagonal(similarity).sum()
    diversity = off / max(n * (n - 1), 1)
    return diversity, reconstruction
