"""The eccv16 HDF5 files (SumMe, TVSum, OVP, YouTube): read, check, write.

One group per video (``video_1`` ... ``video_N``); the datasets are described in
``docs/protocol.md`` section 1. Reading validates what it loads and names the file,
video and field of the first problem; :func:`check_file` reports every problem at once, so
a broken file is fixed in one pass rather than one error per run.

Callers load only what they need: evaluation skips the large ``features`` array, prediction
needs only ``features`` (a file made by feature extraction from raw videos has no
``gtscore`` / ``user_summary`` and still loads with ``fields=("features",)``).
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from vsumbench.data.eccv16_rules import RULES
from vsumbench.errors import DataError, DataNotFoundError

#: Always loaded: the protocol cannot turn scores into summaries without them.
STRUCTURE_FIELDS = ("n_frames", "n_steps", "picks", "change_points", "n_frame_per_seg")
#: Loaded on request (``fields=``); ``None`` on the Video when not loaded.
OPTIONAL_FIELDS = ("features", "gtscore", "user_summary", "gtsummary", "video_name",
                   *("features_clip_image", "features_clip_txt", "captions", "caption_times"))  # fmt: skip
#: The multimodal fields (ModelScope's CLIP-It dataset layout): CLIP image features at
#: ``picks``, one CLIP text feature per caption, the captions and their [start, end] seconds.
MULTIMODAL_FIELDS = OPTIONAL_FIELDS[5:]
#: What a benchmark file (training + evaluation) must contain beyond the structure.
BENCHMARK_FIELDS = ("features", "gtscore", "user_summary")


@dataclass(frozen=True, eq=False)
class Video:
    """One video of an eccv16 file; optional arrays are ``None`` when not loaded."""

    key: str  # "video_1"
    n_frames: int
    n_steps: int
    picks: np.ndarray  # (n_steps,) int64: original frame of each step
    change_points: np.ndarray  # (n_shots, 2) int64, inclusive [first, last]
    n_frame_per_seg: np.ndarray  # (n_shots,) int64
    features: np.ndarray | None = None  # (n_steps, D) float32
    gtscore: np.ndarray | None = None  # (n_steps,) float32
    user_summary: np.ndarray | None = None  # (n_users, n_frames) uint8 in {0, 1}
    gtsummary: np.ndarray | None = None  # (n_steps,)
    video_name: str | None = None
    features_clip_image: np.ndarray | None = None  # (n_steps, D) float32, CLIP image features
    features_clip_txt: np.ndarray | None = None  # (N, D) float32, one per caption
    captions: tuple[str, ...] | None = None  # N sentences
    caption_times: np.ndarray | None = None  # (N, 2) float, [start, end] seconds


def natural_key(key: str) -> tuple:
    """Sort key that puts ``video_2`` before ``video_10``."""
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", key))


def natural_sorted(keys: Iterable[str]) -> list[str]:
    return sorted(keys, key=natural_key)


# --------------------------------------------------------------------------- validation


def _validate(
    raw: Mapping[str, Any],
    check: Iterable[str],
    *,
    file: str,
    video: str,
) -> list[DataError]:
    """Every problem among the fields in ``check`` (present in ``raw`` as numpy arrays),
    found by the field rules of `vsumbench.data.eccv16_rules.RULES`, in their order.

    Fields absent from ``raw`` are skipped here; missing required fields are reported by the
    caller. Consistency checks between two fields run only when both are present and sane.
    """
    check = set(check)
    errs: list[DataError] = []
    known: dict[str, Any] = {}  # what earlier rules found sane
    for rule in RULES:
        if rule.field not in check or rule.field not in raw:
            continue
        problems, value = rule.check(raw[rule.field], known)
        errs += [DataError(p, file=file, video=video, field=rule.field) for p in problems]
        if not problems and value is not None:
            known[rule.field] = value
    return errs


def _read_dataset(ds: Any, name: str) -> Any:
    """A dataset as a numpy array (a str for ``video_name``, a list of str for ``captions``)."""
    value = ds[()]
    if name == "captions":
        items = np.asarray(value).reshape(-1).tolist()
        return [v.decode("utf-8", "replace") if isinstance(v, bytes) else v for v in items]
    if name == "video_name":
        if isinstance(value, bytes):
            return value.decode("utf-8", "replace")
        if isinstance(value, np.ndarray) and value.size == 1:
            value = value.reshape(-1)[0]
            return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
        return value if isinstance(value, str) else str(value)
    return np.asarray(value)


def _string_dtype() -> Any:
    import h5py

    return h5py.string_dtype("utf-8")


@contextmanager
def atomic_h5(path: str | os.PathLike) -> Iterator[Any]:
    """A new HDF5 file, built in memory and written to ``path`` atomically when complete.

    HDF5 handles a failed disk write (disk full, file-size limit) badly: errors while
    closing hide the first one, and h5py has crashed the interpreter. Building the file in
    memory and writing its bytes with a plain write turns every such failure into an
    ordinary ``OSError`` naming the path (and the previous file stays as it was).
    """
    import io

    import h5py

    from vsumbench.atomic import atomic_path

    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as h5:
        yield h5
    with atomic_path(path) as tmp:
        tmp.write_bytes(buffer.getbuffer())


def _open(path: str | os.PathLike):
    import h5py

    path = Path(path)
    if not path.is_file():
        raise DataNotFoundError(f"file not found: {path}", file=path)
    try:
        return h5py.File(path, "r")
    except OSError as exc:
        raise DataError(f"not a readable HDF5 file ({exc})", file=path) from None


def _group_errors(h5: Any, file: str) -> tuple[list[str], list[DataError]]:
    """Video keys (natural order) and problems with the top level itself."""
    import h5py

    keys: list[str] = []
    errs: list[DataError] = []
    for name in h5.keys():
        obj = h5.get(name, getlink=False)
        if not isinstance(obj, h5py.Group):
            errs.append(
                DataError(
                    "top-level entry is not a video group (expected one group per video)",
                    file=file,
                    video=name,
                )
            )
        elif obj.id.get_num_objs() == 0:
            errs.append(DataError("empty video group (no datasets)", file=file, video=name))
        else:
            keys.append(name)
    if not keys and not errs:
        errs.append(DataError("no video groups in file", file=file))
    return natural_sorted(keys), errs


def check_file(path: str | os.PathLike, *, require: Iterable[str] | None = None) -> list[DataError]:
    """Every problem of an eccv16 file, not just the first (empty list when the file is good).

    ``require`` lists the optional fields that must be present (default: features, gtscore
    and user_summary, i.e. a benchmark file; only features for a file that ``vsumbench data
    extract`` wrote, which says so in its ``vsumbench_extracted`` attribute).
    """
    import h5py

    path = Path(path)
    file = str(path)
    try:
        h5 = _open(path)
    except DataError as exc:
        return [exc]
    if require is None:
        require = ("features",) if h5.attrs.get("vsumbench_extracted") else BENCHMARK_FIELDS
    required = set(STRUCTURE_FIELDS) | set(require)
    digests: dict[str, list[str]] = {}  # features digest -> keys
    names: dict[str, list[str]] = {}  # video_name -> keys
    widths: dict[str, int] = {}  # key -> feature width
    with h5:
        keys, errs = _group_errors(h5, file)
        for key in keys:
            group = h5[key]
            raw: dict[str, Any] = {}
            for name in group.keys():
                obj = group.get(name, getlink=False)
                if name not in STRUCTURE_FIELDS + OPTIONAL_FIELDS:
                    continue  # extra datasets are allowed
                if not isinstance(obj, h5py.Dataset):
                    errs.append(
                        DataError(
                            "expected a dataset, found a group", file=file, video=key, field=name
                        )
                    )
                    continue
                raw[name] = _read_dataset(obj, name)
            for name in STRUCTURE_FIELDS + OPTIONAL_FIELDS:
                if name in required and name not in raw and name not in group:
                    errs.append(
                        DataError("required dataset is missing", file=file, video=key, field=name)
                    )
            errs.extend(_validate(raw, raw.keys(), file=file, video=key))
            if isinstance(raw.get("features"), np.ndarray) and raw["features"].ndim == 2:
                widths[key] = int(raw["features"].shape[1])
            if isinstance(raw.get("features"), np.ndarray) and raw["features"].size:
                digest = hashlib.sha256(np.ascontiguousarray(raw["features"]).tobytes())
                digests.setdefault(digest.hexdigest(), []).append(key)
            if isinstance(raw.get("video_name"), str) and raw["video_name"]:
                names.setdefault(raw["video_name"], []).append(key)
    errs.extend(_duplicates(digests, "features", "the same video stored twice", file))
    errs.extend(_duplicates(names, "video_name", "one video under two keys", file))
    errs.extend(_mixed_widths(widths, file))
    return errs


def _mixed_widths(widths: Mapping[str, int], file: str) -> list[DataError]:
    """One error per video whose features are not as wide as most videos' of the file: one
    model cannot read both."""
    if len(set(widths.values())) < 2:
        return []
    counts: dict[int, int] = {}
    for width in widths.values():
        counts[width] = counts.get(width, 0) + 1
    common = max(counts, key=lambda w: (counts[w], w))
    return [
        DataError(
            f"{width} wide, but {counts[common]} other video(s) of this file are {common} "
            f"wide (mixed feature widths: no model reads both)",
            file=file,
            video=key,
            field="features",
        )
        for key, width in widths.items()
        if width != common
    ]


def _duplicates(
    groups: Mapping[str, list[str]], field: str, what: str, file: str
) -> list[DataError]:
    """One error per key that repeats an earlier key's value: a train/test leak waiting to
    happen when splits put the two keys on different sides."""
    return [
        DataError(
            f"identical {field} to {same[0]} ({what}: a video in both the training and the "
            f"test side of a split leaks)",
            file=file,
            video=key,
            field=field,
        )
        for same in groups.values()
        if len(same) > 1
        for key in same[1:]
    ]


def load_videos(
    path: str | os.PathLike,
    keys: Iterable[str] | None = None,
    *,
    fields: Iterable[str] | None = None,
    require: Iterable[str] | None = None,
) -> dict[str, Video]:
    """Load an eccv16 file as ``{key: Video}`` in natural key order.

    ``keys``: only these videos (unknown keys are an error). ``fields``: which optional
    arrays to load (``features``, ``gtscore``, ``user_summary``, ``gtsummary``,
    ``video_name``); default all that are present. ``require``: optional fields that must
    be present; default the requested ``fields`` when given, else features, gtscore and
    user_summary. The structure (n_frames, n_steps, picks, change_points, n_frame_per_seg)
    is always loaded and required. Raises the first problem among the loaded fields, with
    the message :func:`check_file` would give.
    """
    path = Path(path)
    file = str(path)
    if fields is not None:
        fields = tuple(fields)
        unknown = [f for f in fields if f not in OPTIONAL_FIELDS]
        if unknown:
            raise ValueError(f"unknown field(s) {unknown}; expected some of {OPTIONAL_FIELDS}")
    if require is None:
        required_opt = set(fields) if fields is not None else set(BENCHMARK_FIELDS)
    else:
        required_opt = set(require)
        unknown = [f for f in required_opt if f not in OPTIONAL_FIELDS]
        if unknown:
            raise ValueError(f"unknown field(s) {unknown}; expected some of {OPTIONAL_FIELDS}")
    wanted = set(OPTIONAL_FIELDS if fields is None else fields) | required_opt

    with _open(path) as h5:
        all_keys, top_errs = _group_errors(h5, file)
        if keys is None:
            selected = all_keys
            if top_errs:
                raise top_errs[0]
        else:
            selected = list(dict.fromkeys(keys))
            missing = [k for k in selected if k not in all_keys]
            if missing:
                bad = [e for e in top_errs if e.video in missing]
                if bad:
                    raise bad[0]
                raise DataError(
                    f"video(s) {missing} not in file; it has {len(all_keys)} videos "
                    f"({', '.join(all_keys[:3])}{', ...' if len(all_keys) > 3 else ''})",
                    file=file,
                    video=missing[0],
                )
            selected = natural_sorted(selected)
        out: dict[str, Video] = {}
        for key in selected:
            group = h5[key]
            present = set(group)  # one listing instead of a lookup per field
            raw: dict[str, Any] = {}
            for name in STRUCTURE_FIELDS + OPTIONAL_FIELDS:
                if name not in STRUCTURE_FIELDS and name not in wanted:
                    continue
                if name not in present:
                    if name in STRUCTURE_FIELDS or name in required_opt:
                        raise DataError(
                            "required dataset is missing", file=file, video=key, field=name
                        )
                    continue
                raw[name] = _read_dataset(group[name], name)
            errs = _validate(raw, raw.keys(), file=file, video=key)
            if errs:
                raise errs[0]
            out[key] = _to_video(key, raw)
    return out


def load_features(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """``{key: (n_steps, D) float32}``: only the features, for scoring a file with a trained
    model. Nothing else is required, so any file with a ``features`` dataset per video works
    (the structure fields are needed only to turn scores into summaries)."""
    path = Path(path)
    file = str(path)
    out: dict[str, np.ndarray] = {}
    with _open(path) as h5:
        keys, errs = _group_errors(h5, file)
        if errs:
            raise errs[0]
        for key in keys:
            if "features" not in h5[key]:
                raise DataError(
                    "required dataset is missing", file=file, video=key, field="features"
                )
            raw = {"features": _read_dataset(h5[key]["features"], "features")}
            problems = _validate(raw, raw.keys(), file=file, video=key)
            if problems:
                raise problems[0]
            out[key] = raw["features"].astype(np.float32, copy=False)
    return out


def _to_video(key: str, raw: Mapping[str, Any]) -> Video:
    def opt(name: str, dtype: Any) -> np.ndarray | None:
        return None if name not in raw else np.ascontiguousarray(raw[name], dtype=dtype)

    return Video(
        key=key,
        n_frames=int(np.asarray(raw["n_frames"]).reshape(-1)[0]),
        n_steps=int(np.asarray(raw["n_steps"]).reshape(-1)[0]),
        picks=np.asarray(raw["picks"]).astype(np.int64),
        change_points=np.asarray(raw["change_points"]).astype(np.int64),
        n_frame_per_seg=np.asarray(raw["n_frame_per_seg"]).astype(np.int64),
        features=opt("features", np.float32),
        gtscore=opt("gtscore", np.float32),
        user_summary=opt("user_summary", np.uint8),
        gtsummary=opt("gtsummary", np.float32),
        video_name=raw.get("video_name"),
        features_clip_image=opt("features_clip_image", np.float32),
        features_clip_txt=opt("features_clip_txt", np.float32),
        captions=tuple(raw["captions"]) if "captions" in raw else None,
        caption_times=opt("caption_times", np.float64),
    )


def video_keys(path: str | os.PathLike) -> list[str]:
    """The video keys of a file in natural order, without reading any array."""
    with _open(path) as h5:
        keys, _ = _group_errors(h5, str(path))
    return keys


def is_synthetic(path: str | os.PathLike) -> bool:
    """True when the file was made by ``vsumbench data synth`` (root attribute)."""
    with _open(path) as h5:
        return bool(int(np.asarray(h5.attrs.get("vsumbench_synthetic", 0)).reshape(-1)[0]))


def file_attrs(path: str | os.PathLike) -> dict[str, Any]:
    """Root attributes of a file as plain Python values (synthetic seed, size, version)."""
    with _open(path) as h5:
        out = {}
        for name, value in h5.attrs.items():
            if isinstance(value, bytes):
                value = value.decode()
            elif isinstance(value, np.generic):
                value = value.item()
            out[name] = value
        return out


def write_videos(
    path: str | os.PathLike,
    videos: Mapping[str, Video],
    *,
    attrs: Mapping[str, Any] | None = None,
    extra: Mapping[str, Mapping[str, Any]] | None = None,
) -> None:
    """Write videos in the eccv16 layout, atomically (a temporary file, then ``os.replace``).

    ``extra`` adds datasets beyond the eccv16 fields, per video (``{key: {name: value}}``,
    e.g. the ``fps`` that feature extraction records).

    ``None`` fields are not written. ``user_summary`` is stored as uint8 (it is binary);
    nothing is compressed, as in the published files, so evaluation reads it at disk speed.
    """
    with atomic_h5(path) as h5:
        for name, value in (attrs or {}).items():
            h5.attrs[name] = value
        for key in natural_sorted(videos):
            v = videos[key]
            g = h5.create_group(key)
            g.create_dataset("n_frames", data=np.int64(v.n_frames))
            g.create_dataset("n_steps", data=np.int64(v.n_steps))
            g.create_dataset("picks", data=np.asarray(v.picks, dtype=np.int64))
            g.create_dataset("change_points", data=np.asarray(v.change_points, dtype=np.int64))
            g.create_dataset("n_frame_per_seg", data=np.asarray(v.n_frame_per_seg, dtype=np.int64))
            if v.features is not None:
                g.create_dataset("features", data=np.asarray(v.features, dtype=np.float32))
            if v.gtscore is not None:
                g.create_dataset("gtscore", data=np.asarray(v.gtscore, dtype=np.float32))
            if v.user_summary is not None:
                g.create_dataset("user_summary", data=np.asarray(v.user_summary, dtype=np.uint8))
            if v.gtsummary is not None:
                g.create_dataset("gtsummary", data=np.asarray(v.gtsummary, dtype=np.float32))
            if v.video_name is not None:
                g.create_dataset("video_name", data=v.video_name)
            for name in ("features_clip_image", "features_clip_txt"):
                if getattr(v, name) is not None:
                    g.create_dataset(name, data=np.asarray(getattr(v, name), dtype=np.float32))
            if v.captions is not None:
                g.create_dataset("captions", data=list(v.captions), dtype=_string_dtype())
            if v.caption_times is not None:
                g.create_dataset("caption_times", data=np.asarray(v.caption_times, np.float64))
            for name, value in (extra or {}).get(key, {}).items():
                g.create_dataset(name, data=value)
