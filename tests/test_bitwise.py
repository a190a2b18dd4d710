"""tf.bitwise (expected values from TensorFlow 2.21)."""
import pytest

import tapeflow as tf

A = tf.constant([0, 5, 3, 14])
B = tf.constant([5, 0, 7, 11])


def test_bit_ops():
    assert tf.bitwise.bitwise_and(A, B).numpy().tolist() == [0, 0, 3, 10]
    assert tf.bitwise.bitwise_or(A, B).numpy().tolist() == [5, 5, 7, 15]
    assert tf.bitwise.bitwise_xor(A, B).numpy().tolist() == [5, 5, 4, 5]
    assert tf.bitwise.invert(A).numpy().tolist() == [-1, -6, -4, -15]
    assert tf.bitwise.invert(tf.constant([0, 5], tf.uint8)).numpy().tolist() == [255, 250]
    assert tf.bitwise.left_shift(A, 2).numpy().tolist() == [0, 20, 12, 56]
    assert tf.bitwise.right_shift(tf.constant([-8, 8]), 1).numpy().tolist() == [-4, 4]
    out = tf.bitwise.left_shift(tf.constant([1], tf.int8), tf.constant([9], tf.int8))
    assert out.dtype == tf.int8 and out.numpy().tolist() == [-128]


def test_errors():
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.bitwise.bitwise_and(tf.constant([1.0]), tf.constant([1.0]))
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.bitwise.bitwise_and(A, tf.constant([1, 2, 3, 4], tf.int64))
