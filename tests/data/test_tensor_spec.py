import numpy as np

import tapeflow as tf


def test_repr_and_defaults():
    assert repr(tf.TensorSpec((None, 3))) == \
        "TensorSpec(shape=(None, 3), dtype=tf.float32, name=None)"
    assert repr(tf.TensorSpec([], tf.int64, name="x")) == \
        "TensorSpec(shape=(), dtype=tf.int64, name='x')"
    assert repr(tf.TensorSpec((4,), "int32")) == \
        "TensorSpec(shape=(4,), dtype=tf.int32, name=None)"
    assert repr(tf.TensorSpec(None)) == \
        "TensorSpec(shape=<unknown>, dtype=tf.float32, name=None)"


def test_properties():
    s = tf.TensorSpec((None, 3), tf.float64, "in")
    assert s.shape == tf.TensorShape([None, 3])
    assert s.dtype == tf.float64
    assert s.name == "in"


def test_is_compatible_with_tensors_and_specs():
    s = tf.TensorSpec((None, 3))
    assert s.is_compatible_with(tf.zeros((2, 3)))
    assert s.is_compatible_with(tf.TensorSpec((5, 3)))
    assert not s.is_compatible_with(tf.zeros((2, 4)))
    assert not s.is_compatible_with(tf.zeros((2, 3), tf.float64))
    assert not s.is_compatible_with(tf.TensorSpec((3,)))
    assert tf.TensorSpec(None).is_compatible_with(tf.zeros((1, 2, 3)))


def test_equality_hash_and_from_tensor():
    a = tf.TensorSpec((2,), tf.int32)
    assert a == tf.TensorSpec([2], tf.int32)
    assert a != tf.TensorSpec([2], tf.int64)
    assert len({a, tf.TensorSpec([2], tf.int32)}) == 1
    t = tf.constant(np.zeros((2, 5), np.float32))
    assert tf.TensorSpec.from_tensor(t) == tf.TensorSpec((2, 5), tf.float32)
