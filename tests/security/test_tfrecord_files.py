"""Hostile TFRecord / Example / TensorProto input: refused with TensorFlow's errors, never
allocating what a file merely declares."""
import gzip
import struct
import tracemalloc

import numpy as np
import pytest

import tapeflow as tf
from tapeflow.io.crc32c import masked_crc32c
from tapeflow.io.tfrecord import frame, read_records


def _write(path, data):
    with open(path, "wb") as f:
        f.write(data)
    return str(path)


def _records(path, ct=None):
    return [r.numpy() for r in tf.data.TFRecordDataset(path, ct)]


def test_corrupt_data_crc_is_data_loss(tmp_path):
    raw = bytearray(frame(b"hello") + frame(b"world"))
    raw[13] ^= 0x20
    p = _write(tmp_path / "f", bytes(raw))
    with pytest.raises(tf.errors.DataLossError, match="corrupted record at 12"):
        _records(p)


def test_corrupt_length_crc_is_data_loss(tmp_path):
    raw = bytearray(frame(b"hello"))
    raw[8] ^= 1
    p = _write(tmp_path / "f", bytes(raw))
    with pytest.raises(tf.errors.DataLossError, match="Is this even a TFRecord file"):
        _records(p)


def _huge_header(length):
    head = struct.pack("<Q", length)
    return head + struct.pack("<I", masked_crc32c(head))


@pytest.mark.parametrize("length", [1 << 40, (1 << 31) - 1, 1 << 62])
def test_huge_declared_length_refused_without_allocating(tmp_path, length):
    # a valid length CRC, then a few bytes: must fail fast, not try to read/allocate `length`
    p = _write(tmp_path / "f", _huge_header(length) + b"abc")
    tracemalloc.start()
    try:
        with pytest.raises(tf.errors.DataLossError):
            _records(p)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 16 << 20


def test_huge_declared_length_in_gzip_stream_reads_in_bounded_pieces(tmp_path):
    # compressed: the file size says nothing, so reading goes chunk by chunk and stops at EOF
    p = _write(tmp_path / "f.gz", gzip.compress(_huge_header(1 << 30) + b"x" * 1000))
    tracemalloc.start()
    try:
        with pytest.raises(tf.errors.DataLossError, match="truncated record"):
            _records(p, "GZIP")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 16 << 20


def test_gzip_bomb_is_streamed(tmp_path):
    # 64 MiB of zeros compress to ~64 KiB; reading must not inflate it all at once
    data = _huge_header(1 << 26) + b"\0" * (1 << 26)
    p = _write(tmp_path / "bomb.gz", gzip.compress(data, 9))
    tracemalloc.start()
    try:
        with pytest.raises(tf.errors.DataLossError):  # the data CRC is wrong
            _records(p, "GZIP")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # the record itself (64 MiB, what the header says and the data really holds) plus bounded
    # buffers; never a second copy of the whole stream
    assert peak < (1 << 26) * 2.5


def test_not_compressed_as_declared(tmp_path):
    p = _write(tmp_path / "f", frame(b"abc"))
    with pytest.raises(tf.errors.DataLossError, match="inflate"):
        _records(p, "ZLIB")


def test_missing_file_is_not_found(tmp_path):
    with pytest.raises(tf.errors.NotFoundError):
        list(read_records(str(tmp_path / "nope")))


def test_example_with_lying_lengths_is_decode_error():
    from tapeflow.io.wire import DecodeError
    good = tf.train.Example(features=tf.train.Features(feature={
        "a": tf.train.Feature(bytes_list=tf.train.BytesList(value=[b"x" * 10]))}))
    raw = bytearray(good.SerializeToString())
    for cut in range(1, len(raw)):
        with pytest.raises(DecodeError):
            tf.train.Example.FromString(bytes(raw[:cut]))
    raw[1] = 0x7F  # the outer length now exceeds the message
    with pytest.raises(DecodeError):
        tf.train.Example.FromString(bytes(raw))


def test_overlong_varint_is_decode_error():
    from tapeflow.io.wire import DecodeError
    with pytest.raises(DecodeError):
        tf.train.Int64List.FromString(b"\x08" + b"\xff" * 11)


def test_parse_example_of_garbage_is_invalid_argument():
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.io.parse_single_example(b"\x0a\xff", {"a": tf.io.VarLenFeature(tf.int64)})


def test_parse_tensor_huge_shape_refused_without_allocating():
    # dtype float, shape [2**40], no content: must not allocate 4 TiB of zeros
    shape = b"\x12\x07" + b"\x08" + bytes([0x80, 0x80, 0x80, 0x80, 0x80, 0x20])
    proto = b"\x08\x01" + b"\x12" + bytes([len(shape)]) + shape
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.io.parse_tensor(proto, tf.float32)


def test_parse_tensor_content_size_must_match_shape():
    proto = tf.io.serialize_tensor(np.zeros(4, np.float32)).numpy()
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.io.parse_tensor(proto[:-4], tf.float32)


def test_image_header_declaring_huge_size_is_refused(monkeypatch):
    from tapeflow.io import image_codecs
    monkeypatch.setattr(image_codecs, "MAX_PIXEL_BYTES", 1000)
    png = tf.io.encode_png(np.zeros((20, 20, 3), np.uint8))
    with pytest.raises(tf.errors.InvalidArgumentError, match="too large"):
        tf.io.decode_png(png)


def test_dataset_load_rejects_tampered_files(tmp_path):
    p = str(tmp_path / "ds")
    tf.data.Dataset.range(5).save(p)
    data = tmp_path / "ds" / "data.tfrecord"
    raw = bytearray(data.read_bytes())
    raw[-6] ^= 1
    data.write_bytes(bytes(raw))
    with pytest.raises(tf.errors.DataLossError):
        list(tf.data.Dataset.load(p))
    (tmp_path / "ds" / "element_spec.json").write_text('{"format": "x"}')
    with pytest.raises(tf.errors.DataLossError):
        tf.data.Dataset.load(p)


def test_dataset_load_refuses_deeply_nested_spec(tmp_path):
    p = tmp_path / "ds"
    tf.data.Dataset.range(2).save(str(p))
    (p / "element_spec.json").write_text("[" * 100000 + "]" * 100000)
    with pytest.raises(tf.errors.DataLossError):
        tf.data.Dataset.load(str(p))


def test_mutated_inputs_raise_only_tensorflows_errors(tmp_path):
    """Random byte mutations of valid Examples, TensorProtos and TFRecord files: every
    failure is the documented error class, never an IndexError/struct.error/..."""
    from tapeflow.io.wire import DecodeError
    rng = np.random.default_rng(0)
    ex = tf.train.Example(features=tf.train.Features(feature={
        "b": tf.train.Feature(bytes_list=tf.train.BytesList(value=[b"ab", b""])),
        "f": tf.train.Feature(float_list=tf.train.FloatList(value=[1.5, 2.0])),
        "i": tf.train.Feature(int64_list=tf.train.Int64List(value=[1, -1, 300]))})
    ).SerializeToString()
    spec = {"i": tf.io.VarLenFeature(tf.int64), "f": tf.io.VarLenFeature(tf.float32),
            "b": tf.io.VarLenFeature(tf.string)}
    proto = tf.io.serialize_tensor(tf.constant([[1.0, 2.0]])).numpy()
    path = str(tmp_path / "f.tfrecord")
    for _ in range(300):
        b = bytearray(ex)
        b[rng.integers(len(b))] = rng.integers(256)
        del b[rng.integers(len(b) + 1):]
        for call, errors in ((lambda: tf.train.Example.FromString(bytes(b)), DecodeError),
                             (lambda: tf.io.parse_single_example(bytes(b), spec),
                              tf.errors.InvalidArgumentError)):
            try:
                call()
            except errors:
                pass
        p = bytearray(proto)
        p[rng.integers(len(p))] = rng.integers(256)
        try:
            tf.io.parse_tensor(bytes(p), tf.float32)
        except tf.errors.InvalidArgumentError:
            pass
        f = bytearray(frame(b"hello") + frame(ex))
        f[rng.integers(len(f))] = rng.integers(256)
        _write(path, bytes(f))
        try:
            list(read_records(path))
        except tf.errors.DataLossError:
            pass


def test_damaged_images_raise_invalid_argument():
    pytest.importorskip("PIL", reason="image codecs need Pillow")
    rng = np.random.default_rng(1)
    img = rng.integers(0, 256, (8, 8, 3)).astype(np.uint8)
    for data in (tf.io.encode_png(img).numpy(), tf.io.encode_jpeg(img).numpy()):
        for _ in range(150):
            b = bytearray(data)
            for _ in range(rng.integers(1, 4)):
                b[rng.integers(len(b))] = rng.integers(256)
            if rng.random() < 0.3:
                del b[rng.integers(len(b)):]
            try:
                tf.io.decode_image(bytes(b))
            except tf.errors.InvalidArgumentError:
                pass
