"""Convolutions against a direct loop-based reference, TF's output shapes, and gradients."""
import itertools

import numpy as np
import pytest

import tapeflow as tf
from gradcheck import check_grads
from tapeflow.ops import conv_ops


def reference_conv2d(x, w, strides, padding, dilations=(1, 1), depthwise=False):
    """A slow, obviously-correct convolution (test only)."""
    n, h, wd, c = x.shape
    kh, kw = w.shape[:2]
    sh, sw = strides
    dh, dw = dilations
    oh, pt, pb = conv_ops.output_size(h, kh, sh, dh, padding)
    ow, pl, pr = conv_ops.output_size(wd, kw, sw, dw, padding)
    xp = np.pad(x, ((0, 0), (pt, pb), (pl, pr), (0, 0)))
    outc = c * w.shape[3] if depthwise else w.shape[3]
    out = np.zeros((n, oh, ow, outc))
    for b, i, j in itertools.product(range(n), range(oh), range(ow)):
        patch = xp[b, i * sh:i * sh + (kh - 1) * dh + 1:dh, j * sw:j * sw + (kw - 1) * dw + 1:dw]
        if depthwise:
            out[b, i, j] = np.einsum("ijc,ijcm->cm", patch, w).reshape(-1)
        else:
            out[b, i, j] = np.einsum("ijc,ijco->o", patch, w)
    return out


@pytest.mark.parametrize("size,k,stride,dil,padding", [
    (7, 3, 1, 1, "SAME"), (8, 3, 2, 1, "SAME"), (7, 3, 2, 1, "VALID"), (8, 2, 3, 1, "SAME"),
    (9, 3, 1, 2, "SAME"), (9, 3, 2, 2, "VALID"), (6, 1, 2, 1, "SAME"), (5, 4, 1, 1, "SAME"),
])
def test_conv2d_matches_reference(size, k, stride, dil, padding):
    rng = np.random.RandomState(size * 31 + k)
    x = rng.randn(2, size, size + 1, 3)
    w = rng.randn(k, k, 3, 4)
    got = conv_ops.conv2d(tf.constant(x), tf.constant(w), stride, padding, dilations=dil)
    want = reference_conv2d(x, w, (stride, stride), padding, (dil, dil))
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("size,stride", [(7, 2), (8, 2), (5, 1), (6, 3)])
def test_depthwise_matches_reference(size, stride):
    rng = np.random.RandomState(size)
    x = rng.randn(2, size, size, 3)
    w = rng.randn(3, 3, 3, 2)
    got = conv_ops.depthwise_conv2d(x, w, [1, stride, stride, 1], "SAME")
    want = reference_conv2d(x, w, (stride, stride), "SAME", depthwise=True)
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-10, atol=1e-10)
    assert got.shape == (2, -(-size // stride), -(-size // stride), 6)


@pytest.mark.parametrize("size,k,stride,padding,expected", [
    # TensorFlow's output sizes: SAME = ceil(n / s), VALID = ceil((n - k + 1) / s)
    (28, 3, 1, "VALID", 26), (28, 3, 1, "SAME", 28), (27, 3, 2, "SAME", 14),
    (28, 3, 2, "SAME", 14), (27, 3, 2, "VALID", 13), (28, 3, 2, "VALID", 13),
    (5, 5, 1, "VALID", 1), (4, 5, 1, "VALID", 0),
])
def test_output_sizes_follow_tensorflow(size, k, stride, padding, expected):
    assert conv_ops.output_size(size, k, stride, 1, padding)[0] == expected


def test_same_padding_puts_the_extra_pixel_after():
    # TF: pad_total = 1 for size 4, k 2, stride 1 -> (0 before, 1 after)
    assert conv_ops.output_size(4, 2, 1, 1, "SAME") == (4, 0, 1)
    assert conv_ops.output_size(8, 3, 2, 1, "SAME") == (4, 0, 1)


def test_float32_stays_float32_and_channels_mismatch_raises():
    x = tf.ones((1, 5, 5, 3))
    w = tf.ones((3, 3, 3, 2))
    y = conv_ops.conv2d(x, w, 1, "SAME")
    assert y.dtype == tf.float32
    with pytest.raises(tf.errors.InvalidArgumentError, match="depth"):
        conv_ops.conv2d(x, tf.ones((3, 3, 2, 2)), 1, "SAME")


@pytest.mark.parametrize("stride,padding,dil", [(1, "SAME", 1), (2, "SAME", 1), (2, "VALID", 1),
                                                (1, "SAME", 2)])
def test_conv2d_gradients_first_and_second_order(stride, padding, dil):
    rng = np.random.RandomState(stride)
    x = rng.randn(2, 5, 6, 2)
    w = rng.randn(3, 3, 2, 3)
    check_grads(lambda a, b: conv_ops.conv2d(a, b, stride, padding, dilations=dil), [x, w],
                order=2)


def test_depthwise_and_separable_gradients():
    rng = np.random.RandomState(3)
    x = rng.randn(1, 5, 5, 2)
    dw = rng.randn(3, 3, 2, 2)
    pw = rng.randn(1, 1, 4, 3)
    check_grads(lambda a, b: conv_ops.depthwise_conv2d(a, b, 2, "SAME"), [x, dw], order=2)
    check_grads(lambda a, b, c: conv_ops.separable_conv2d(a, b, c, 1, "VALID"), [x, dw, pw],
                order=1)


def test_conv2d_transpose_is_the_adjoint_of_conv2d():
    rng = np.random.RandomState(5)
    x = rng.randn(2, 7, 7, 3)
    w = rng.randn(3, 3, 3, 4)
    y = conv_ops.conv2d(x, w, 2, "SAME")
    g = rng.randn(*y.shape)
    xt = conv_ops.conv2d_transpose(tf.constant(g), tf.constant(w), x.shape, 2, "SAME")
    # <conv(x), g> == <x, conv_transpose(g)>
    np.testing.assert_allclose(np.sum(y.numpy() * g), np.sum(x * xt.numpy()), rtol=1e-10)
    check_grads(lambda a, b: conv_ops.conv2d_transpose(a, b, (2, 7, 7, 3), 2, "SAME"),
                [g, w], order=2)


def test_conv1d_matches_conv2d_reference():
    rng = np.random.RandomState(7)
    x = rng.randn(2, 9, 3)
    w = rng.randn(3, 3, 4)
    got = conv_ops.conv1d(x, w, 2, "SAME")
    want = reference_conv2d(x[:, None], w[None], (1, 2), "SAME")[:, 0]
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-10)
    check_grads(lambda a, b: conv_ops.conv1d(a, b, 1, "VALID"), [x, w], order=1)


def test_unknown_padding_is_an_invalid_argument():
    # TensorFlow: InvalidArgumentError "Value for attr 'padding' of "FOO" is not in the list
    # of allowed values: "SAME", "VALID", "EXPLICIT""
    with pytest.raises(tf.errors.InvalidArgumentError, match="attr 'padding' of \"FOO\""):
        conv_ops.conv2d(np.zeros((1, 4, 4, 1), np.float32), np.zeros((3, 3, 1, 1), np.float32),
                        1, "FOO")


@pytest.mark.parametrize("dtype", ["int64", "uint8", "bool", "complex64"])
def test_conv2d_refuses_dtypes_tensorflow_has_no_kernel_for(dtype):
    x, w = tf.zeros((1, 4, 4, 2), dtype), tf.zeros((3, 3, 2, 2), dtype)
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=f"of {dtype} is not in the list of allowed values: half, "
                             r"bfloat16, float, double, int32 \[Op:Conv2D\]"):
        tf.nn.conv2d(x, w, 1, "SAME")


def test_int32_convolves_but_not_depthwise():
    x = tf.ones((1, 3, 3, 1), "int32")
    out = tf.nn.conv2d(x, tf.ones((2, 2, 1, 1), "int32"), 1, "VALID")
    assert out.dtype == tf.int32 and out.numpy().ravel().tolist() == [4, 4, 4, 4]
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[Op:DepthwiseConv2dNative\]"):
        tf.nn.depthwise_conv2d(x, tf.ones((2, 2, 1, 1), "int32"), [1, 1, 1, 1], "VALID")
