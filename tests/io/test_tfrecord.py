"""TFRecord writing and reading: TensorFlow's framing, byte for byte (expected bytes were
written by TensorFlow 2.21), compression, atomic writes."""
import os

import numpy as np
import pytest

import tapeflow as tf
from tapeflow.io.crc32c import crc32c, masked_crc32c
from tapeflow.io.tfrecord import read_lines, read_records

# tf.io.TFRecordWriter(path).write(b"hello"); .write(b"") -> these bytes
TF_HELLO_EMPTY = bytes.fromhex("0500000000000000eab2043e68656c6c6fbb1f1c19"
                               "000000000000000029039807d8ea82a2")


@pytest.mark.parametrize("data, want", [(b"", 0), (b"123456789", 0xE3069283),
                                        (b"\0" * 32, 0x8A9136AA), (b"\xff" * 32, 0x62A8AB43)])
def test_crc32c_known_vectors(data, want):
    # RFC 3720 (iSCSI) test vectors
    assert crc32c(data) == want


@pytest.mark.parametrize("n", [15, 16, 17, 178, 1000, 2047, 2048, 4097, 65536, 100003])
def test_crc32c_fast_paths_match_bitwise_reference(n):
    data = np.random.default_rng(n).bytes(n)
    reg = 0xFFFFFFFF
    for b in data[:n]:  # a plain reference implementation, bit by bit
        reg ^= b
        for _ in range(8):
            reg = (reg >> 1) ^ (0x82F63B78 if reg & 1 else 0)
    assert crc32c(data) == reg ^ 0xFFFFFFFF


def test_crc32c_continues_from_a_previous_value():
    assert crc32c(b"6789", crc32c(b"12345")) == crc32c(b"123456789")


def test_masked_crc():
    c = crc32c(b"abc")
    assert masked_crc32c(b"abc") == ((((c >> 15) | (c << 17)) & 0xFFFFFFFF) + 0xA282EAD8) \
        % (1 << 32)


def test_writer_bytes_equal_tensorflows(tmp_path):
    p = str(tmp_path / "f.tfrecord")
    with tf.io.TFRecordWriter(p) as w:
        w.write(b"hello")
        w.write(tf.constant(b""))
    assert (tmp_path / "f.tfrecord").read_bytes() == TF_HELLO_EMPTY


def test_reads_tensorflows_file(tmp_path):
    (tmp_path / "f").write_bytes(TF_HELLO_EMPTY)
    ds = tf.data.TFRecordDataset(str(tmp_path / "f"))
    assert [x.numpy() for x in ds] == [b"hello", b""]
    assert repr(ds) == "<TFRecordDatasetV2 element_spec=TensorSpec(shape=(), dtype=tf.string, " \
        "name=None)>"
    assert int(ds.cardinality()) == tf.data.UNKNOWN_CARDINALITY


@pytest.mark.parametrize("ct", ["GZIP", "ZLIB"])
def test_compressed_round_trip(tmp_path, ct):
    p = str(tmp_path / "f")
    recs = [b"a" * 10, b"", np.random.default_rng(0).bytes(5000)]
    with tf.io.TFRecordWriter(p, tf.io.TFRecordOptions(compression_type=ct)) as w:
        for r in recs:
            w.write(r)
    head = (tmp_path / "f").read_bytes()[:2]
    assert head == (b"\x1f\x8b" if ct == "GZIP" else b"\x78\x9c")
    assert [x.numpy() for x in tf.data.TFRecordDataset(p, compression_type=ct)] == recs
    assert list(read_records(p, ct)) == recs


def test_several_files_and_parallel_reads(tmp_path):
    paths = []
    for i in range(2):
        paths.append(str(tmp_path / f"{i}"))
        with tf.io.TFRecordWriter(paths[-1]) as w:
            for j in range(3):
                w.write(f"{i}{j}".encode())
    seq = [x.numpy() for x in tf.data.TFRecordDataset(paths)]
    assert seq == [b"00", b"01", b"02", b"10", b"11", b"12"]
    inter = [x.numpy() for x in tf.data.TFRecordDataset(paths, num_parallel_reads=2)]
    assert inter == [b"00", b"10", b"01", b"11", b"02", b"12"]
    names = tf.data.Dataset.from_tensor_slices(paths)
    assert [x.numpy() for x in tf.data.TFRecordDataset(names)] == seq


def test_writer_is_atomic(tmp_path):
    p = tmp_path / "f"
    p.write_bytes(b"old")
    with pytest.raises(RuntimeError):
        with tf.io.TFRecordWriter(str(p)) as w:
            w.write(b"new")
            assert p.read_bytes() == b"old"  # not visible until closed
            raise RuntimeError("boom")
    assert p.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["f"]  # no temporary file left


def test_bad_compression_type():
    with pytest.raises(ValueError, match='Not a valid compression_type: "FOO"'):
        tf.io.TFRecordOptions("FOO")


def test_text_lines(tmp_path):
    (tmp_path / "t.txt").write_bytes(b"line1\nline2\r\n\nlast")
    ds = tf.data.TextLineDataset(str(tmp_path / "t.txt"))
    assert list(ds.as_numpy_iterator()) == [b"line1", b"line2", b"", b"last"]
    import gzip
    (tmp_path / "t.gz").write_bytes(gzip.compress(b"a\nb\n"))
    assert list(read_lines(str(tmp_path / "t.gz"), "GZIP")) == [b"a", b"b"]
