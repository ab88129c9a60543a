"""The Rank column of Tables 1 and 3 (``docs/protocol.md`` section 8).

Per dataset, every method (Human and Random excluded) is ranked by Kendall's tau and,
separately, by Spearman's rho, highest first, with competition ranking (ties share the best
rank: 1, 2, 2, 4); Rank is the mean of the two. Values are compared at the precision the
table prints (3 decimals), so two rows that look tied are tied. Fed the paper's own numbers
this reproduces every printed rank.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from vsumbench.numbers import finite_or_none

UNRANKED = ("Human", "Random")
DECIMALS = 3


def competition_rank(
    values: Sequence[float | None], *, decimals: int | None = DECIMALS
) -> list[int | None]:
    """Standard competition ranks, highest value first; missing values get None.

    >>> competition_rank([0.3, 0.2, 0.2, 0.1])
    [1, 2, 2, 4]
    """
    cleaned = [finite_or_none(v) for v in values]
    if decimals is not None:
        cleaned = [round(v, decimals) if v is not None else None for v in cleaned]
    present = [v for v in cleaned if v is not None]
    return [None if v is None else 1 + sum(1 for w in present if w > v) for v in cleaned]


def dataset_ranks(
    rows: Sequence[Mapping[str, Any]],
    dataset: str,
    *,
    method_key: str = "method",
    unranked: Sequence[str] = UNRANKED,
    decimals: int | None = DECIMALS,
) -> list[float | None]:
    """Rank of every row on ``dataset`` (mean of its tau rank and rho rank).

    ``rows`` carry ``{dataset}_kendall`` and ``{dataset}_spearman``. Rows named in
    ``unranked`` and rows without both numbers get None and do not take part.
    """
    taus: list[float | None] = []
    rhos: list[float | None] = []
    for row in rows:
        tau = finite_or_none(row.get(f"{dataset}_kendall"))
        rho = finite_or_none(row.get(f"{dataset}_spearman"))
        if row.get(method_key) in unranked or tau is None or rho is None:
            tau = rho = None
        taus.append(tau)
        rhos.append(rho)
    tau_ranks = competition_rank(taus, decimals=decimals)
    rho_ranks = competition_rank(rhos, decimals=decimals)
    return [
        None if a is None or b is None else (a + b) / 2
        for a, b in zip(tau_ranks, rho_ranks, strict=True)
    ]


def add_ranks(
    rows: Sequence[dict[str, Any]],
    datasets: Sequence[str] = ("summe", "tvsum"),
    **kwargs: Any,
) -> list[dict[str, Any]]:
    """Set ``{dataset}_rank`` on every row (in place) and return the rows."""
    for dataset in datasets:
        for row, rank in zip(rows, dataset_ranks(rows, dataset, **kwargs), strict=True):
            row[f"{dataset}_rank"] = rank
    return list(rows)


def format_rank(rank: float | None) -> str:
    """``1``, ``2.5``, or ``-`` as the paper prints it."""
    if rank is None:
        return "-"
    return str(int(rank)) if float(rank).is_integer() else f"{rank:g}"
