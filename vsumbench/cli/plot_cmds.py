"""``vsumbench plot``: trade-off, per-video scores and training-curve figures (PNG + PDF).

Only click at import time; matplotlib, numpy and torch are imported when a command runs.
"""

from __future__ import annotations

import click

from vsumbench.cli import data_dir_option

out_option = click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=str),
    required=True,
    help="Output file; written as both .png and .pdf (the suffix given is replaced).",
)
run_option = click.option(
    "--run",
    "run_dir",
    type=click.Path(file_okay=False, exists=True, path_type=str),
    required=True,
    help="A fold directory holding result.json (results/<dataset>/<model>/<selection>-<init>/seed<S>/fold<k>).",
)


def _report(paths) -> None:
    for path in paths:
        click.echo(f"wrote {path}")


@click.group()
def plot() -> None:
    """Figures: accuracy-vs-MACs trade-off, one video's scores, training curves."""


@plot.command()
@click.option(
    "--results",
    "results_dir",
    type=click.Path(file_okay=False, path_type=str),
    default="results",
    show_default=True,
    help="Results directory of `vsumbench run` (missing: published points only).",
)
@out_option
def tradeoff(results_dir: str, out: str) -> None:
    """Kendall's tau against score-prediction MACs per video, per dataset.

    Published methods (paper Tables 1 and 3) next to the measured runs; SP MACs of the
    measured models are counted under the paper's convention.

    \b
    Example:
      vsumbench plot tradeoff --results results --out figures/tradeoff
    """
    from pathlib import Path

    from leaderboards import paper_table
    from vsumbench.report.plots import plot_tradeoff, tradeoff_points
    from vsumbench.report.tables import aggregate, load_results, model_macs_rows, table1

    measured = aggregate(load_results(results_dir)) if Path(results_dir).is_dir() else []
    if not measured:
        click.echo(
            f"no measured runs under {results_dir}: plotting published points only", err=True
        )
    t1 = table1(measured)
    models = sorted({r["model"] for r in measured})
    measured_sp = {
        r["model"]: {ds: r.get(f"{ds}_sp_gmacs") for ds in ("summe", "tvsum")}
        for r in model_macs_rows(models)
    }
    reported3 = [{**r, "source": "reported"} for r in paper_table(3)]
    _report(plot_tradeoff(tradeoff_points(t1.rows, reported3, measured_sp), out))


@plot.command()
@run_option
@click.option(
    "--video",
    required=True,
    help="Video key, a test video of this fold (an unknown one lists them).",
)
@data_dir_option
@out_option
def scores(run_dir: str, video: str, data_dir: str | None, out: str) -> None:
    """Predicted scores against ground truth (gtscore) and the user summaries, with the
    selected keyshots shaded, for one video.

    The data file is the one recorded in result.json unless --data-dir is given.

    \b
    Example:
      vsumbench plot scores --run results/tvsum/csta/paper-imagenet/seed123456/fold0 \\
          --video video_1 --out figures/video_1
    """
    from vsumbench.report.plots import plot_scores

    _report(plot_scores(run_dir, video, out, data_dir=data_dir))


@plot.command()
@run_option
@out_option
def training(run_dir: str, out: str) -> None:
    """Training loss and test/validation tau and rho per epoch; the chosen epoch marked.

    \b
    Example:
      vsumbench plot training --run results/summe/csta/paper-imagenet/seed123456/fold0 --out figures/train
    """
    from vsumbench.report.plots import plot_training, read_run

    _report(plot_training(read_run(run_dir), out))
