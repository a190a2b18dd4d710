"""keras/ops/image_extra.py: perspective/elastic transforms (identity cases), 3-D patches."""
import numpy as np

from tapeflow import keras

ops = keras.ops


def test_identity_transforms_and_patch_shape():
    img = np.random.default_rng(1).random((1, 6, 6, 2)).astype("float32")
    corners = [[0, 0], [5, 0], [0, 5], [5, 5]]
    np.testing.assert_allclose(
        np.asarray(ops.image.perspective_transform(img, corners, corners)), img, atol=1e-5)
    np.testing.assert_allclose(
        np.asarray(ops.image.elastic_transform(img, alpha=0.0, seed=1)), img, atol=1e-5)
    vol = np.random.default_rng(2).random((1, 4, 4, 4, 1)).astype("float32")
    patches = np.asarray(ops.image.extract_patches_3d(vol, 2))
    assert patches.shape == (1, 2, 2, 2, 8)
    np.testing.assert_array_equal(patches[0, 0, 0, 0], vol[0, :2, :2, :2, 0].ravel())
