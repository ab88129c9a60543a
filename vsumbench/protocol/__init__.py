"""The evaluation protocol (docs/protocol.md sections 3-5), torch-free.

Step scores -> keyshot summary (`keyshot_summary`, exact `knapsack`) -> F1 against user
summaries (`f1_score`); Kendall's tau-b and Spearman's rho against many references at once
(`rank_correlations`); `evaluate` ties them together under a registered dataset's rules (`DatasetSpec`); `human_row` and
`random_row` give the reference rows of Table 1. The rule for constant vectors is in
`vsumbench.protocol.rank`.
"""

from vsumbench.datasets import DatasetSpec, get_dataset, list_datasets, register_dataset
from vsumbench.protocol.evaluate import (
    Evaluation,
    VideoReference,
    VideoScore,
    check_prediction,
    evaluate,
    make_reference,
    make_references,
    score_video,
)
from vsumbench.protocol.f1 import f1_per_user, f1_score
from vsumbench.protocol.human import human_row, human_video, random_row, random_scores
from vsumbench.protocol.keyshot import frame_scores, keyshot_summary, shot_scores
from vsumbench.protocol.knapsack import knapsack
from vsumbench.protocol.rank import (
    UNDEFINED,
    Correlations,
    dense_levels,
    kendall_tau_b,
    pairwise_rank_correlations,
    rank_correlations,
    spearman_rho,
)

__all__ = [
    "UNDEFINED",
    "Correlations",
    "DatasetSpec",
    "Evaluation",
    "VideoReference",
    "VideoScore",
    "check_prediction",
    "dense_levels",
    "evaluate",
    "f1_per_user",
    "f1_score",
    "get_dataset",
    "list_datasets",
    "register_dataset",
    "frame_scores",
    "human_row",
    "human_video",
    "kendall_tau_b",
    "keyshot_summary",
    "knapsack",
    "make_reference",
    "make_references",
    "pairwise_rank_correlations",
    "random_row",
    "random_scores",
    "rank_correlations",
    "score_video",
    "shot_scores",
    "spearman_rho",
]
