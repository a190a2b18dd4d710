"""tapeflow.ops.image_resize_ops: tf.image.resize against TensorFlow 2.21's values."""
import numpy as np

import tapeflow as tf


def test_bilinear_upsample_half_pixel_centers():
    x = np.arange(4.0, dtype=np.float32).reshape(1, 2, 2, 1)
    y = tf.image.resize(x, (4, 4))
    assert y.shape == (1, 4, 4, 1) and y.dtype == tf.float32
    # values printed by TensorFlow 2.21 for the same call
    np.testing.assert_allclose(y.numpy()[0, :, :, 0],
                               [[0.0, 0.25, 0.75, 1.0], [0.5, 0.75, 1.25, 1.5],
                                [1.5, 1.75, 2.25, 2.5], [2.0, 2.25, 2.75, 3.0]], atol=1e-6)


def test_area_and_nearest():
    x = np.arange(16, dtype=np.float32).reshape(1, 4, 4, 1)
    area = tf.image.resize(x, (2, 2), method="area")
    np.testing.assert_allclose(area.numpy()[0, :, :, 0], [[2.5, 4.5], [10.5, 12.5]])
    near = tf.image.resize(np.arange(4, dtype=np.uint8).reshape(2, 2, 1), (3, 3),
                           method=tf.image.ResizeMethod.NEAREST_NEIGHBOR)
    assert near.dtype == tf.uint8    # nearest keeps the input dtype
    np.testing.assert_array_equal(near.numpy()[:, :, 0], [[0, 1, 1], [2, 3, 3], [2, 3, 3]])



def test_bilinear_gradient_is_transpose_of_the_linear_map():
    # resize is linear in the image (and returns float32 as in TensorFlow), so its gradient
    # must be the transpose of the matrix whose columns are the resized basis images
    shape = (1, 3, 4, 1)
    basis = np.eye(12, dtype=np.float32).reshape((12,) + shape[1:])
    m = tf.image.resize(basis, (5, 3)).numpy().reshape(12, -1).T     # (15, 12)
    v = np.random.default_rng(0).standard_normal((1, 5, 3, 1)).astype(np.float32)
    x = tf.constant(np.random.default_rng(1).standard_normal(shape).astype(np.float32))
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.reduce_sum(tf.image.resize(x, (5, 3)) * v)
    g = tape.gradient(y, x).numpy().reshape(-1)
    np.testing.assert_allclose(g, m.T @ v.reshape(-1), rtol=1e-5, atol=1e-6)
