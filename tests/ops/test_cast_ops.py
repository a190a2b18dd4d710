"""tf.cast and tf.dtypes.saturate_cast as TensorFlow computes them."""
import numpy as np
import pytest

import tapeflow as tf


def test_cast_truncates_toward_zero_and_wraps():
    x = tf.constant([-1.7, -0.5, 0.5, 1.7])
    np.testing.assert_array_equal(tf.cast(x, tf.int32).numpy(), [-1, 0, 0, 1])
    assert int(tf.cast(tf.constant(300), tf.uint8)) == 44


def test_cast_of_strings_is_unimplemented():
    with pytest.raises(tf.errors.UnimplementedError, match="Cast string to float"):
        tf.cast(tf.constant(["a"]), tf.float32)


def test_cast_gradient_comes_back_in_the_input_dtype():
    x = tf.Variable([1.5, 2.5], dtype=tf.float64)
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(tf.cast(x, tf.float32) * 2.0)
    g = tape.gradient(y, x)
    assert g.dtype == tf.float64
    np.testing.assert_array_equal(g.numpy(), [2.0, 2.0])


def test_saturate_cast_clamps_to_the_target_range():
    got = tf.dtypes.saturate_cast(tf.constant([300, -5, 7]), tf.uint8)
    assert got.dtype == tf.uint8
    np.testing.assert_array_equal(got.numpy(), [255, 0, 7])
    big = tf.dtypes.saturate_cast(tf.constant([3e9, -3e9]), tf.int32)
    np.testing.assert_array_equal(big.numpy(), [2147483520, -2147483648])
