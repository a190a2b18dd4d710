"""tf.image: resize (TF2 half-pixel sampling), flips, rot90, crops; gradients of resize."""
import numpy as np
import pytest

import tapeflow as tf
from gradcheck import check_grads
from tapeflow.ops import image_ops, image_resize_ops


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


def test_resize_rejects_unknown_method():
    with pytest.raises(ValueError, match="not implemented: \\[cubic\\]"):
        tf.image.resize(tf.ones((1, 4, 4, 1)), (2, 2), method="cubic")


# a 3x4 ramp; the bicubic expected values are TensorFlow 2.21's
_RAMP = np.arange(12, dtype=np.float32).reshape(1, 3, 4, 1)


@pytest.mark.parametrize("method", ["bicubic", "lanczos3", "lanczos5", "gaussian",
                                    "mitchellcubic"])
def test_resize_filter_methods_are_normalised_and_differentiable(method):
    out = tf.image.resize(_RAMP, (5, 2), method=method)
    assert out.shape == (1, 5, 2, 1) and out.dtype == tf.float32
    # every filter reproduces a constant image exactly (weights renormalised at the edges)
    np.testing.assert_allclose(tf.image.resize(np.full((1, 3, 4, 1), 2.0, np.float32),
                                               (5, 7), method=method), 2.0, rtol=1e-6)
    # the public op answers in float32 (as TensorFlow); its float64 core is checked here
    check_grads(lambda v: image_resize_ops._resize_linear(v, 2, 3, method, antialias=True),
                [np.random.RandomState(1).randn(1, 4, 5, 1)])


def test_resize_bicubic_matches_tensorflow_values():
    out = tf.image.resize(_RAMP, (2, 6), method="bicubic").numpy()[0, :, :, 0]
    np.testing.assert_allclose(out, [[0.605644, 1.0832977, 1.8385251, 2.5045407, 3.2597682,
                                      3.7374215],
                                     [7.262578, 7.740232, 8.49546, 9.161475, 9.916703,
                                      10.394355]], rtol=1e-5)


def test_resize_refuses_dtypes_tensorflow_has_no_kernel_for():
    with pytest.raises(tf.errors.InvalidArgumentError, match="'T' of bool"):
        tf.image.resize(np.zeros((2, 2, 1), bool), (1, 1), method="nearest")
    with pytest.raises(tf.errors.InvalidArgumentError, match="'T' of uint32"):
        tf.image.resize(np.zeros((2, 2, 1), np.uint32), (1, 1))


def test_resize_gradient():
    x = np.random.RandomState(0).randn(1, 3, 4, 2)
    # the public op answers in float32 (as TensorFlow); its float64 core is checked here
    check_grads(lambda a: image_resize_ops._resize_linear(a, 5, 3, "bilinear"), [x], order=2)
    v = tf.Variable(x.astype(np.float32))
    with tf.GradientTape() as tape:
        y = tf.image.resize(v, (5, 3), method="nearest")
    g = tape.gradient(y, v).numpy()
    assert g.shape == x.shape and g.sum() == 5 * 3 * 2


def test_flips_rotation_and_crops():
    x = np.arange(2 * 3 * 1).reshape(2, 3, 1).astype(np.float32)
    np.testing.assert_array_equal(tf.image.flip_left_right(x).numpy(), x[:, ::-1])
    np.testing.assert_array_equal(tf.image.flip_up_down(x).numpy(), x[::-1])
    np.testing.assert_array_equal(tf.image.rot90(x).numpy()[..., 0], np.rot90(x[..., 0]))
    np.testing.assert_array_equal(tf.image.rot90(x, k=3).numpy()[..., 0],
                                  np.rot90(x[..., 0], 3))
    crop = tf.image.crop_to_bounding_box(x, 1, 1, 1, 2)
    np.testing.assert_array_equal(crop.numpy(), x[1:2, 1:3])
    with pytest.raises(ValueError, match=r"height must be >= target \+ offset"):
        tf.image.crop_to_bounding_box(x, 1, 1, 2, 2)


# Expected values below are TensorFlow 2.21's answers to the same calls.

def test_resize_dtypes_follow_tensorflow():
    x = np.arange(24, dtype=np.float64).reshape(1, 2, 4, 3)
    assert tf.image.resize(x, (3, 3)).dtype == tf.float32      # float64 -> float32
    assert tf.image.resize(x, (3, 3), method="nearest").dtype == tf.float64
    big = np.array([2 ** 30 + 1, 7], np.int32).reshape(1, 1, 2, 1)
    np.testing.assert_array_equal(   # nearest is a gather: int32 values stay exact
        tf.image.resize(big, (1, 4), method="nearest").numpy().ravel(),
        [2 ** 30 + 1, 2 ** 30 + 1, 7, 7])
    with pytest.raises(tf.errors.InvalidArgumentError, match="must be positive"):
        tf.image.resize(x, (0, 2))


@pytest.mark.parametrize("fn", ["flip_left_right", "flip_up_down", "rot90"])
def test_flips_need_rank_3_or_4(fn):
    with pytest.raises(ValueError, match="must be at least three-dimensional"):
        getattr(tf.image, fn)(np.zeros((3, 4), np.float32))


def test_central_crop_sizes_follow_tensorflow():
    sizes = {(5, 7, 0.5): (3, 5), (5, 7, 0.3): (3, 3), (10, 3, 0.3): (4, 1),
             (4, 6, 0.1): (2, 2), (9, 9, 0.75): (7, 7), (10, 3, 0.9): (10, 3)}
    for (h, w, f), want in sizes.items():
        assert tf.image.central_crop(np.zeros((h, w, 1)), f).shape[:2] == want
    with pytest.raises(ValueError, match=r"within \(0, 1\]"):
        tf.image.central_crop(np.zeros((3, 4, 1)), 0.0)


def test_pad_to_bounding_box_and_resize_with_crop_or_pad():
    x = np.arange(1, 7, dtype=np.float32).reshape(2, 3, 1)
    out = tf.image.pad_to_bounding_box(x, 1, 2, 4, 6).numpy()[..., 0]
    want = np.zeros((4, 6), np.float32)
    want[1:3, 2:5] = x[..., 0]
    np.testing.assert_array_equal(out, want)
    with pytest.raises(ValueError, match="height must be <= target - offset"):
        tf.image.pad_to_bounding_box(x, 1, 0, 2, 3)
    # crop 3 -> 1 wide at offset 1; pad 2 -> 5 high at offset 1
    out = tf.image.resize_with_crop_or_pad(x, 5, 1).numpy()[..., 0]
    np.testing.assert_array_equal(out, [[0], [2], [5], [0], [0]])
    with pytest.raises(ValueError, match="target_height must be > 0"):
        tf.image.resize_with_crop_or_pad(x, 0, 2)


def test_convert_image_dtype_follows_tensorflow():
    f = np.linspace(0, 1, 11).astype(np.float32)
    np.testing.assert_array_equal(   # x * 255.5, truncated
        tf.image.convert_image_dtype(f, tf.uint8).numpy(),
        [0, 25, 51, 76, 102, 127, 153, 178, 204, 229, 255])
    odd = np.array([-0.5, 0.0, 0.5, 1.0, 1.5], np.float32)
    np.testing.assert_array_equal(tf.image.convert_image_dtype(odd, tf.uint8).numpy(),
                                  [129, 0, 127, 255, 127])          # wraps like a cast
    np.testing.assert_array_equal(
        tf.image.convert_image_dtype(odd, tf.uint8, saturate=True).numpy(), [0, 0, 127, 255, 255])
    np.testing.assert_array_equal(
        tf.image.convert_image_dtype(np.float32([1.0]), tf.int32, saturate=True).numpy(),
        [2147483520])
    np.testing.assert_array_equal(   # integers: scaled by a power of two
        tf.image.convert_image_dtype(np.array([-3, 100], np.int8), tf.uint8).numpy(), [250, 200])
    np.testing.assert_array_equal(
        tf.image.convert_image_dtype(np.array([3, 200], np.uint8), tf.int8).numpy(), [1, 100])
    np.testing.assert_array_equal(
        tf.image.convert_image_dtype(np.array([255], np.uint8), tf.int32).numpy(), [2139095040])


def test_colour_adjustments_follow_tensorflow():
    img = np.full((1, 2, 3), 200, np.uint8)
    gray = tf.image.rgb_to_grayscale(img)
    assert gray.shape == (1, 2, 1) and gray.dtype == tf.uint8
    np.testing.assert_array_equal(gray.numpy(), 200)
    assert tf.image.grayscale_to_rgb(gray).shape == (1, 2, 3)
    np.testing.assert_array_equal(tf.image.adjust_brightness(img, 0.1).numpy(), 225)
    np.testing.assert_array_equal(tf.image.adjust_contrast(img, 0.5).numpy(), 200)
    flat = tf.image.per_image_standardization(np.full((1, 2, 3), 200.0))
    assert flat.dtype == tf.float32
    np.testing.assert_array_equal(flat.numpy(), 0.0)


def test_antialiased_bilinear_downsampling_follows_tensorflow():
    x = np.arange(4, dtype=np.float32).reshape(1, 1, 4, 1)
    # a tent two pixels wide: (0*.75 + 1*.75 + 2*.25) / 1.75 and its mirror image
    np.testing.assert_allclose(tf.image.resize(x, (1, 2), antialias=True).numpy().ravel(),
                               [0.71428573, 2.2857146], rtol=1e-6)
    np.testing.assert_allclose(tf.image.resize(x, (1, 2)).numpy().ravel(), [0.5, 2.5])
    up = tf.image.resize(x, (1, 8), antialias=True).numpy()    # upsampling: unchanged
    np.testing.assert_allclose(up, tf.image.resize(x, (1, 8)).numpy(), atol=1e-6)


def test_adjust_gamma_and_random_augmentation():
    x = np.full((2, 3, 3), 100, np.uint8)
    # TensorFlow: sqrt(100/255) * 255.5 -> 160; 1.5 * (100/255)**2 * 255.5 -> 58
    np.testing.assert_array_equal(tf.image.adjust_gamma(x, 0.5).numpy(), 160)
    np.testing.assert_array_equal(tf.image.adjust_gamma(x, 2.0, gain=1.5).numpy(), 58)
    with pytest.raises(ValueError, match="Gamma should be a non-negative real number"):
        tf.image.adjust_gamma(x, -1.0)
    img = np.arange(2 * 3 * 4 * 1, dtype=np.float32).reshape(2, 3, 4, 1)
    seen = set()
    for seed in range(8):
        y = tf.image.random_flip_left_right(img, seed=seed).numpy()
        for a, orig in zip(y, img):        # each image whole: as is or mirrored
            assert np.array_equal(a, orig) or np.array_equal(a, orig[:, ::-1])
            seen.add(np.array_equal(a, orig))
    assert seen == {True, False}
    crop = tf.image.random_crop(img, (1, 2, 2, 1), seed=0).numpy()
    windows = np.lib.stride_tricks.sliding_window_view(img, (1, 2, 2, 1)).reshape(-1, 1, 2, 2, 1)
    assert any(np.array_equal(crop, w) for w in windows)
    with pytest.raises(tf.errors.InvalidArgumentError, match="Need value.shape >= size"):
        tf.image.random_crop(img, (3, 2, 2, 1))
    b = tf.image.random_brightness(x, 0.2, seed=1).numpy()
    assert b.dtype == np.uint8 and len(np.unique(b)) == 1 and 49 <= b[0, 0, 0] <= 151
    with pytest.raises(ValueError, match="upper must be > lower"):
        tf.image.random_contrast(x, 0.5, 0.2)


def test_resize_and_convert_argument_errors_follow_tensorflow():
    with pytest.raises(ValueError, match="'size' must be a 1-D int32 Tensor"):
        tf.image.resize(np.zeros((1, 4, 4, 1), np.float32), (3.5, 4))
    with pytest.raises(tf.errors.InvalidArgumentError, match="input image must be of non-zero"):
        tf.image.resize(np.zeros((1, 0, 4, 1), np.float32), (2, 2))
    with pytest.raises(AttributeError, match="^image dtype must be either floating point"):
        tf.image.convert_image_dtype(np.array([True]), tf.float32)
    with pytest.raises(AttributeError, match="^dtype must be either floating point"):
        tf.image.convert_image_dtype(np.array([1.0], np.float32), tf.bool)


def test_area_resize_averages_covered_pixels():
    x = np.arange(6, dtype=np.float32).reshape(1, 1, 6, 1)
    # TensorFlow: halving averages pairs; 6 -> 4 weights partly covered pixels by coverage
    np.testing.assert_allclose(tf.image.resize(x, (1, 3), method="area").numpy().ravel(),
                               [0.5, 2.5, 4.5])
    np.testing.assert_allclose(tf.image.resize(x, (1, 4), method="area").numpy().ravel(),
                               [(0 + 0.5 * 1) / 1.5, (0.5 * 1 + 2) / 1.5, (3 + 0.5 * 4) / 1.5,
                                (0.5 * 4 + 5) / 1.5], rtol=1e-6)
    assert tf.image.resize(x.astype(np.uint8), (1, 3), method="area").dtype == tf.float32
    check_grads(lambda a: image_resize_ops._resize_linear(a, 2, 3, "area"),
                [np.random.RandomState(1).randn(1, 3, 5, 2)], order=2)


def test_transpose_gradients_total_variation_psnr():
    x = np.array([[1., 2., 4.], [0., 3., 3.]], np.float32).reshape(1, 2, 3, 1)
    assert tf.image.transpose(x).shape == (1, 3, 2, 1)
    np.testing.assert_array_equal(tf.image.transpose(x).numpy()[0, :, :, 0], x[0, :, :, 0].T)
    dy, dx = tf.image.image_gradients(x)
    np.testing.assert_array_equal(dy.numpy()[0, :, :, 0], [[-1., 1., -1.], [0., 0., 0.]])
    np.testing.assert_array_equal(dx.numpy()[0, :, :, 0], [[1., 2., 0.], [3., 0., 0.]])
    with pytest.raises(ValueError, match="image_gradients expects a 4D tensor"):
        tf.image.image_gradients(x[0])
    # |dy| = 1 + 1 + 1, |dx| = 1 + 2 + 3 + 0
    np.testing.assert_array_equal(tf.image.total_variation(x).numpy(), [9.0])
    assert tf.image.total_variation(x[0]).shape == ()
    # mse 1 against max 255: 20 log10(255)
    p = tf.image.psnr(x, x + 1.0, 255.0)
    assert p.dtype == tf.float32 and p.shape == (1,)
    np.testing.assert_allclose(p.numpy(), [20 * np.log10(255.0)], rtol=1e-6)


def test_adjust_contrast_has_no_gradient_as_in_tensorflow():
    # TensorFlow registers no gradient for AdjustContrastv2: tape.gradient raises LookupError.
    x = tf.Variable(np.arange(6.0, dtype=np.float32).reshape(1, 2, 3, 1))
    with tf.GradientTape() as tape:
        y = tf.image.adjust_contrast(x, 2.0)
    with pytest.raises(LookupError, match="gradient registry has no entry for: "
                                          "AdjustContrastv2"):
        tape.gradient(y, x)


def test_resize_bilinear_keeps_non_finite_pixels_local():
    img = np.zeros((1, 6, 6, 1), np.float32)
    img[0, 2, 3, 0] = np.inf
    out = tf.image.resize(img, (12, 12)).numpy()[0, :, :, 0]
    bad = ~np.isfinite(out)
    # TensorFlow's lerp: only the outputs whose 2x2 neighbourhood holds the inf
    assert 0 < bad.sum() <= 16 and bad[:, :4].sum() == 0 and bad[:3].sum() == 0
    same = tf.image.resize(img, (6, 6)).numpy()
    assert np.isinf(same).sum() == 1 and np.isnan(same).sum() == 0
