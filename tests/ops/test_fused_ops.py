"""Fused conv/matmul + bias + relu ops: equal to the unfused ops, with their gradients."""
import numpy as np
import pytest

import tapeflow as tf
from gradcheck import check_grads
from tapeflow.ops import fused_ops

ACTS = {"Linear": lambda t: t, "Relu": tf.nn.relu}


def _unfused_conv(x, w, b, strides, padding, dil, act):
    return ACTS[act](tf.nn.conv2d(x, w, strides, padding, dilations=dil) + b)


@pytest.mark.parametrize("act", ["Linear", "Relu"])
@pytest.mark.parametrize("size,k,stride,dil,padding", [
    (7, 3, 1, 1, "VALID"), (8, 3, 2, 1, "SAME"), (9, 3, 1, 2, "SAME"), (6, 1, 1, 1, "VALID")])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_fused_conv2d_equals_conv_bias_activation(act, size, k, stride, dil, padding, dtype):
    rng = np.random.default_rng(size * 7 + k)
    x = tf.constant(rng.standard_normal((2, size, size + 1, 3)).astype(dtype))
    w = tf.constant(rng.standard_normal((k, k, 3, 5)).astype(dtype))
    b = tf.constant(rng.standard_normal(5).astype(dtype))
    got = fused_ops.fused_conv2d(x, w, b, stride, padding, dil, act)
    want = _unfused_conv(x, w, b, stride, padding, dil, act)
    assert got.dtype == want.dtype and got.shape == want.shape
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-5, atol=1e-5)
    if act == "Relu":
        assert (got.numpy() >= 0).all() and (got.numpy() == 0).any()


@pytest.mark.parametrize("act", ["Linear", "Relu"])
def test_fused_conv2d_gradients_first_and_second_order(act):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 6, 5, 2))
    w = rng.standard_normal((3, 3, 2, 3))
    b = rng.standard_normal(3)
    check_grads(lambda a, c, d: fused_ops.fused_conv2d(a, c, d, 2, "SAME", 1, act),
                [x, w, b], order=2)


@pytest.mark.parametrize("act", ["Linear", "Relu"])
def test_fused_matmul_equals_matmul_bias_activation_and_its_gradients(act):
    rng = np.random.default_rng(2)
    x, w, b = rng.standard_normal((4, 3)), rng.standard_normal((3, 5)), rng.standard_normal(5)
    got = fused_ops.fused_matmul(tf.constant(x), tf.constant(w), tf.constant(b), act)
    want = ACTS[act](tf.constant(x) @ tf.constant(w) + b)
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-12)
    check_grads(lambda a, c, d: fused_ops.fused_matmul(a, c, d, act), [x, w, b], order=2)


def test_bias_add_grad_sums_all_but_the_last_axis_and_is_differentiable():
    rng = np.random.default_rng(3)
    for dtype in (np.float16, np.float32, np.float64, np.int32):
        dy = (rng.standard_normal((2, 3, 4, 5)) * 4).astype(dtype)
        got = fused_ops._bias_add_grad_kernel(tf.constant(dy))
        assert got.dtype.as_numpy_dtype == dtype and got.shape == (5,)
        np.testing.assert_allclose(got.numpy().astype(np.float64),
                                   dy.astype(np.float64).sum((0, 1, 2)),
                                   rtol=1e-2 if dtype == np.float16 else 1e-6)
    strided = np.arange(24.0).reshape(4, 6)[:, ::2]            # not C-contiguous
    np.testing.assert_array_equal(fused_ops.sum_leading(strided), strided.sum(0))
    np.testing.assert_array_equal(fused_ops.sum_leading(np.zeros((0, 3))), np.zeros(3))
    check_grads(lambda t: fused_ops._bias_add_grad_kernel(t),
                [rng.standard_normal((3, 2, 4))], order=2)


def test_fused_ops_reject_a_bias_of_the_wrong_size_or_dtype():
    x = tf.ones((1, 4, 4, 2))
    w = tf.ones((3, 3, 2, 3))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"biases .*\[4\] vs\. 3"):
        fused_ops.fused_conv2d(x, w, tf.ones(4), 1, "VALID", 1, "Relu")
    with pytest.raises(tf.errors.InvalidArgumentError, match="float32 vs float64"):
        fused_ops.fused_conv2d(x, w, tf.ones(3, tf.float64), 1, "VALID", 1, "Relu")
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"In\[0\]: \[2, 4\]"):
        fused_ops.fused_matmul(tf.ones((2, 4)), tf.ones((3, 5)), tf.ones(5))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"biases .*\[4\] vs\. 5"):
        fused_ops.fused_matmul(tf.ones((2, 3)), tf.ones((3, 5)), tf.ones(4))


@pytest.mark.parametrize("shape", [(64, 26, 26, 32), (7, 5), (13, 1), (3, 4096), (2, 5000),
                                   (0, 3), (6, 3, 3)])
def test_add_bias_in_place_equals_broadcast_add(shape):
    rng = np.random.default_rng(len(shape))
    out = rng.standard_normal(shape).astype(np.float32)
    b = rng.standard_normal(shape[-1]).astype(np.float32)
    want = out + b
    assert fused_ops.add_bias(out, b) is out
    np.testing.assert_array_equal(out, want)
    strided = rng.standard_normal((4, 6))[:, ::2]          # not C-contiguous: plain add
    want = strided + np.arange(3.0)
    np.testing.assert_array_equal(fused_ops.add_bias(strided, np.arange(3.0)), want)


@pytest.mark.parametrize("act", ["Linear", "Relu"])
@pytest.mark.parametrize("n,size,k,stride,dil,padding", [
    (64, 28, 3, 1, 1, "VALID"), (1, 8, 3, 2, 1, "SAME"), (2, 9, 3, 1, 2, "SAME"),
    (3, 6, 1, 1, 1, "VALID"), (2, 5, 2, 3, 1, [[0, 0], [1, 0], [0, 2], [0, 0]])])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_fused_conv2d_one_input_channel_adds_the_bias_in_the_gemm(act, n, size, k, stride,
                                                                   dil, padding, dtype):
    # one input channel: the bias is a row of the GEMM's filter matrix (the MNIST first layer)
    rng = np.random.default_rng(size * 3 + k)
    x = tf.constant(rng.standard_normal((n, size, size + 1, 1)).astype(dtype))
    w = tf.constant(rng.standard_normal((k, k, 1, 4)).astype(dtype))
    b = tf.constant(rng.standard_normal(4).astype(dtype))
    got = fused_ops.fused_conv2d(x, w, b, stride, padding, dil, act)
    want = _unfused_conv(x, w, b, stride, padding, dil, act)
    assert got.dtype == want.dtype and got.shape == want.shape
    tol = 1e-5 if dtype == "float32" else 1e-12
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=tol, atol=tol)


def test_fused_conv2d_one_input_channel_gradients_and_errors():
    rng = np.random.default_rng(2)
    x, w, b = (rng.standard_normal(s) for s in ((2, 6, 5, 1), (3, 3, 1, 3), (3,)))
    check_grads(lambda a, c, d: fused_ops.fused_conv2d(a, c, d, 1, "SAME", 1, "Relu"),
                [x, w, b], order=2)
    xs, ws = tf.ones((1, 4, 4, 1)), tf.ones((3, 3, 1, 3))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"biases .*\[4\] vs\. 3"):
        fused_ops.fused_conv2d(xs, ws, tf.ones(4), 1, "VALID", 1, "Relu")
    with pytest.raises(tf.errors.InvalidArgumentError, match="float32 vs float64"):
        fused_ops.fused_conv2d(xs, ws, tf.ones(3, tf.float64), 1, "VALID", 1, "Relu")
    empty = fused_ops.fused_conv2d(tf.ones((0, 4, 4, 1)), ws, tf.ones(3), 1, "VALID", 1)
    assert empty.shape == (0, 2, 2, 3)
