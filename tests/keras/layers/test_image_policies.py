"""keras/layers/image_policies.py: RandAugment and AugMix."""
import numpy as np

from tapeflow import keras


def test_policies_keep_shape_and_range_and_pass_through_at_inference():
    img = np.random.default_rng(0).integers(0, 256, (2, 16, 16, 3)).astype("float32")
    for layer in (keras.layers.RandAugment(value_range=(0, 255), seed=1),
                  keras.layers.AugMix(value_range=(0, 255), seed=1)):
        out = np.asarray(layer(img, training=True))
        assert out.shape == img.shape
        assert out.min() >= 0 and out.max() <= 255, type(layer).__name__
        np.testing.assert_array_equal(np.asarray(layer(img, training=False)), img)
