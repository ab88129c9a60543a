"""``vsumbench table`` (Tables 1-3, leaderboards) and ``vsumbench compare`` (paired test).

Only click at import time; results, numpy and torch are imported when a command runs.
"""

from __future__ import annotations

import sys

import click

from vsumbench.cli import dataset_option
from vsumbench.runner.selection import selection_names

results_option = click.option(
    "--results",
    "results_dir",
    type=click.Path(file_okay=False, path_type=str),
    default="results",
    show_default=True,
    help="Results directory written by `vsumbench run`.",
)


@click.command()
@click.option(
    "--table",
    "number",
    type=click.Choice(["1", "2", "3", "mrhisum", "settings"]),
    default="1",
    show_default=True,
    help="1 = tau/rho and Rank, 2 = CSTA ablation, 3 = MACs per video, mrhisum = Mr.HiSum's "
    "F1, mAP@50 and mAP@15, settings = F1 by setting (canonical, augmented, transfer).",
)
@click.option(
    "--all",
    "all_tables",
    is_flag=True,
    help="Write Tables 1-3 and the Mr.HiSum table as md, csv and json into --out (a "
    "directory; default: ./tables).",
)
@results_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["md", "latex", "csv", "json"]),
    default="md",
    show_default=True,
    help="Output format of a single table (csv/json keep raw values, tau/rho as fractions).",
)
@click.option(
    "--out",
    type=click.Path(path_type=str),
    default=None,
    help="Write to this file (with --all: this directory) instead of stdout.",
)
@click.option(
    "--published-only",
    is_flag=True,
    help="Ignore --results: show the paper's rows (and Table 3's MACs) only.",
)
def table(
    number: str,
    all_tables: bool,
    results_dir: str,
    fmt: str,
    out: str | None,
    published_only: bool,
) -> None:
    """Regenerate the CSTA paper's Tables 1-3: measured rows beside the published ones.

    Measured rows are grouped by model, epoch selection, backbone init and data
    (real/synthetic), averaged over folds, then mean +- std over seeds; each row says
    which selection, init and data it used. Rank is recomputed over every row shown.

    \b
    Examples:
      vsumbench table --table 1 --results results
      vsumbench table --table 3 --format latex --out table3.tex
      vsumbench table --all --results results
      vsumbench table --table mrhisum --results results
      vsumbench table --table settings --results results
    """
    from pathlib import Path

    from vsumbench.report.build import build_tables
    from vsumbench.report.render import render, write_all
    from vsumbench.report.tables import model_macs_rows

    def macs_rows():
        return model_macs_rows(progress=True)

    command = "vsumbench " + " ".join(sys.argv[1:]) if sys.argv else None
    source = None if published_only else results_dir
    ctx = click.get_current_context()
    explicit = ctx.get_parameter_source("results_dir") != click.core.ParameterSource.DEFAULT
    if source is not None and not explicit and not Path(source).is_dir():
        click.echo(f"no {source}/ directory: showing the published rows only", err=True)
        source = None
    if all_tables:
        tables = build_tables(source, (1, 2, 3, "mrhisum", "settings"), command=command,
                              macs_rows=macs_rows)  # fmt: skip
        out_dir = Path(out) if out else Path("tables")
        for path in write_all(tables, out_dir):
            click.echo(f"wrote {path}")
        return
    key = int(number) if number.isdigit() else number
    tables = build_tables(source, (key,), command=command, macs_rows=macs_rows)
    text = render(tables[key], fmt)
    if out:
        from vsumbench.atomic import atomic_path

        with atomic_path(out) as tmp:
            tmp.write_text(text)
        click.echo(f"wrote {out}")
    else:
        click.echo(text, nl=False)


@click.command()
@click.argument("model_a")
@click.argument("model_b")
@dataset_option
@results_option
@click.option(
    "--selection",
    type=click.Choice(selection_names()),
    default=None,
    help="Only runs with this epoch selection (required when a model has several).",
)
@click.option(
    "--init",
    "init",
    default=None,
    help="Only runs with this backbone-init label (imagenet, random, none, file-...).",
)
@click.option(
    "--resamples",
    type=click.IntRange(min=100),
    default=10000,
    show_default=True,
    help="Bootstrap resamples and sign-flip permutations.",
)
@click.option("--seed", type=int, default=0, show_default=True, help="RNG seed of the resampling.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
def compare(
    model_a: str,
    model_b: str,
    dataset: str,
    results_dir: str,
    selection: str | None,
    init: str | None,
    resamples: int,
    seed: int,
    as_json: bool,
) -> None:
    """Paired comparison of MODEL_A and MODEL_B on the same videos, folds and seeds.

    Per video, tau (and rho) of A minus B, averaged over seeds; reports the mean
    difference, a bootstrap 95% CI over videos and a paired sign-flip permutation p-value.
    Refuses when the two models' runs do not cover the same (seed, fold, video) set.

    \b
    Example:
      vsumbench compare csta vasnet --dataset tvsum --selection last
    """
    import json

    from vsumbench.report.stats import compare_runs, format_comparison

    result = compare_runs(
        results_dir,
        model_a,
        model_b,
        dataset.lower(),
        selection=selection,
        init=init,
        resamples=resamples,
        seed=seed,
    )
    if as_json:
        click.echo(json.dumps(result, indent=2))
    else:
        click.echo(format_comparison(result))
