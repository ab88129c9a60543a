"""A `Table` as text: Markdown, LaTeX, CSV or JSON, with its provenance, and every table
written to a folder. Cells print the same everywhere (`format_cell`), the report site's too.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from vsumbench.report.ranking import format_rank
from vsumbench.report.tables import Column, Table

FORMATS = ("md", "latex", "csv", "json")


def format_cell(row: Mapping[str, Any], col: Column, pm: str) -> str:
    """A cell as every output prints it (Markdown, LaTeX, the report site); ``pm`` joins a
    mean and its spread."""
    value = row.get(col.key)
    if col.kind == "rank":
        prefix = "s" if value is not None and row.get("rank_scale") == "synthetic" else ""
        return prefix + format_rank(value)
    if value is None or value == "" or (isinstance(value, float) and not math.isfinite(value)):
        return "-"
    if col.kind == "corr":
        text = f"{float(value):.3f}"
        std = row.get(f"{col.key}_std")
        return f"{text} {pm} {float(std):.3f}" if std is not None else text
    if col.kind == "gmacs":
        return f"{float(value):.2f}"
    if col.kind == "int":
        return str(int(value))
    return str(value)


def _latex_escape(text: str) -> str:
    for char, repl in (
        ("\\", r"\textbackslash{}"),
        ("&", r"\&"),
        ("%", r"\%"),
        ("_", r"\_"),
        ("#", r"\#"),
    ):
        text = text.replace(char, repl)
    return text


def _csv_value(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return " ".join(str(v) for v in value)
    return "" if value is None else value


def render(table: Table, fmt: str) -> str:
    """The table as ``md``, ``latex``, ``csv`` or ``json`` text (raw values in csv/json)."""
    if fmt == "json":
        import json

        from vsumbench.atomic import json_safe

        payload = {
            "table": table.number,
            "title": table.title,
            "meta": table.meta,
            "notes": table.notes,
            "columns": [c.key for c in table.columns],
            "rows": table.rows,
        }
        return json.dumps(json_safe(payload), indent=2, allow_nan=False) + "\n"
    if fmt == "csv":
        import csv
        import io

        keys = list(
            dict.fromkeys([c.key for c in table.columns] + [k for r in table.rows for k in r])
        )
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=keys, lineterminator="\n")
        writer.writeheader()
        for row in table.rows:
            writer.writerow({k: _csv_value(row.get(k)) for k in keys})
        return buf.getvalue()
    if fmt == "md":
        from tabulate import tabulate

        body = tabulate(
            [[format_cell(r, c, "±") for c in table.columns] for r in table.rows],
            headers=[c.header for c in table.columns],
            tablefmt="github",
            disable_numparse=True,
        )
        header = [f"## {table.title}", ""]
        header += [f"> {line}" for line in _provenance(table.meta)]
        if table.meta:
            header.append("")
        notes = [""] + [f"- {n}" for n in table.notes]
        return "\n".join(header + [body] + notes) + "\n"
    if fmt == "latex":
        cols = "l" * len(table.columns)
        lines = [
            f"% {table.title}",
            *[f"% {line}" for line in _provenance(table.meta)],
            f"\\begin{{tabular}}{{{cols}}}",
            "\\toprule",
            " & ".join(
                _latex_escape(c.header).replace("tau", r"$\tau$").replace("rho", r"$\rho$")
                for c in table.columns
            )
            + r" \\",
            "\\midrule",
        ]
        for row in table.rows:
            cells = [
                _latex_escape(format_cell(row, c, "PLUSMINUS")).replace("PLUSMINUS", r"$\pm$")
                for c in table.columns
            ]
            lines.append(" & ".join(cells) + r" \\")
        lines += ["\\bottomrule", "\\end{tabular}"]
        lines += [f"% {_latex_escape(n)}" for n in table.notes]
        return "\n".join(lines) + "\n"
    raise ValueError(f"unknown table format {fmt!r}; expected one of {', '.join(FORMATS)}")


def _provenance(meta: Mapping[str, Any]) -> list[str]:
    order = ("generated_by", "command", "results", "measured_data", "selections", "generated_at")
    return [f"{k.replace('_', ' ')}: {meta[k]}" for k in order if meta.get(k) not in (None, "")]


def write_all(tables: Mapping[int | str, Table], out_dir: str | Path) -> list[Path]:
    """Write every table as md, csv and json under ``out_dir`` (each file atomically)."""
    from vsumbench.atomic import atomic_path

    out = Path(out_dir)
    written = []
    for number, table in sorted(tables.items(), key=lambda item: str(item[0])):
        for fmt in ("md", "csv", "json"):
            stem = f"table{number}" if isinstance(number, int) else f"table-{number}"
            path = out / f"{stem}.{fmt}"
            with atomic_path(path) as tmp:
                tmp.write_text(render(table, fmt))
            written.append(path)
    return written
