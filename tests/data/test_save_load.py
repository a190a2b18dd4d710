"""Dataset.save / Dataset.load: structure, dtypes and values survive; written atomically."""
import collections
import os

import numpy as np
import pytest

import tapeflow as tf


def test_round_trip_nested(tmp_path):
    ds = tf.data.Dataset.from_tensor_slices(({"a": [1, 2, 3]}, [b"x", b"y", b"zz"]))
    p = str(tmp_path / "saved")
    assert ds.save(p) is None
    back = tf.data.Dataset.load(p)
    assert repr(back) == ("<_LoadDataset element_spec=({'a': TensorSpec(shape=(), "
                          "dtype=tf.int32, name=None)}, TensorSpec(shape=(), dtype=tf.string, "
                          "name=None))>")
    assert list(back.as_numpy_iterator()) == list(ds.as_numpy_iterator())
    assert int(back.cardinality()) == 3


def test_round_trip_ragged_shapes_and_gzip(tmp_path):
    ds = tf.data.Dataset.from_generator(
        lambda: (np.arange(n, dtype=np.float64) for n in [0, 2, 5]),
        output_signature=tf.TensorSpec([None], tf.float64)).map(
            lambda x: collections.OrderedDict(v=x))
    p = str(tmp_path / "s")
    ds.save(p, compression="GZIP")
    back = tf.data.Dataset.load(p)
    assert isinstance(back.element_spec, collections.OrderedDict)
    assert [len(e["v"]) for e in back.as_numpy_iterator()] == [0, 2, 5]


def test_save_replaces_atomically(tmp_path):
    p = str(tmp_path / "s")
    tf.data.Dataset.range(3).save(p)
    tf.data.Dataset.range(5).save(p)
    assert list(tf.data.Dataset.load(p).as_numpy_iterator()) == [0, 1, 2, 3, 4]
    assert os.listdir(tmp_path) == ["s"]

    def boom(x):
        raise RuntimeError("fails half way")
    bad = tf.data.Dataset.range(3).map(lambda x: tf.py_function(boom, [x], tf.int64)) \
        if hasattr(tf, "py_function") else None
    if bad is None:
        bad = tf.data.Dataset.from_generator(lambda: (boom(i) for i in range(3)),
                                             output_signature=tf.TensorSpec((), tf.int64))
    with pytest.raises(Exception):
        bad.save(p)
    assert list(tf.data.Dataset.load(p).as_numpy_iterator()) == [0, 1, 2, 3, 4]
    assert os.listdir(tmp_path) == ["s"]


def test_load_missing(tmp_path):
    with pytest.raises(tf.errors.NotFoundError, match="element_spec file not found"):
        tf.data.Dataset.load(str(tmp_path / "nope"))


def test_round_trip_sparse_and_ragged_components(tmp_path):
    st = tf.SparseTensor([[0, 0], [1, 2]], [1.5, 2.5], [3, 4])
    rt = tf.ragged.constant([[1, 2], [], [3]])
    ds = tf.data.Dataset.from_tensor_slices((st, rt, [7, 8, 9])).batch(2)
    p = str(tmp_path / "c")
    ds.save(p)
    back = tf.data.Dataset.load(p)
    assert repr(back.element_spec) == repr(ds.element_spec)
    got, want = list(back), list(ds)
    for (s1, r1, d1), (s2, r2, d2) in zip(got, want):
        assert repr(s1) == repr(s2) and r1.to_list() == r2.to_list()
        assert d1.numpy().tolist() == d2.numpy().tolist()
    nested = tf.data.Dataset.from_tensors(tf.ragged.constant([[[1], [2, 3]], [[4]]]))
    nested.save(p)
    assert next(iter(tf.data.Dataset.load(p))).to_list() == [[[1], [2, 3]], [[4]]]
