"""``vsumbench evaluate`` and ``vsumbench human``: protocol numbers from files.

Only click and light modules are imported here; numpy, h5py and the protocol are imported
inside the commands, and nothing here imports torch, so evaluation starts fast.
"""

from __future__ import annotations

import click

from vsumbench.cli import data_dir_option, dataset_option


def _load_references(dataset: str, data_dir: str | None, keys=None, annotations=None):
    """References for ``keys`` (default all videos) of a dataset: structure and user
    summaries from its features file, per-annotator scores where its tau/rho need them
    (``annotations``, when the caller has already read them); prepared once per file."""
    from vsumbench.data.references import load_references

    return load_references(dataset, data_dir, keys, annotations)


def _data_kind(path) -> str:
    """``synthetic`` or ``real``: every output says which data its numbers come from."""
    from vsumbench.data.eccv16 import is_synthetic

    return "synthetic" if is_synthetic(path) else "real"


def _fmt(value) -> str:
    return "-" if value is None else f"{value:.4f}"


@click.command()
@click.argument("pred", type=click.Path(exists=True, dir_okay=False))
@dataset_option
@data_dir_option
@click.option("--json", "as_json", is_flag=True, help="Print a JSON object instead of a table.")
@click.option(
    "--allow-partial",
    is_flag=True,
    help="Evaluate a file that covers only some of the videos it should (its means are then "
    "over those videos only, and say so).",
)
@click.option(
    "--f1",
    "f1_kind",
    type=click.Choice(["official", "corrected"]),
    default="official",
    show_default=True,
    help="Mr.HiSum only: the official F1 (comparable with the paper) or the protocol's own "
    "keyshot F1 (docs/protocol.md section 9).",
)
def evaluate(
    pred: str, dataset: str, data_dir: str | None, as_json: bool, allow_partial: bool,
    f1_kind: str,
) -> None:  # fmt: skip
    """Evaluate the step scores in PRED (HDF5, one dataset of n_steps scores per video key).

    Prints Kendall's tau-b, Spearman's rho and keyshot F1 (fractions in [0, 1]) per video
    and their means over the videos in PRED, under the protocol of
    docs/protocol.md (TVSum: tau/rho against the 20 annotators; SumMe: keyshot
    summary against the mean user summary; F1 max over users on SumMe, mean on TVSum).
    Mr.HiSum: F1, mAP@50 and mAP@15 exactly as its official evaluation computes them
    (docs/protocol.md section 9). Fails, naming the file, video and field, on unknown keys,
    wrong lengths or NaN, and when PRED misses videos it should cover: every video of the
    dataset, or the videos the file declares (a fold's test videos, for the predictions
    `vsumbench run` writes).
    """
    from vsumbench.datasets import get_dataset

    evaluator = EVALUATORS[get_dataset(dataset).evaluation]
    evaluator(pred, dataset.lower(), data_dir, as_json, allow_partial, f1_kind)


def _coverage(
    pred: str, predictions, keys, allow_partial: bool, scope: str = "the whole dataset"
) -> dict:
    """Which of the videos PRED should cover it covers; refused when partial unless allowed."""
    from vsumbench.data.predictions import expected_videos
    from vsumbench.errors import PredictionError

    declared = expected_videos(pred)
    expected = declared if declared is not None else keys
    missing = [key for key in expected if key not in predictions]
    if missing and not allow_partial:
        raise PredictionError(
            f"covers {len(expected) - len(missing)} of the {len(expected)} videos it should "
            f"({'as the file declares' if declared is not None else scope}); "
            f"missing {', '.join(missing[:5])}{', ...' if len(missing) > 5 else ''}. A mean "
            f"over part of them is not comparable: pass --allow-partial to evaluate anyway",
            file=pred,
        )
    return {"videos": len(expected) - len(missing), "expected": len(expected), "missing": missing}


def _evaluate_highlights(
    pred: str, dataset: str, data_dir: str | None, as_json: bool, allow_partial: bool,
    f1_kind: str,
) -> None:  # fmt: skip
    """Mr.HiSum: F1, mAP@50 and mAP@15 per video and their means (protocol.md section 9)."""
    import json

    from vsumbench.data.eccv16 import is_synthetic
    from vsumbench.data.mrhisum import load_mrhisum, mrhisum_keys
    from vsumbench.data.paths import dataset_file
    from vsumbench.data.predictions import read_predictions
    from vsumbench.errors import PredictionError
    from vsumbench.protocol.mrhisum import METRICS, evaluate_mrhisum

    predictions = read_predictions(pred)
    path = dataset_file(dataset, data_dir)
    keys = mrhisum_keys(path)
    unknown = [key for key in predictions if key not in set(keys)]
    if unknown:
        raise PredictionError(f"unknown video key(s) {unknown[:5]}: not in {path} "
                              f"({len(keys)} videos)", file=pred, video=unknown[0])  # fmt: skip
    videos = load_mrhisum(path, list(predictions))
    result = evaluate_mrhisum(predictions, videos, f1=f1_kind, file=pred)
    expected, scope = _test_keys(dataset, data_dir, keys)
    coverage = _coverage(pred, predictions, expected, allow_partial, scope)
    data = "synthetic" if is_synthetic(path) else "real"
    if as_json:
        out = {"dataset": dataset, "predictions": pred, "data_file": str(path), "data": data,
               "f1_kind": f1_kind, **result, "coverage": coverage}  # fmt: skip
        click.echo(json.dumps(out, indent=2))
        return
    from vsumbench.cli.text import pipe_table

    rows = [[key, *(_fmt(s[m]) for m in METRICS)] for key, s in result["per_video"].items()]
    rows.append(["mean", *(_fmt(result[m]) for m in METRICS)])
    click.echo(f"{dataset} ({path}, {data} data), {coverage['videos']} of "
               f"{coverage['expected']} videos from {pred}; {f1_kind} F1; fractions")  # fmt: skip
    click.echo(pipe_table(["video", "F1", "mAP@50", "mAP@15"], rows))


def _test_keys(dataset: str, data_dir: str | None, keys: list[str]) -> tuple[list[str], str]:
    """What a prediction file of a one-split dataset should cover: the split's test videos
    when its split file is found, else every video."""
    from vsumbench.data.paths import split_file
    from vsumbench.data.splits import load_splits
    from vsumbench.errors import DataNotFoundError

    try:
        path = split_file(dataset, data_dir)
    except DataNotFoundError:
        return keys, "the whole dataset"
    return list(load_splits(path, keys)[0].test_keys), f"the test keys of {path}"


def _evaluate_keyshot(
    pred: str, dataset: str, data_dir: str | None, as_json: bool, allow_partial: bool,
    f1_kind: str,
) -> None:  # fmt: skip
    """SumMe/TVSum: tau, rho and keyshot F1 (protocol.md sections 3-5)."""
    import json

    from vsumbench.data.eccv16 import video_keys
    from vsumbench.data.paths import dataset_file
    from vsumbench.data.predictions import read_predictions
    from vsumbench.errors import PredictionError
    from vsumbench.protocol import evaluate as run_evaluation

    dataset = dataset.lower()
    predictions = read_predictions(pred)
    path = dataset_file(dataset, data_dir)
    keys = video_keys(path)
    known = set(keys)
    unknown = [key for key in predictions if key not in known]
    if unknown:
        raise PredictionError(
            f"unknown video key(s) {unknown}: not in {path} ({len(known)} videos)",
            file=pred,
            video=unknown[0],
        )
    _, references = _load_references(dataset, data_dir, list(predictions))
    result = run_evaluation(predictions, references, file=pred)  # bad values first
    coverage = _coverage(pred, predictions, keys, allow_partial)
    missing, expected = coverage["missing"], coverage["expected"]
    data = _data_kind(path)
    if as_json:
        out = {"dataset": dataset, "predictions": pred, "data_file": str(path), "data": data}
        out.update(result.to_dict())
        out["coverage"] = coverage
        click.echo(json.dumps(out, indent=2))
        return
    from vsumbench.cli.text import pipe_table

    rows = [
        [key, _fmt(s.kendall), _fmt(s.spearman), _fmt(s.f1), "; ".join(s.flags)]
        for key, s in result.per_video.items()
    ]
    mean = "mean" if not missing else f"mean ({coverage['videos']} of {expected} videos)"
    rows.append([mean, _fmt(result.kendall), _fmt(result.spearman), _fmt(result.f1), ""])
    headers = ["video", "Kendall tau", "Spearman rho", "F1", "flags"]
    if not any(s.flags for s in result.per_video.values()):
        rows = [r[:-1] for r in rows]
        headers = headers[:-1]
    scope = (
        f"{len(predictions)} videos"
        if not missing
        else (f"{coverage['videos']} of the {expected} videos it should cover (partial)")
    )
    click.echo(f"{dataset} ({path}, {data} data), {scope} from {pred}; F1 as a fraction")
    click.echo(pipe_table(headers, rows))


#: How `evaluate` scores each registered evaluation kind (`DatasetSpec.evaluation`).
EVALUATORS = {"keyshot": _evaluate_keyshot, "mrhisum": _evaluate_highlights}


@click.command()
@dataset_option
@data_dir_option
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the Random row.")
@click.option(
    "--repeats",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Random draws averaged per video in the Random row.",
)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON object instead of a table.")
def human(dataset: str, data_dir: str | None, seed: int, repeats: int, as_json: bool) -> None:
    """Measure the Human and Random rows of Table 1.

    Human: every annotator against every other (i != j), full frame rate, mean per video,
    then over videos (TVSum: ydata-anno.tsv scores; SumMe: user_summary). Random: uniform
    random step scores (seeded) evaluated like a model. TVSum's Human row needs only
    ydata-anno.tsv; the Random row also needs the eccv16 file.
    """
    import json

    from vsumbench.data.paths import load_dataset_annotations
    from vsumbench.errors import DataNotFoundError
    from vsumbench.protocol import human_row, random_row

    dataset = dataset.lower()
    references = None
    skipped = None
    data = "unknown (no features file to tell)"
    raters = load_dataset_annotations(dataset, data_dir)
    if raters is not None:  # annotator-scored (TVSum): the Human row needs only the scores
        try:
            path, references = _load_references(dataset, data_dir, annotations=raters)
            data = _data_kind(path)
        except DataNotFoundError as exc:
            skipped = str(exc)
    else:
        path, references = _load_references(dataset, data_dir)
        data = _data_kind(path)
        raters = {key: ref.user_summary for key, ref in references.items()}
    human_result = human_row(raters, progress=not as_json)
    random_result = random_row(references, seed, repeats) if references is not None else None

    if as_json:
        out = {
            "dataset": dataset,
            "data": data,
            "kendall": human_result.kendall,
            "spearman": human_result.spearman,
            "human": {
                "kendall": human_result.kendall,
                "spearman": human_result.spearman,
                "per_video": {k: s.to_dict() for k, s in human_result.per_video.items()},
            },
            "random": None
            if random_result is None
            else {"seed": seed, "repeats": repeats, **random_result.to_dict()},
        }
        if skipped:
            out["random_skipped"] = skipped
        click.echo(json.dumps(out, indent=2))
        return
    from tabulate import tabulate

    rows = [["Human", _fmt(human_result.kendall), _fmt(human_result.spearman), "-"]]
    if random_result is not None:
        rows.append(
            [
                f"Random (seed {seed}, {repeats} draw{'s' if repeats > 1 else ''})",
                _fmt(random_result.kendall),
                _fmt(random_result.spearman),
                _fmt(random_result.f1),
            ]
        )
    click.echo(f"{dataset} ({data} data): {len(human_result.per_video)} videos; F1 as a fraction")
    click.echo(
        tabulate(rows, headers=["row", "Kendall tau", "Spearman rho", "F1"], tablefmt="github")
    )
    if skipped:
        click.echo(f"Random row skipped: {skipped}", err=True)
