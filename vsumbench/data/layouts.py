"""The file layouts a dataset registration may name (`DatasetSpec.layout`): how its keys are
listed and its file is checked, so commands that read any dataset's file (``data check``,
``data splits``) ask the layout instead of branching on the dataset."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

__all__ = ["LAYOUTS", "Layout", "layout_of", "layout_of_file"]


@dataclass(frozen=True)
class Layout:
    """``keys(path)``: the video keys; ``check(path, features_only)``: every problem and a
    note for ``data check``; ``annotated(path, keys)``: those videos with their ground truth
    (gtscore, and user summaries where the layout has them), without features."""

    keys: Callable[[str | os.PathLike], list[str]]
    check: Callable[[Path, bool], tuple[list, str]]
    rules: Callable[[], list[tuple[str, str]]]  # (field, what it must be), in checking order
    annotated: Callable[[str | os.PathLike, list[str]], dict]


def _eccv16_keys(path):
    from vsumbench.data.eccv16 import video_keys

    return video_keys(path)


def _eccv16_check(path: Path, features_only: bool) -> tuple[list, str]:
    from vsumbench.data.eccv16 import check_file, is_synthetic, video_keys

    problems = check_file(path, require=_features_of(path) if features_only else None)
    if problems:
        return problems, ""
    synthetic = ", synthetic" if is_synthetic(path) else ""
    return problems, f"{len(video_keys(path))} videos{synthetic}"


def _features_of(path: Path) -> tuple[str, ...]:
    """What a features-only file must hold: GoogLeNet ``features``, or CLIP image features
    when its first video has those instead (`data extract --encoder clip`)."""
    import h5py

    try:
        with h5py.File(path, "r") as h5:
            first = next((h5[k] for k in h5 if isinstance(h5[k], h5py.Group)), None)
            if first is not None and "features_clip_image" in first and "features" not in first:
                return ("features_clip_image",)
    except OSError:
        pass  # check_file says what is wrong with the file
    return ("features",)


def _mrhisum_keys(path):
    from vsumbench.data.mrhisum import mrhisum_keys

    return mrhisum_keys(path)


def _mrhisum_check(path: Path, features_only: bool) -> tuple[list, str]:
    from vsumbench.data.eccv16 import is_synthetic
    from vsumbench.data.mrhisum import check_mrhisum

    problems, note = check_mrhisum(path)
    return problems, note + (", synthetic" if not problems and is_synthetic(path) else "")


def _eccv16_rules() -> list[tuple[str, str]]:
    from vsumbench.data.eccv16_rules import RULES

    return [(rule.field, rule.says) for rule in RULES]


def _mrhisum_rules() -> list[tuple[str, str]]:
    from vsumbench.data.mrhisum import RULES

    return [(rule.field, rule.says) for rule in RULES]


def _eccv16_annotated(path, keys):
    from vsumbench.data.eccv16 import load_videos

    return load_videos(path, keys, fields=("gtscore", "user_summary"), require=("gtscore",))


def _mrhisum_annotated(path, keys):
    from vsumbench.data.mrhisum import load_mrhisum

    return load_mrhisum(path, keys)


LAYOUTS = {
    "eccv16": Layout(_eccv16_keys, _eccv16_check, _eccv16_rules, _eccv16_annotated),
    "mrhisum": Layout(_mrhisum_keys, _mrhisum_check, _mrhisum_rules, _mrhisum_annotated),
}


def layout_of(dataset: str) -> Layout:
    """The layout of a registered dataset's file."""
    from vsumbench.datasets import get_dataset

    return LAYOUTS[get_dataset(dataset).layout]


def layout_of_file(path: str | os.PathLike) -> Layout:
    """The layout of a file, by the registered dataset whose file name it has (eccv16 when
    none has)."""
    from vsumbench.datasets import get_dataset, list_datasets

    name = Path(path).name
    for dataset in list_datasets():
        if get_dataset(dataset).features_file == name:
            return layout_of(dataset)
    return LAYOUTS["eccv16"]
