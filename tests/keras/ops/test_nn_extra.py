"""keras/ops/nn_extra.py: multi_hot, rms_normalization, normalize, psnr, cross-entropy."""
import numpy as np

from tapeflow import keras

ops = keras.ops


def test_values_match_their_formulas():
    np.testing.assert_array_equal(np.asarray(ops.nn.multi_hot(np.array([[0, 2], [1, 1]]), 3)),
                                  [[1, 0, 1], [0, 1, 0]])
    x = np.array([[3.0, 4.0]], "float32")
    np.testing.assert_allclose(np.asarray(ops.nn.rms_normalization(x)),
                               x / np.sqrt(np.mean(x ** 2)), rtol=1e-6)
    np.testing.assert_allclose(np.asarray(ops.nn.normalize(x)), [[0.6, 0.8]], rtol=1e-6)
    np.testing.assert_allclose(
        np.asarray(ops.nn.sparse_categorical_crossentropy(np.array([1]),
                                                          np.array([[0.25, 0.75]]))),
        [-np.log(0.75)], rtol=1e-6)
    a = np.random.default_rng(0).random((1, 4, 4, 1)).astype("float32")
    np.testing.assert_allclose(float(ops.nn.psnr(a, a * 0.9, max_val=1.0)),
                               10 * np.log10(1 / np.mean((a * 0.1) ** 2)), rtol=1e-5)
