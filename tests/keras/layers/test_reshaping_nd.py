"""tapeflow.keras.layers.reshaping_nd: 1D/3D padding, cropping, upsampling, SpatialDropout3D."""
import numpy as np

from tapeflow import keras


def test_1d_pad_crop_upsample_match_numpy():
    x = np.arange(2 * 4 * 3, dtype=np.float32).reshape(2, 4, 3)
    np.testing.assert_array_equal(keras.layers.ZeroPadding1D((1, 2))(x).numpy(),
                                  np.pad(x, ((0, 0), (1, 2), (0, 0))))
    np.testing.assert_array_equal(keras.layers.Cropping1D((1, 2))(x).numpy(), x[:, 1:2])
    np.testing.assert_array_equal(keras.layers.UpSampling1D(3)(x).numpy(), np.repeat(x, 3, axis=1))


def test_3d_pad_crop_upsample_match_numpy():
    x = np.random.default_rng(0).standard_normal((1, 2, 3, 4, 2)).astype(np.float32)
    np.testing.assert_array_equal(keras.layers.ZeroPadding3D(1)(x).numpy(),
                                  np.pad(x, ((0, 0), (1, 1), (1, 1), (1, 1), (0, 0))))
    np.testing.assert_array_equal(
        keras.layers.Cropping3D(((0, 1), (1, 1), (2, 0)))(x).numpy(), x[:, 0:1, 1:2, 2:])
    up = keras.layers.UpSampling3D((2, 1, 2))(x).numpy()
    np.testing.assert_array_equal(up, np.repeat(np.repeat(x, 2, axis=1), 2, axis=3))


def test_spatial_dropout3d_drops_whole_channels_in_training_only():
    x = np.ones((2, 3, 3, 3, 16), np.float32)
    layer = keras.layers.SpatialDropout3D(0.5, seed=0)
    np.testing.assert_array_equal(layer(x).numpy(), x)
    y = layer(x, training=True).numpy()
    per_channel = y.reshape(2, -1, 16)
    # every channel map is either all zeros or all 1/(1-rate)
    assert np.all((per_channel == 0).all(axis=1) | (per_channel == 2.0).all(axis=1))
    assert 0 < (per_channel == 0).all(axis=1).sum() < 32
