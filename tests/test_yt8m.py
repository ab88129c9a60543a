"""Mr.HiSum's features from YouTube-8M shards without TensorFlow.

The shards are written here in YouTube-8M's frame-level format: `tf.train.SequenceExample`
messages built and serialised by the protobuf library itself, from descriptors of
TensorFlow's `example.proto` and `feature.proto` (an encoder independent of vsumbench's
reader), framed as TFRecords. The features are compared with the authors' dequantisation,
written here from their formula (`preprocess/yt8m_reader.py`: `x * 4.0 / 255.0 - 2.0`).
"""

from __future__ import annotations

import struct

import h5py
import numpy as np
import pytest
from click.testing import CliRunner

from vsumbench.cli import main
from vsumbench.data.yt8m import crc32c, masked_crc, read_records

pytest.importorskip("google.protobuf")


def _messages():
    """TensorFlow's Example messages, declared with protobuf's own descriptors."""
    from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

    F = descriptor_pb2.FieldDescriptorProto
    proto = descriptor_pb2.FileDescriptorProto(name="vsumbench_test_tf.proto", package="tf")

    def message(name, *fields, map_entry=False):
        m = proto.message_type.add(name=name)
        if map_entry:
            m.options.map_entry = True
        for number, field_name, kind, label, type_name, packed in fields:
            f = m.field.add(name=field_name, number=number, type=kind, label=label)
            if type_name:
                f.type_name = type_name
            if packed:
                f.options.packed = True
        return m

    rep, opt = F.LABEL_REPEATED, F.LABEL_OPTIONAL
    message("BytesList", (1, "value", F.TYPE_BYTES, rep, None, False))
    message("Int64List", (1, "value", F.TYPE_INT64, rep, None, True))
    message("Feature", (1, "bytes_list", F.TYPE_MESSAGE, opt, ".tf.BytesList", False),
            (3, "int64_list", F.TYPE_MESSAGE, opt, ".tf.Int64List", False))  # fmt: skip
    features = message("Features", (1, "feature", F.TYPE_MESSAGE, rep, ".tf.Features.FeatureEntry", False))  # fmt: skip
    entry = features.nested_type.add(name="FeatureEntry")
    entry.options.map_entry = True
    entry.field.add(name="key", number=1, type=F.TYPE_STRING, label=opt)
    entry.field.add(name="value", number=2, type=F.TYPE_MESSAGE, label=opt, type_name=".tf.Feature")
    message("FeatureList", (1, "feature", F.TYPE_MESSAGE, rep, ".tf.Feature", False))
    lists = message("FeatureLists", (1, "feature_list", F.TYPE_MESSAGE, rep, ".tf.FeatureLists.FeatureListEntry", False))  # fmt: skip
    entry = lists.nested_type.add(name="FeatureListEntry")
    entry.options.map_entry = True
    entry.field.add(name="key", number=1, type=F.TYPE_STRING, label=opt)
    entry.field.add(
        name="value", number=2, type=F.TYPE_MESSAGE, label=opt, type_name=".tf.FeatureList"
    )
    message("SequenceExample", (1, "context", F.TYPE_MESSAGE, opt, ".tf.Features", False),
            (2, "feature_lists", F.TYPE_MESSAGE, opt, ".tf.FeatureLists", False))  # fmt: skip
    pool = descriptor_pool.DescriptorPool()
    pool.Add(proto)
    return message_factory.GetMessageClass(pool.FindMessageTypeByName("tf.SequenceExample"))


def _example(random_id: str, rgb: np.ndarray, audio: np.ndarray) -> bytes:
    example = _messages()()
    example.context.feature["id"].bytes_list.value.append(random_id.encode())
    example.context.feature["labels"].int64_list.value.extend([3, 1027])
    for name, frames in (("rgb", rgb), ("audio", audio)):
        feature_list = example.feature_lists.feature_list[name]
        for frame in frames:
            feature_list.feature.add().bytes_list.value.append(frame.tobytes())
    return example.SerializeToString()


def write_shard(path, videos) -> None:
    """A TFRecord file of SequenceExamples: ``videos`` = {random_id: rgb (T, 1024) uint8}."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as fh:
        for random_id, rgb in videos.items():
            data = _example(random_id, rgb, rgb[:, :128])
            length = struct.pack("<Q", len(data))
            fh.write(length + struct.pack("<I", masked_crc(length)))
            fh.write(data + struct.pack("<I", masked_crc(data)))


def authors_dequantize(x):
    return x.astype(np.float32) * 4.0 / 255.0 - 2.0


@pytest.fixture
def yt8m(tmp_path):
    """Two shards of three and two videos; a metadata.csv naming four of them and one that
    no shard holds; a mr_hisum.h5 with their ground truth and no features yet."""
    rng = np.random.default_rng(8)
    videos = {f"r{i}": rng.integers(0, 256, (int(rng.integers(3, 40)), 1024), dtype=np.uint8)
              for i in range(5)}  # fmt: skip
    write_shard(tmp_path / "yt8m" / "frame" / "train0001.tfrecord",
                {k: videos[k] for k in ("r0", "r1", "r2")})  # fmt: skip
    write_shard(tmp_path / "yt8m" / "frame" / "train0002.tfrecord",
                {k: videos[k] for k in ("r3", "r4")})  # fmt: skip
    rows = [("video_1", "train0001", "r2"), ("video_2", "train0002", "r3"),
            ("video_3", "train0001", "r0"), ("video_4", "train0002", "rX"),
            ("video_5", "train0009", "r9")]  # fmt: skip
    meta = tmp_path / "metadata.csv"
    meta.write_text("video_id,yt8m_file,random_id,youtube_id,duration\n"
                    + "".join(f"{v},{f},{r},yt,{10}\n" for v, f, r in rows))  # fmt: skip
    h5 = tmp_path / "mr_hisum.h5"
    with h5py.File(h5, "w") as f:
        for video, _, _ in rows:
            f[f"{video}/gtscore"] = np.zeros(3, dtype=np.float32)
    return tmp_path, videos, meta, h5


def test_crc32c_is_castagnolis():
    assert crc32c(b"123456789") == 0xE3069283  # the standard check value


def test_features_are_filled_as_the_authors_dequantise_them(yt8m):
    root, videos, meta, h5 = yt8m
    args = ["data", "mrhisum-features", "--yt8m", str(root / "yt8m"), "--metadata", str(meta),
            "--h5", str(h5)]  # fmt: skip
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1, result.output  # two videos are in no shard: said, status 1
    with h5py.File(h5) as f:
        for video, random_id in (("video_1", "r2"), ("video_2", "r3"), ("video_3", "r0")):
            got = f[f"{video}/features"][()]
            assert got.dtype == np.float32 and got.shape == videos[random_id].shape
            assert np.array_equal(got, authors_dequantize(videos[random_id]))
        assert "features" not in f["video_4"] and "features" not in f["video_5"]
    assert "filled 3 video(s)" in result.output
    assert "video_4: rX not in" in result.output and "video_5: no shard" in result.output
    again = CliRunner().invoke(main, args)  # resumable: nothing filled twice
    assert "filled 0 video(s)" in again.output and "3 already had features" in again.output
    with h5py.File(h5, "a") as f:  # a fill killed while writing video_1
        del f["video_1/features"]
        f["video_1/features.partial"] = np.zeros((2, 1024), dtype=np.float32)
    CliRunner().invoke(main, args)
    with h5py.File(h5) as f:
        assert np.array_equal(f["video_1/features"][()], authors_dequantize(videos["r2"]))
        assert "features.partial" not in f["video_1"]


def test_a_truncated_or_damaged_shard_is_named(yt8m):
    root, _, meta, h5 = yt8m
    shard = root / "yt8m" / "frame" / "train0002.tfrecord"
    blob = shard.read_bytes()
    shard.write_bytes(blob[:-100])
    with pytest.raises(Exception, match="truncated at byte"):
        list(read_records(shard))
    result = CliRunner().invoke(main, ["data", "mrhisum-features", "--yt8m", str(root / "yt8m"),
                                       "--metadata", str(meta), "--h5", str(h5)])  # fmt: skip
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert str(shard) in result.output and "truncated" in result.output
    flipped = bytearray(blob)
    flipped[40] ^= 0xFF  # inside the first record's data
    shard.write_bytes(bytes(flipped))
    result = CliRunner().invoke(main, ["data", "mrhisum-features", "--yt8m", str(root / "yt8m"),
                                       "--metadata", str(meta), "--h5", str(h5)])  # fmt: skip
    assert result.exit_code == 1 and "checksum" in result.output and str(shard) in result.output


def test_metadata_without_the_needed_columns_is_one_line(yt8m):
    root, _, meta, h5 = yt8m
    meta.write_text("video_id,youtube_id\nvideo_1,x\n")
    result = CliRunner().invoke(main, ["data", "mrhisum-features", "--yt8m", str(root / "yt8m"),
                                       "--metadata", str(meta), "--h5", str(h5)])  # fmt: skip
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert str(meta) in result.output and "yt8m_file, random_id" in result.output
