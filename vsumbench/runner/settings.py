"""The field's three settings (DSNet's and CLIP-It's papers), as which videos a fold trains on.

* ``canonical``: the dataset's own folds (what Tables 1-3 report).
* ``augmented``: every fold's training videos also hold every video of the other benchmark
  and of OVP and YouTube (the test videos are the fold's own).
* ``transfer``: one fold: train on every video of the other three datasets, test on every
  video of the target.

Videos of another dataset are keyed ``<dataset>/<key>`` (``ovp/video_3``), so they never
collide with the target's; DSNet's YAML splits name them so too (`vsumbench.data.splits`).
"""

from __future__ import annotations

from collections.abc import Sequence

from vsumbench.data.splits import Split
from vsumbench.datasets import SETTING_POOL as POOL
from vsumbench.datasets import SETTINGS
from vsumbench.errors import ConfigError

__all__ = ["SETTINGS", "check_setting", "other_datasets", "setting_splits", "split_key"]


def check_setting(name: str) -> str:
    if name not in SETTINGS:
        raise ConfigError(f"unknown setting {name!r}; expected one of {', '.join(SETTINGS)}")
    return name


def other_datasets(dataset: str, setting: str) -> list[str]:
    """The datasets whose videos a setting adds to ``dataset``'s training."""
    if check_setting(setting) == "canonical":
        return []
    if dataset not in POOL:
        raise ConfigError(f"the {setting} setting is defined for {', '.join(POOL[:2])} (with "
                          f"OVP and YouTube as extra training data), not {dataset}")  # fmt: skip
    return [d for d in POOL if d != dataset]


def split_key(dataset: str, key: str) -> str:
    return f"{dataset}/{key}"


def setting_splits(setting: str, splits: Sequence[Split], target_keys: Sequence[str],
                   extra_keys: Sequence[str]) -> list[Split]:  # fmt: skip
    """The folds of ``setting`` from the target's own folds and the other datasets' keys.

    A split file that already names other datasets' videos (DSNet's augmented and transfer
    YAML files) is used as it is."""
    if setting == "canonical" or any("/" in k for s in splits for k in s.train_keys):
        return list(splits)
    if setting == "augmented":
        return [Split([*s.train_keys, *extra_keys], s.test_keys, s.name, s.val_keys)
                for s in splits]  # fmt: skip
    return [Split(list(extra_keys), list(target_keys), "transfer")]
