"""Pooling against a loop reference (TF's SAME averaging of real inputs) and gradients."""
import itertools

import numpy as np
import pytest

import tapeflow as tf
from gradcheck import check_grads
from tapeflow.ops import conv_ops, pooling_ops


def reference_pool(x, k, s, padding, mode):
    n, h, w, c = x.shape
    oh, pt, _ = conv_ops.output_size(h, k, s, 1, padding)
    ow, pl, _ = conv_ops.output_size(w, k, s, 1, padding)
    out = np.zeros((n, oh, ow, c))
    for i, j in itertools.product(range(oh), range(ow)):
        r0, c0 = i * s - pt, j * s - pl
        patch = x[:, max(r0, 0):r0 + k, max(c0, 0):c0 + k, :]
        out[:, i, j] = patch.max(axis=(1, 2)) if mode == "max" else patch.mean(axis=(1, 2))
    return out


@pytest.mark.parametrize("size,k,s,padding", [(6, 2, 2, "VALID"), (7, 2, 2, "SAME"),
                                              (7, 3, 2, "SAME"), (5, 3, 1, "SAME"),
                                              (8, 3, 3, "VALID")])
@pytest.mark.parametrize("mode", ["max", "avg"])
def test_pooling_matches_reference(size, k, s, padding, mode):
    x = np.random.RandomState(size + k).randn(2, size, size, 3)
    fn = pooling_ops.max_pool2d if mode == "max" else pooling_ops.avg_pool2d
    got = fn(tf.constant(x), k, s, padding)
    np.testing.assert_allclose(got.numpy(), reference_pool(x, k, s, padding, mode), rtol=1e-12)


def test_max_pool_gradient_goes_to_the_first_maximum_only():
    x = tf.constant(np.array([[1., 1.], [0., 1.]]).reshape(1, 2, 2, 1))
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = pooling_ops.max_pool2d(x, 2, 2, "VALID")
    g = tape.gradient(y, x).numpy().reshape(2, 2)
    np.testing.assert_array_equal(g, [[1., 0.], [0., 0.]])


def reference_max_pool_grad(x, dy, k, s, padding):
    """dy of each window routed to its first maximum in row-major order (NaN counts as
    the maximum, as argmax does; padding never wins)."""
    n, h, w, c = x.shape
    oh, pt, _ = conv_ops.output_size(h, k, s, 1, padding)
    ow, pl, _ = conv_ops.output_size(w, k, s, 1, padding)
    out = np.zeros(x.shape, dtype=dy.dtype)
    for b, i, j, ch in itertools.product(range(n), range(oh), range(ow), range(c)):
        r0, c0 = i * s - pt, j * s - pl
        rows, cols = range(max(r0, 0), min(r0 + k, h)), range(max(c0, 0), min(c0 + k, w))
        vals = [(x[b, r, q, ch], r, q) for r in rows for q in cols]
        best = next((v for v in vals if np.isnan(v[0])), None) or max(
            vals, key=lambda v: (v[0], -v[1], -v[2]))
        out[b, best[1], best[2], ch] += dy[b, i, j, ch]
    return out


@pytest.mark.parametrize("k,s,padding", [(2, 2, "VALID"), (2, 2, "SAME"), (3, 2, "SAME"),
                                         (3, 3, "VALID"), (2, 3, "VALID"), (1, 1, "VALID")])
@pytest.mark.parametrize("dtype", ["float32", "int32"])
def test_max_pool_gradient_matches_reference_with_ties_infinities_and_nan(k, s, padding,
                                                                           dtype):
    rng = np.random.default_rng(k * 10 + s)
    x = np.maximum(rng.integers(-2, 3, (2, 7, 6, 3)), 0).astype(dtype)   # many ties at 0
    if dtype == "float32":
        x[0, 0, :2, 0] = -np.inf
        x[0, 2, 3, 1] = np.nan
        x[1, 1:3, 1:3, 2] = -np.inf
    xt = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        y = pooling_ops.max_pool2d(xt, k, s, padding)
    dy = rng.standard_normal(y.shape).astype("float32")
    if dtype == "int32":
        return np.testing.assert_array_equal(
            pooling_ops._max_pool_grad_kernel(xt, y, tf.constant(dy.astype(dtype)), ksize=(
                k, k), strides=(s, s), padding=padding).numpy(),
            reference_max_pool_grad(x, dy.astype(dtype), k, s, padding))
    g = tape.gradient(y, xt, output_gradients=tf.constant(dy)).numpy()
    np.testing.assert_allclose(g, reference_max_pool_grad(x, dy, k, s, padding), rtol=1e-6)


@pytest.mark.parametrize("padding", ["SAME", "VALID"])
def test_pooling_gradients(padding):
    # distinct values keep max pooling away from ties (its kinks)
    x = np.random.RandomState(0).permutation(2 * 5 * 5 * 2).reshape(2, 5, 5, 2) / 7.0
    check_grads(lambda a: pooling_ops.max_pool2d(a, 2, 2, padding), [x], order=2)
    check_grads(lambda a: pooling_ops.avg_pool2d(a, 3, 2, padding), [x], order=2)


def test_pool1d_shapes_and_values():
    x = tf.constant(np.arange(12, dtype=np.float32).reshape(1, 6, 2))
    y = pooling_ops.max_pool1d(x, 2, 2, "VALID")
    assert y.shape == (1, 3, 2)
    np.testing.assert_array_equal(y.numpy()[0, :, 0], [2., 6., 10.])
    assert pooling_ops.avg_pool1d(x, 3, 1, "SAME").shape == (1, 6, 2)


def test_errors_are_tensorflows():
    x = np.zeros((1, 4, 4, 1), np.float32)
    # TensorFlow: InvalidArgumentError "Value for attr 'padding' of "FOO" is not in the list..."
    for fn in (pooling_ops.max_pool2d, pooling_ops.avg_pool2d):
        with pytest.raises(tf.errors.InvalidArgumentError, match="attr 'padding'"):
            fn(x, 2, 2, "FOO")
    # TensorFlow's AvgPool is defined for half, bfloat16, float and double only
    with pytest.raises(tf.errors.InvalidArgumentError, match="attr 'T' of int32"):
        pooling_ops.avg_pool2d(x.astype(np.int32), 2, 2, "VALID")
    assert pooling_ops.max_pool2d(x.astype(np.int32), 2, 2, "VALID").dtype == tf.int32


@pytest.mark.parametrize("dtype", ["float32", "int32"])
def test_max_pool_gradient_never_goes_to_padding(dtype):
    # Every real input equals the padding's fill (-inf / the int minimum): TensorFlow's
    # windows only see real positions, so each window's gradient reaches its first real
    # input instead of vanishing into the padding.
    low = -np.inf if dtype == "float32" else np.iinfo(np.int32).min
    x = np.full((1, 3, 3, 1), low, dtype)
    y = pooling_ops._max_pool_np(x, (3, 3), (1, 1), "SAME")
    dy = np.ones(y.shape, dtype)
    dx = pooling_ops._max_pool_grad_np(x, y, dy, (3, 3), (1, 1), "SAME")
    # each window's first real input: (0,0) for the four top-left windows, (0,1) for the
    # two top-right ones, (1,0) for the two bottom-left ones, (1,1) for the last
    assert dx.ravel().tolist() == [4, 2, 0, 2, 1, 0, 0, 0, 0]
    assert dx.sum() == y.size
    gg = pooling_ops._max_pool_grad_grad_np(x, y, np.arange(9, dtype=dtype).reshape(x.shape),
                                           (3, 3), (1, 1), "SAME")
    assert gg.ravel().tolist() == [0, 0, 1, 0, 0, 1, 3, 3, 4]
