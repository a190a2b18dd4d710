"""keras/layers/adaptive_pooling.py: AdaptiveAverage/MaxPooling1D/2D/3D."""
import numpy as np

from tapeflow import keras


def test_2d_average_and_max_over_equal_bins():
    x = np.arange(16, dtype="float32").reshape(1, 4, 4, 1)
    avg = np.asarray(keras.layers.AdaptiveAveragePooling2D((2, 2))(x))
    mx = np.asarray(keras.layers.AdaptiveMaxPooling2D(2)(x))
    assert avg.shape == (1, 2, 2, 1)
    np.testing.assert_array_equal(avg[0, :, :, 0], [[2.5, 4.5], [10.5, 12.5]])
    np.testing.assert_array_equal(mx[0, :, :, 0], [[5, 7], [13, 15]])


def test_1d_uneven_bins_overlap():
    # 5 -> 3 bins: [0, 2), [1, 4), [3, 5)
    out = keras.layers.AdaptiveAveragePooling1D(3)(np.arange(5, dtype="float32").reshape(1, 5, 1))
    np.testing.assert_allclose(np.asarray(out)[0, :, 0], [0.5, 2.0, 3.5])
