"""keras/layers/image_affine.py: RandomRotation/RandomTranslation with fixed factors."""
import numpy as np

from tapeflow import keras


def test_quarter_turn_and_one_row_shift():
    img = np.arange(16, dtype="float32").reshape(1, 4, 4, 1)
    rot = keras.layers.RandomRotation((0.25, 0.25), seed=0)(img, training=True)
    np.testing.assert_allclose(np.asarray(rot)[0, :, :, 0], np.rot90(img[0, :, :, 0]),
                               atol=1e-5)
    shifted = keras.layers.RandomTranslation((0.25, 0.25), (0, 0), seed=0,
                                             fill_mode="constant")(img, training=True)
    expected = np.vstack([np.zeros((1, 4)), img[0, :3, :, 0]])
    np.testing.assert_allclose(np.asarray(shifted)[0, :, :, 0], expected, atol=1e-5)
