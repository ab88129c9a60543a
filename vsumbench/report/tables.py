"""Tables 1-3 of the CSTA paper, regenerated: measured rows beside the published ones.

Measured rows come from the runner's ``result.json`` files (docs/architecture.md, results
layout), grouped by model, epoch selection, backbone init and data (real or synthetic):
mean over folds within a seed, then mean +- sample std over seeds. Every measured row says
which selection, init and data it used, because a test-set-selected number on synthetic data
is not the same claim as an honest one on the real benchmark. Tau and rho are printed with
3 decimals; F1 is kept as a fraction in csv/json (tables do not print it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vsumbench.datasets import benchmark_datasets
from vsumbench.errors import DataError
from vsumbench.report.ranking import UNRANKED, add_ranks
from vsumbench.report.summary import mean_std, seed_means
from vsumbench.runner.result import METRICS, RunResult

#: The registry label that places a model on a row of Table 2 (see `register_summarizer`).
TABLE2_LABEL = "table2"


def table_datasets() -> list[tuple[str, str]]:
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
    columns = {ds for ds, _ in table_datasets()}
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
        for ds, _ in table_datasets():
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
    for ds, _ in table_datasets():
        out[f"printed_{ds}_rank"] = out.pop(f"{ds}_rank", None)
    return out


META_COLUMNS = [
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
    columns = [Column("method", "Method"), Column("model", "Model"), *META_COLUMNS]
    for ds, label in table_datasets():
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
    for ds, _ in table_datasets():
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
    columns = [Column("step", "Step"), Column("model", "Model"), *META_COLUMNS]
    for ds, label in table_datasets():
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
    for ds, _ in table_datasets():
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
        for ds, _ in table_datasets():
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
        for ds, _ in table_datasets():
            ranked = [r for r in candidates if r.get(f"{ds}_rank") is not None]
            best = min(ranked, key=lambda r: r[f"{ds}_rank"], default=None)
            row[f"{ds}_rank"] = best[f"{ds}_rank"] if best else None
            if best:
                labels.append(f"{ds}: {best['selection']}-{best['backbone_init']}, {best['data']}")
        row["rank_from"] = "; ".join(labels)
        rows.append(row)
    columns = [Column("method", "Method"), Column("model", "Model"), Column("source", "Source")]
    for ds, label in table_datasets():
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


def measured_groups(results: Sequence[RunResult], datasets: set[str] | list[str]):
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
