"""``vsumbench sweep``: a grid of fold runs on Ray (embedded by default), SLURM or inline.

Only click at import time; Ray, submitit, torch and the runner load when the command runs.
"""

from __future__ import annotations

import sys

import click

from vsumbench.cli import data_dir_option
from vsumbench.sweep.grid import ENGINES, SweepGrid


def _list(kind: type = str):
    def parse(ctx: click.Context, param: click.Parameter, value: str | None):
        from vsumbench.errors import ConfigError
        from vsumbench.sweep.grid import parse_list

        try:
            return parse_list(value, f"--{param.name.replace('_', '-')}", kind)
        except ConfigError as exc:
            raise click.BadParameter(str(exc).split(": ", 1)[-1]) from None

    return parse


DEFAULTS = SweepGrid()


@click.command()
@click.option(
    "--spec",
    "spec_file",
    type=click.Path(dir_okay=False, exists=True),
    default=None,
    help="TOML file with the grid and settings (keys = option names with _; "
    "options given here override it). See docs/sweeps.md.",
)
@click.option("--models", callback=_list(), metavar="csta,vasnet", help="Models (comma-separated).")
@click.option(
    "--datasets", callback=_list(), metavar="summe,tvsum", help="Datasets (comma-separated)."
)
@click.option(
    "--seeds",
    "n_seeds",
    type=click.IntRange(min=1),
    default=None,
    help="K seeds counting up from each model's registered seed, as `vsumbench run --seeds "
    "K` (123456... for CSTA, 12345... for DSNet and PGL-SUM; default: 1). For the same "
    "seeds for every model, use --seed-list.",
)
@click.option(
    "--seed-list", callback=_list(int), metavar="1,2", help="These seeds instead of --seeds."
)
@click.option("--folds", callback=_list(int), metavar="0,1", help="Only these folds (default all).")
@click.option(
    "--selections",
    callback=_list(),
    metavar="paper,val",
    help="Epoch selection rules (default paper; official = each model's own).",
)
@click.option(
    "--log",
    multiple=True,
    type=click.Choice(["tensorboard", "mlflow", "wandb"]),
    help="As `vsumbench run --log` (repeatable).",
)
@click.option(
    "--settings",
    callback=_list(),
    metavar="canonical,augmented,transfer",
    help="Settings (default canonical; see `vsumbench run --setting`).",
)
@click.option(
    "--backbone-inits",
    callback=_list(),
    metavar="imagenet,random",
    help="Backbone initialisations (default imagenet; models with a backbone only).",
)
@click.option(
    "--epochs",
    type=click.IntRange(min=1),
    default=None,
    help="Epochs per fold (default: each model's).",
)
@click.option(
    "--lr", type=float, default=None, help="Learning rate for every model (default: each model's)."
)
@click.option(
    "--weight-decay", type=float, default=None, help="Weight decay (default: each model's)."
)
@click.option(
    "--model-arg",
    "model_args",
    multiple=True,
    metavar="NAME=VALUE",
    help="A factory option for every model of the grid (repeatable).",
)
@data_dir_option
@click.option(
    "--splits",
    type=click.Path(dir_okay=False, exists=True),
    default=None,
    help="Split file (one dataset only; default: <data-dir>/splits/<dataset>_splits.json).",
)
@click.option(
    "--results",
    type=click.Path(file_okay=False),
    default=None,
    help="Root of the result store (default: results).",
)
@click.option(
    "--device",
    type=click.Choice(["auto", "cuda", "cpu"]),
    default=None,
    help="Device of every task (default auto: CUDA when the task has a GPU).",
)
@click.option(
    "--deterministic", is_flag=True, default=None, help="Deterministic algorithms, as in `run`."
)
@click.option(
    "--force", is_flag=True, default=None, help="Retrain folds that are already finished."
)
@click.option(
    "--threads",
    type=click.IntRange(min=1),
    default=None,
    help="torch threads per task (default: --cpus-per-task).",
)
@click.option(
    "--engine",
    type=click.Choice(ENGINES),
    default=None,
    help="ray (default; embedded on this machine unless --address), slurm (a job "
    "array via submitit), inline (this process, one fold after another).",
)
@click.option("--address", default=None, metavar="HOST:PORT|auto", help="Join this Ray cluster.")
@click.option(
    "--connect-timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    metavar="SECONDS",
    help="Give up joining the --address cluster after this long (default 30).",
)
@click.option("--cpus-per-task", type=float, default=None, help="CPUs per fold (default 1).")
@click.option(
    "--gpus-per-task",
    type=float,
    default=None,
    help="GPUs per fold (default 0; fractional on Ray: 0.25 packs four folds on a GPU).",
)
@click.option(
    "--retries",
    type=click.IntRange(min=0),
    default=None,
    help="Retries of a crashed fold, each resuming its saved state (default 2).",
)
@click.option("--partition", default=None, help="SLURM partition.")
@click.option(
    "--time",
    "time_min",
    type=click.IntRange(min=1),
    default=None,
    help="SLURM time limit per fold, minutes (default 60).",
)
@click.option(
    "--array-parallelism",
    type=click.IntRange(min=1),
    default=None,
    help="SLURM: folds of the job array running at once (default 64).",
)
@click.option(
    "--status",
    "status_only",
    is_flag=True,
    help="Only say what the result store holds for this grid; run nothing.",
)
@click.option(
    "--checkpoints",
    type=click.Choice(["keep", "none"]),
    default=None,
    help="As `vsumbench run --checkpoints` (default keep).",
)
@click.option(
    "--allow-duplicates", is_flag=True, default=None, help="As `vsumbench run --allow-duplicates`."
)
@click.option("--quiet", is_flag=True, help="No progress bar.")
def sweep(spec_file: str | None, n_seeds: int | None, seed_list: list[int] | None,
          model_args: tuple[str, ...], time_min: int | None, status_only: bool, quiet: bool,
          **options) -> None:  # fmt: skip
    """Run a grid of models x datasets x seeds x folds, each fold exactly as `vsumbench run`
    trains it and into the same result store, on Ray (embedded: every local core and GPU),
    a Ray cluster (--address) or SLURM (--engine slurm).

    Finished folds are skipped; a crashed fold is retried and resumes from its last epoch;
    stop it at any time and run the same command again to finish. The exit status is 0
    only when every fold of the grid is finished.

    \b
    Example:
      vsumbench sweep --models csta,vasnet --datasets summe,tvsum --seeds 3 \\
          --epochs 20 --data-dir data --results results --device cpu
    """
    grid = _grid(spec_file, n_seeds, seed_list, model_args, time_min, options)
    from vsumbench.sweep.plan import plan_sweep
    from vsumbench.sweep.status import format_status

    plan = plan_sweep(grid)
    if status_only:
        click.echo(format_status(plan))
        return
    from pathlib import Path

    from vsumbench.sweep.driver import run_sweep
    from vsumbench.sweep.engines import make_engine

    engine = make_engine(grid, Path(grid.results)) if plan.todo else None  # refusals first
    click.echo(
        f"{len(plan.tasks)} fold(s): {len(plan.finished)} finished, {len(plan.todo)} to run "
        f"on {grid.engine}"
    )
    report = run_sweep(grid, progress=not quiet, plan=plan, engine=engine)
    _summaries(plan)
    report_failures(report)
    if report.interrupted:
        click.echo("interrupted: run the same command again to finish the sweep", err=True)
    if not report.complete:
        sys.exit(1)


def _grid(spec_file, n_seeds, seed_list, model_args, time_min, options) -> SweepGrid:
    from dataclasses import replace

    from vsumbench.errors import ConfigError
    from vsumbench.runner.config import parse_model_args
    from vsumbench.sweep.grid import grid_from_file

    if n_seeds is not None and seed_list is not None:
        raise ConfigError("give --seeds K or --seed-list S1,S2, not both")
    grid = grid_from_file(spec_file) if spec_file else SweepGrid()
    options["seeds"] = seed_list
    options["seed_count"] = n_seeds
    if seed_list or n_seeds:  # the command line's seeds replace the spec file's
        grid = replace(grid, seeds=(), seed_count=None)
    options["model_args"] = {**grid.model_args, **parse_model_args(model_args)} or None
    options["time"] = time_min
    if options.get("log"):
        from vsumbench.runner.trackers import check_trackers

        options["log"] = check_trackers(options["log"])
    options["log"] = options.get("log") or None  # not given: the file's value
    for flag in ("deterministic", "force", "allow_duplicates"):  # not given: the file's value
        options[flag] = options[flag] or None
    return grid.with_options(options)


def _summaries(plan) -> None:
    """Mean and spread over seeds for every model, dataset and selection of the grid."""
    from vsumbench.report.summary import format_summary
    from vsumbench.runner.store import run_label

    groups: dict[tuple[str, str, str], list] = {}
    for result in plan.results():
        key = (
            result.model,
            result.dataset,
            run_label(result.selection, result.init, result.variant, result.setting),
        )
        groups.setdefault(key, []).append(result)
    for (model, dataset, variant), results in sorted(groups.items()):
        kind = "synthetic" if all(r.synthetic for r in results) else "real"
        click.echo(
            format_summary(results, title=f"\n{model} on {dataset} ({kind} data), {variant}")
        )


def report_failures(report) -> None:
    """Each fold that did not finish: its task, the error, and its log."""
    failures = report.failures
    if not failures:
        return
    click.echo(f"\n{len(failures)} fold(s) did not finish:", err=True)
    for outcome in failures:
        tries = report.attempts.get(outcome.label, 1)
        click.echo(f"  {outcome.label}: {outcome.status} after {tries} attempt(s): "
                   f"{outcome.error}\n    log: {outcome.log}", err=True)  # fmt: skip
