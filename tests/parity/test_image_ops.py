"""tf.image against the real TensorFlow: resize, flips, rotations, crops, pads, dtypes, colour."""
import numpy as np
import pytest

import tapeflow as tf

RNG = np.random.default_rng(2)
IMG = RNG.uniform(0, 255, size=(2, 5, 7, 3)).astype(np.float32)
IMG_U8 = IMG.astype(np.uint8)


def _same(ours, real, rtol=1e-5, atol=1e-4):
    assert ours.dtype.name == real.dtype.name, (ours.dtype, real.dtype)
    assert tuple(ours.shape) == tuple(real.shape), (ours.shape, real.shape)
    np.testing.assert_allclose(ours.numpy().astype(np.float64),
                               real.numpy().astype(np.float64), rtol=rtol, atol=atol)


def _both_raise(call, rtf):
    with pytest.raises(Exception) as real:
        call(rtf)
    with pytest.raises(Exception) as ours:
        call(tf)
    assert type(ours.value).__name__ == type(real.value).__name__, (ours.value, real.value)


SIZES = [(10, 14), (3, 4), (5, 7), (8, 3), (1, 1), (2, 13)]


@pytest.mark.parametrize("method", ["bilinear", "nearest", "area"])
@pytest.mark.parametrize("size", SIZES)
def test_resize_float32(rtf, method, size):
    _same(tf.image.resize(IMG, size, method=method),
          rtf.image.resize(IMG, size, method=method))


@pytest.mark.parametrize("method", ["bilinear", "nearest"])
@pytest.mark.parametrize("size", SIZES + [(2, 2), (4, 3)])
def test_resize_antialias(rtf, method, size):
    _same(tf.image.resize(IMG, size, method=method, antialias=True),
          rtf.image.resize(IMG, size, method=method, antialias=True), atol=2e-3)


@pytest.mark.parametrize("method", ["bilinear", "nearest", "area"])
@pytest.mark.parametrize("dtype", ["uint8", "int32", "float64", "float16"])
def test_resize_dtypes(rtf, method, dtype):
    x = IMG.astype(dtype)
    _same(tf.image.resize(x, (9, 4), method=method), rtf.image.resize(x, (9, 4), method=method),
          rtol=1e-3, atol=0.2 if dtype == "float16" else 1e-4)


@pytest.mark.parametrize("method", ["bilinear", "nearest"])
def test_resize_hwc_and_preserve_aspect_ratio(rtf, method):
    x = IMG[0]
    _same(tf.image.resize(x, (10, 10), method=method),
          rtf.image.resize(x, (10, 10), method=method))
    _same(tf.image.resize(x, (10, 10), method=method, preserve_aspect_ratio=True),
          rtf.image.resize(x, (10, 10), method=method, preserve_aspect_ratio=True))
    _same(tf.image.resize(x, (3, 30), method=method, preserve_aspect_ratio=True),
          rtf.image.resize(x, (3, 30), method=method, preserve_aspect_ratio=True))


def test_resize_method_names(rtf):
    _same(tf.image.resize(IMG, (4, 4), method=tf.image.ResizeMethod.NEAREST_NEIGHBOR),
          rtf.image.resize(IMG, (4, 4), method=rtf.image.ResizeMethod.NEAREST_NEIGHBOR))
    _same(tf.image.resize(IMG, (4, 4), method=tf.image.ResizeMethod.BILINEAR),
          rtf.image.resize(IMG, (4, 4), method=rtf.image.ResizeMethod.BILINEAR))


@pytest.mark.parametrize("method", ["bilinear", "nearest"])   # TF has no ResizeArea gradient
@pytest.mark.parametrize("size", [(10, 14), (3, 4)])
def test_resize_gradient(rtf, size, method):
    def run(lib):
        v = lib.Variable(IMG[:1, :, :, :2] / 255)
        with lib.GradientTape() as tape:
            y = lib.image.resize(v, size, method=method)
            w = np.arange(np.prod(y.shape), dtype=np.float32).reshape(y.shape)
            total = lib.reduce_sum(y * w)
        return tape.gradient(total, v)
    _same(run(tf), run(rtf), rtol=1e-4, atol=1e-3)


@pytest.mark.parametrize("case", ["rank2", "zero_size", "bad_size_len", "float_size",
                                  "empty_image", "empty_image_nearest"])
def test_resize_errors(rtf, case):
    def call(t):
        if case == "float_size":
            return t.image.resize(IMG, (3.5, 4))
        if case.startswith("empty_image"):
            return t.image.resize(np.zeros((1, 0, 4, 1), np.float32), (2, 2),
                                  method="nearest" if case.endswith("nearest") else "bilinear")
        if case == "rank2":
            return t.image.resize(np.zeros((4, 4), np.float32), (2, 2))
        if case == "zero_size":
            return t.image.resize(np.zeros((1, 4, 4, 1), np.float32), (0, 2))
        return t.image.resize(np.zeros((1, 4, 4, 1), np.float32), (2, 2, 2))
    _both_raise(call, rtf)
    if case == "rank2":
        with pytest.raises(ValueError, match="'images' must have either 3 or 4 dimensions"):
            call(tf)


@pytest.mark.parametrize("fn", ["flip_left_right", "flip_up_down", "rot90"])
@pytest.mark.parametrize("batched", [True, False])
def test_flips_and_rot90(rtf, fn, batched):
    x = IMG_U8 if batched else IMG_U8[0]
    _same(getattr(tf.image, fn)(x), getattr(rtf.image, fn)(x))


@pytest.mark.parametrize("k", [0, 1, 2, 3, 4, -1, 5])
def test_rot90_k(rtf, k):
    _same(tf.image.rot90(IMG, k), rtf.image.rot90(IMG, k))
    _same(tf.image.rot90(IMG[0], k), rtf.image.rot90(IMG[0], k))


@pytest.mark.parametrize("fn", ["flip_left_right", "flip_up_down", "rot90"])
def test_flip_rank_error(rtf, fn):
    _both_raise(lambda t: getattr(t.image, fn)(np.zeros((3, 4), np.float32)), rtf)


@pytest.mark.parametrize("box", [(0, 0, 5, 7), (1, 2, 3, 4), (4, 6, 1, 1)])
@pytest.mark.parametrize("batched", [True, False])
def test_crop_to_bounding_box(rtf, box, batched):
    x = IMG if batched else IMG[0]
    _same(tf.image.crop_to_bounding_box(x, *box), rtf.image.crop_to_bounding_box(x, *box))


@pytest.mark.parametrize("box", [(1, 1, 5, 7), (-1, 0, 2, 2), (0, 0, 0, 3), (0, 0, 6, 1)])
def test_crop_to_bounding_box_errors(rtf, box):
    _both_raise(lambda t: t.image.crop_to_bounding_box(IMG, *box), rtf)


@pytest.mark.parametrize("box", [(0, 0, 5, 7), (1, 2, 8, 10), (0, 3, 6, 10)])
@pytest.mark.parametrize("batched", [True, False])
def test_pad_to_bounding_box(rtf, box, batched):
    x = IMG_U8 if batched else IMG_U8[0]
    _same(tf.image.pad_to_bounding_box(x, *box), rtf.image.pad_to_bounding_box(x, *box))


@pytest.mark.parametrize("box", [(1, 0, 5, 7), (-1, 0, 8, 8), (0, 0, 4, 9)])
def test_pad_to_bounding_box_errors(rtf, box):
    _both_raise(lambda t: t.image.pad_to_bounding_box(IMG, *box), rtf)


@pytest.mark.parametrize("fraction", [1.0, 0.5, 0.3, 0.75, 0.9])
@pytest.mark.parametrize("batched", [True, False])
def test_central_crop(rtf, fraction, batched):
    x = IMG if batched else IMG[0]
    _same(tf.image.central_crop(x, fraction), rtf.image.central_crop(x, fraction))


@pytest.mark.parametrize("fraction", [0.0, 1.5])
def test_central_crop_errors(rtf, fraction):
    _both_raise(lambda t: t.image.central_crop(IMG, fraction), rtf)


@pytest.mark.parametrize("size", [(5, 7), (3, 3), (9, 12), (2, 10), (8, 4), (4, 6)])
@pytest.mark.parametrize("batched", [True, False])
def test_resize_with_crop_or_pad(rtf, size, batched):
    x = IMG if batched else IMG[0]
    _same(tf.image.resize_with_crop_or_pad(x, *size),
          rtf.image.resize_with_crop_or_pad(x, *size))


@pytest.mark.parametrize("src,dst", [("uint8", "float32"), ("float32", "uint8"),
                                     ("uint8", "int32"), ("int32", "uint8"),
                                     ("float32", "float64"), ("uint8", "uint8"),
                                     ("float32", "int32"), ("int16", "float32"),
                                     ("uint8", "float16")])
@pytest.mark.parametrize("saturate", [False, True])
def test_convert_image_dtype(rtf, src, dst, saturate):
    if src.startswith("float"):
        x = np.linspace(0, 1, 11).astype(src)
    else:
        x = np.linspace(0, np.iinfo(src).max, 11).astype(src)
    ours = tf.image.convert_image_dtype(tf.constant(x), getattr(tf, dst), saturate=saturate)
    real = rtf.image.convert_image_dtype(rtf.constant(x), getattr(rtf, dst), saturate=saturate)
    _same(ours, real, rtol=1e-3, atol=1e-3)


@pytest.mark.parametrize("src,dst", [("bool", "float32"), ("float32", "bool")])
def test_convert_image_dtype_rejects_non_numeric(rtf, src, dst):
    x = np.array([1, 0]).astype(src)
    with pytest.raises(AttributeError) as real:
        rtf.image.convert_image_dtype(x, getattr(rtf, dst))
    with pytest.raises(AttributeError) as ours:
        tf.image.convert_image_dtype(x, getattr(tf, dst))
    assert str(ours.value) == str(real.value)


def test_convert_image_dtype_saturates_out_of_range_floats(rtf):
    x = np.array([-0.5, 0.0, 0.5, 1.0, 1.5], np.float32)
    _same(tf.image.convert_image_dtype(x, tf.uint8, saturate=True),
          rtf.image.convert_image_dtype(x, rtf.uint8, saturate=True))


@pytest.mark.parametrize("dtype", ["float32", "uint8"])
@pytest.mark.parametrize("batched", [True, False])
def test_rgb_to_grayscale_and_back(rtf, dtype, batched):
    x = (IMG if batched else IMG[0]).astype(dtype)
    gray, rgray = tf.image.rgb_to_grayscale(x), rtf.image.rgb_to_grayscale(x)
    _same(gray, rgray, atol=1e-3)
    _same(tf.image.grayscale_to_rgb(gray), rtf.image.grayscale_to_rgb(rgray), atol=1e-3)


@pytest.mark.parametrize("delta", [0.1, -0.3])
@pytest.mark.parametrize("dtype", ["float32", "uint8"])
def test_adjust_brightness(rtf, delta, dtype):
    x = (IMG / 255).astype(np.float32) if dtype == "float32" else IMG_U8
    _same(tf.image.adjust_brightness(x, delta), rtf.image.adjust_brightness(x, delta))


@pytest.mark.parametrize("factor", [0.5, 2.0])
@pytest.mark.parametrize("dtype", ["float32", "uint8"])
def test_adjust_contrast(rtf, factor, dtype):
    x = (IMG / 255).astype(np.float32) if dtype == "float32" else IMG_U8
    _same(tf.image.adjust_contrast(x, factor), rtf.image.adjust_contrast(x, factor))


@pytest.mark.parametrize("batched", [True, False])
def test_per_image_standardization(rtf, batched):
    x = IMG if batched else IMG[0]
    _same(tf.image.per_image_standardization(x), rtf.image.per_image_standardization(x),
          atol=1e-4)


@pytest.mark.parametrize("gamma,gain", [(0.5, 1.0), (2.0, 1.5), (1.0, 0.5)])
@pytest.mark.parametrize("dtype", ["float32", "uint8", "float64"])
def test_adjust_gamma(rtf, gamma, gain, dtype):
    x = (IMG / 255).astype(dtype) if dtype != "uint8" else IMG_U8
    _same(tf.image.adjust_gamma(x, gamma, gain), rtf.image.adjust_gamma(x, gamma, gain),
          atol=1e-3)


@pytest.mark.parametrize("call", [
    lambda t: t.image.adjust_gamma(IMG, -1.0),
    lambda t: t.image.random_brightness(IMG, -0.2),
    lambda t: t.image.random_contrast(IMG, 0.5, 0.2),
    lambda t: t.image.random_contrast(IMG, -0.5, 0.2),
    lambda t: t.image.random_crop(IMG, (3, 2, 2, 3)),
    lambda t: t.image.random_crop(IMG, (1, 2)),
    lambda t: t.image.random_flip_left_right(IMG[0, 0]),
])
def test_augmentation_errors(rtf, call):
    _both_raise(call, rtf)


@pytest.mark.parametrize("batched", [True, False])
@pytest.mark.parametrize("fn", ["random_flip_left_right", "random_flip_up_down"])
def test_random_flips_flip_whole_images(rtf, fn, batched):
    """Random values differ by design: each image comes back either as is or flipped."""
    x = IMG_U8 if batched else IMG_U8[0]
    flip = getattr(rtf.image, fn.replace("random_", ""))(x).numpy()
    for _ in range(3):
        y = getattr(tf.image, fn)(x, seed=3)
        assert y.dtype.name == "uint8" and tuple(y.shape) == x.shape
        for a, xa, fa in zip(*(np.reshape(v, (-1,) + x.shape[-3:]) for v in (y.numpy(), x,
                                                                               flip))):
            assert np.array_equal(a, xa) or np.array_equal(a, fa)


def test_random_crop_brightness_contrast_shapes(rtf):
    crop = tf.image.random_crop(IMG, (1, 3, 4, 3), seed=1)
    real = rtf.image.random_crop(IMG, (1, 3, 4, 3), seed=1)
    assert crop.shape == real.shape and crop.dtype.name == real.dtype.name
    windows = np.lib.stride_tricks.sliding_window_view(IMG, (1, 3, 4, 3)).reshape(-1, 1, 3, 4, 3)
    assert any(np.array_equal(crop.numpy(), w) for w in windows)
    for fn, args in (("random_brightness", (0.2,)), ("random_contrast", (0.5, 1.5))):
        y, ry = getattr(tf.image, fn)(IMG_U8, *args), getattr(rtf.image, fn)(IMG_U8, *args)
        assert y.shape == ry.shape and y.dtype.name == ry.dtype.name


@pytest.mark.parametrize("batched", [True, False])
def test_transpose_and_total_variation(rtf, batched):
    x = IMG if batched else IMG[0]
    _same(tf.image.transpose(x), rtf.image.transpose(x))
    _same(tf.image.total_variation(tf.constant(x)), rtf.image.total_variation(rtf.constant(x)),
          rtol=1e-5, atol=1e-1)


def test_image_gradients(rtf):
    ours = tf.image.image_gradients(tf.constant(IMG))
    for a, b in zip(ours, rtf.image.image_gradients(rtf.constant(IMG))):
        _same(a, b)
    _both_raise(lambda t: t.image.image_gradients(t.constant(IMG[0])), rtf)


@pytest.mark.parametrize("dtype,max_val", [("float32", 255.0), ("uint8", 255)])
def test_psnr(rtf, dtype, max_val):
    a = IMG.astype(dtype)
    b = np.clip(IMG + RNG.normal(size=IMG.shape) * 10, 0, 255).astype(dtype)
    _same(tf.image.psnr(tf.constant(a), tf.constant(b), max_val),
          rtf.image.psnr(rtf.constant(a), rtf.constant(b), max_val), atol=1e-3)
