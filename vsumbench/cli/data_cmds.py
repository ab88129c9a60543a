"""``vsumbench data synth|check|splits``: make, check and split the benchmark files.

Only click is imported at module level; numpy/h5py come in with the command that needs them.
"""

from __future__ import annotations

from pathlib import Path

import click

from vsumbench.cli import data_dir_option, dataset_option


@click.command()
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=str),
    default=None,
    help="Directory to write into (default: the data dir: $VSUMBENCH_DATA, else ./data).",
)
@click.option(
    "--size",
    type=click.Choice(["small", "full"]),
    default="small",
    show_default=True,
    help="small: 300-1200 frames per video (CI, seconds on CPU); full: the real frame counts.",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Same seed, same arrays.")
@click.option(
    "--force",
    is_flag=True,
    help="Replace files that are not known to be synthetic (by default such a file, real "
    "data perhaps, stops the command before anything is written).",
)
@click.option(
    "--dataset",
    type=click.Choice(["summe-tvsum", "mrhisum"]),  # the keys of SYNTHETIC
    default="summe-tvsum",
    show_default=True,
    help="summe-tvsum: the eccv16 benchmark; mrhisum: the Mr.HiSum twin (mr_hisum.h5 and "
    "mr_hisum_split.json, --videos of them).",
)
@click.option(
    "--videos",
    type=click.IntRange(min=1),
    default=2000,
    show_default=True,
    help="Mr.HiSum twin only: how many videos (the real dataset has 31,892: about 35 GB).",
)
def synth(out: str | None, size: str, seed: int, force: bool, dataset: str, videos: int) -> None:
    """Generate the synthetic SumMe/TVSum benchmark (eccv16 HDF5 files, TVSum annotations,
    5-fold splits) with a planted, learnable importance signal.

    The files have exactly the format of the real ones and are marked synthetic (root
    attribute vsumbench_synthetic=1; the text files are listed by digest in
    .vsumbench-synthetic.json), so results made on them say so. A file in the way that is not
    synthetic (real data) is never replaced without --force. See docs/synthetic.md.
    """
    from vsumbench.data.paths import resolve_data_dir

    root = resolve_data_dir(out)
    written, what = SYNTHETIC[dataset](root, size, seed, videos, force)
    click.echo(f"{what} written to {root}:")
    for path in written.values():
        click.echo(f"  {path}")


def _synth_benchmark(root: Path, size: str, seed: int, videos: int, force: bool):
    from vsumbench.data.synth import generate_benchmark

    written = generate_benchmark(root, size=size, seed=seed, progress=True, force=force)
    return written, f"synthetic benchmark (size={size}, seed={seed})"


def _synth_mrhisum(root: Path, size: str, seed: int, videos: int, force: bool):
    from vsumbench.data.mrhisum_synth import generate_mrhisum

    written = generate_mrhisum(root, videos, seed, progress=True, force=force)
    return written, f"synthetic Mr.HiSum ({videos} videos, seed={seed})"


#: What `data synth --dataset` can write: one generator each.
SYNTHETIC = {"summe-tvsum": _synth_benchmark, "mrhisum": _synth_mrhisum}


def _dataset_of(path: Path) -> str | None:
    """The registered dataset a file belongs to, by its name (``tvsum_splits.json``)."""
    from vsumbench.datasets import get_dataset, list_datasets

    name = path.name.lower()
    for dataset in list_datasets():
        spec = get_dataset(dataset)
        split_names = [Path(n).name for n in spec.split_names]
        if dataset in name or name in spec.annotation_files or name in split_names:
            return dataset
    return None


def _report(label: Path, problems: list, ok_note: str = "") -> bool:
    if problems:
        click.echo(f"FAIL {label}: {len(problems)} problem(s)")
        for problem in problems:
            click.echo(f"  - {problem}")
        return False
    click.echo(f"OK   {label}" + (f" ({ok_note})" if ok_note else ""))
    return True


@click.command()
@data_dir_option
@click.option(
    "--features-only",
    is_flag=True,
    help="HDF5 files need only features (+ structure), e.g. files made by `data extract`.",
)
@click.option("--rules", "list_rules", is_flag=True, help="List what each file layout's checks "
              "require, field by field, and exit.")  # fmt: skip
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=str))
def check(
    data_dir: str | None, features_only: bool, list_rules: bool, files: tuple[str, ...]
) -> None:
    """Check data files and report EVERY problem, each with file, video and field.

    Without FILES: every .h5 file in the data dir, ydata-anno.tsv(.gz) against the TVSum
    file's frame counts, and split files under <data dir>/splits. FILES may be .h5, .tsv,
    .tsv.gz, .json or CSTA .txt split files. Exit status 1 when any problem is found.
    """
    from vsumbench.data.paths import resolve_data_dir
    from vsumbench.datasets import benchmark_datasets
    from vsumbench.errors import DataError

    if list_rules:
        _print_rules()
        return
    root = resolve_data_dir(data_dir)
    if files:
        paths = [Path(f) for f in files]
    else:
        if not root.is_dir():
            raise click.ClickException(f"data dir {root} does not exist")
        paths = sorted(root.glob("*.h5"))
        annotation_names = [n for s in benchmark_datasets() for n in s.annotation_files]
        paths += [root / n for n in annotation_names if (root / n).is_file()]
        top_splits = [n for s in benchmark_datasets() for n in s.split_names if "/" not in n]
        paths += [root / n for n in top_splits if (root / n).is_file()]
        split_dir = root / "splits"
        if split_dir.is_dir():
            paths += sorted(p for p in split_dir.iterdir() if p.suffix in (".json", ".txt"))
        if not paths:
            raise click.ClickException(
                f"no data files in {root}; generate some with `vsumbench data synth --out {root}`"
            )

    all_ok = True
    if not files:
        all_ok &= _check_companions(root, features_only)
    for path in paths:
        name = path.name.lower()
        kind = next((k for k, endings in _CHECKERS if name.endswith(endings)), None)
        if not path.is_file():
            all_ok &= _report(path, [DataError("file not found", file=path)])
        elif kind is None:
            unknown = "unknown file type (expected .h5, .tsv[.gz], .json or .txt)"
            all_ok &= _report(path, [DataError(unknown, file=path)])
        else:
            all_ok &= _report(path, *kind(path, root, features_only))
    if not all_ok:
        raise SystemExit(1)


def _print_rules() -> None:
    from vsumbench.data.layouts import LAYOUTS
    from vsumbench.datasets import get_dataset, list_datasets

    for name, layout in LAYOUTS.items():
        users = [get_dataset(d).label for d in list_datasets() if get_dataset(d).layout == name]
        click.echo(f"{name} ({', '.join(users)}):")
        for field, says in layout.rules():
            click.echo(f"  {field}: {says}")


def _check_h5(path: Path, root: Path, features_only: bool) -> tuple[list, str]:
    """A dataset file, read by its layout: every problem; its videos and whether it is
    synthetic (Mr.HiSum's also which summary lengths and change points it holds)."""
    from vsumbench.data.layouts import layout_of_file

    return layout_of_file(path).check(path, features_only)


def _check_annotations(path: Path, root: Path, features_only: bool) -> tuple[list, str]:
    """An annotation file, against the frame counts of its dataset's file when found."""
    from vsumbench.data.annotations import check_frame_counts, load_annotations
    from vsumbench.data.eccv16 import load_videos
    from vsumbench.data.paths import dataset_filename
    from vsumbench.datasets import benchmark_datasets
    from vsumbench.errors import DataError

    try:
        annotations = load_annotations(path)
    except DataError as exc:
        return [exc], ""
    owner = _dataset_of(path) or next(  # a renamed annotation file: the annotated one
        s.name for s in benchmark_datasets() if s.needs_annotations
    )
    features = path.parent / dataset_filename(owner)
    if not features.is_file():
        features = root / dataset_filename(owner)
    note = f"{len(annotations)} videos"
    if not features.is_file():
        return [], note + f", frame counts not compared (no {features.name} found)"
    try:
        videos = load_videos(features, fields=())
    except DataError:
        return [], note + f", frame counts not compared ({features} has problems)"
    n_frames = {k: v.n_frames for k, v in videos.items()}
    problems = check_frame_counts(annotations, n_frames, file=path)
    return problems, note + f", frame counts match {features}"


def _check_split(path: Path, root: Path, features_only: bool) -> tuple[list, str]:
    """A split file, against the keys of its dataset's file when found."""
    from vsumbench.data.layouts import layout_of
    from vsumbench.data.paths import dataset_filename
    from vsumbench.data.splits import check_splits, coverage, load_splits
    from vsumbench.errors import DataError

    dataset, keys = _dataset_of(path), None
    if dataset is not None:
        for cand in (path.parent.parent, path.parent, root):
            if (cand / dataset_filename(dataset)).is_file():
                try:
                    keys = layout_of(dataset).keys(cand / dataset_filename(dataset))
                except DataError:
                    keys = None
                break
    problems = check_splits(path, keys)
    if problems:
        return problems, ""
    folds = load_splits(path)
    if len(folds) == 1 and folds[0].val_keys:  # one fixed split (Mr.HiSum's)
        one = folds[0]
        note = f"one split: {len(one.train_keys)} train / {len(one.val_keys)} val / " \
               f"{len(one.test_keys)} test"  # fmt: skip
    else:
        note = coverage(folds, keys).describe()
    return problems, note + ("; keys not compared with a dataset file" if keys is None else "")


#: How `check` reads each kind of file, by its ending.
_CHECKERS = (
    (_check_h5, (".h5",)),
    (_check_annotations, (".tsv", ".tsv.gz")),
    (_check_split, (".json", ".txt")),
)


def _check_companions(root: Path, features_only: bool) -> bool:
    """A dataset file whose annotations are missing (a half-written folder, a partial copy)
    cannot be evaluated: say so, with the file it needs. Missing default splits are noted."""
    from vsumbench.data.paths import dataset_filename
    from vsumbench.datasets import benchmark_datasets
    from vsumbench.errors import DataError

    ok = True
    for spec in benchmark_datasets():
        h5 = root / dataset_filename(spec.name)
        if not h5.is_file():
            continue
        if spec.needs_annotations and not features_only:
            if not any((root / name).is_file() for name in spec.annotation_files):
                missing = DataError(
                    f"{spec.label}'s tau/rho need its annotation file "
                    f"({' or '.join(spec.annotation_files)}), which is not in {root}",
                    file=root / spec.annotation_files[0],
                )
                ok &= _report(root / spec.annotation_files[0], [missing])
        names = spec.split_names or (f"splits/{spec.name}_splits.json",)
        if not any((root / name).is_file() for name in names):
            click.echo(
                f"note {root / names[0]}: not found; `vsumbench run` will need --splits FILE"
            )
    return ok


@click.command()
@dataset_option
@data_dir_option
@click.option("--folds", type=int, default=5, show_default=True, help="Number of folds (k).")
@click.option("--seed", type=int, default=0, show_default=True, help="Shuffling seed.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "csta"]),
    default="json",
    show_default=True,
    help="Standard JSON (list of train_keys/test_keys) or CSTA's one-line-per-fold text.",
)
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=str), required=True, help="File to write."
)
def splits(dataset: str, data_dir: str | None, folds: int, seed: int, fmt: str, out: str) -> None:
    """Write deterministic k-fold splits over the dataset's video keys: every video is
    tested in exactly one fold (SumMe 20/5, TVSum 40/10 with 5 folds)."""
    from vsumbench.data.layouts import layout_of
    from vsumbench.data.paths import dataset_file
    from vsumbench.data.splits import make_kfold, write_splits
    from vsumbench.datasets import get_dataset

    dataset = dataset.lower()
    keys = layout_of(dataset).keys(dataset_file(dataset, data_dir))
    try:
        folds_ = make_kfold(keys, k=folds, seed=seed)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--folds") from None
    write_splits(out, folds_, format=fmt, dataset_name=get_dataset(dataset).label)
    sizes = ", ".join(f"{len(s.train_keys)}/{len(s.test_keys)}" for s in folds_)
    click.echo(f"{folds} folds (train/test: {sizes}) over {len(keys)} videos written to {out}")


@click.command("mrhisum-features")
@click.option(
    "--yt8m",
    "yt8m_dir",
    type=click.Path(file_okay=False, exists=True),
    required=True,
    help="YouTube-8M folder holding frame/<yt8m_file>.tfrecord shards.",
)
@click.option(
    "--metadata",
    type=click.Path(dir_okay=False, exists=True),
    required=True,
    help="Mr.HiSum's metadata.csv (video_id, yt8m_file, random_id, ...).",
)
@click.option(
    "--h5",
    "h5_path",
    type=click.Path(dir_okay=False, exists=True),
    required=True,
    help="Mr.HiSum's mr_hisum.h5; each video's `features` is written into it.",
)
@click.option("--quiet", is_flag=True, help="No progress bar.")
def mrhisum_features(yt8m_dir: str, metadata: str, h5_path: str, quiet: bool) -> None:
    """Fill Mr.HiSum's `features` from YouTube-8M's frame-level shards, without TensorFlow.

    Each video's `rgb` bytes are dequantised as the authors do (x * 4 / 255 - 2, float32).
    Videos that already have features are skipped, so an interrupted fill resumes; videos
    that no shard holds are listed at the end (exit status 1).
    """
    from vsumbench.data.yt8m import fill_features

    report = fill_features(yt8m_dir, metadata, h5_path, progress=not quiet)
    click.echo(
        f"filled {len(report['filled'])} video(s) in {h5_path}; "
        f"{len(report['skipped'])} already had features"
    )
    if report["missing"]:
        click.echo(f"{len(report['missing'])} video(s) not found:", err=True)
        for line in report["missing"]:
            click.echo(f"  {line}", err=True)
        raise SystemExit(1)
