"""tensor_scatter_nd_max/min: values (TensorFlow 2.21) and gradients to second order."""
import numpy as np

import tapeflow as tf


def test_tensor_scatter_nd_max_min_values_and_gradients():
    from gradcheck import check_grads
    out = tf.tensor_scatter_nd_max([1.0, 5.0, 3.0], [[0], [1], [0]], [4.0, 2.0, 6.0])
    assert out.numpy().tolist() == [6.0, 5.0, 3.0]
    assert tf.tensor_scatter_nd_min([1, 5, 3], [[0], [1]], [4, 2]).numpy().tolist() == [1, 2, 3]
    x = np.array([1.0, 5.0, 3.0, -2.0])
    u = np.array([4.0, 2.0, 6.0])
    idx = [[0], [1], [3]]
    check_grads(lambda a, b: tf.tensor_scatter_nd_max(a, idx, b), [x, u], order=2)
    check_grads(lambda a, b: tf.tensor_scatter_nd_min(a, idx, b), [x, u], order=2)
