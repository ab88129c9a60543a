"""Tables 1-3 from a hand-made results directory, in every format, beside the paper's rows."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from vsumbench.atomic import write_json
from vsumbench.cli import main
from vsumbench.report.build import build_tables
from vsumbench.report.render import render
from vsumbench.report.tables import aggregate, load_results, table1, table2


def write_result(
    root: Path,
    *,
    model: str,
    dataset: str,
    seed: int,
    fold: int,
    kendall: float | None,
    spearman: float | None,
    selection: str = "paper",
    init: str = "imagenet",
    synthetic: bool = True,
    per_video: dict | None = None,
    epochs: list | None = None,
    chosen_epoch: int = 1,
    n_splits: int = 2,
) -> Path:
    """One fold's result.json per the results layout of docs/architecture.md."""
    fold_dir = root / dataset / model / f"{selection}-{init}" / f"seed{seed}" / f"fold{fold}"
    per_video = per_video or {
        f"video_{fold * 2 + 1}": {"kendall": kendall, "spearman": spearman, "f1": 0.5},
        f"video_{fold * 2 + 2}": {"kendall": kendall, "spearman": spearman, "f1": 0.5},
    }
    write_json(
        fold_dir / "result.json",
        {
            "model": model,
            "dataset": dataset,
            "fold": fold,
            "seed": seed,
            "selection": selection,
            "backbone_init": init,
            "init": init,
            "data": {
                "dir": "data",
                "file": f"eccv16_dataset_{dataset}_google_pool5.h5",
                "synthetic": synthetic,
            },
            "config": {"n_splits": n_splits},
            "environment": {},
            "epochs": epochs
            or [
                {
                    "epoch": 1,
                    "loss": 0.1,
                    "test_kendall": kendall,
                    "test_spearman": spearman,
                    "test_f1": 0.5,
                }
            ],
            "chosen_epoch": chosen_epoch,
            "kendall": kendall,
            "spearman": spearman,
            "f1": 0.5,
            "per_video": per_video,
            "status": "complete",
            "test_keys": sorted(per_video),
            "train_keys": [],
        },
    )
    return fold_dir


@pytest.fixture
def results_dir(tmp_path: Path) -> Path:
    root = tmp_path / "results"
    # csta: 2 seeds x 2 folds on both datasets; seed means 0.20/0.30 (SumMe)
    for seed, base in ((0, 0.19), (1, 0.29)):
        for fold, delta in ((0, -0.01), (1, 0.01)):
            for ds in ("summe", "tvsum"):
                write_result(
                    root,
                    model="csta",
                    dataset=ds,
                    seed=seed,
                    fold=fold,
                    kendall=base + 0.01 + delta,
                    spearman=base + 0.02 + delta,
                )
    # vasnet: one seed on SumMe only, honest selection, real data
    for fold in (0, 1):
        write_result(
            root,
            model="vasnet",
            dataset="summe",
            seed=0,
            fold=fold,
            kendall=0.1,
            spearman=0.11,
            selection="last",
            init="none",
            synthetic=False,
        )
    # a Table 2 variant
    write_result(
        root, model="csta-att", dataset="tvsum", seed=0, fold=0, kendall=0.15, spearman=0.2
    )
    return root


def test_aggregate_means_over_folds_then_seeds(results_dir: Path) -> None:
    rows = {(r["model"], r["selection"]): r for r in aggregate(load_results(results_dir))}
    csta = rows[("csta", "paper")]
    assert csta["summe_kendall"] == pytest.approx(0.25)  # seed means 0.20 and 0.30
    assert csta["summe_kendall_std"] == pytest.approx(0.0707107, rel=1e-5)
    assert csta["summe_spearman"] == pytest.approx(0.26)
    assert (
        csta["n_seeds"] == 2 and csta["data"] == "synthetic" and csta["backbone_init"] == "imagenet"
    )
    vasnet = rows[("vasnet", "last")]
    assert vasnet["summe_kendall"] == pytest.approx(0.1)
    assert vasnet["summe_kendall_std"] is None  # one seed: no std
    assert vasnet["tvsum_kendall"] is None and vasnet["data"] == "real"
    assert vasnet["backbone_init"] == "none"


def test_missing_fold_value_is_not_averaged_away(tmp_path: Path) -> None:
    write_result(tmp_path, model="m", dataset="summe", seed=0, fold=0, kendall=0.2, spearman=0.2)
    write_result(tmp_path, model="m", dataset="summe", seed=0, fold=1, kendall=None, spearman=0.3)
    (row,) = aggregate(load_results(tmp_path))
    assert row["summe_kendall"] is None
    assert row["summe_spearman"] == pytest.approx(0.25)
    assert "kendall missing" in row["notes"]


def test_table1_ranks_like_with_like(results_dir: Path) -> None:
    t = table1(aggregate(load_results(results_dir)))
    by = {(r["method"], r["source"]): r for r in t.rows}
    # Synthetic CSTA (SumMe 0.25 / 0.26) would beat every paper row: it is ranked among the
    # synthetic rows only, and the paper's rows keep their printed ranks.
    assert by[("CSTA", "measured")]["summe_rank"] == 1
    assert by[("CSTA", "measured")]["rank_scale"] == "synthetic"
    assert (
        by[("CSTA", "reported")]["summe_rank"]
        == 1
        == by[("CSTA", "reported")]["printed_summe_rank"]
    )
    # TVSum has synthetic runs only: every printed rank stands.
    for row in t.rows:
        if row["source"] == "reported":
            assert row["tvsum_rank"] == row["printed_tvsum_rank"], row["method"]
    # Real VASNet (0.1 / 0.11) is ranked with the paper's rows, on their scale (and below
    # dppLSTM, so that row moves down one place).
    real = by[("VASNet", "measured")]
    assert (
        by[("dppLSTM", "reported")]["summe_rank"]
        == by[("dppLSTM", "reported")]["printed_summe_rank"] + 1
    )
    assert real["rank_scale"] == "real" and real["summe_rank"] is not None
    assert real["tvsum_rank"] is None
    assert by[("Human", "reported")]["summe_rank"] is None
    md = render(t, "md")
    assert "| s1 " in md  # the synthetic scale is visibly apart


def test_incomplete_runs_are_marked_and_not_ranked(tmp_path: Path) -> None:
    for fold in (0, 1):  # 2 of 5 folds
        write_result(tmp_path, model="vasnet", dataset="summe", seed=0, fold=fold, kendall=0.5,
                     spearman=0.5, synthetic=False, n_splits=5)  # fmt: skip
    (row,) = [
        r for r in table1(aggregate(load_results(tmp_path))).rows if r["source"] == "measured"
    ]
    assert row["summe_rank"] is None and not row["summe_complete"]
    assert "2 of 5 folds (incomplete, not ranked)" in row["notes"]
    printed = [r for r in table1().rows if r["source"] == "reported"]
    assert all(r["summe_rank"] == r["printed_summe_rank"] for r in printed)


def test_render_every_format(results_dir: Path) -> None:
    tables = build_tables(results_dir, (1, 2), macs_rows=list)
    t1 = tables[1]
    md = render(t1, "md")
    assert "| CSTA" in md and "0.250 ± 0.071" in md and "synthetic" in md
    assert "measured data: real, synthetic" in md  # provenance header
    latex = render(t1, "latex")
    assert r"\begin{tabular}" in latex and r"$\pm$" in latex and r"$\tau$" in latex
    rows = list(csv.DictReader(io.StringIO(render(t1, "csv"))))
    measured = [r for r in rows if r["source"] == "measured" and r["model"] == "csta"]
    assert float(measured[0]["summe_kendall"]) == pytest.approx(0.25)
    payload = json.loads(render(t1, "json"))
    keys = {
        "method",
        "source",
        "summe_kendall",
        "summe_spearman",
        "summe_rank",
        "tvsum_kendall",
        "tvsum_spearman",
        "tvsum_rank",
        "selection",
        "backbone_init",
        "data",
        "n_seeds",
    }
    assert all(keys <= set(row) for row in payload["rows"])
    assert len(payload["rows"]) == 24 + 3  # 24 published rows (incl. Human, Random)
    t2 = render(tables[2], "md")
    assert "csta-att" in t2 and "(+)Attention Module" in t2
    with pytest.raises(ValueError, match="unknown table format"):
        render(t1, "xlsx")


def test_table2_places_variants_under_their_step(results_dir: Path) -> None:
    t = table2(aggregate(load_results(results_dir)))
    steps = [(r["step"], r["source"]) for r in t.rows]
    i = steps.index(("(+)Attention Module", "reported"))
    assert steps[i + 1] == ("(+)Attention Module", "measured")
    assert steps[-1] == ("(+)Skip Connection", "measured")  # csta = the last step


def test_cli_table_and_all(results_dir: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    res = runner.invoke(
        main, ["table", "--table", "1", "--results", str(results_dir), "--format", "json"]
    )
    assert res.exit_code == 0, res.output
    assert any(r["source"] == "measured" for r in json.loads(res.output)["rows"])
    missing = runner.invoke(main, ["table", "--results", str(tmp_path / "nope")])
    assert missing.exit_code != 0 and "results directory not found" in missing.output


def test_write_all_writes_md_csv_json(results_dir: Path, tmp_path: Path) -> None:
    from vsumbench.report.render import write_all

    fake_macs = [
        {
            "method": "CSTA",
            "model": "csta",
            "summe_fe_gmacs": 413.03,
            "summe_sp_gmacs": 9.78,
            "tvsum_fe_gmacs": 661.82,
            "tvsum_sp_gmacs": 15.73,
            "notes": "",
        }
    ]
    tables = build_tables(results_dir, (1, 2, 3), macs_rows=lambda: fake_macs, command="test")
    out = tmp_path / "generated"
    written = write_all(tables, out)
    assert sorted(p.name for p in written) == sorted(
        f"table{n}.{f}" for n in (1, 2, 3) for f in ("md", "csv", "json")
    )
    t3 = json.loads((out / "table3.json").read_text())
    counted = [r for r in t3["rows"] if r["source"] == "measured (MACs)"]
    assert counted[0]["summe_rank"] is None  # csta was measured on synthetic data only
    paper_csta = [r for r in t3["rows"] if r["source"] == "reported" and r["method"] == "CSTA"]
    assert paper_csta[0]["summe_rank"] == 1  # one scale: Table 1's real-data ranks
    assert t3["meta"]["command"] == "test"
    assert "9.78" in (out / "table3.md").read_text()


def test_measured_random_row_is_not_ranked(tmp_path: Path) -> None:
    write_result(
        tmp_path,
        model="random",
        dataset="summe",
        seed=0,
        fold=0,
        kendall=0.3,
        spearman=0.3,
        init="none",
    )
    rows = [r for r in table1(aggregate(load_results(tmp_path))).rows if r["source"] == "measured"]
    assert rows[0]["method"] == "Random" and rows[0]["summe_rank"] is None


def test_table_all_writes_into_the_users_folder(results_dir: Path, tmp_path: Path, monkeypatch):
    """`table --all` never touches the committed leaderboards: ./tables by default."""
    from click.testing import CliRunner

    import leaderboards
    from vsumbench.cli import main

    generated = Path(leaderboards.__file__).parent / "generated"
    before = {p.name: p.stat().st_mtime_ns for p in generated.iterdir()}
    monkeypatch.chdir(tmp_path)
    import vsumbench.report.tables as tables

    monkeypatch.setattr(tables, "model_macs_rows", lambda *a, **k: [])
    result = CliRunner().invoke(main, ["table", "--all", "--results", str(results_dir)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "tables").iterdir()) == sorted(
        f"table{n}.{f}" for n in (1, 2, 3, "-mrhisum", "-settings") for f in ("md", "csv", "json")
    )
    assert {p.name: p.stat().st_mtime_ns for p in generated.iterdir()} == before
