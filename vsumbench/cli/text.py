"""A GitHub pipe table without tabulate, for the commands that must start fast.

tabulate's import costs about 20 ms, a tenth of ``vsumbench evaluate``'s whole run; the
evaluation tables are small, and this is all they need.
"""

from __future__ import annotations

from collections.abc import Sequence


def pipe_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """Rows under headers, the first column left-aligned and the others right-aligned.

    >>> print(pipe_table(["video", "tau"], [["v1", "0.1000"], ["mean", "-"]]))
    | video |    tau |
    |-------|--------|
    | v1    | 0.1000 |
    | mean  |      - |
    """
    cells = [[str(c) for c in headers], *([str(c) for c in row] for row in rows)]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]

    def line(row: list[str]) -> str:
        parts = [row[i].ljust(w) if i == 0 else row[i].rjust(w) for i, w in enumerate(widths)]
        return "| " + " | ".join(parts) + " |"

    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(cells[0]), rule, *(line(row) for row in cells[1:])])
