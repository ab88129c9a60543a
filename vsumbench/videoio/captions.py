"""Captions for CLIP-It: a dense captioner's output, or a query, as timed sentences.

``--captions FILE.json`` holds, per video, a list of ``{"start": s, "end": s, "text": "..."}``
(seconds): ``{"my_video.mp4": [...], ...}``, keyed by the video's file name (or its name
without the extension); a bare list serves a single video. ``--query TEXT`` is one sentence
spanning the whole video. Every caption is checked against the video's duration.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vsumbench.errors import DataError

__all__ = ["Caption", "captions_for", "read_captions"]

SLACK_S = 0.5  # a caption may end this far past the last frame (rounding in captioners)


@dataclass(frozen=True)
class Caption:
    start: float
    end: float
    text: str


def read_captions(path: str | os.PathLike) -> Any:
    """The parsed file (checked per video when used); one clear line when it does not parse."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataError("captions file not found", file=path) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataError(f"captions file is not JSON ({exc})", file=path) from None
    if not isinstance(data, (dict, list)):
        raise DataError("expected {video: [{start, end, text}, ...]} or one list", file=path)
    return data


def captions_for(
    data: Any, video: Path, duration: float, *, file: Any, single: bool
) -> list[Caption]:
    """The checked captions of ``video`` (``duration`` seconds) from `read_captions` data."""
    if isinstance(data, list):
        if not single:
            raise DataError("a bare list of captions serves one video; key them by file name "
                            "for several", file=file)  # fmt: skip
        entries = data
    else:
        entries = data.get(video.name, data.get(video.stem))
        if entries is None:
            raise DataError(f"no captions for this video (keys: {', '.join(list(data)[:3])}"
                            f"{', ...' if len(data) > 3 else ''})", file=file, video=video.name,
                            field="captions")  # fmt: skip
    if not isinstance(entries, list) or not entries:
        raise DataError("expected a non-empty list of {start, end, text}", file=file,
                        video=video.name, field="captions")  # fmt: skip
    return [_caption(e, i, duration, file, video.name) for i, e in enumerate(entries)]


def _caption(entry: Any, i: int, duration: float, file: Any, video: str) -> Caption:
    where = {"file": file, "video": video, "field": f"captions[{i}]"}
    if not isinstance(entry, dict) or not isinstance(entry.get("text"), str):
        raise DataError('expected {"start": s, "end": s, "text": "..."}', **where)
    try:
        start, end = float(entry["start"]), float(entry["end"])
    except (KeyError, TypeError, ValueError):
        raise DataError("start and end must be numbers of seconds", **where) from None
    if not (math.isfinite(start) and math.isfinite(end)) or start < 0 or end < start:
        raise DataError(f"spans {start}..{end} s: expected 0 <= start <= end", **where)
    if end > duration + SLACK_S:
        raise DataError(f"ends at {end} s, after the video ({duration:.2f} s)", **where)
    return Caption(start, min(end, duration), entry["text"].strip() or " ")
