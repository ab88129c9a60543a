"""Prediction files: one HDF5 dataset of step scores per video key (the format
``vsumbench evaluate`` reads and ``run`` / ``predict`` write)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from vsumbench.data.eccv16 import atomic_h5, natural_sorted
from vsumbench.errors import PredictionError

__all__ = ["EXPECTED", "expected_videos", "read_predictions", "write_predictions"]


def read_predictions(path) -> dict[str, np.ndarray]:
    """Read a predictions file: one HDF5 dataset of n_steps scores per video key.

    Values are checked later against the dataset (`check_prediction`); here only the
    layout is: every top-level item must be a 1-D dataset.
    """
    import h5py

    try:
        h5 = h5py.File(path, "r")
    except OSError as exc:
        raise PredictionError(f"cannot open as HDF5 ({exc})", file=path) from None
    out: dict[str, np.ndarray] = {}
    with h5:
        for key in natural_sorted(h5.keys()):
            item = h5[key]
            if not isinstance(item, h5py.Dataset):
                raise PredictionError(
                    "expected a dataset of step scores, found a group",
                    file=path,
                    video=key,
                    field="scores",
                )
            out[key] = np.asarray(item[()])
    if not out:
        raise PredictionError("the file holds no predictions (one dataset per video)", file=path)
    return out


#: Root attribute: the keys a predictions file is meant to cover (a JSON list), e.g. one
#: fold's test videos; without it, a file is meant to cover the whole dataset.
EXPECTED = "expected_videos"


def expected_videos(path) -> list[str] | None:
    """The videos a predictions file declares it covers (None: the whole dataset)."""
    import json

    import h5py

    try:
        with h5py.File(path, "r") as h5:
            value = h5.attrs.get(EXPECTED)
    except OSError as exc:
        raise PredictionError(f"cannot open as HDF5 ({exc})", file=path) from None
    if value is None:
        return None
    try:
        keys = json.loads(value)
    except (TypeError, ValueError):
        keys = None
    if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
        raise PredictionError(f"root attribute {EXPECTED} is not a JSON list of keys", file=path)
    return keys


def write_predictions(
    path, predictions: Mapping[str, np.ndarray], *, attrs: Mapping | None = None
) -> None:
    """Write ``{key: step scores}`` in the format `read_predictions` reads (atomically).

    ``attrs`` become root attributes (provenance; `EXPECTED` declares the intended keys).
    """
    with atomic_h5(path) as h5:
        for name, value in (attrs or {}).items():
            h5.attrs[name] = value
        for key, scores in predictions.items():
            arr = np.asarray(scores)
            h5.create_dataset(key, data=arr if arr.dtype.kind == "f" else arr.astype(np.float64))
