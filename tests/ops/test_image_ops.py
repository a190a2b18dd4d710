"""tf.image: resize (TF2 half-pixel sampling), flips, rot90, crops; gradients of resize."""
import numpy as np
import pytest

import tapeflow as tf
from gradcheck import check_grads
from tapeflow.ops import image_ops


def test_bilinear_upsampling_uses_half_pixel_centres():
    img = tf.constant(np.array([[0., 1.], [2., 3.]], np.float32).reshape(1, 2, 2, 1))
    out = tf.image.resize(img, [4, 4]).numpy()[0, :, :, 0]
    np.testing.assert_allclose(out[0], [0., 0.25, 0.75, 1.])
    np.testing.assert_allclose(out[:, 0], [0., 0.5, 1.5, 2.])
    assert out.dtype == np.float32


def test_nearest_downsampling_and_dtype():
    img = tf.constant(np.arange(4, dtype=np.uint8).reshape(1, 1, 4, 1))
    out = tf.image.resize(img, [1, 2], method="nearest")
    np.testing.assert_array_equal(out.numpy().reshape(-1), [1, 3])
    assert out.dtype == tf.uint8


def test_resize_of_uint8_bilinear_gives_float32_and_hwc_is_accepted():
    img = tf.constant(np.full((5, 6, 3), 200, np.uint8))
    out = tf.image.resize(img, (10, 3))
    assert out.shape == (10, 3, 3) and out.dtype == tf.float32
    np.testing.assert_allclose(out.numpy(), 200.0)


def test_resize_rejects_unsupported_method():
    with pytest.raises(ValueError, match="bicubic"):
        tf.image.resize(tf.ones((1, 4, 4, 1)), (2, 2), method="bicubic")


def test_resize_gradient():
    x = np.random.RandomState(0).randn(1, 3, 4, 2)
    check_grads(lambda a: image_ops.resize(a, (5, 3)), [x], order=2)


def test_flips_rotation_and_crops():
    x = np.arange(2 * 3 * 1).reshape(2, 3, 1).astype(np.float32)
    np.testing.assert_array_equal(tf.image.flip_left_right(x).numpy(), x[:, ::-1])
    np.testing.assert_array_equal(tf.image.flip_up_down(x).numpy(), x[::-1])
    np.testing.assert_array_equal(tf.image.rot90(x).numpy()[..., 0], np.rot90(x[..., 0]))
    np.testing.assert_array_equal(tf.image.rot90(x, k=3).numpy()[..., 0],
                                  np.rot90(x[..., 0], 3))
    crop = tf.image.crop_to_bounding_box(x, 1, 1, 1, 2)
    np.testing.assert_array_equal(crop.numpy(), x[1:2, 1:3])
    with pytest.raises(ValueError, match="does not fit"):
        tf.image.crop_to_bounding_box(x, 1, 1, 2, 2)
