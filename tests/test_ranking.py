"""The Rank column: competition ranking by tau and by rho, mean of the two (protocol.md s.8)."""

from __future__ import annotations

import pytest

from leaderboards import paper_table
from vsumbench.report.ranking import add_ranks, competition_rank, dataset_ranks, format_rank


def test_competition_rank_ties_share_the_best_rank() -> None:
    assert competition_rank([0.3, 0.2, 0.2, 0.1]) == [1, 2, 2, 4]
    assert competition_rank([0.1, None, 0.5, float("nan")]) == [2, None, 1, None]
    # compared at the printed precision: 0.2004 and 0.1996 both print 0.200
    assert competition_rank([0.2004, 0.1996, 0.3]) == [2, 2, 1]
    assert competition_rank([0.2004, 0.1996], decimals=None) == [1, 2]


@pytest.mark.parametrize("dataset", ["summe", "tvsum"])
def test_reproduces_every_printed_rank_of_table1(dataset: str) -> None:
    rows = paper_table(1)
    computed = dataset_ranks(rows, dataset)
    printed = [row[f"{dataset}_rank"] for row in rows]
    assert computed == printed  # None where the paper prints none (Human, Random, no numbers)
    assert sum(r is not None for r in computed) == {"summe": 16, "tvsum": 22}[dataset]


def test_table3_ranks_are_table1_ranks() -> None:
    ranks1 = {r["method"]: (r["summe_rank"], r["tvsum_rank"]) for r in paper_table(1)}
    for row in paper_table(3):
        assert (row["summe_rank"], row["tvsum_rank"]) == ranks1[row["method"]]


def test_add_ranks_excludes_human_and_random() -> None:
    rows = [
        {"method": "Human", "summe_kendall": 0.9, "summe_spearman": 0.9},
        {"method": "A", "summe_kendall": 0.2, "summe_spearman": 0.1},
        {"method": "B", "summe_kendall": 0.1, "summe_spearman": 0.3},
        {"method": "C", "summe_kendall": 0.1, "summe_spearman": None},
    ]
    add_ranks(rows, datasets=("summe",))
    assert [r["summe_rank"] for r in rows] == [None, 1.5, 1.5, None]
    assert [format_rank(r) for r in (1.0, 2.5, None)] == ["1", "2.5", "-"]
