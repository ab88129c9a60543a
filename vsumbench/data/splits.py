"""Cross-validation splits: the standard JSON, CSTA's text format, and k-fold generation.

Standard JSON (vsumm-reinforce, VASNet, PGL-SUM): a list of
``{"train_keys": [...], "test_keys": [...]}``. CSTA text: one line per fold,
``SumMe/split0/<train keys, comma separated>/<test keys>``. DSNet's YAML (its
``splits/<dataset>.yml``): a list of folds whose keys are ``<h5 path>/<video key>``, read
as the video keys. The format is detected from the content, so ``--splits FILE`` accepts
any of them. Both load into the same :class:`Split` objects
and are validated the same way.

The standard JSON files are NOT a k-fold partition: vsumm-reinforce drew each 80/20 split
independently, so in ``summe_splits.json`` 6 videos are tested in more than one fold and 7 are
never tested (TVSum: 13 and 16). CSTA's text splits are a partition. Loading therefore accepts
repeated test videos unless ``partition=True``; :func:`coverage` says how a file covers the
dataset, and ``vsumbench data check`` prints it.
"""

from __future__ import annotations

import json
import os
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from vsumbench.data.eccv16 import natural_sorted
from vsumbench.errors import DataError, DataNotFoundError

FORMATS = ("json", "csta", "dsnet")


@dataclass(frozen=True)
class Split:
    """One fold: the videos to train on and the videos to test on; ``val_keys`` when the file
    fixes the validation videos (Mr.HiSum's ``mr_hisum_split.json``)."""

    train_keys: tuple[str, ...]
    test_keys: tuple[str, ...]
    name: str = ""
    val_keys: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for name in ("train_keys", "test_keys", "val_keys"):
            object.__setattr__(self, name, tuple(getattr(self, name)))


def detect_format(text: str) -> str:
    """``json`` for a JSON value, ``dsnet`` for a YAML list (``- ...``), else ``csta``."""
    stripped = text.lstrip()
    if stripped.startswith("[") or stripped.startswith("{"):
        return "json"
    return "dsnet" if stripped.startswith("-") else "csta"


def _parse(text: str, file: str, fmt: str) -> list[Split]:
    if fmt == "json":
        return _parse_json(text, file)
    return _parse_dsnet(text, file) if fmt == "dsnet" else _parse_csta(text, file)


def _parse_json(text: str, file: str) -> list[Split]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataError(f"not valid JSON ({exc})", file=file) from None
    return _folds(data, file)


def _parse_dsnet(text: str, file: str) -> list[Split]:
    import yaml

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise DataError(f"not valid YAML ({exc})", file=file) from None
    if isinstance(data, list):  # "../datasets/eccv16_dataset_summe_google_pool5.h5/video_1"
        data = [
            {k: [_dsnet_key(str(key)) for key in v] if isinstance(v, list) else v
             for k, v in fold.items()} if isinstance(fold, dict) else fold
            for fold in data
        ]  # fmt: skip
    splits = _folds(data, file)
    # The dataset every test key comes from is the target: its keys go bare, the others'
    # (augmented and transfer splits) stay "<dataset>/<key>".
    tested = {k.split("/", 1)[0] for s in splits for k in s.test_keys if "/" in k}
    if len(tested) == 1:
        (target,) = tested
        bare = lambda k: k.split("/", 1)[1] if k.startswith(target + "/") else k  # noqa: E731
        splits = [Split([bare(k) for k in s.train_keys], [bare(k) for k in s.test_keys],
                        s.name, [bare(k) for k in s.val_keys]) for s in splits]  # fmt: skip
    return splits


def _dsnet_key(key: str) -> str:
    """``<dataset>/<video>`` from DSNet's ``.../eccv16_dataset_<name>_google_pool5.h5/<video>``
    (the bare video key when the file is not a known dataset's)."""
    from vsumbench.datasets import get_dataset, list_datasets

    parts = key.rsplit("/", 2)
    if len(parts) < 2:
        return key
    by_file = {get_dataset(d).features_file: d for d in list_datasets()}
    dataset = by_file.get(parts[-2])
    return f"{dataset}/{parts[-1]}" if dataset else parts[-1]


def _folds(data: object, file: str) -> list[Split]:
    """Folds from parsed records ``[{"train_keys": [...], "test_keys": [...]}, ...]``."""
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list) or not data:
        raise DataError(
            'expected a non-empty list of {"train_keys": [...], "test_keys": [...]}',
            file=file,
        )
    splits = []
    for i, fold in enumerate(data):
        where = f"fold {i}"
        if not isinstance(fold, dict) or "train_keys" not in fold or "test_keys" not in fold:
            raise DataError(
                f"{where}: expected an object with 'train_keys' and 'test_keys', found "
                f"{type(fold).__name__}"
                + (f" with keys {sorted(fold)}" if isinstance(fold, dict) else ""),
                file=file,
            )
        for field in ("train_keys", "test_keys", "val_keys"):
            keys = fold.get(field, [])
            if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
                raise DataError(f"{where}: {field} must be a list of strings", file=file)
        splits.append(
            Split(fold["train_keys"], fold["test_keys"], f"split{i}", fold.get("val_keys", []))
        )
    return splits


def _parse_csta(text: str, file: str) -> list[Split]:
    splits = []
    for lineno, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line:
            continue
        parts = line.split("/")
        if len(parts) != 4:
            raise DataError(
                f"line {lineno}: expected 'Dataset/splitK/<train keys>/<test keys>' (4 fields "
                f"separated by '/'), found {len(parts)} field(s)",
                file=file,
            )
        _dataset, name, train, test = parts
        train_keys = [k.strip() for k in train.split(",") if k.strip()]
        test_keys = [k.strip() for k in test.split(",") if k.strip()]
        splits.append(Split(train_keys, test_keys, name=name or f"split{len(splits)}"))
    if not splits:
        raise DataError("no folds found (empty CSTA split file)", file=file)
    return splits


def validate_splits(
    splits: Sequence[Split],
    videos: Iterable[str] | None = None,
    *,
    file: str | os.PathLike | None = None,
    partition: bool = False,
) -> list[DataError]:
    """Every problem of a set of folds (empty when fine).

    Checks: empty train/test sets, a key twice in one list, a key in both train and test
    of a fold, (when ``videos`` is given) keys that are not in the dataset, and with
    ``partition=True`` a key in the test set of two folds or (with ``videos``) never tested.
    """
    file = str(file) if file is not None else None
    errs: list[DataError] = []
    known = set(videos) if videos is not None else None
    first_test: dict[str, int] = {}
    for i, split in enumerate(splits):
        fold = f"fold {i}" + (
            f" ({split.name})" if split.name and split.name != f"split{i}" else ""
        )
        roles = {"train_keys": split.train_keys, "test_keys": split.test_keys}
        for field, keys in (*roles.items(), ("val_keys", split.val_keys)):
            if not keys and field != "val_keys":
                errs.append(DataError(f"{fold}: {field} is empty", file=file, field=field))
            seen: set[str] = set()
            for k in keys:
                if k in seen:
                    errs.append(
                        DataError(
                            f"{fold}: listed twice in {field}", file=file, video=k, field=field
                        )
                    )
                seen.add(k)
                if known is not None and k not in known:
                    errs.append(
                        DataError(
                            f"{fold}: unknown video in {field} (not in the dataset's "
                            f"{len(known)} videos)",
                            file=file,
                            video=k,
                            field=field,
                        )
                    )
        for k in natural_sorted(set(split.train_keys) & set(split.test_keys)):
            errs.append(
                DataError(f"{fold}: video is in both train_keys and test_keys", file=file, video=k)
            )
        for field, keys in roles.items():
            for k in natural_sorted(set(split.val_keys) & set(keys)):
                errs.append(
                    DataError(f"{fold}: video is in both val_keys and {field}", file=file, video=k)
                )
        for k in dict.fromkeys(split.test_keys):
            if k in first_test and partition:
                errs.append(
                    DataError(
                        f"{fold}: video is already in the test keys of fold {first_test[k]}; "
                        f"every video must be tested in exactly one fold",
                        file=file,
                        video=k,
                        field="test_keys",
                    )
                )
            else:
                first_test.setdefault(k, i)
    if partition and known is not None:
        for k in natural_sorted(known - set(first_test)):
            errs.append(
                DataError(
                    "video is in no fold's test keys; every video must be tested in exactly "
                    "one fold",
                    file=file,
                    video=k,
                    field="test_keys",
                )
            )
    return errs


@dataclass(frozen=True)
class Coverage:
    """How the test sets of a split file cover the videos."""

    n_folds: int
    tested_more_than_once: tuple[str, ...]
    never_tested: tuple[str, ...]

    @property
    def is_partition(self) -> bool:
        return not self.tested_more_than_once and not self.never_tested

    def describe(self) -> str:
        if self.is_partition:
            return f"{self.n_folds} folds; every video is tested in exactly one fold"
        return (
            f"{self.n_folds} folds; not a partition: {len(self.tested_more_than_once)} video(s) "
            f"tested in more than one fold, {len(self.never_tested)} never tested"
        )


def coverage(splits: Sequence[Split], videos: Iterable[str] | None = None) -> Coverage:
    """Which videos are tested more than once or never (``videos`` default: all listed keys)."""
    counts: dict[str, int] = {}
    for s in splits:
        for k in dict.fromkeys(s.test_keys):
            counts[k] = counts.get(k, 0) + 1
    universe = (
        set(videos)
        if videos is not None
        else {k for s in splits for k in (*s.train_keys, *s.test_keys)}
    )
    return Coverage(
        len(splits),
        tuple(natural_sorted(k for k, c in counts.items() if c > 1)),
        tuple(natural_sorted(universe - set(counts))),
    )


def load_splits(
    path: str | os.PathLike,
    videos: Iterable[str] | None = None,
    *,
    format: str | None = None,
    partition: bool = False,
) -> list[Split]:
    """Read a split file (JSON, CSTA text or DSNet YAML, detected) and validate it.

    ``videos``: the dataset's keys; when given, unknown keys are an error. ``partition``:
    also require every video to be tested in exactly one fold (the standard JSON files are
    not). Raises the first problem as a DataError naming the file, fold and key.
    """
    path = Path(path)
    if not path.is_file():
        raise DataNotFoundError(f"split file not found: {path}", file=path)
    text = path.read_text(encoding="utf-8")
    fmt = format or detect_format(text)
    if fmt not in FORMATS:
        raise ValueError(f"unknown split format {fmt!r}; expected one of {FORMATS}")
    splits = _parse(text, str(path), fmt)
    errs = validate_splits(splits, videos, file=path, partition=partition)
    if errs:
        raise errs[0]
    return splits


def check_splits(
    path: str | os.PathLike, videos: Iterable[str] | None = None, *, partition: bool = False
) -> list[DataError]:
    """Every problem of a split file (parse errors stop at the first)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        return [DataError(f"cannot read split file ({exc})", file=path)]
    try:
        splits = _parse(text, str(path), detect_format(text))
    except DataError as exc:
        return [exc]
    return validate_splits(splits, videos, file=path, partition=partition)


def make_kfold(keys: Iterable[str], k: int = 5, seed: int = 0) -> list[Split]:
    """Deterministic k-fold splits: shuffle the keys with ``seed``, deal them into ``k`` test
    folds of near-equal size (SumMe 25 -> 20/5, TVSum 50 -> 40/10). Keys are listed in
    natural order inside each fold; the result does not depend on the input order."""
    keys = natural_sorted(dict.fromkeys(keys))
    if k < 2:
        raise ValueError(f"need at least 2 folds, got k={k}")
    if len(keys) < k:
        raise ValueError(f"cannot make {k} folds from {len(keys)} videos")
    order = list(keys)
    random.Random(seed).shuffle(order)
    bounds = [round(i * len(order) / k) for i in range(k + 1)]
    splits = []
    for i in range(k):
        test = set(order[bounds[i] : bounds[i + 1]])
        splits.append(
            Split(
                natural_sorted(kk for kk in keys if kk not in test),
                natural_sorted(test),
                name=f"split{i}",
            )
        )
    return splits


def format_splits(splits: Sequence[Split], format: str = "json", dataset_name: str = "") -> str:
    """Serialise folds as standard JSON or CSTA text (``dataset_name`` heads CSTA lines)."""
    if format == "json":
        data = [{"train_keys": list(s.train_keys), "test_keys": list(s.test_keys)} for s in splits]
        return json.dumps(data, indent=4) + "\n"
    if format == "csta":
        if not dataset_name or "/" in dataset_name:
            raise ValueError("CSTA format needs a dataset_name without '/' (e.g. 'SumMe')")
        return "".join(
            f"{dataset_name}/split{i}/{','.join(s.train_keys)}/{','.join(s.test_keys)}\n"
            for i, s in enumerate(splits)
        )
    raise ValueError(f"unknown split format {format!r} to write; expected json or csta")


def write_splits(
    path: str | os.PathLike,
    splits: Sequence[Split],
    format: str = "json",
    dataset_name: str = "",
) -> None:
    """Write a split file atomically."""
    from vsumbench.atomic import write_text

    write_text(path, format_splits(splits, format, dataset_name))
