"""tracking/checkpoint_io.py: TensorBundle checkpoint files written and read back key by key."""
import os

import numpy as np
import pytest

import tapeflow as tf
from tapeflow.tracking import checkpoint_io


def test_write_then_reader_reads_values_shapes_dtypes(tmp_path):
    prefix = str(tmp_path / "sub" / "ckpt-1")
    values = {"a/.ATTRIBUTES/VARIABLE_VALUE": np.arange(6, dtype=np.float32).reshape(2, 3),
              "b/.ATTRIBUTES/VARIABLE_VALUE": np.array(7, dtype=np.int64)}
    assert checkpoint_io.write(prefix, values, []) == prefix
    assert checkpoint_io.exists(prefix)
    assert sorted(os.listdir(tmp_path / "sub")) == ["ckpt-1.data-00000-of-00001", "ckpt-1.index"]
    r = checkpoint_io.Reader(prefix)
    assert r.keys() == sorted(values)
    assert r.shape("a/.ATTRIBUTES/VARIABLE_VALUE") == [2, 3]
    assert r.dtype("b/.ATTRIBUTES/VARIABLE_VALUE") == np.int64
    np.testing.assert_array_equal(r.read("a/.ATTRIBUTES/VARIABLE_VALUE"),
                                  values["a/.ATTRIBUTES/VARIABLE_VALUE"])


def test_missing_checkpoint_and_key_raise_not_found(tmp_path):
    prefix = str(tmp_path / "none")
    assert not checkpoint_io.exists(prefix)
    with pytest.raises(tf.errors.NotFoundError):
        checkpoint_io.Reader(prefix)
    checkpoint_io.write(prefix, {"x": np.zeros(2, np.float32)}, [])
    with pytest.raises(tf.errors.NotFoundError):
        checkpoint_io.Reader(prefix).read("y")


def test_truncated_data_file_is_data_loss(tmp_path):
    prefix = str(tmp_path / "c")
    checkpoint_io.write(prefix, {"x": np.arange(100, dtype=np.float64)}, [])
    with open(checkpoint_io.data_path(prefix), "r+b") as f:
        f.truncate(16)
    with pytest.raises(tf.errors.DataLossError):
        checkpoint_io.Reader(prefix).read("x")
