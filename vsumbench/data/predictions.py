"""Prediction files: one HDF5 dataset of step scores per video key (the format
``vsumbench evaluate`` reads and ``run`` / ``predict`` write)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from vsumbench.atomic import atomic_path
from vsumbench.data.eccv16 import natural_sorted
from vsumbench.errors import PredictionError

__all__ = ["read_predictions", "write_predictions"]


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


def write_predictions(path, predictions: Mapping[str, np.ndarray]) -> None:
    """Write ``{key: step scores}`` in the format `read_predictions` reads (atomically)."""
    import h5py

    with atomic_path(path) as tmp, h5py.File(tmp, "w") as h5:
        for key, scores in predictions.items():
            arr = np.asarray(scores)
            h5.create_dataset(key, data=arr if arr.dtype.kind == "f" else arr.astype(np.float64))
