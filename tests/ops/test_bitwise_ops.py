"""tapeflow.ops.bitwise_ops: tf.bitwise.* kernels against NumPy."""
import numpy as np

import tapeflow as tf


def test_and_or_xor_invert_match_numpy():
    a = np.array([0, 5, 12, -7], np.int32)
    b = np.array([3, 6, 10, 2], np.int32)
    np.testing.assert_array_equal(tf.bitwise.bitwise_and(a, b).numpy(), a & b)
    np.testing.assert_array_equal(tf.bitwise.bitwise_or(a, b).numpy(), a | b)
    np.testing.assert_array_equal(tf.bitwise.bitwise_xor(a, b).numpy(), a ^ b)
    out = tf.bitwise.invert(a)
    np.testing.assert_array_equal(out.numpy(), ~a)
    assert out.dtype == tf.int32


def test_shifts_clamp_amount_like_tensorflow():
    x = np.array([1, 1, 8], np.uint8)
    np.testing.assert_array_equal(tf.bitwise.left_shift(x, np.array([1, 3, 0], np.uint8)).numpy(),
                                  [2, 8, 8])
    # an amount past the bit width is clamped to width-1 (TensorFlow's documented behaviour)
    np.testing.assert_array_equal(tf.bitwise.right_shift(x, np.array([0, 0, 9], np.uint8)).numpy(),
                                  [1, 1, 0])
