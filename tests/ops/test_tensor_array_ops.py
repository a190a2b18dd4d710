"""tapeflow.ops.tensor_array_ops: tf.TensorArray write/read/stack/gather/unstack."""
import numpy as np

import tapeflow as tf


def test_write_read_stack_and_dynamic_growth():
    ta = tf.TensorArray(tf.float32, size=0, dynamic_size=True)
    for i in range(3):
        ta = ta.write(i, tf.constant([i, i * 10.0]))
    assert int(ta.size()) == 3
    np.testing.assert_array_equal(ta.read(1).numpy(), [1.0, 10.0])
    stacked = ta.stack()
    assert stacked.shape == (3, 2) and stacked.dtype == tf.float32
    np.testing.assert_array_equal(stacked.numpy(), [[0, 0], [1, 10], [2, 20]])
    np.testing.assert_array_equal(ta.gather([2, 0]).numpy(), [[2, 20], [0, 0]])


def test_unstack_concat_and_gradient_through_stack():
    x = tf.constant(np.arange(6.0).reshape(3, 2))
    with tf.GradientTape() as tape:
        tape.watch(x)
        ta = tf.TensorArray(tf.float64, size=3).unstack(x)
        np.testing.assert_array_equal(ta.concat().numpy(), np.arange(6.0))
        y = tf.reduce_sum(ta.stack() * tf.constant([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], tf.float64))
    np.testing.assert_array_equal(tape.gradient(y, x).numpy(), [[1, 2], [3, 4], [5, 6]])
