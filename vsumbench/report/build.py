"""Every table the toolkit makes, from one result store: ``build_tables`` reads the store
once, aggregates it, and stamps each table with where its numbers came from.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from vsumbench.report.f1_tables import mrhisum_rows, settings_rows, table_mrhisum, table_settings
from vsumbench.report.tables import (
    Table,
    aggregate,
    load_results,
    model_macs_rows,
    table1,
    table2,
    table3,
)


def provenance(
    measured: Sequence[Mapping[str, Any]], *, results: str | None, command: str | None
) -> dict[str, Any]:
    """Where the numbers came from: data kind, selections, inits, command, results dir."""
    import datetime

    import vsumbench

    data = sorted({r["data"] for r in measured})
    return {
        "generated_by": f"vsumbench {vsumbench.__version__}",
        "command": command,
        "results": results,
        "measured_data": ", ".join(data) if data else "none (published rows only)",
        "selections": ", ".join(
            sorted({f"{r['selection']}-{r['backbone_init']}" for r in measured})
        )
        or "-",
        "generated_at": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    }


def build_tables(
    results_dir: str | Path | None,
    numbers: Sequence[int | str] = (1, 2, 3),
    *,
    command: str | None = None,
    macs_rows: Callable[[], list[dict[str, Any]]] = model_macs_rows,
) -> dict[int, Table]:
    """Build the requested tables from ``results_dir`` (None: published rows only)."""
    found = load_results(results_dir) if results_dir is not None else []
    measured = aggregate(found)
    meta = provenance(measured, results=str(results_dir) if results_dir else None, command=command)
    tables: dict[int | str, Table] = {}
    for name in (n for n in numbers if isinstance(n, str)):  # a one-split dataset's table
        tables[name] = (table_settings(settings_rows(found)) if name == "settings"
                        else table_mrhisum(mrhisum_rows(found, name)))  # fmt: skip
    t1 = table1(measured)
    if 1 in numbers:
        tables[1] = t1
    if 2 in numbers:
        tables[2] = table2(measured)
    if 3 in numbers:
        tables[3] = table3(macs_rows(), t1.rows)
    for table in tables.values():
        table.meta = dict(meta)
    for name in (n for n in tables if isinstance(n, str)):  # its rows say what data they are
        own = [r for r in tables[name].rows if r["source"] == "measured"]
        where = str(results_dir) if results_dir else None
        tables[name].meta = provenance(own, results=where, command=command)
    return {n: tables[n] for n in numbers if n in tables}  # in the order asked for
