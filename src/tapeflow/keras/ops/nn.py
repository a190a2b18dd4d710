"""``keras.ops.nn``: activations, softmax, convolution, pooling, one-hot, cross-entropies,
normalization and attention, built on ``tf.*`` ops and ``keras.activations``."""
import numpy as np

import tapeflow as tf
from tapeflow.keras import activations as A
from tapeflow.keras import backend
from tapeflow.framework.tensor import Tensor
from tapeflow.keras.ops.operation import keras_op
from tapeflow.keras.ops.promotion import to_tensor
from tapeflow.ops import conv_ops, pooling_ops


def _f(x):
    x = to_tensor(x)
    return x if x.dtype.is_floating else tf.cast(x, backend.floatx())


def _c(x, v):
    return np.asarray(v, x.dtype.as_numpy_dtype)


def _act(name, fn, doc):
    @keras_op
    def op(x):
        if type(x) is Tensor and x.dtype.is_floating:
            return fn(x)
        return fn(_f(x))
    op.__wrapped__.__name__ = op.__name__ = op.__qualname__ = name
    op.__doc__ = f"Returns {doc}, elementwise."
    return op


def _int_act(name, fn, doc):
    @keras_op
    def op(x):
        if type(x) is Tensor and x.dtype.is_floating:
            return fn(x)
        x = to_tensor(x)
        if x.dtype.is_integer:   # Keras keeps integer inputs integer here
            return fn(tf.cast(x, backend.floatx())).numpy().astype(x.dtype.as_numpy_dtype)
        return fn(x)
    op.__wrapped__.__name__ = op.__name__ = op.__qualname__ = name
    op.__doc__ = f"Returns {doc}, elementwise (integers stay integers)."
    return op


relu = _int_act("relu", tf.nn.relu, "max(x, 0)")
relu6 = _int_act("relu6", A.relu6, "min(max(x, 0), 6)")
sigmoid = _act("sigmoid", A.sigmoid, "1 / (1 + exp(-x))")
softplus = _act("softplus", A.softplus, "log(1 + exp(x))")
softsign = _act("softsign", A.softsign, "x / (1 + |x|)")
silu = _act("silu", A.silu, "x * sigmoid(x)")
swish = _act("swish", A.silu, "x * sigmoid(x)")
selu = _act("selu", A.selu, "the scaled exponential linear unit")
hard_sigmoid = _act("hard_sigmoid", A.hard_sigmoid, "relu6(x + 3) / 6")
hard_silu = _act("hard_silu", A.hard_silu, "x * hard_sigmoid(x)")
hard_swish = _act("hard_swish", A.hard_silu, "x * hard_sigmoid(x)")
log_sigmoid = _act("log_sigmoid", lambda x: -A.softplus(-x), "log(sigmoid(x))")
tanh_shrink = _act("tanh_shrink", lambda x: x - tf.tanh(x), "x - tanh(x)")
sparse_sigmoid = _act("sparse_sigmoid", lambda x: tf.clip_by_value(
    (x + _c(x, 1)) / _c(x, 2), _c(x, 0), _c(x, 1)), "clip((x + 1) / 2, 0, 1)")


@keras_op
def leaky_relu(x, negative_slope=0.2):
    """Returns x where x >= 0, else ``negative_slope * x``."""
    return A.leaky_relu(_f(x), negative_slope)


@keras_op
def elu(x, alpha=1.0):
    """Returns x where x > 0, else ``alpha * (exp(x) - 1)``."""
    return A.elu(_f(x), alpha)


@keras_op
def celu(x, alpha=1.0):
    """Returns ``max(x, 0) + min(0, alpha * (exp(x / alpha) - 1))``."""
    x = _f(x)
    return tf.maximum(x, _c(x, 0)) + tf.minimum(_c(x, 0), _c(x, alpha) * (
        tf.exp(x / _c(x, alpha)) - _c(x, 1)))


@keras_op
def gelu(x, approximate=True):
    """Returns the Gaussian error linear unit (tanh approximation by default, as Keras)."""
    return A.gelu(_f(x), approximate=approximate)


@keras_op
def glu(x, axis=-1):
    """Returns ``a * sigmoid(b)`` where a, b are the two halves of x along ``axis``."""
    a, b = tf.split(_f(x), 2, axis=axis)
    return a * tf.sigmoid(b)


@keras_op
def hard_tanh(x):
    """Returns x clipped to [-1, 1]."""
    x = _f(x)
    return tf.clip_by_value(x, _c(x, -1), _c(x, 1))


@keras_op
def hard_shrink(x, threshold=0.5):
    """Returns x where |x| > threshold, else 0."""
    x = _f(x)
    return tf.where(tf.abs(x) > _c(x, threshold), x, tf.zeros_like(x))


@keras_op
def soft_shrink(x, threshold=0.5):
    """Returns x shrunk towards 0 by ``threshold`` (0 inside [-threshold, threshold])."""
    x = _f(x)
    t = _c(x, threshold)
    return tf.where(x > t, x - t, tf.where(x < -t, x + t, tf.zeros_like(x)))


@keras_op
def threshold(x, threshold, default_value):
    """Returns x where x > threshold, else ``default_value``."""
    x = _f(x)
    return tf.where(x > _c(x, threshold), x, tf.fill(tf.shape(x), _c(x, default_value)))


@keras_op
def squareplus(x, b=4):
    """Returns ``(x + sqrt(x**2 + b)) / 2``."""
    x = _f(x)
    return (x + tf.sqrt(x * x + _c(x, b))) / _c(x, 2)


@keras_op
def sparse_plus(x):
    """Returns 0 for x <= -1, x for x >= 1, ``(x + 1)**2 / 4`` between."""
    x = _f(x)
    mid = tf.square(x + _c(x, 1)) / _c(x, 4)
    return tf.where(x <= _c(x, -1), tf.zeros_like(x), tf.where(x >= _c(x, 1), x, mid))


@keras_op
def softmax(x, axis=-1):
    """Returns ``exp(x) / sum(exp(x))`` along ``axis`` (an int or a tuple)."""
    if type(x) is Tensor and type(axis) is int and x.dtype.is_floating:
        return A.softmax(x, axis=axis)
    x = _f(x)
    if isinstance(axis, (tuple, list)):
        m = tf.stop_gradient(tf.reduce_max(x, axis=tuple(axis), keepdims=True))
        e = tf.exp(x - m)
        return e / tf.reduce_sum(e, axis=tuple(axis), keepdims=True)
    return A.softmax(x, axis=axis)


@keras_op
def log_softmax(x, axis=-1):
    """Returns ``x - logsumexp(x)`` along ``axis``."""
    x = _f(x)
    if isinstance(axis, (tuple, list)):
        m = tf.stop_gradient(tf.reduce_max(x, axis=tuple(axis), keepdims=True))
        s = x - m
        return s - tf.math.log(tf.reduce_sum(tf.exp(s), axis=tuple(axis), keepdims=True))
    return A.log_softmax(x, axis=axis)


@keras_op
def sparsemax(x, axis=-1):
    """Returns the Euclidean projection of x onto the probability simplex along ``axis``."""
    x = _f(x)
    z = tf.sort(x, axis=axis, direction="DESCENDING")
    n = x.shape[axis]
    shape = [1] * len(x.shape)
    shape[axis] = n
    k = tf.reshape(tf.constant(np.arange(1, n + 1, dtype=x.dtype.as_numpy_dtype)), shape)
    cum = tf.math.cumsum(z, axis=axis)
    support = tf.cast(_c(x, 1) + k * z > cum, x.dtype)
    kz = tf.reduce_sum(support, axis=axis, keepdims=True)
    tau = (tf.reduce_sum(support * z, axis=axis, keepdims=True) - _c(x, 1)) / kz
    return tf.maximum(x - tau, _c(x, 0))


# -- convolution and pooling --------------------------------------------------------------

def _tuple(v, n):
    return (v,) * n if isinstance(v, int) else tuple(v)


def _to_last(x, data_format):
    if (data_format or backend.image_data_format()) == "channels_first":
        r = len(x.shape)
        return tf.transpose(x, [0] + list(range(2, r)) + [1]), True
    return x, False


def _to_first(x, moved):
    if not moved:
        return x
    r = len(x.shape)
    return tf.transpose(x, [0, r - 1] + list(range(1, r - 1)))


@keras_op
def conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    """Returns the N-D convolution of ``inputs`` with ``kernel`` (spatial..., in, out)."""
    x, moved = _to_last(_f(inputs), data_format)
    k = to_tensor(kernel, x.dtype.name)
    n = len(x.shape) - 2
    out = conv_ops.convolution(x, k, strides=list(_tuple(strides, n)), padding=padding.upper(),
                               dilations=list(_tuple(dilation_rate, n)))
    return _to_first(out, moved)


@keras_op
def depthwise_conv(inputs, kernel, strides=1, padding="valid", data_format=None,
                   dilation_rate=1):
    """Returns the depthwise convolution: each input channel with its own ``kernel`` slice
    (spatial..., in, multiplier)."""
    x, moved = _to_last(_f(inputs), data_format)
    k = to_tensor(kernel, x.dtype.name)
    n = len(x.shape) - 2
    if n == 1:
        x4 = tf.expand_dims(x, 1)
        k4 = tf.expand_dims(k, 0)
        s = (1,) + _tuple(strides, 1)
        d = (1,) + _tuple(dilation_rate, 1)
        out = conv_ops.depthwise_conv2d(x4, k4, [1, s[0], s[1], 1], padding.upper(),
                                        dilations=list(d))
        return _to_first(tf.squeeze(out, [1]), moved)
    s = _tuple(strides, 2)
    out = conv_ops.depthwise_conv2d(x, k, [1, s[0], s[1], 1], padding.upper(),
                                    dilations=list(_tuple(dilation_rate, 2)))
    return _to_first(out, moved)


@keras_op
def separable_conv(inputs, depthwise_kernel, pointwise_kernel, strides=1, padding="valid",
                   data_format=None, dilation_rate=1):
    """Returns a depthwise convolution followed by a 1x1 (pointwise) convolution."""
    fmt = data_format or backend.image_data_format()
    y = depthwise_conv(inputs, depthwise_kernel, strides, padding, fmt, dilation_rate)
    return conv(y, pointwise_kernel, 1, "valid", fmt, 1)


@keras_op
def conv_transpose(inputs, kernel, strides=1, padding="valid", output_padding=None,
                   data_format=None, dilation_rate=1):
    """Returns the transposed convolution (kernel: spatial..., out, in)."""
    x, moved = _to_last(_f(inputs), data_format)
    k = to_tensor(kernel, x.dtype.name)
    n = len(x.shape) - 2
    if n == 1:
        y = conv_transpose(tf.expand_dims(x, 1), tf.expand_dims(k, 0), (1,) + _tuple(strides, 1),
                           padding, None if output_padding is None else
                           (0,) + _tuple(output_padding, 1), "channels_last",
                           (1,) + _tuple(dilation_rate, 1))
        return _to_first(tf.squeeze(y, [1]), moved)
    s = _tuple(strides, 2)
    ks = k.shape[:2]
    out_size = []
    for i in range(2):
        size = x.shape[1 + i]
        op = None if output_padding is None else _tuple(output_padding, 2)[i]
        if op is None:
            o = size * s[i] if padding == "same" else size * s[i] + max(ks[i] - s[i], 0)
        else:
            pad = (ks[i] - 1) // 2 if padding == "same" else 0
            o = (size - 1) * s[i] + ks[i] - 2 * pad + op
        out_size.append(o)
    shape = [x.shape[0], out_size[0], out_size[1], k.shape[2]]
    out = conv_ops.conv2d_transpose(x, k, shape, [1, s[0], s[1], 1], padding.upper())
    return _to_first(out, moved)


def _pool(kind, inputs, pool_size, strides, padding, data_format):
    x, moved = _to_last(_f(inputs), data_format)
    n = len(x.shape) - 2
    ks = _tuple(pool_size, n)
    st = ks if strides is None else _tuple(strides, n)
    fn = pooling_ops.max_pool if kind == "max" else pooling_ops.avg_pool
    out = fn(x, list(ks), list(st), padding.upper())
    return _to_first(out, moved)


@keras_op
def max_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    """Returns max pooling over windows of ``pool_size``."""
    return _pool("max", inputs, pool_size, strides, padding, data_format)


@keras_op
def average_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    """Returns average pooling over windows of ``pool_size``."""
    return _pool("avg", inputs, pool_size, strides, padding, data_format)


def _adaptive(kind, inputs, output_size, data_format):
    x, moved = _to_last(_f(inputs), data_format)
    n = len(x.shape) - 2
    outs = _tuple(output_size, n)
    for d in range(n):
        size = x.shape[1 + d]
        pieces = []
        for i in range(outs[d]):
            lo = (i * size) // outs[d]
            hi = -(-((i + 1) * size) // outs[d])
            part = tf.gather(x, np.arange(lo, hi, dtype=np.int32), axis=1 + d)
            red = tf.reduce_max if kind == "max" else tf.reduce_mean
            pieces.append(red(part, axis=1 + d, keepdims=True))
        x = tf.concat(pieces, axis=1 + d)
    return _to_first(x, moved)


@keras_op
def adaptive_average_pool(inputs, output_size, data_format=None):
    """Returns average pooling to a fixed ``output_size``."""
    return _adaptive("avg", inputs, output_size, data_format)


@keras_op
def adaptive_max_pool(inputs, output_size, data_format=None):
    """Returns max pooling to a fixed ``output_size``."""
    return _adaptive("max", inputs, output_size, data_format)


from tapeflow.keras.ops.nn_extra import *  # noqa: E402,F401,F403
from tapeflow.keras.ops import nn_extra as _extra  # noqa: E402

__all__ = sorted(
    ["relu", "relu6", "sigmoid", "softplus", "softsign", "silu", "swish", "selu",
     "hard_sigmoid", "hard_silu", "hard_swish", "log_sigmoid", "tanh_shrink", "sparse_sigmoid",
     "leaky_relu", "elu", "celu", "gelu", "glu", "hard_tanh", "hard_shrink", "soft_shrink",
     "threshold", "squareplus", "sparse_plus", "softmax", "log_softmax", "sparsemax", "conv",
     "depthwise_conv", "separable_conv", "conv_transpose", "max_pool", "average_pool",
     "adaptive_average_pool", "adaptive_max_pool"] + list(_extra.__all__))
