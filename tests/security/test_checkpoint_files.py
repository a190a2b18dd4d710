"""Checkpoint files are hostile input: never unpickled, sizes checked before reading,
malformed indexes refused with DataLossError; writes are atomic and leave no litter."""
import json
import os
import zlib

import numpy as np
import pytest

import tapeflow as tf
from tapeflow.tracking import checkpoint_io

KEY = "v/.ATTRIBUTES/VARIABLE_VALUE"


def _saved(tmp_path):
    return tf.train.Checkpoint(v=tf.Variable([1.0, 2.0])).write(str(tmp_path / "c"))


def _rewrite_index(path, edit):
    with open(path + ".index", encoding="utf-8") as f:
        index = json.load(f)
    edit(index)
    with open(path + ".index", "w", encoding="utf-8") as f:
        json.dump(index, f)


def _restore(path):
    return tf.train.Checkpoint(v=tf.Variable([0.0, 0.0])).read(path)


@pytest.mark.parametrize("edit, why", [
    (lambda ix: ix["entries"][0].update(shape=[1 << 40, 1 << 40]), "declares"),
    (lambda ix: ix["entries"][0].update(nbytes=1 << 45, shape=[1 << 43]), "beyond the end"),
    (lambda ix: ix["entries"][0].update(offset=-1), "invalid offset"),
    (lambda ix: ix["entries"][0].update(dtype="object"), "unsupported dtype"),
    (lambda ix: ix["entries"][0].update(dtype="O"), "unsupported dtype"),
    (lambda ix: ix["entries"][0].update(shape="2"), "invalid shape"),
    (lambda ix: ix["entries"][0].update(shape=[1] * 64), "invalid shape"),
    (lambda ix: ix["entries"].append(dict(ix["entries"][0])), "duplicate key"),
    (lambda ix: ix.update(format="pickle"), "unknown format"),
    (lambda ix: ix.update(version=99), "unsupported version"),
    (lambda ix: ix.update(aliases=[1]), "aliases"),
])
def test_malformed_index_is_refused_before_reading(tmp_path, edit, why):
    path = _saved(tmp_path)
    _rewrite_index(path, edit)
    with pytest.raises(tf.errors.DataLossError, match=why):
        _restore(path)


def test_index_that_is_not_json_or_too_big(tmp_path, monkeypatch):
    path = _saved(tmp_path)
    with open(path + ".index", "wb") as f:
        f.write(b"\x80\x04\x95pickle-looking bytes")
    with pytest.raises(tf.errors.DataLossError, match="not valid JSON"):
        _restore(path)
    with open(path + ".index", "w") as f:
        f.write("[" * 100000 + "]" * 100000)
    with pytest.raises(tf.errors.DataLossError):
        _restore(path)
    monkeypatch.setattr(checkpoint_io, "MAX_INDEX_BYTES", 10)
    with pytest.raises(tf.errors.DataLossError, match="larger than"):
        _restore(path)


def test_data_that_does_not_match_its_checksum(tmp_path):
    path = _saved(tmp_path)
    data = path + ".data-00000-of-00001"
    with open(data, "rb") as f:
        raw = bytearray(f.read())
    raw[0] ^= 0xFF
    with open(data, "wb") as f:
        f.write(bytes(raw))
    v = tf.Variable([0.0, 0.0])
    with pytest.raises(tf.errors.DataLossError, match="checksum"):
        tf.train.Checkpoint(v=v).read(path)
    np.testing.assert_array_equal(v.numpy(), [0.0, 0.0])  # untouched


def test_alias_cycles_terminate(tmp_path):
    path = _saved(tmp_path)
    _rewrite_index(path, lambda ix: ix.update(aliases={"w": "x", "x": "w"}))
    status = tf.train.Checkpoint(v=tf.Variable([0.0, 0.0]), w=tf.Variable([0.0, 0.0])).read(
        path)
    with pytest.raises(AssertionError):
        status.assert_existing_objects_matched()


def test_reads_only_the_declared_bytes(tmp_path):
    path = _saved(tmp_path)
    reader = checkpoint_io.Reader(path)
    assert reader.read(KEY).tolist() == [1.0, 2.0]
    raw = np.array([1.0, 2.0], "<f4").tobytes()
    assert reader._entries[KEY]["crc32"] == zlib.crc32(raw)


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
