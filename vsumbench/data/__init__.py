"""The data floor: benchmark files, annotations, splits, predictions, the synthetic benchmark.

Torch-free. The common entry points are re-exported here (``from vsumbench.data import
load_videos``); each lives in the module named after the file format it owns:
``eccv16`` (feature/label HDF5), ``annotations`` (TVSum's per-annotator scores), ``splits``,
``predictions`` (the ``evaluate`` format), ``paths`` (where files are found), ``synth``.
"""

from vsumbench.data.annotations import VideoAnnotations, load_annotations
from vsumbench.data.eccv16 import (
    Video,
    check_file,
    file_attrs,
    is_synthetic,
    load_videos,
    video_keys,
    write_videos,
)
from vsumbench.data.splits import Split, load_splits

__all__ = [
    "Split",
    "Video",
    "VideoAnnotations",
    "check_file",
    "file_attrs",
    "is_synthetic",
    "load_annotations",
    "load_splits",
    "load_videos",
    "video_keys",
    "write_videos",
]
