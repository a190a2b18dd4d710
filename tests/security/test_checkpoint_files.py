"""Checkpoint files (TensorFlow's TensorBundle format) are hostile input: never unpickled,
every size and offset checked against the real files before anything is read or allocated,
checksums verified, malformed indexes refused with DataLossError; writes are atomic."""
import os
import struct

import numpy as np
import pytest

import tapeflow as tf
from tapeflow.tracking import checkpoint_io
from tapeflow.tracking import tensor_bundle as tb

KEY = "v/.ATTRIBUTES/VARIABLE_VALUE"


def _saved(tmp_path):
    return tf.train.Checkpoint(v=tf.Variable([1.0, 2.0])).write(str(tmp_path / "c"))


def _restore(path):
    return tf.train.Checkpoint(v=tf.Variable([0.0, 0.0])).read(path)


def _write_index(path, entries):
    """Writes an index with valid block checksums whose entries say whatever we like."""
    with open(path + ".index", "wb") as f:
        f.write(tb.build_index(entries))


def _entry(dtype=1, shape=(2,), offset=0, size=8, crc=0):
    return tb._entry(dtype, shape, offset, size, crc)


@pytest.mark.parametrize("entry, why", [
    (_entry(shape=(1 << 40, 1 << 40), size=8), "declares"),
    (_entry(shape=(1 << 43,), size=1 << 45), "beyond the end"),
    (_entry(offset=1 << 60), "beyond the end"),
    (_entry(dtype=7, shape=(1 << 30,), size=8), "strings in 8 bytes"),
    (_entry(dtype=7, shape=(), size=1 << 40), "strings in"),
    (_entry(dtype=20), "unsupported dtype"),     # DT_RESOURCE
    (_entry(dtype=21), "unsupported dtype"),     # DT_VARIANT
    (_entry(shape=(1,) * 40, size=4), "invalid shape"),
    (tb._field(1, 1) + tb._field(2, tb._field(2, tb._field(1, (1 << 64) - 1))) +
     tb._field(5, 8), "negative dimension"),
    (tb._field(1, 1) + tb._field(7, b"x"), "sliced"),
    (tb._field(1, 1) + b"\x0f", "wire type"),
    (tb._field(1, 1) + b"\x12\xff\xff\xff\x7f", "truncated"),
])
def test_lying_entries_are_refused_before_reading(tmp_path, entry, why):
    path = _saved(tmp_path)
    _write_index(path, {KEY: entry})
    with pytest.raises(tf.errors.DataLossError, match=why):
        _restore(path)


def test_index_that_is_not_a_table(tmp_path, monkeypatch):
    path = _saved(tmp_path)
    with open(path + ".index", "wb") as f:
        f.write(b"\x80\x04\x95pickle-looking bytes" * 10)
    with pytest.raises(tf.errors.DataLossError, match="no table footer"):
        _restore(path)
    with open(path + ".index", "wb") as f:
        f.write(b"")
    with pytest.raises(tf.errors.DataLossError, match="no table footer"):
        _restore(path)
    path = _saved(tmp_path)
    monkeypatch.setattr(checkpoint_io, "MAX_INDEX_BYTES", 10)
    with pytest.raises(tf.errors.DataLossError, match="larger than"):
        _restore(path)


def test_corrupted_index_blocks_fail_their_checksum(tmp_path):
    path = _saved(tmp_path)
    with open(path + ".index", "rb") as f:
        raw = bytearray(f.read())
    raw[10] ^= 0x55
    with open(path + ".index", "wb") as f:
        f.write(bytes(raw))
    with pytest.raises(tf.errors.DataLossError, match="checksum"):
        _restore(path)


def test_block_handles_pointing_outside_the_file(tmp_path):
    path = _saved(tmp_path)
    footer = tb._varint(0) + tb._varint(0) + tb._varint(1 << 40) + tb._varint(10)
    footer += b"\x00" * (40 - len(footer)) + struct.pack("<Q", tb.MAGIC)
    with open(path + ".index", "wb") as f:
        f.write(footer)
    with pytest.raises(tf.errors.DataLossError, match="beyond the end"):
        _restore(path)


def test_entries_in_other_shards_are_refused(tmp_path):
    path = _saved(tmp_path)
    with open(path + ".index", "wb") as f:
        f.write(tb.build_index({KEY: tb._field(1, 1) + tb._field(3, 1) + tb._field(5, 8) +
                                tb._fixed32(6, 0)}))
    with pytest.raises(tf.errors.DataLossError, match="another shard"):
        _restore(path)


def test_data_that_does_not_match_its_checksum(tmp_path):
    path = _saved(tmp_path)
    data = path + ".data-00000-of-00001"
    with open(data, "rb") as f:
        raw = bytearray(f.read())
    raw[-1] ^= 0xFF  # the variable's bytes come last (keys are sorted)
    with open(data, "wb") as f:
        f.write(bytes(raw))
    v = tf.Variable([0.0, 0.0])
    with pytest.raises(tf.errors.DataLossError, match="checksum"):
        tf.train.Checkpoint(v=v).read(path)
    np.testing.assert_array_equal(v.numpy(), [0.0, 0.0])  # untouched


def test_object_graph_with_bad_references_and_cycles(tmp_path):
    path = _saved(tmp_path)
    values = {KEY: np.array([1.0, 2.0], np.float32)}
    for nodes, ok in [
            ([{"children": [(7, "v")], "attributes": []}], False),       # missing node
            ([{"children": [(0, "self"), (1, "v")], "attributes": []},   # a cycle
              {"children": [(0, "up")], "attributes": [("VARIABLE_VALUE", "x", KEY)]}], True)]:
        checkpoint_io.write(path, values, nodes)
        if ok:
            _restore(path).assert_consumed()
        else:
            with pytest.raises(tf.errors.DataLossError, match="missing node"):
                _restore(path)


def test_crc32c_known_answers():
    assert tb.crc32c(b"123456789") == 0xE3069283
    data = np.random.RandomState(0).bytes(100_003)   # the long (lane) path
    table = []
    for i in range(256):                             # the textbook byte-at-a-time CRC
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    reg = 0xFFFFFFFF
    for b in data:
        reg = table[(reg ^ b) & 0xFF] ^ (reg >> 8)
    assert tb.crc32c(data) == reg ^ 0xFFFFFFFF
    assert tb.crc32c(data[500:], tb.crc32c(data[:500])) == tb.crc32c(data)


def test_failed_write_leaves_old_files_and_no_temporaries(tmp_path, monkeypatch):
    path = _saved(tmp_path)
    before = {n: (tmp_path / n).read_bytes() for n in os.listdir(tmp_path)}

    def boom(src, dst):
        raise OSError("disk full")
    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError, match="disk full"):
        tf.train.Checkpoint(v=tf.Variable([9.0, 9.0])).write(path)
    assert {n: (tmp_path / n).read_bytes() for n in os.listdir(tmp_path)} == before


def test_state_file_is_parsed_not_evaluated(tmp_path):
    (tmp_path / "checkpoint").write_text('model_checkpoint_path: __import__("os")\n')
    assert tf.train.latest_checkpoint(str(tmp_path)) is None
    (tmp_path / "checkpoint").write_bytes(b"x" * (2 << 20))
    assert tf.train.latest_checkpoint(str(tmp_path)) is None


def test_compressed_blocks_are_refused(tmp_path):
    path = _saved(tmp_path)
    block = tb._block([(b"", b""), (KEY.encode(), _entry())])
    data = block + b"\x01" + struct.pack("<I", tb.mask(tb.crc32c(block + b"\x01")))  # snappy
    index = tb._block([(KEY.encode() + b"\x00", tb._varint(0) + tb._varint(len(block)))])
    out = data + index + b"\x00" + struct.pack("<I", tb.mask(tb.crc32c(index + b"\x00")))
    footer = tb._varint(0) + tb._varint(0) + tb._varint(len(data)) + tb._varint(len(index))
    out += footer + b"\x00" * (40 - len(footer)) + struct.pack("<Q", tb.MAGIC)
    with open(path + ".index", "wb") as f:
        f.write(out)
    with pytest.raises(tf.errors.DataLossError, match="compressed"):
        _restore(path)
