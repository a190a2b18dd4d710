import numpy as np

import tapeflow as tf
from tapeflow import keras


def test_to_categorical_matches_keras():
    a = keras.utils.to_categorical([0, 1, 2, 3], num_classes=4)
    assert a.dtype == np.float64  # Keras 3 returns float64 for NumPy input
    np.testing.assert_array_equal(a, np.eye(4))
    assert str(a) == ("[[1. 0. 0. 0.]\n [0. 1. 0. 0.]\n [0. 0. 1. 0.]\n [0. 0. 0. 1.]]")


def test_to_categorical_infers_classes_and_squeezes_trailing_one():
    y = np.array([[2], [0], [1]])
    out = keras.utils.to_categorical(y)
    assert out.shape == (3, 3)
    np.testing.assert_array_equal(out.argmax(-1), [2, 0, 1])
    assert keras.utils.to_categorical(np.zeros((2, 5), int), 3).shape == (2, 5, 3)


def test_to_categorical_tensor_input():
    out = keras.utils.to_categorical(tf.constant([1, 0]), 2)
    assert isinstance(out, tf.Tensor) and out.dtype == tf.float32
    np.testing.assert_array_equal(out.numpy(), [[0, 1], [1, 0]])


def test_normalize():
    x = np.array([[3.0, 4.0], [0.0, 0.0]])
    np.testing.assert_allclose(keras.utils.normalize(x), [[0.6, 0.8], [0.0, 0.0]])
    # Keras expands the norm on axis `axis or -1`, so axis=0 divides rows by the
    # column norms [3, 4]; we return what Keras returns.
    np.testing.assert_allclose(keras.utils.normalize(x, axis=0, order=1),
                               [[1.0, 4.0 / 3.0], [0.0, 0.0]])
    y = np.array([[1.0, 3.0], [2.0, 4.0]])
    np.testing.assert_allclose(keras.utils.normalize(y, axis=1, order=1),
                               [[0.25, 0.75], [1 / 3, 2 / 3]])
    t = keras.utils.normalize(tf.constant([[3.0, 4.0]]))
    assert t.dtype == tf.float32
    np.testing.assert_allclose(t.numpy(), [[0.6, 0.8]], rtol=1e-6)
