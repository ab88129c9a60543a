"""``vsumbench report``: the result store as a static site (opens from disk, no network)."""

from __future__ import annotations

import sys

import click


@click.command()
@click.option(
    "--results",
    "results_dir",
    default="results",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Results directory written by `vsumbench run` / `sweep`.",
)
@click.option("--out", required=True, type=click.Path(), help="Folder of the site (index.html).")
@click.option(
    "--force", is_flag=True, help="Replace a folder that holds something other than a report."
)
@click.option(
    "--videos",
    default="25",
    show_default=True,
    callback=lambda ctx, param, value: _video_count(value),
    help="How many of a run's test videos, worst first, get a figure of their scores "
    "(a number, or all).",
)
@click.option("--quiet", is_flag=True, help="No progress bar.")
def report(results_dir: str, out: str, force: bool, videos: int | None, quiet: bool) -> None:
    """Write a static site of the leaderboards (every table, sortable, filterable by data
    source, selection, initialisation and setting) and one page per run (configuration,
    chosen epoch, training curves, per-video scores worst first, each video's predicted
    scores against gtscore and the user summaries). It works from file:// with no network.

    \b
    Example:
      vsumbench report --results results --out site
    """
    from vsumbench.report.site import build_site

    command = "vsumbench " + " ".join(sys.argv[1:]) if sys.argv else None
    done = build_site(results_dir, out, force=force, command=command, videos=videos,
                      progress=not quiet)  # fmt: skip
    click.echo(f"wrote {done.out / 'index.html'}: {done.runs} run page(s)"
               + (f", {len(done.damaged)} damaged result(s) listed" if done.damaged else ""))  # fmt: skip


def _video_count(value: str) -> int | None:
    if value == "all":
        return None
    if not value.isdigit() or int(value) < 1:
        raise click.BadParameter(f"expected a positive number of videos or all, not {value!r}")
    return int(value)
