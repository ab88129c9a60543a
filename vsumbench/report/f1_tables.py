"""The tables beyond the CSTA paper's three, both led by keyshot F1: Mr.HiSum's (F1, mAP@50,
mAP@15, ranked like with like) and F1 by setting (canonical, augmented, transfer), as the
CLIP-It and DSNet papers print it. Published rows (percent / 100) beside measured ones.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from vsumbench.datasets import benchmark_datasets
from vsumbench.report.summary import mean_std, seed_means
from vsumbench.report.tables import (
    META_COLUMNS,
    Column,
    Table,
    measured_groups,
    row_notes,
    table_datasets,
)
from vsumbench.runner.result import RunResult


def _paper_rows(name: str) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """``(printed row, its table row without the numbers)`` for each published row."""
    from leaderboards import paper_table

    rows = []
    for row in paper_table(name):
        out = {"method": row["method"], "model": "", "source": "reported", "selection": "",
               "backbone_init": "", "data": "real (paper)", "n_seeds": None,
               "notes": f"source: {row['source']}"}  # fmt: skip
        rows.append((row, out))
    return rows


def mrhisum_rows(results: Sequence[RunResult], table: str = "mrhisum") -> list[dict[str, Any]]:
    """Measured rows of the Mr.HiSum table: one per (model, options, selection, init, data);
    each metric the mean over seeds (and its sample std), as fractions."""
    rows = []
    for row, found in measured_groups(results, {s.name for s in benchmark_datasets(table)}):
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
    reported = [{**out, **{f"mrhisum_{m}": row[m] / 100 for m in MRHISUM_METRICS}}
                for row, out in _paper_rows("mrhisum")]  # fmt: skip
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
    columns = [Column("method", "Method"), Column("model", "Model"), *META_COLUMNS,
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

    datasets = [ds for ds, _ in table_datasets()]
    rows = []
    for row, found in measured_groups(results, datasets):
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
    from vsumbench.datasets import SETTINGS

    reported = [{**out, **{k: (v / 100 if isinstance(v, float) else None)
                           for k, v in row.items() if k not in ("method", "source")}}
                for row, out in _paper_rows("settings")]  # fmt: skip
    rows = reported + [dict(r) for r in measured]
    columns = [Column("method", "Method"), Column("model", "Model"), *META_COLUMNS]
    for ds, label in table_datasets():
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
