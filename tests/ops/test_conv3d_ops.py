"""3-D convolution and pooling against a loop reference, and their gradients (float64)."""
import itertools

import numpy as np
import pytest

import tapeflow as tf
from gradcheck import check_grads
from tapeflow.ops import conv_ops


def reference_conv3d(x, w, strides, padding, dilations=(1, 1, 1)):
    """A slow, obviously-correct 3-D convolution (test only)."""
    n, size = x.shape[0], x.shape[1:4]
    geo = [conv_ops.output_size(size[a], w.shape[a], strides[a], dilations[a], padding)
           for a in range(3)]
    xp = np.pad(x, ((0, 0),) + tuple((g[1], g[2]) for g in geo) + ((0, 0),))
    out = np.zeros((n,) + tuple(g[0] for g in geo) + (w.shape[4],))
    for i, j, k in itertools.product(*(range(g[0]) for g in geo)):
        sl = tuple(slice(o * s, o * s + (kk - 1) * d + 1, d) for o, s, kk, d in zip(
            (i, j, k), strides, w.shape[:3], dilations))
        out[:, i, j, k] = np.einsum("ndhwc,dhwco->no", xp[(slice(None),) + sl], w)
    return out


RNG = np.random.default_rng(0)
X = RNG.standard_normal((2, 5, 4, 6, 3))
W = RNG.standard_normal((3, 2, 3, 3, 2))


@pytest.mark.parametrize("padding,strides,dilations", [
    ("VALID", (1, 1, 1), (1, 1, 1)), ("SAME", (2, 1, 2), (1, 1, 1)),
    ("SAME", (1, 1, 1), (2, 1, 2)), ("VALID", (2, 2, 2), (1, 1, 1))])
def test_conv3d_matches_loop_reference(padding, strides, dilations):
    y = tf.nn.conv3d(X, W, [1, *strides, 1], padding, dilations=[1, *dilations, 1])
    np.testing.assert_allclose(y.numpy(), reference_conv3d(X, W, strides, padding, dilations),
                               rtol=1e-10, atol=1e-10)
    assert y.dtype == tf.float64


@pytest.mark.parametrize("padding,strides", [("VALID", (1, 1, 1)), ("SAME", (2, 2, 2)),
                                              ("VALID", (2, 1, 2))])
def test_conv3d_transpose_is_the_adjoint_of_conv3d(padding, strides):
    # <conv3d(x, w), y> == <x, conv3d_transpose(y, w)> for every x, y
    wt = RNG.standard_normal((3, 2, 3, 3, 4))
    y_shape = tf.nn.conv3d(X, wt, [1, *strides, 1], padding).shape
    y = RNG.standard_normal(tuple(y_shape))
    lhs = np.sum(tf.nn.conv3d(X, wt, [1, *strides, 1], padding).numpy() * y)
    xt = tf.nn.conv3d_transpose(y, wt, X.shape, [1, *strides, 1], padding)
    assert xt.shape == X.shape
    np.testing.assert_allclose(lhs, np.sum(X * xt.numpy()), rtol=1e-10)


def test_conv3d_transpose_rejects_a_mismatched_output_shape():
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.nn.conv3d_transpose(np.zeros((1, 2, 2, 2, 2)), np.zeros((2, 2, 2, 3, 2)),
                               (1, 9, 3, 3, 3), 1, "VALID")


def test_conv3d_rejects_a_4d_input():
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.nn.conv3d(np.zeros((1, 2, 2, 2)), np.zeros((1, 1, 1, 2, 2)), 1, "VALID")


@pytest.mark.parametrize("fn,reduce", [("max_pool3d", np.max), ("avg_pool3d", np.mean)])
def test_pool3d_valid_matches_reshaped_reduction(fn, reduce):
    x = RNG.standard_normal((2, 4, 6, 2, 3))
    y = getattr(tf.nn, fn)(x, 2, 2, "VALID").numpy()
    expect = reduce(x.reshape(2, 2, 2, 3, 2, 1, 2, 3), axis=(2, 4, 6))
    np.testing.assert_allclose(y, expect, rtol=1e-12)


def test_avg_pool3d_same_averages_real_inputs_only():
    y = tf.nn.avg_pool3d(np.ones((1, 3, 3, 3, 1)), 2, 2, "SAME").numpy()
    np.testing.assert_allclose(y, np.ones((1, 2, 2, 2, 1)))


@pytest.mark.parametrize("padding,strides", [("VALID", (1, 1, 1)), ("SAME", (2, 1, 2))])
def test_conv3d_gradients_first_and_second_order(padding, strides):
    x = RNG.standard_normal((1, 4, 3, 4, 2))
    w = RNG.standard_normal((2, 2, 2, 2, 2))
    check_grads(lambda a, b: tf.nn.conv3d(a, b, [1, *strides, 1], padding), [x, w], order=2,
                name="conv3d")


def test_conv3d_transpose_gradients_first_and_second_order():
    y = RNG.standard_normal((1, 2, 2, 2, 2))
    w = RNG.standard_normal((2, 2, 2, 3, 2))
    check_grads(lambda a, b: tf.nn.conv3d_transpose(a, b, (1, 4, 4, 4, 3), 2, "SAME"),
                [y, w], order=2, name="conv3d_transpose")


@pytest.mark.parametrize("fn", ["max_pool3d", "avg_pool3d"])
def test_pool3d_gradients_first_and_second_order(fn):
    x = RNG.permutation(72).reshape(1, 3, 4, 3, 2) / 7.0   # distinct values: no max ties
    check_grads(lambda a: getattr(tf.nn, fn)(a, 2, (1, 2, 1), "SAME"), [x], order=2, name=fn)


def test_conv1d_transpose_is_the_adjoint_of_conv1d():
    x = RNG.standard_normal((2, 7, 3))
    w = RNG.standard_normal((3, 3, 4))
    y = RNG.standard_normal(tuple(tf.nn.conv1d(x, w, 2, "SAME").shape))
    xt = tf.nn.conv1d_transpose(y, w, x.shape, 2, "SAME")
    np.testing.assert_allclose(np.sum(tf.nn.conv1d(x, w, 2, "SAME").numpy() * y),
                               np.sum(x * xt.numpy()), rtol=1e-10)
    check_grads(lambda a, b: tf.nn.conv1d_transpose(a, b, x.shape, 2, "SAME"), [y, w],
                order=2, name="conv1d_transpose")
