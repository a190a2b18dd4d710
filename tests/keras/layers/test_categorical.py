"""tapeflow.keras.layers.categorical: CategoryEncoding, Hashing, Discretization."""
import numpy as np

from tapeflow import keras


def test_category_encoding_modes():
    x = np.array([[0, 1], [3, 3]])
    np.testing.assert_array_equal(
        keras.layers.CategoryEncoding(num_tokens=4, output_mode="multi_hot")(x).numpy(),
        [[1, 1, 0, 0], [0, 0, 0, 1]])
    np.testing.assert_array_equal(
        keras.layers.CategoryEncoding(num_tokens=4, output_mode="count")(x).numpy(),
        [[1, 1, 0, 0], [0, 0, 0, 2]])
    np.testing.assert_array_equal(
        keras.layers.CategoryEncoding(num_tokens=4, output_mode="one_hot")(np.array([2, 0])).numpy(),
        [[0, 0, 1, 0], [1, 0, 0, 0]])


def test_hashing_matches_keras_documented_example():
    # the example in Keras's Hashing docstring (FarmHash fingerprint64 modulo num_bins)
    out = keras.layers.Hashing(num_bins=3)(np.array([["A"], ["B"], ["C"], ["D"], ["E"]]))
    np.testing.assert_array_equal(np.asarray(out), [[1], [0], [1], [1], [2]])


def test_discretization_bin_boundaries():
    layer = keras.layers.Discretization(bin_boundaries=[0.0, 1.0, 2.0])
    out = layer(np.array([[-1.5, 1.0, 2.0, 0.5]], np.float32))
    np.testing.assert_array_equal(np.asarray(out), [[0, 2, 3, 1]])   # Keras's docstring example
