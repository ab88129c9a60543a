"""YouTube-8M frame-level features without TensorFlow: Mr.HiSum's ``features``.

Mr.HiSum ships its ground truth without features; its authors fill them from YouTube-8M's
frame-level TFRecord shards with TensorFlow (``preprocess/preprocess.py``). This module
reads the same shards with numpy alone:

* a TFRecord file is a sequence of records ``[length: uint64 LE][masked CRC32C of the
  length: uint32][data][masked CRC32C of the data: uint32]``; both checksums are verified,
  so a truncated or damaged shard is an error naming the file and the byte, never a
  silently shorter video;
* each record is a ``tf.train.SequenceExample`` protocol buffer: the context feature
  ``id`` (the video's random id) and the feature list ``rgb`` (one 1024-byte string per
  second). Only the protobuf wire format is needed (varints and length-delimited fields);
* the bytes are dequantised exactly as the authors do: ``float32(x) * 4.0 / 255.0 - 2.0``
  (`dequantize`).
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import numpy as np

from vsumbench.errors import DataError

__all__ = [
    "crc32c",
    "dequantize",
    "fill_features",
    "masked_crc",
    "parse_sequence_example",
    "read_metadata",
    "read_records",
    "record_id",
    "check_record",
    "Record",
]


def _crc_table() -> np.ndarray:
    poly = 0x82F63B78  # Castagnoli, reflected
    table = np.zeros(256, dtype=np.uint32)
    for i in range(256):
        crc = i
        for _ in range(8):
            crc = (crc >> 1) ^ poly if crc & 1 else crc >> 1
        table[i] = crc
    return table


_TABLE = _crc_table().tolist()


def crc32c(data: bytes) -> int:
    """CRC-32C (Castagnoli) of ``data``, as TFRecord files use it (``google-crc32c``'s C
    code when it is installed, else a table in Python: about 10 MB/s)."""
    try:
        import google_crc32c
    except ImportError:
        pass
    else:
        return int(google_crc32c.value(bytes(data)))
    crc = 0xFFFFFFFF
    table = _TABLE
    for byte in data:
        crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def masked_crc(data: bytes) -> int:
    """TFRecord's masked checksum: rotate right by 15 bits, add a constant."""
    crc = crc32c(data)
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


class Record(NamedTuple):
    """One TFRecord record: where it starts, its data and its stored (masked) checksum."""

    offset: int
    data: bytes
    crc: int


def read_records(path: str | os.PathLike) -> Iterator[Record]:
    """The records of a TFRecord file, framing and length checksums verified: a `DataError`
    names the file and the byte where it is truncated or damaged. Data checksums are left
    to `check_record`, for the records that are used (a shard holds about a thousand
    videos, a Mr.HiSum fill uses one or two of them)."""
    path = Path(path)
    with open(path, "rb") as fh:
        offset = 0
        while True:
            head = fh.read(12)
            if not head:
                return
            if len(head) < 12:
                raise DataError(f"truncated at byte {offset} (a record header)", file=path)
            (length,), (head_crc,) = struct.unpack("<Q", head[:8]), struct.unpack("<I", head[8:])
            if masked_crc(head[:8]) != head_crc:
                raise DataError(f"damaged record header at byte {offset}", file=path)
            data, tail = fh.read(length), fh.read(4)
            if len(data) < length or len(tail) < 4:
                raise DataError(
                    f"truncated at byte {offset} (a record of {length} bytes)", file=path
                )
            yield Record(offset, data, struct.unpack("<I", tail)[0])
            offset += 16 + length


def check_record(path: str | os.PathLike, record: Record) -> bytes:
    """The record's data when its checksum holds, else a `DataError` naming file and byte."""
    if masked_crc(record.data) != record.crc:
        raise DataError(f"damaged record at byte {record.offset} (checksum)", file=path)
    return record.data


def _varint(buf: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = buf[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, pos
        shift += 7


def _fields(buf: bytes) -> Iterator[tuple[int, int, bytes | int]]:
    """(field number, wire type, value) of a protobuf message (varint or bytes values)."""
    pos, end = 0, len(buf)
    while pos < end:
        key, pos = _varint(buf, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = _varint(buf, pos)
        elif wire == 2:
            size, pos = _varint(buf, pos)
            value, pos = buf[pos : pos + size], pos + size
        elif wire == 1:
            value, pos = buf[pos : pos + 8], pos + 8
        elif wire == 5:
            value, pos = buf[pos : pos + 4], pos + 4
        else:
            raise ValueError(f"unsupported protobuf wire type {wire}")
        yield number, wire, value


def _map(buf: bytes) -> dict[str, bytes]:
    """A protobuf ``map<string, message>`` field's entries (key 1, value 2)."""
    out = {}
    for number, _, entry in _fields(buf):
        if number == 1:
            parts = {n: v for n, _, v in _fields(entry)}
            out[parts.get(1, b"").decode("utf-8", "replace")] = parts.get(2, b"")
    return out


def _bytes_values(feature: bytes) -> list[bytes]:
    """The values of a ``tf.train.Feature`` holding a ``BytesList`` (field 1)."""
    for number, _, value in _fields(feature):
        if number == 1:
            return [v for n, _, v in _fields(value) if n == 1]
    return []


def parse_sequence_example(record: bytes, feature: str = "rgb") -> tuple[str, np.ndarray]:
    """``(id, (T, 1024) uint8)`` of a YouTube-8M frame-level ``SequenceExample``."""
    context, lists = {}, {}
    for number, _, value in _fields(record):
        if number == 1:  # context: Features { map<string, Feature> feature = 1 }
            context = _map(value)
        elif number == 2:  # feature_lists: FeatureLists { map<string, FeatureList> = 1 }
            lists = _map(value)
    ids = _bytes_values(context.get("id", b""))
    video_id = ids[0].decode("utf-8", "replace") if ids else ""
    frames = [b"".join(_bytes_values(f)) for n, _, f in _fields(lists.get(feature, b"")) if n == 1]
    if not frames:
        return video_id, np.zeros((0, 0), dtype=np.uint8)
    width = len(frames[0])
    if any(len(f) != width for f in frames):
        raise ValueError(f"video {video_id}: frames of different sizes in {feature!r}")
    return video_id, np.frombuffer(b"".join(frames), dtype=np.uint8).reshape(-1, width)


def dequantize(quantized: np.ndarray) -> np.ndarray:
    """The authors' dequantisation, in float32: ``x * 4.0 / 255.0 - 2.0``."""
    x = np.asarray(quantized).astype(np.float32)
    return x * np.float32(4.0) / np.float32(255.0) - np.float32(2.0)


def record_id(record: bytes) -> str:
    """The ``id`` of a ``SequenceExample`` without decoding its frames."""
    for number, _, value in _fields(record):
        if number == 1:
            ids = _bytes_values(_map(value).get("id", b""))
            return ids[0].decode("utf-8", "replace") if ids else ""
    return ""


_PARTIAL = "features.partial"


def _write_features(group, features: np.ndarray) -> None:
    """Write under a temporary name, then rename: a fill killed mid-write leaves no
    ``features`` that a rerun would take as complete."""
    if _PARTIAL in group:
        del group[_PARTIAL]
    group.create_dataset(_PARTIAL, data=features)
    group.move(_PARTIAL, "features")


def _id_of(path: Path, record: Record) -> str:
    try:
        return record_id(record.data)
    except (ValueError, IndexError, UnicodeDecodeError):  # damaged, or not an Example
        check_record(path, record)
        raise DataError(
            f"record at byte {record.offset} is not a SequenceExample", file=path
        ) from None


def _parsed(path: Path, record: Record) -> tuple[str, np.ndarray]:
    data = check_record(path, record)
    try:
        return parse_sequence_example(data)
    except (ValueError, IndexError) as exc:
        raise DataError(f"record at byte {record.offset}: {exc}", file=path) from None


#: The columns of Mr.HiSum's ``metadata.csv`` that locate a video in YouTube-8M.
METADATA_COLUMNS = ("video_id", "yt8m_file", "random_id")


def read_metadata(path: str | os.PathLike) -> list[dict[str, str]]:
    """The rows of ``metadata.csv`` (video_id, yt8m_file, random_id); a `DataError` naming
    the file and the missing columns."""
    import csv

    path = Path(path)
    try:
        with open(path, newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            missing = [c for c in METADATA_COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                raise DataError(
                    f"lacks the column(s) {', '.join(missing)} (Mr.HiSum's metadata.csv has "
                    f"{', '.join(METADATA_COLUMNS)}, ...)",
                    file=path,
                )
            return [{c: (row[c] or "").strip() for c in METADATA_COLUMNS} for row in reader]
    except UnicodeDecodeError:
        raise DataError("not a UTF-8 CSV file", file=path) from None


def fill_features(
    yt8m_dir: str | os.PathLike,
    metadata: str | os.PathLike,
    h5_path: str | os.PathLike,
    *,
    progress: bool = False,
) -> dict[str, list[str]]:
    """Write each video's dequantised ``rgb`` as ``<video_id>/features`` of ``h5_path``.

    Videos that already have ``features`` are skipped, so an interrupted fill resumes (each
    video's features are written under a temporary name and renamed when complete); the
    file is flushed after every shard. One shard (``<yt8m_dir>/frame/<yt8m_file>.tfrecord``)
    is read at a time, record by record, so memory does not grow with the dataset. Returns
    ``{"filled": [...], "skipped": [...], "missing": ["video_id: why", ...]}``.
    """
    import h5py

    from vsumbench.progress import progress_bar

    rows = read_metadata(metadata)
    h5_path = Path(h5_path)
    if not h5_path.is_file():
        raise DataError("not found: the Mr.HiSum file (mr_hisum.h5) must exist", file=h5_path)
    report: dict[str, list[str]] = {"filled": [], "skipped": [], "missing": []}
    with h5py.File(h5_path, "a") as h5:
        shards: dict[str, dict[str, str]] = {}
        for row in rows:
            group = h5.get(row["video_id"])
            if group is not None and "features" in group:
                report["skipped"].append(row["video_id"])
            else:
                shards.setdefault(row["yt8m_file"], {})[row["random_id"]] = row["video_id"]
        bar = progress_bar(sorted(shards), desc="YouTube-8M shards", unit="shard",
                           disable=not progress)  # fmt: skip
        for shard in bar:
            wanted = shards[shard]
            path = Path(yt8m_dir) / "frame" / f"{shard}.tfrecord"
            if not path.is_file():
                report["missing"] += [f"{v}: no shard {path}" for v in wanted.values()]
                continue
            for record in read_records(path):
                if _id_of(path, record) not in wanted:
                    continue
                random_id, rgb = _parsed(path, record)
                video = wanted.pop(random_id)
                _write_features(h5.require_group(video), dequantize(rgb))
                report["filled"].append(video)
                if not wanted:
                    break
            h5.flush()
            if wanted:  # before saying "not there": a damaged record may hide a video
                for record in read_records(path):
                    check_record(path, record)
            report["missing"] += [f"{v}: {r} not in {path}" for r, v in wanted.items()]
    return report
