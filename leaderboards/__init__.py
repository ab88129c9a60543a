"""Published reference numbers (the CSTA paper's Tables 1-3) and generated leaderboards.

The ``paper_table*.csv`` files are the paper's printed figures, kept as package data so
``vsumbench table`` can put measured rows beside them with no network and no ../shared.
Regenerate ``generated/`` with ``bash leaderboards/regenerate.sh``.
"""

from __future__ import annotations

import csv
from importlib import resources
from typing import Any

PAPER_TABLES = {
    1: "paper_table1.csv",  # tau/rho per dataset, with the paper's Rank
    2: "paper_table2.csv",  # CSTA ablation, one module added per row
    3: "paper_table3.csv",  # FE/SP GMACs (G = 2^30) and the Rank of Table 1
    # Mr.HiSum's paper: F1, mAP@50, mAP@15 in percent, with their source
    "mrhisum": "paper_mrhisum.csv",
    # F1 (percent) per dataset and setting as the CLIP-It paper prints it, with its source
    "settings": "paper_settings.csv",
}


def _value(text: str) -> Any:
    """Numbers as floats, empty cells as None, labels as strings."""
    if text == "":
        return None
    try:
        return float(text)
    except ValueError:
        return text


def paper_table(number: int | str) -> list[dict[str, Any]]:
    """Rows of the paper's Table ``number`` (1, 2 or 3; ``"mrhisum"``: Mr.HiSum's paper),
    numbers as floats, blanks as None."""
    if number not in PAPER_TABLES:
        raise ValueError(f"published tables: {', '.join(map(str, PAPER_TABLES))}; got {number!r}")
    text = resources.files(__name__).joinpath(PAPER_TABLES[number]).read_text()
    return [{k: _value(v) for k, v in row.items()} for row in csv.DictReader(text.splitlines())]
