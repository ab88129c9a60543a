"""Frame counts of the real SumMe and TVSum videos (a small published fact, kept as package data).

They let `vsumbench macs` reproduce Table 3 with no data files, and let the full-size
synthetic benchmark follow the real length distribution.
"""

from __future__ import annotations

import csv
import math
from functools import cache
from importlib import resources

from vsumbench.datasets import DEFAULT_STEP

STEP = DEFAULT_STEP  # every 15th frame is a step (2 fps at 30 fps)


@cache
def real_frame_counts(dataset: str) -> dict[str, int]:
    """``{video_N: n_frames}`` of the real dataset (``summe`` or ``tvsum``), in key order.

    TVSum keys are the eccv16 keys; SumMe videos are numbered in the order of the
    published list (only the length distribution matters for MACs and synthesis).
    """
    name = dataset.lower()
    text = resources.files("vsumbench.resources").joinpath("frame_counts.csv").read_text()
    counts = {
        row["h5_key"]: int(row["n_frames"])
        for row in csv.DictReader(text.splitlines())
        if row["dataset"] == name
    }
    if not counts:
        raise ValueError(f"no built-in frame counts for dataset {dataset!r} (summe or tvsum)")
    return dict(sorted(counts.items(), key=lambda kv: int(kv[0].split("_")[-1])))


def n_steps_for(n_frames: int, step: int = STEP) -> int:
    """Steps of a video sampled every ``step`` frames: ``ceil(n_frames / step)``."""
    return math.ceil(n_frames / step)
