"""keras/layers/image_base.py: shared behaviour of the image augmentation layers."""
import numpy as np

from tapeflow import keras


def _img():
    return np.random.default_rng(0).random((2, 8, 8, 3)).astype("float32")


def test_inference_passes_through_and_seed_reproduces():
    img = _img()
    np.testing.assert_array_equal(
        np.asarray(keras.layers.RandomRotation(0.2, seed=3)(img, training=False)), img)
    a = np.asarray(keras.layers.RandomRotation(0.2, seed=3)(img, training=True))
    b = np.asarray(keras.layers.RandomRotation(0.2, seed=3)(img, training=True))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, img)
