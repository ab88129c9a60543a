"""Evaluation during training: a fold's references are prepared once, then every epoch's
test (and validation) scores are evaluated with the fast protocol.

What an epoch produces is a flat record (``test_kendall``, ``val_spearman``, ...) that the
epoch-selection rule (`vsumbench.runner.selection`) reads and ``result.json`` stores.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from vsumbench.protocol import Evaluation, evaluate, make_references
from vsumbench.runner.benchmark import Benchmark
from vsumbench.runner.folds import FoldPlan
from vsumbench.runner.loop import score_finite

__all__ = ["EpochScores", "FoldEvaluator", "metrics", "per_video"]


def metrics(evaluation: Evaluation, prefix: str) -> dict[str, float | None]:
    """``{prefix_kendall, prefix_spearman, prefix_f1}`` of one evaluation."""
    return {
        f"{prefix}_kendall": _float(evaluation.kendall),
        f"{prefix}_spearman": _float(evaluation.spearman),
        f"{prefix}_f1": _float(evaluation.f1),
    }


def per_video(evaluation: Evaluation) -> dict[str, dict[str, Any]]:
    """``{key: {kendall, spearman, f1[, flags]}}`` of one evaluation."""
    return {key: score.to_dict() for key, score in evaluation.per_video.items()}


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


@dataclass(frozen=True)
class EpochScores:
    """One epoch's metrics record and the test scores behind it."""

    record: dict[str, float | None]
    test_scores: dict[str, np.ndarray]
    test: Evaluation


class FoldEvaluator:
    """Scores and evaluates a fold's test and validation videos after each epoch."""

    def __init__(self, bench: Benchmark, plan: FoldPlan, name: str, objective: Any) -> None:
        self._features = bench.features
        self._name, self._objective = name, objective
        self.test_keys, self.val_keys = list(plan.test_keys), list(plan.val_keys)
        self._test = self._references(bench, self.test_keys)
        self._val = self._references(bench, self.val_keys) if self.val_keys else None

    @staticmethod
    def _references(bench: Benchmark, keys: Sequence[str]) -> Mapping[str, Any]:
        videos = {k: bench.videos[k] for k in keys}
        return make_references(videos, bench.dataset, bench.annotations)

    def _scores(self, model: torch.nn.Module, keys: Sequence[str], epoch: int):
        features = {k: self._features[k] for k in keys}
        return score_finite(model, features, self._name, epoch, self._objective)

    def epoch(self, model: torch.nn.Module, epoch: int) -> EpochScores:
        """Evaluate the model as it is after ``epoch``."""
        test_scores = self._scores(model, self.test_keys, epoch)
        test = evaluate(test_scores, self._test)
        record = metrics(test, "test")
        if self._val is not None:
            record.update(
                metrics(evaluate(self._scores(model, self.val_keys, epoch), self._val), "val")
            )
        return EpochScores(record, test_scores, test)
