"""Tables 1-3 of the CSTA paper, regenerated: measured rows beside the published ones.

Measured rows come from the runner's ``result.json`` files (docs/architecture.md, results
layout), grouped by model, epoch selection, backbone init and data (real or synthetic):
mean over folds within a seed, then mean +- sample std over seeds. Every measured row says
which selection, init and data it used, because a test-set-selected number on synthetic data
is not the same claim as an honest one on the real benchmark. Tau and rho are printed with
3 decimals; F1 is kept as a fraction in csv/json (tables do not print it).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vsumbench.datasets import benchmark_datasets
from vsumbench.errors import DataError
from vsumbench.report.ranking import UNRANKED, add_ranks, format_rank
from vsumbench.report.summary import mean_std, seed_means
from vsumbench.runner.result import METRICS, RunResult

FORMATS = ("md", "latex", "csv", "json")
#: The registry label that places a model on a row of Table 2 (see `register_summarizer`).
TABLE2_LABEL = "table2"


def _datasets() -> list[tuple[str, str]]:
    """``(name, label)`` of every benchmark dataset: one column group each."""
    return [(s.name, s.label) for s in benchmark_datasets("table1")]


def display_name(model: str) -> str:
    """The registry's display name of a model (its row name); the name if unregistered."""
    from vsumbench.errors import ConfigError
    from vsumbench.models import get_spec

    try:
        return get_spec(model).label
    except ConfigError:
        return model


def table2_steps() -> dict[str, str]:
    """Registered model -> the Table 2 row it measures (registry metadata)."""
    from vsumbench.models import get_spec, list_summarizers

    steps = {name: get_spec(name).labels.get(TABLE2_LABEL) for name in list_summarizers()}
    return {name: step for name, step in steps.items() if step}


# --------------------------------------------------------------------------- measured rows
def load_results(
    results_dir: str | Path, *, damaged: list[DataError] | None = None, **filters: Any
) -> list[RunResult]:
    """Every complete fold result under ``results_dir`` (the store's discovery).

    A result file that cannot be read (damaged, foreign, misplaced) is left out, never
    tabulated: it is appended to ``damaged``, or, without that list, named on stderr.
    """
    import sys

    from vsumbench.runner.store import discover

    root = Path(results_dir)
    if not root.is_dir():
        raise DataError(
            "results directory not found; run `vsumbench run ...` first or pass --results DIR",
            file=root,
        )
    skipped: list[DataError] = [] if damaged is None else damaged
    found = discover(root, damaged=skipped, **filters)
    if damaged is None and skipped:
        lines = [f"skipped {len(skipped)} result file(s) that cannot be read:"]
        lines += [f"  {exc}" for exc in skipped]
        sys.stderr.write("\n".join(lines) + "\n")
    return found


def _n_splits(result: RunResult) -> int:
    """Folds of the split a result belongs to (recorded since v0.1; 5 before, the field's)."""
    return int(result.config.get("n_splits", 5))


def aggregate(results: Sequence[RunResult]) -> list[dict[str, Any]]:
    """Measured Table-1 style rows: one per (model, model options, selection, init, data),
    every dataset; a variant's options label its method name (``VASNet [in_dim=512]``).

    Within a seed the fold values are averaged; across seeds mean and sample std. A fold
    whose value is missing (null) makes that seed's value missing for that metric, and the
    row's ``notes`` say so: missing values are never averaged away silently.
    """
    groups: dict[tuple, dict[str, list[RunResult]]] = {}
    columns = {ds for ds, _ in _datasets()}
    for res in results:
        if res.dataset not in columns or res.setting != "canonical":  # another table's
            continue
        data = "synthetic" if res.synthetic else "real"
        key = (res.model, res.variant, res.selection, res.init, data)
        groups.setdefault(key, {}).setdefault(res.dataset, []).append(res)

    rows = []
    for (model, variant, selection, init, data), per_ds in sorted(groups.items()):
        row: dict[str, Any] = {
            "method": display_name(model) + (f" [{variant}]" if variant else ""),
            "model": model,
            "variant": variant,
            "source": "measured",
            "selection": selection,
            "backbone_init": init,
            "data": data,
            "notes": "",
        }
        notes: list[str] = []
        seeds_seen = []
        for ds, _ in _datasets():
            folds = per_ds.get(ds, [])
            counts: dict[int, int] = {}
            for f in folds:
                counts[f.seed] = counts.get(f.seed, 0) + 1
            row[f"{ds}_n_seeds"] = len(counts)
            row[f"{ds}_n_folds"] = sorted(set(counts.values()))
            if len(row[f"{ds}_n_folds"]) > 1:
                notes.append(f"{ds}: seeds have different numbers of folds")
            expected = max((_n_splits(f) for f in folds), default=0)
            incomplete = [n for n in counts.values() if n < expected]
            row[f"{ds}_complete"] = bool(counts) and not incomplete
            if incomplete:
                notes.append(
                    f"{ds}: {min(incomplete)} of {expected} folds (incomplete, not ranked)"
                )
            if counts:
                seeds_seen.append(len(counts))
            for metric in METRICS:
                per_seed = []
                for seed, value in seed_means(folds, metric).items():
                    if value is None:
                        notes.append(f"{ds} seed {seed}: {metric} missing in a fold")
                    else:
                        per_seed.append(value)
                row[f"{ds}_{metric}"], row[f"{ds}_{metric}_std"] = mean_std(per_seed)
        row["n_seeds"] = min(seeds_seen) if seeds_seen else 0
        row["notes"] = "; ".join(dict.fromkeys(notes))
        rows.append(row)
    return rows


# --------------------------------------------------------------------------- table model
@dataclass(frozen=True)
class Column:
    key: str
    header: str
    kind: str = "text"  # text | corr | rank | gmacs | int


@dataclass
class Table:
    """A rendered-independent table: columns, rows (raw values) and provenance."""

    number: int | str
    title: str
    columns: list[Column]
    rows: list[dict[str, Any]]
    notes: list[str] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)


def _reported_row(row: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(row)
    out.update(source="reported", selection="", backbone_init="", data="real (paper)", n_seeds=None)
    for ds, _ in _datasets():
        out[f"printed_{ds}_rank"] = out.pop(f"{ds}_rank", None)
    return out


_META_COLUMNS = [
    Column("source", "Source"),
    Column("data", "Data"),
    Column("selection", "Selection"),
    Column("backbone_init", "Init"),
    Column("n_seeds", "Seeds", "int"),
]


def table1(measured: Sequence[Mapping[str, Any]] = ()) -> Table:
    """Table 1: tau/rho per dataset, published rows then measured rows, Rank over all."""
    from leaderboards import paper_table

    reported = [_reported_row(r) for r in paper_table(1)]
    rows = reported + [dict(r) for r in measured]
    rank_like_with_like(rows)
    columns = [Column("method", "Method"), Column("model", "Model"), *_META_COLUMNS]
    for ds, label in _datasets():
        columns += [
            Column(f"{ds}_kendall", f"{label} tau", "corr"),
            Column(f"{ds}_spearman", f"{label} rho", "corr"),
            Column(f"{ds}_rank", f"{label} Rank", "rank"),
        ]
    notes = [
        "tau = Kendall's tau-b, rho = Spearman's rho, 3 decimals; measured: mean over folds, "
        "then mean +- sample std over seeds.",
        f"Rank: per dataset, competition rank by tau and by rho ({' and '.join(UNRANKED)} "
        f"excluded), mean of the two, like with like: the paper's rows and rows measured on "
        f"the real files share one scale; rows measured on synthetic data are ranked among "
        f"themselves (s1, s2, ...); runs missing folds are not ranked (see their notes).",
        "Reported rows: the CSTA paper's Table 1 (real data, mean over 5 splits). Model: the "
        "registered name of a measured row (`vsumbench run MODEL`).",
        *row_notes(rows),
    ]
    return Table(1, "Table 1: rank correlation on SumMe and TVSum", columns, rows, notes)


def row_notes(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    """Each row's own notes (missing folds, values, MACs not counted) as table notes, so
    every format prints them."""
    out = []
    for row in rows:
        if row.get("notes"):
            how = ", ".join(
                str(row[k]) for k in ("selection", "backbone_init", "data") if row.get(k)
            )
            out.append(f"{row['method']}{f' ({how})' if how else ''}: {row['notes']}")
    return out


def rank_like_with_like(rows: Sequence[dict[str, Any]]) -> None:
    """Set ``{ds}_rank`` per dataset within each scale (in place): ``real`` (the paper's rows
    and complete runs on the real files) and ``synthetic`` (complete synthetic runs). A run
    missing folds on a dataset gets no rank there."""
    for ds, _ in _datasets():
        pools: dict[str, list[dict[str, Any]]] = {}
        for row in rows:
            row[f"{ds}_rank"] = None
            if row.get("source") == "measured" and not row.get(f"{ds}_complete", False):
                continue
            scale = "synthetic" if row.get("data") == "synthetic" else "real"
            row["rank_scale"] = scale
            pools.setdefault(scale, []).append(row)
        for pool in pools.values():
            add_ranks(pool, (ds,))


def table2(measured: Sequence[Mapping[str, Any]] = ()) -> Table:
    """Table 2: the CSTA ablation, the paper's steps beside the measured variants."""
    from leaderboards import paper_table

    paper_rows = paper_table(2)
    order = {row["step"]: i for i, row in enumerate(paper_rows)}
    steps = dict(sorted(table2_steps().items(), key=lambda kv: order.get(kv[1], len(order))))
    by_step: dict[str, list[dict[str, Any]]] = {}
    for row in measured:
        step = steps.get(row.get("model", ""))
        if step is not None:
            by_step.setdefault(step, []).append({**row, "step": step})
    rows = []
    for paper_row in paper_rows:
        step = paper_row["step"]
        rows.append({**_reported_row(paper_row), "model": ""})
        rows.extend(by_step.get(step, []))
    columns = [Column("step", "Step"), Column("model", "Model"), *_META_COLUMNS]
    for ds, label in _datasets():
        columns += [
            Column(f"{ds}_kendall", f"{label} tau", "corr"),
            Column(f"{ds}_spearman", f"{label} rho", "corr"),
        ]
    notes = [
        "Each step adds one module to the step above; measured rows are the registered "
        "variants " + ", ".join(f"{m} = {s}" for m, s in steps.items()) + ".",
    ]
    return Table(2, "Table 2: CSTA ablation", columns, rows, notes)


def model_macs_rows(
    models: Sequence[str] | None = None, *, progress: bool = False
) -> list[dict[str, Any]]:
    """FE/SP GMACs (paper convention, built-in real frame counts) of registered models.

    A model that cannot be counted (e.g. a plugin that refuses the meta device) gets a row
    with the error in ``notes`` instead of stopping the table.
    """
    from vsumbench.models.registry import list_summarizers

    names = list(models) if models is not None else list_summarizers()
    if progress:
        from vsumbench.progress import progress_bar

        names = progress_bar(names, desc="counting MACs", unit="model")
    rows = []
    for name in names:
        row: dict[str, Any] = {"method": display_name(name), "model": name}
        try:
            row.update(_counted_macs(name))
            row["notes"] = ""
        except Exception as exc:  # one broken plugin must not hide every other row
            row["notes"] = f"not counted: {type(exc).__name__}: {exc}"
        rows.append(row)
    return rows


def _counted_macs(name: str) -> dict[str, Any]:
    """``{ds}_fe_gmacs``, ``{ds}_sp_gmacs`` and ``params`` of a model, counted once and
    kept on disk (`disk_cache`), keyed by the model's code: counting 19 models takes ~20 s."""
    import json

    from vsumbench.atomic import write_json
    from vsumbench.data.disk_cache import cache_file, code_identity
    from vsumbench.models import get_spec
    from vsumbench.models.macs import dataset_macs

    spec = get_spec(name)
    code = code_identity(spec.module, "vsumbench")
    cache = cache_file("macs", name, spec.module, code, 1, suffix=".json")
    try:
        return json.loads(cache.read_text(encoding="utf-8"))
    except (OSError, ValueError):  # none yet, or damaged: count again
        pass
    out: dict[str, Any] = {}
    for ds, _ in _datasets():
        counted = dataset_macs(name, ds, convention="paper")
        out[f"{ds}_fe_gmacs"] = counted.fe_gmacs
        out[f"{ds}_sp_gmacs"] = counted.sp_gmacs
        out["params"] = counted.params
    try:
        write_json(cache, out)
    except OSError:
        pass  # a read-only cache: count again next time
    return out


def table3(
    macs_rows: Sequence[Mapping[str, Any]], table1_rows: Sequence[Mapping[str, Any]] = ()
) -> Table:
    """Table 3: MACs per video (G = 2^30) with the Rank of Table 1, on one scale: Table 1's
    real-data ranks (the paper's rows and runs on the real files).

    A paper row takes its Table 1 rank (as printed while no real run outranks it); a counted
    model takes the best real-data rank among its measured rows (``rank_from`` says which);
    synthetic runs give no rank here.
    """
    from leaderboards import paper_table

    real = [r for r in table1_rows if r.get("rank_scale") == "real"]
    reported_t1 = {r["method"]: r for r in real if r.get("source") == "reported"}
    rows = [_reported_row(r) for r in paper_table(3)]
    for row in rows:
        t1 = reported_t1.get(row["method"])
        for ds, _ in _datasets():
            printed = row.pop(f"printed_{ds}_rank")
            row[f"{ds}_rank"] = t1.get(f"{ds}_rank") if t1 is not None else printed
        row["rank_from"] = "Table 1 (paper row)"
    for macs in macs_rows:
        row = {
            **macs,
            "source": "measured (MACs)",
            "data": "",
            "selection": "",
            "backbone_init": "",
        }
        candidates = [
            r for r in real if r.get("source") == "measured" and r.get("model") == macs["model"]
        ]
        labels = []
        for ds, _ in _datasets():
            ranked = [r for r in candidates if r.get(f"{ds}_rank") is not None]
            best = min(ranked, key=lambda r: r[f"{ds}_rank"], default=None)
            row[f"{ds}_rank"] = best[f"{ds}_rank"] if best else None
            if best:
                labels.append(f"{ds}: {best['selection']}-{best['backbone_init']}, {best['data']}")
        row["rank_from"] = "; ".join(labels)
        rows.append(row)
    columns = [Column("method", "Method"), Column("model", "Model"), Column("source", "Source")]
    for ds, label in _datasets():
        columns += [
            Column(f"{ds}_rank", f"{label} Rank", "rank"),
            Column(f"{ds}_fe_gmacs", f"{label} FE", "gmacs"),
            Column(f"{ds}_sp_gmacs", f"{label} SP", "gmacs"),
        ]
    columns.append(Column("rank_from", "Rank from"))
    notes = [
        "GMACs per video, G = 2^30, the paper's (thop) convention: mean over all videos of the "
        "dataset at n_steps = ceil(n_frames/15); FE = n_steps x GoogLeNet on one 224x224 frame; "
        "SP = the summarizer. `vsumbench macs MODEL --convention exact` counts every "
        "multiply-accumulate (attention matmuls included).",
        "RR-STG's and MSVA's FE are printed in the paper in T (54.82T / 88.41T, 13.76T / 22.08T).",
        "Rank: Table 1's real-data scale only (the paper's rows, runs on the real files); "
        "runs on synthetic data have no rank here.",
        *row_notes(rows),
    ]
    return Table(3, "Table 3: MACs per video", columns, rows, notes)


# --------------------------------------------------------------------------- rendering
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


def _measured_groups(results: Sequence[RunResult], datasets: set[str] | list[str]):
    """``(row, results)`` per (model, options, selection, init, data) among the results on
    ``datasets``: the row's identifying cells, and the runs behind it."""
    groups: dict[tuple, list[RunResult]] = {}
    for res in results:
        if res.dataset in datasets:
            data = "synthetic" if res.synthetic else "real"
            key = (res.model, res.variant, res.selection, res.init, data)
            groups.setdefault(key, []).append(res)
    for (model, variant, selection, init, data), found in sorted(groups.items()):
        row: dict[str, Any] = {
            "method": display_name(model) + (f" [{variant}]" if variant else ""),
            "model": model, "source": "measured", "selection": selection,
            "backbone_init": init, "data": data, "n_seeds": len({r.seed for r in found}),
            "notes": "",
        }  # fmt: skip
        yield row, found


def mrhisum_rows(results: Sequence[RunResult], table: str = "mrhisum") -> list[dict[str, Any]]:
    """Measured rows of the Mr.HiSum table: one per (model, options, selection, init, data);
    each metric the mean over seeds (and its sample std), as fractions."""
    rows = []
    for row, found in _measured_groups(results, {s.name for s in benchmark_datasets(table)}):
        row["epochs"] = sorted({r.config.get("epochs") for r in found} - {None})
        for metric in MRHISUM_METRICS:
            values = [v for v in seed_means(found, metric).values() if v is not None]
            row[f"mrhisum_{metric}"], row[f"mrhisum_{metric}_std"] = mean_std(values)
        rows.append(row)
    return rows


MRHISUM_METRICS = ("f1", "map50", "map15")


def table_mrhisum(measured: Sequence[Mapping[str, Any]] = ()) -> Table:
    """The Mr.HiSum table: the paper's rows (percent / 100) beside measured rows, ranked by
    F1 like with like (the paper's and real-data rows together; synthetic rows apart)."""
    from leaderboards import paper_table

    reported = []
    for row in paper_table("mrhisum"):
        out = {"method": row["method"], "model": "", "source": "reported", "selection": "",
               "backbone_init": "", "data": "real (paper)", "n_seeds": None,
               "notes": f"source: {row['source']}"}  # fmt: skip
        out.update({f"mrhisum_{m}": row[m] / 100 for m in MRHISUM_METRICS})
        reported.append(out)
    rows = reported + [dict(r) for r in measured]
    pools: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        scale = "synthetic" if row.get("data") == "synthetic" else "real"
        row["rank_scale"] = scale
        pools.setdefault(scale, []).append(row)
    for pool in pools.values():
        order = sorted(pool, key=lambda r: -(r.get("mrhisum_f1") or -1.0))
        for rank, row in enumerate(order, 1):
            row["mrhisum_rank"] = rank if row.get("mrhisum_f1") is not None else None
    columns = [Column("method", "Method"), Column("model", "Model"), *_META_COLUMNS,
               Column("mrhisum_f1", "F1", "corr"), Column("mrhisum_map50", "mAP@50", "corr"),
               Column("mrhisum_map15", "mAP@15", "corr"), Column("mrhisum_rank", "Rank", "rank")]  # fmt: skip
    notes = [
        "F1 (the official F1, docs/protocol.md section 9), mAP@50 and mAP@15 as fractions "
        "(the paper prints percent); measured: each metric from its own checkpoint under "
        "mrhisum-val (best validation value), mean +- sample std over seeds.",
        "Rank: by F1, like with like: the paper's rows and rows measured on the real files "
        "share one scale; rows measured on the synthetic twin are ranked among themselves (s1, "
        "s2, ...). SL-module has no reported row: no published figure could be sourced.",
        *row_notes(rows),
    ]
    return Table("mrhisum", "Mr.HiSum: F1, mAP@50 and mAP@15", columns, rows, notes)


def settings_rows(results: Sequence[RunResult]) -> list[dict[str, Any]]:
    """Measured rows of the F1-by-setting table: one per (model, options, selection, init,
    data); per dataset and setting the F1 mean over seeds (each seed: the mean over folds)."""
    from vsumbench.datasets import SETTINGS

    datasets = [ds for ds, _ in _datasets()]
    rows = []
    for row, found in _measured_groups(results, datasets):
        for ds in datasets:
            for setting in SETTINGS:
                runs = [r for r in found if r.dataset == ds and r.setting == setting]
                values = [v for v in seed_means(runs, "f1").values() if v is not None]
                row[f"{ds}_{setting}"], row[f"{ds}_{setting}_std"] = mean_std(values)
        rows.append(row)
    return rows


def table_settings(measured: Sequence[Mapping[str, Any]] = ()) -> Table:
    """F1 by setting (canonical, augmented, transfer), as the CLIP-It and DSNet papers print
    it: the papers' rows (percent / 100) beside measured rows."""
    from leaderboards import paper_table
    from vsumbench.datasets import SETTINGS

    reported = []
    for row in paper_table("settings"):
        out = {"method": row["method"], "model": "", "source": "reported", "selection": "",
               "backbone_init": "", "data": "real (paper)", "n_seeds": None,
               "notes": f"source: {row['source']}"}  # fmt: skip
        out.update({k: (v / 100 if isinstance(v, float) else None) for k, v in row.items()
                    if k not in ("method", "source")})  # fmt: skip
        reported.append(out)
    rows = reported + [dict(r) for r in measured]
    columns = [Column("method", "Method"), Column("model", "Model"), *_META_COLUMNS]
    for ds, label in _datasets():
        columns += [Column(f"{ds}_{s}", f"{label} {s}", "corr") for s in SETTINGS]
    notes = [
        "Keyshot F1 as a fraction (the papers print percent). canonical: the dataset's own "
        "folds; augmented: every fold also trains on the other benchmark, OVP and YouTube; "
        "transfer: trained on those three, tested on every video of the dataset. Measured: "
        "mean over folds, then mean +- sample std over seeds. Not ranked: rows of different "
        "data sources are not comparable (real and synthetic).",
        *row_notes(rows),
    ]
    return Table("settings", "F1 by setting: canonical, augmented, transfer", columns, rows, notes)


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
