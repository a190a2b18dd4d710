"""The speed paths of the conv and pooling kernels against slow loop references.

- one-channel inputs build their im2col matrix by kernel taps (transposed layout);
- the conv input gradient is one matmul per kernel tap, added into strided slabs;
- depthwise convolutions and their gradients are a multiply-add / einsum per tap;
- max pooling (forward, gradient, gradient of the gradient) works tap by tap with
  first-maximum masks instead of argmax over transposed windows; average pooling
  sums and spreads tap by tap.
"""
import itertools

import numpy as np
import pytest

import tapeflow as tf
from gradcheck import check_grads
from tapeflow.ops import conv_ops, pooling_ops


def reference_conv2d(x, w, strides, padding, dilations):
    """A slow, obviously-correct convolution (test only)."""
    n, h, wd, c = x.shape
    kh, kw, _, o = w.shape
    (sh, sw), (dh, dw) = strides, dilations
    oh, pt, pb = conv_ops.output_size(h, kh, sh, dh, padding)
    ow, pl, pr = conv_ops.output_size(wd, kw, sw, dw, padding)
    xp = np.pad(x, ((0, 0), (pt, pb), (pl, pr), (0, 0)))
    out = np.zeros((n, oh, ow, o))
    for i, j in itertools.product(range(oh), range(ow)):
        patch = xp[:, i * sh:i * sh + (kh - 1) * dh + 1:dh, j * sw:j * sw + (kw - 1) * dw + 1:dw]
        out[:, i, j] = np.einsum("nijc,ijco->no", patch, w)
    return out


def reference_conv2d_input_grad(dy, w, x_shape, strides, padding, dilations):
    """The adjoint of reference_conv2d wrt its input, by scattering each window (test only)."""
    n, h, wd, c = x_shape
    kh, kw = w.shape[:2]
    (sh, sw), (dh, dw) = strides, dilations
    oh, pt, pb = conv_ops.output_size(h, kh, sh, dh, padding)
    ow, pl, pr = conv_ops.output_size(wd, kw, sw, dw, padding)
    dxp = np.zeros((n, h + pt + pb, wd + pl + pr, c))
    for i, j in itertools.product(range(oh), range(ow)):
        dxp[:, i * sh:i * sh + (kh - 1) * dh + 1:dh, j * sw:j * sw + (kw - 1) * dw + 1:dw] += \
            np.einsum("no,ijco->nijc", dy[:, i, j], w)
    return dxp[:, pt:pt + h, pl:pl + wd]


CASES = [(1, 1, "VALID"), (1, 1, "SAME"), (2, 1, "SAME"), (2, 1, "VALID"), (1, 2, "SAME"),
         (3, 1, "SAME"), (2, 2, "VALID")]


@pytest.mark.parametrize("stride,dil,padding", CASES)
def test_one_channel_conv_matches_reference(stride, dil, padding):
    rng = np.random.RandomState(stride * 7 + dil)
    x = rng.randn(3, 9, 8, 1)
    w = rng.randn(3, 3, 1, 4)
    got = conv_ops.conv2d(tf.constant(x), tf.constant(w), stride, padding, dilations=dil)
    want = reference_conv2d(x, w, (stride, stride), padding, (dil, dil))
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("stride,dil,padding", CASES)
@pytest.mark.parametrize("channels", [1, 3])
def test_input_and_filter_gradients_match_reference(stride, dil, padding, channels):
    rng = np.random.RandomState(stride * 5 + dil + channels)
    x = tf.constant(rng.randn(2, 8, 7, channels))
    w = tf.constant(rng.randn(3, 2, channels, 4))
    with tf.GradientTape() as tape:
        tape.watch([x, w])
        y = conv_ops.conv2d(x, w, stride, padding, dilations=dil)
    dy = rng.randn(*y.shape)
    dx, dw = tape.gradient(y, [x, w], output_gradients=tf.constant(dy))
    want_dx = reference_conv2d_input_grad(dy, w.numpy(), x.shape, (stride, stride), padding,
                                          (dil, dil))
    np.testing.assert_allclose(dx.numpy(), want_dx, rtol=1e-10, atol=1e-10)
    want_dw = reference_filter_grad(x.numpy(), dy, (3, 2), (stride, stride), padding,
                                    (dil, dil))
    np.testing.assert_allclose(dw.numpy(), want_dw, rtol=1e-10, atol=1e-10)


def test_one_channel_conv_second_order_and_float32():
    rng = np.random.RandomState(0)
    check_grads(lambda a, b: conv_ops.conv2d(a, b, 2, "SAME"),
                [rng.randn(2, 6, 5, 1), rng.randn(3, 3, 1, 2)], order=2)
    y = conv_ops.conv2d(tf.ones((1, 5, 5, 1)), tf.ones((3, 3, 1, 2)), 1, "VALID")
    assert y.dtype == tf.float32 and y.shape == (1, 3, 3, 2)
    np.testing.assert_array_equal(y.numpy(), np.full((1, 3, 3, 2), 9.0, np.float32))


def test_empty_output_gives_zero_input_gradient():
    x = tf.constant(np.ones((1, 2, 2, 2)))
    w = tf.constant(np.ones((3, 3, 2, 1)))
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = conv_ops.conv2d(x, w, 1, "VALID")
    assert y.shape == (1, 0, 0, 1)
    np.testing.assert_array_equal(tape.gradient(y, x).numpy(), np.zeros((1, 2, 2, 2)))


def reference_filter_grad(x, dy, k_hw, strides, padding, dilations):
    """The gradient of <reference_conv2d(x, w), dy> wrt w, window by window (test only)."""
    n, h, wd, c = x.shape
    (kh, kw), (sh, sw), (dh, dw) = k_hw, strides, dilations
    oh, pt, pb = conv_ops.output_size(h, kh, sh, dh, padding)
    ow, pl, pr = conv_ops.output_size(wd, kw, sw, dw, padding)
    xp = np.pad(x, ((0, 0), (pt, pb), (pl, pr), (0, 0)))
    out = np.zeros((kh, kw, c, dy.shape[3]))
    for i, j in itertools.product(range(oh), range(ow)):
        patch = xp[:, i * sh:i * sh + (kh - 1) * dh + 1:dh, j * sw:j * sw + (kw - 1) * dw + 1:dw]
        out += np.einsum("nijc,no->ijco", patch, dy[:, i, j])
    return out


def reference_depthwise(x, w, geo):
    """Depthwise convolution as one ordinary convolution per (channel, multiplier)."""
    c, m = w.shape[2:]
    return np.concatenate([reference_conv2d(x[..., ch:ch + 1], w[:, :, ch:ch + 1, k:k + 1], *geo)
                           for ch in range(c) for k in range(m)], axis=-1)


@pytest.mark.parametrize("stride,dil,padding", CASES)
@pytest.mark.parametrize("multiplier", [1, 2])
def test_depthwise_and_its_gradients_match_reference(stride, dil, padding, multiplier):
    rng = np.random.RandomState(stride * 3 + dil + multiplier)
    x = tf.constant(rng.randn(2, 7, 8, 3))
    w = tf.constant(rng.randn(3, 2, 3, multiplier))
    geo = ((stride, stride), padding, (dil, dil))
    with tf.GradientTape() as tape:
        tape.watch([x, w])
        y = conv_ops.depthwise_conv2d(x, w, [1, stride, stride, 1], padding,
                                      dilations=[dil, dil])
    np.testing.assert_allclose(y.numpy(), reference_depthwise(x.numpy(), w.numpy(), geo),
                               rtol=1e-10, atol=1e-10)
    dy = rng.randn(*y.shape)
    dx, dw = tape.gradient(y, [x, w], output_gradients=tf.constant(dy))
    want_dx, want_dw = np.zeros(x.shape), np.zeros(w.shape)
    for ch, k in itertools.product(range(3), range(multiplier)):   # output channel ch*m + k
        d = dy[..., ch * multiplier + k:ch * multiplier + k + 1]
        wk = w.numpy()[:, :, ch:ch + 1, k:k + 1]
        want_dx[..., ch:ch + 1] += reference_conv2d_input_grad(d, wk, x.shape[:3] + (1,), *geo)
        want_dw[:, :, ch, k] = reference_filter_grad(x.numpy()[..., ch:ch + 1], d, (3, 2),
                                                     *geo)[:, :, 0, 0]
    np.testing.assert_allclose(dx.numpy(), want_dx, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(dw.numpy(), want_dw, rtol=1e-10, atol=1e-10)


def test_depthwise_float32_and_empty_output():
    y = conv_ops.depthwise_conv2d(tf.ones((1, 4, 4, 2)), tf.ones((3, 3, 2, 1)), 1, "VALID")
    assert y.dtype == tf.float32 and y.shape == (1, 2, 2, 2)
    np.testing.assert_array_equal(y.numpy(), np.full((1, 2, 2, 2), 9.0, np.float32))
    x = tf.constant(np.ones((1, 2, 2, 2)))
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = conv_ops.depthwise_conv2d(x, tf.constant(np.ones((3, 3, 2, 1))), 2, "VALID")
    assert y.shape == (1, 0, 0, 2)
    np.testing.assert_array_equal(tape.gradient(y, x).numpy(), np.zeros((1, 2, 2, 2)))


# -- max pooling ---------------------------------------------------------------------------

def reference_max_pool(x, k, s, padding, dy):
    """Returns (pooled, gradient routed to each window's first maximum), by loops."""
    n, h, w, c = x.shape
    oh, pt, pb = conv_ops.output_size(h, k, s, 1, padding)
    ow, pl, pr = conv_ops.output_size(w, k, s, 1, padding)
    xp = np.pad(x, ((0, 0), (pt, pb), (pl, pr), (0, 0)), constant_values=-np.inf)
    out = np.zeros((n, oh, ow, c))
    gp = np.zeros(xp.shape)
    for b, i, j, ch in itertools.product(range(n), range(oh), range(ow), range(c)):
        patch = xp[b, i * s:i * s + k, j * s:j * s + k, ch]
        a = np.argmax(patch)               # first maximum in row-major order (NaN wins)
        out[b, i, j, ch] = patch.flat[a]
        gp[b, i * s + a // k, j * s + a % k, ch] += dy[b, i, j, ch]
    return out, gp[:, pt:pt + h, pl:pl + w]


POOLS = [(6, 2, 2, "VALID"), (7, 2, 2, "VALID"), (7, 2, 2, "SAME"), (7, 3, 2, "SAME"),
         (5, 3, 1, "SAME"), (8, 3, 3, "VALID"), (9, 2, 3, "SAME"), (5, 1, 1, "VALID")]


@pytest.mark.parametrize("size,k,s,padding", POOLS)
@pytest.mark.parametrize("ties", [False, True])
def test_max_pool_and_gradient_match_reference(size, k, s, padding, ties):
    rng = np.random.RandomState(size * 3 + k)
    x = rng.randn(2, size, size + 1, 3)
    if ties:                                 # few distinct values: many tied maxima
        x = np.round(x)
    x = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = pooling_ops.max_pool2d(x, k, s, padding)
    dy = rng.randn(*y.shape)
    want_y, want_dx = reference_max_pool(x.numpy(), k, s, padding, dy)
    np.testing.assert_array_equal(y.numpy(), want_y)
    dx = tape.gradient(y, x, output_gradients=tf.constant(dy))
    np.testing.assert_allclose(dx.numpy(), want_dx, rtol=1e-12, atol=1e-12)


def test_max_pool_gradient_of_a_nan_window_goes_to_the_first_nan():
    x = np.arange(16.0).reshape(1, 4, 4, 1)
    x[0, 0, 1, 0] = x[0, 1, 0, 0] = np.nan
    x = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = pooling_ops.max_pool2d(x, 2, 2, "VALID")
    assert np.isnan(y.numpy()[0, 0, 0, 0])
    g = tape.gradient(y, x).numpy()[0, :, :, 0]
    np.testing.assert_array_equal(g, [[0, 1, 0, 0], [0, 0, 0, 1], [0, 0, 0, 0], [0, 1, 0, 1]])


@pytest.mark.parametrize("dtype", [np.float32, np.int32])
def test_max_pool_keeps_dtype(dtype):
    x = np.arange(2 * 5 * 5 * 2).reshape(2, 5, 5, 2).astype(dtype)
    y = pooling_ops.max_pool2d(tf.constant(x), 2, 2, "SAME")
    assert y.numpy().dtype == dtype and y.shape == (2, 3, 3, 2)
    np.testing.assert_array_equal(y.numpy()[0, :, :, 0], [[12, 16, 18], [32, 36, 38],
                                                          [42, 46, 48]])


@pytest.mark.parametrize("k,s,padding", [(3, 2, "SAME"), (2, 2, "VALID"), (2, 1, "VALID")])
def test_max_pool_second_order(k, s, padding):
    # distinct values keep max pooling away from ties (its kinks)
    x = np.random.RandomState(1).permutation(2 * 6 * 5 * 2).reshape(2, 6, 5, 2) / 7.0
    check_grads(lambda a: pooling_ops.max_pool2d(a, k, s, padding), [x], order=2)


def reference_avg_pool(x, k, s, padding, dy):
    """Returns (pooled, dy spread evenly over each window's real inputs), by loops."""
    n, h, w, c = x.shape
    oh, pt, _ = conv_ops.output_size(h, k, s, 1, padding)
    ow, pl, _ = conv_ops.output_size(w, k, s, 1, padding)
    out = np.zeros((n, oh, ow, c))
    g = np.zeros(x.shape)
    for i, j in itertools.product(range(oh), range(ow)):
        r0, c0 = i * s - pt, j * s - pl
        rows, cols = slice(max(r0, 0), r0 + k), slice(max(c0, 0), c0 + k)
        patch = x[:, rows, cols]
        out[:, i, j] = patch.mean(axis=(1, 2))
        g[:, rows, cols] += dy[:, i, j][:, None, None] / (patch.shape[1] * patch.shape[2])
    return out, g


@pytest.mark.parametrize("size,k,s,padding", POOLS)
def test_avg_pool_and_gradient_match_reference(size, k, s, padding):
    rng = np.random.RandomState(size * 5 + k)
    x = tf.constant(rng.randn(2, size, size + 1, 3))
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = pooling_ops.avg_pool2d(x, k, s, padding)
    dy = rng.randn(*y.shape)
    want_y, want_dx = reference_avg_pool(x.numpy(), k, s, padding, dy)
    np.testing.assert_allclose(y.numpy(), want_y, rtol=1e-12, atol=1e-12)
    dx = tape.gradient(y, x, output_gradients=tf.constant(dy))
    np.testing.assert_allclose(dx.numpy(), want_dx, rtol=1e-12, atol=1e-12)
    check_grads(lambda a: pooling_ops.avg_pool2d(a, k, s, padding), [x.numpy()[:1]], order=2)


@pytest.mark.parametrize("fn", [pooling_ops.max_pool2d, pooling_ops.avg_pool2d])
@pytest.mark.parametrize("size,k,s,shape", [(1, 2, 2, (2, 0, 1, 2)), (3, 4, 2, (2, 0, 0, 2))])
def test_pooling_window_larger_than_input_gives_empty_output(fn, size, k, s, shape):
    x = tf.constant(np.ones((2, size, 3, 2), np.float32))
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = fn(x, k, s, "VALID")
    assert y.shape == shape and y.dtype == tf.float32
    np.testing.assert_array_equal(tape.gradient(y, x).numpy(), np.zeros((2, size, 3, 2)))
