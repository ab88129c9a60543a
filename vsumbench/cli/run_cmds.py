"""``vsumbench run`` (k-fold training) and ``vsumbench predict`` (score a features file).

Only click at import time; torch and the runner are imported when a command runs.
"""

from __future__ import annotations

import click

from vsumbench.cli import data_dir_option, dataset_option, device_option
from vsumbench.runner.config import CHECKPOINT_MODES, DEFAULT_SEED, RNG_MODES
from vsumbench.runner.selection import OFFICIAL, describe_selections, selection_names

checkpoints_option = click.option(
    "--checkpoints",
    type=click.Choice(CHECKPOINT_MODES),
    default="keep",
    show_default=True,
    help="keep: each fold's checkpoint.pt (the chosen epoch's weights, e.g. 60 MB for CSTA), "
    "for `vsumbench predict`; none: predictions and results only.",
)
allow_duplicates_option = click.option(
    "--allow-duplicates",
    is_flag=True,
    help="Train even when the data file holds one video under two keys (identical "
    "features: a train/test leak that is refused by default).",
)


def _parse_folds(ctx: click.Context, param: click.Parameter, value: str | None) -> list[int] | None:
    if value is None:
        return None
    try:
        folds = [int(part) for part in value.split(",") if part.strip()]
    except ValueError:
        raise click.BadParameter(
            f"expected comma-separated fold numbers like 0,2; got {value!r}"
        ) from None
    if not folds:
        raise click.BadParameter("no fold numbers given")
    return list(dict.fromkeys(folds))


def _finite(value: float | None, param: click.Parameter, *, positive: bool) -> float | None:
    """Optimiser settings must be finite, and positive (lr) or non-negative (decay)."""
    import math

    if value is None:
        return None
    if not math.isfinite(value) or value < 0 or (positive and value == 0):
        bound = "a positive" if positive else "a non-negative"
        raise click.BadParameter(f"expected {bound} finite number, got {value}", param=param)
    return value


@click.command()
@click.argument("model")
@dataset_option
@data_dir_option
@click.option(
    "--splits",
    type=click.Path(dir_okay=False, exists=True),
    default=None,
    help="Split file, standard JSON, CSTA text or DSNet YAML (default: "
    "<data-dir>/splits/<dataset>_splits.json).",
)
@click.option(
    "--epochs",
    type=click.IntRange(min=1),
    default=None,
    help="Epochs per fold (default: the model's registered default, 100 for CSTA).",
)
@click.option(
    "--seeds",
    "n_seeds",
    type=click.IntRange(min=1),
    default=None,
    help=f"Run K seeds counting up from the model's registered seed ({DEFAULT_SEED} "
    "unless its authors used another; default 1).",
)
@click.option(
    "--seed",
    "seed",
    type=int,
    default=None,
    help=f"Run this one seed (default: the model's registered seed, its authors': "
    f"{DEFAULT_SEED} for CSTA and VASNet, 12345 for DSNet and PGL-SUM).",
)
@click.option(
    "--folds",
    callback=_parse_folds,
    default=None,
    metavar="0,2",
    help="Only these folds (0-based, comma-separated; default all).",
)
@device_option
@click.option(
    "--selection",
    type=click.Choice([*selection_names(), OFFICIAL]),
    default=None,
    help=f"Epoch selection (default: paper; on Mr.HiSum its official rule, mrhisum-val): "
    f"{describe_selections()}.",
)
@click.option(
    "--precision",
    type=click.Choice(["32", "bf16-mixed", "16-mixed"]),
    default="32",
    show_default=True,
    help="Training precision (Lightning's names): 32-bit, or the forward pass and loss under "
    "autocast in bfloat16 or float16 (a gradient scaler on CUDA). Recorded in the result.",
)
@click.option(
    "--setting",
    type=click.Choice(["canonical", "augmented", "transfer"]),
    default="canonical",
    show_default=True,
    help="canonical: the dataset's own folds; augmented: every fold also trains on the other "
    "benchmark, OVP and YouTube; transfer: train on those three, test on every video of "
    "--dataset (one fold). Recorded in the result and its folder (...@augmented).",
)
@click.option(
    "--log",
    "trackers",
    multiple=True,
    type=click.Choice(["tensorboard", "mlflow", "wandb"]),
    help="Log every epoch and each fold's configuration and result to this experiment tracker "
    "(repeatable; the track extra). TensorBoard and MLflow write under --results; W&B runs "
    "offline there unless you configured it.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=0),
    default=None,
    help="Processes reading features from disk for a streamed dataset (Mr.HiSum; default: "
    "the usable cores minus one, at most 4).",
)
@click.option(
    "--results",
    "results_dir",
    type=click.Path(file_okay=False),
    default="results",
    show_default=True,
    help="Root of the result store.",
)
@click.option(
    "--backbone-init",
    default="imagenet",
    show_default=True,
    metavar="imagenet|random|PATH",
    help="CNN backbone initialisation (models with a backbone only).",
)
@click.option(
    "--deterministic",
    is_flag=True,
    help="Deterministic algorithms and cuDNN (CUDA pooling backward stays nondeterministic).",
)
@click.option("--force", is_flag=True, help="Retrain folds that already have a finished result.")
@click.option(
    "--lr",
    type=float,
    default=None,
    callback=lambda ctx, param, value: _finite(value, param, positive=True),
    help="Override the registered learning rate (> 0).",
)
@click.option(
    "--weight-decay",
    type=float,
    default=None,
    callback=lambda ctx, param, value: _finite(value, param, positive=False),
    help="Override the registered weight decay (>= 0).",
)
@click.option(
    "--model-arg",
    "model_args",
    multiple=True,
    metavar="NAME=VALUE",
    help="A model option of the summarizer's factory (repeatable; see `vsumbench models "
    "--json`), e.g. --model-arg hidden=128. Recorded in the result.",
)
@click.option(
    "--threads",
    type=click.IntRange(min=1),
    default=None,
    help="torch CPU threads (default: the usable cores, at most 4; recorded in the result).",
)
@click.option(
    "--rng",
    type=click.Choice(RNG_MODES),
    default="fold",
    show_default=True,
    help="fold: every fold seeded from its seed (folds independent, resumable); official: "
    "replay the official CSTA train.py's random stream (one process, SumMe then TVSum), "
    "bitwise on the CPU given the same backbone weights.",
)
@click.option(
    "--parallel",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Train N folds at once on an embedded Ray (one CPU each, GPUs shared equally), "
    "exactly as one at a time; per-fold logs land beside the results. Needs the sweep extra.",
)
@checkpoints_option
@allow_duplicates_option
@click.option("--quiet", is_flag=True, help="No progress bars.")
def run(
    model: str,
    dataset: str,
    data_dir: str | None,
    splits: str | None,
    epochs: int | None,
    n_seeds: int | None,
    seed: int | None,
    folds: list[int] | None,
    device: str,
    selection: str | None,
    precision: str,
    setting: str,
    trackers: tuple[str, ...],
    workers: int | None,
    results_dir: str,
    backbone_init: str,
    deterministic: bool,
    force: bool,
    lr: float | None,
    weight_decay: float | None,
    model_args: tuple[str, ...],
    threads: int | None,
    rng: str,
    parallel: int,
    checkpoints: str,
    allow_duplicates: bool,
    quiet: bool,
) -> None:
    """Train MODEL with k-fold cross-validation on a dataset, as the CSTA paper did
    (Mr.HiSum: on its one fixed split, as its authors did).

    Each model trains with its authors' recipe, as registered: its loss and targets, videos
    per optimiser step, clipping, LR schedule, seed and epoch rule (`vsumbench models`
    lists them; CSTA: one video per step, Adam, MSE to gtscore). The fold's test videos are
    evaluated after every epoch. Results go to RESULTS/<dataset>/<model>/<selection>-<init>
    [+<model options>]/seed<S>/fold<k>/ (result.json, checkpoint.pt, predictions.h5). An
    interrupted run (Ctrl-C) resumes at the next epoch; finished folds are skipped unless
    --force.

    \b
    Example:
      vsumbench run csta --dataset tvsum --seeds 3 --selection val
    """
    if n_seeds is not None and seed is not None:
        raise click.UsageError("give --seeds K or --seed S, not both")
    from vsumbench.datasets import get_dataset

    if selection is None:  # a dataset with its own rule is selected by it
        selection = OFFICIAL if get_dataset(dataset).selection else "paper"

    from vsumbench.runner.config import RunConfig, parse_model_args
    from vsumbench.runner.trackers import check_trackers
    from vsumbench.runner.train import run as run_training

    config = RunConfig(
        model=model,
        dataset=dataset.lower(),
        data_dir=data_dir,
        splits=splits,
        epochs=epochs,
        seeds=_seeds(model, n_seeds, seed),
        folds=folds,
        device=device,
        selection=selection,
        results=results_dir,
        backbone_init=backbone_init,
        deterministic=deterministic,
        force=force,
        lr=lr,
        weight_decay=weight_decay,
        progress=not quiet,
        model_args=parse_model_args(model_args),
        threads=threads,
        rng=rng,
        checkpoints=checkpoints,
        allow_duplicates=allow_duplicates,
        precision=precision,
        workers=workers,
        setting=setting,
        log=check_trackers(trackers),
    )
    _say_what_is_ignored(model, epochs=epochs, lr=lr, weight_decay=weight_decay)
    if parallel > 1:
        _run_parallel(config, parallel)
        return
    report = run_training(config)
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    if report.replayed:
        click.echo(
            f"official replay: trained {len(report.replayed)} earlier fold(s) first, as the "
            f"official script does ({report.replayed[0]} ...)"
        )
    _summary(config, report.results, len(report.skipped))


def _seeds(model: str, n_seeds: int | None, seed: int | None) -> list[int] | None:
    """``--seed S`` or ``--seeds K`` (K seeds from the model's own); None: the model's seed."""
    from vsumbench.models import get_spec
    from vsumbench.runner.config import seeds_from

    if seed is not None:
        return [seed]
    return None if n_seeds is None else seeds_from(n_seeds, start=get_spec(model).seed)


def _say_what_is_ignored(model: str, **training: float | None) -> None:
    """A model scored once, never trained, ignores the training options it was given."""
    from vsumbench.models import get_spec

    given = [f"--{k.replace('_', '-')}" for k, v in training.items() if v is not None]
    if given and not get_spec(model).trainable:
        click.echo(
            f"{model} is not trainable (scored once, never trained): {', '.join(given)} ignored",
            err=True,
        )


def _summary(config, results, skipped: int) -> None:
    """The end-of-run table and where the results are."""
    from vsumbench.report.summary import format_summary

    if skipped:
        click.echo(f"{skipped} fold(s) already finished, not rerun (use --force to retrain).")
    kinds = sorted({"synthetic" if r.synthetic else "real" for r in results})
    data = "/".join(kinds)
    rules = ", ".join(sorted({r.selection for r in results})) or config.selection
    title = f"{config.model} on {config.dataset} ({data} data), selection {rules}"
    title += f", {config.setting} setting" if config.setting != "canonical" else ""
    click.echo(format_summary(results, title=title))
    for r in results:
        if r.note:
            click.echo(f"note: seed {r.seed} fold {r.fold}: {r.note}", err=True)
    from vsumbench.runner.store import disk_usage, format_bytes

    places = sorted({str(r.path.parent.parent) for r in results})
    for place in places:
        click.echo(f"results: {place}")
    folders = [r.path for r in results if r.path is not None]
    if folders:
        click.echo(f"disk: {format_bytes(disk_usage(folders))} in {len(folders)} fold folder(s)")


def _run_parallel(config, parallel: int) -> None:
    """The run's folds through the sweep engine; the same summary as a sequential run."""
    import sys

    from vsumbench.cli.sweep_cmds import report_failures
    from vsumbench.sweep.driver import run_parallel

    report = run_parallel(config, parallel, progress=config.progress)
    _summary(config, report.plan.results(), len(report.plan.finished))
    report_failures(report)
    if not report.complete:
        sys.exit(1)


@click.command()
@click.argument("model")
@click.option(
    "--checkpoint",
    type=click.Path(dir_okay=False),
    required=True,
    help="Our checkpoint.pt, or an official bare state dict (e.g. CSTA's split<k>.pt).",
)
@click.option(
    "--data",
    "data",
    type=click.Path(dir_okay=False, exists=True),
    required=True,
    help="eccv16 .h5 file; only each video's `features` is read.",
)
@click.option(
    "--out",
    "out",
    type=click.Path(dir_okay=False),
    required=True,
    help="Predictions .h5 to write (the `vsumbench evaluate` format).",
)
@device_option
@click.option(
    "--threads",
    type=click.IntRange(min=1),
    default=None,
    help="torch CPU threads (default: as `vsumbench run`; the same count gives its scores "
    "bitwise).",
)
@click.option("--quiet", is_flag=True, help="No progress bar.")
def predict(
    model: str, checkpoint: str, data: str, out: str, device: str, threads: int | None, quiet: bool
) -> None:
    """Score every video of a features file with a trained MODEL.

    The checkpoint is loaded as tensors only and strictly: one made for another model is
    refused, naming the keys that do not fit. The output holds one dataset of n_steps
    scores per video, ready for `vsumbench evaluate`.

    \b
    Example:
      vsumbench predict csta --checkpoint weights/TVSum/split0.pt \\
          --data data/eccv16_dataset_tvsum_google_pool5.h5 --out pred.h5
    """
    from vsumbench.runner.predict import predict_file

    _check_checkpoint(checkpoint)
    scores = predict_file(model, checkpoint, data, out, device, threads=threads, progress=not quiet)
    click.echo(f"wrote scores of {len(scores)} video(s) to {out}")


def _check_checkpoint(checkpoint: str) -> None:
    """A missing checkpoint: say why when its fold was trained without one."""
    from pathlib import Path

    from vsumbench.errors import DataNotFoundError
    from vsumbench.runner.store import RESULT_FILE, read_result

    path = Path(checkpoint)
    if path.is_file():
        return
    fold = path.parent
    result = read_result(fold) if (fold / RESULT_FILE).is_file() else None
    if result is not None and result.config.get("checkpoints") == "none":
        raise DataNotFoundError(
            f"this fold was trained with --checkpoints none: it kept its predictions "
            f"({fold / 'predictions.h5'}) and result, not its weights. Retrain it with "
            f"`vsumbench run ... --checkpoints keep --force` to predict other videos",
            file=path,
        )
    raise DataNotFoundError("checkpoint not found", file=path)
