"""Data identity: a digest of exactly what training and evaluation read from a video.

A result or a resume state is tied to the data it came from by a fingerprint of its fold's
videos (features, targets, structure, user summaries and annotator scores) and of the split,
so a finished fold is never reused, nor a state resumed, on other data with the same keys.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping

import numpy as np

from vsumbench.data.eccv16 import Video

__all__ = ["fold_fingerprint", "video_digest"]

_FIELDS = ("n_frames", "picks", "change_points", "features", "gtscore", "user_summary")
_MULTIMODAL = ("features_clip_image", "features_clip_txt", "captions", "caption_times")


def video_digest(video: Video, annotation_scores: np.ndarray | None = None) -> str:
    """SHA-256 of a video's arrays (dtype, shape and bytes of each, in a fixed order)."""
    digest = hashlib.sha256()
    arrays = [getattr(video, name) for name in _FIELDS] + [annotation_scores]
    extra = [(n, getattr(video, n, None)) for n in _MULTIMODAL]
    named = [
        *zip((*_FIELDS, "annotations"), arrays, strict=True),
        *((n, v) for n, v in extra if v is not None),
    ]  # absent: digests as before them
    for name, value in named:
        if name == "captions":
            value = np.frombuffer("\n".join(value).encode(), dtype=np.uint8)
        digest.update(name.encode())
        if value is None:
            digest.update(b"-")
            continue
        a = np.ascontiguousarray(np.asarray(value))
        digest.update(f"{a.dtype.str}{a.shape}".encode())
        digest.update(a.tobytes())
    return digest.hexdigest()


def fold_fingerprint(digests: Mapping[str, str], roles: Mapping[str, Iterable[str]]) -> str:
    """One digest of a fold: each role's keys (``train``, ``val``, ``test``) in order, with
    the digest of every video. Short (16 hex digits), enough to tell data apart."""
    digest = hashlib.sha256()
    for role, keys in roles.items():
        for key in keys:
            digest.update(f"{role}:{key}:{digests[key]};".encode())
    return digest.hexdigest()[:16]
