"""keras/layers/image_mixing.py: MixUp mixes images and labels with the same weights."""
import numpy as np
import pytest

from tapeflow import keras


@pytest.mark.parametrize("seed", range(4))
def test_mixup_images_and_labels_use_one_weight(seed):
    images = np.stack([np.zeros((4, 4, 3)), np.ones((4, 4, 3))]).astype("float32")
    labels = np.array([[1, 0], [0, 1]], "float32")
    out = keras.layers.MixUp(alpha=1.0, seed=seed)({"images": images, "labels": labels},
                                                   training=True)
    mixed, lab = np.asarray(out["images"]), np.asarray(out["labels"])
    # image i is all equal to the weight it took from image 1: its label's second entry
    np.testing.assert_allclose(mixed[:, 0, 0, 0], lab[:, 1], rtol=1e-5)
    np.testing.assert_allclose(mixed, mixed[:, :1, :1, :1] * np.ones_like(mixed), rtol=1e-5)
    np.testing.assert_allclose(lab.sum(1), 1.0, rtol=1e-6)
