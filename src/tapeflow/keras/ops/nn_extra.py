"""``keras.ops.nn`` continued: one-hot, cross-entropies, normalization, attention, CTC,
space/depth rearrangements and patch folding."""
import numpy as np

import tapeflow as tf
from tapeflow.framework.tensor import Tensor
from tapeflow.keras import backend
from tapeflow.keras.ops.operation import keras_op
from tapeflow.keras.ops.promotion import to_tensor
from tapeflow.ops import attention_ops
from tapeflow.ops.attention_ops import FUSED_DTYPES


def _f(x):
    x = to_tensor(x)
    return x if x.dtype.is_floating else tf.cast(x, backend.floatx())


def _c(x, v):
    return np.asarray(v, x.dtype.as_numpy_dtype)


@keras_op
def one_hot(x, num_classes, axis=-1, dtype=None, sparse=False):
    """Returns one-hot vectors of ``num_classes`` for integer x (negative indices: zeros)."""
    x = to_tensor(x)
    return tf.one_hot(tf.cast(x, "int32") if x.dtype.name != "int32" else x, num_classes,
                      axis=axis, dtype=backend.standardize_dtype(dtype))


@keras_op
def multi_hot(inputs, num_classes=None, axis=-1, dtype=None, sparse=False, **kwargs):
    """Returns, per sample, a vector with ones at the classes listed in ``inputs``."""
    if num_classes is None:
        num_classes = kwargs.pop("num_tokens", None)
    x = to_tensor(inputs)
    rank1 = len(x.shape) <= 1
    if rank1:
        x = tf.reshape(x, [1, -1])
    oh = one_hot(x, num_classes, axis=axis, dtype=dtype)
    out = tf.reduce_max(oh, axis=-2 if axis == -1 else axis - 1 if axis > 0 else axis)
    return tf.reshape(out, [-1]) if rank1 else out


@keras_op
def binary_crossentropy(target, output, from_logits=False):
    """Returns the elementwise binary cross-entropy (probabilities clipped to [eps, 1-eps])."""
    output = _f(output)
    target = to_tensor(target, output.dtype.name)
    if from_logits:
        return tf.nn.sigmoid_cross_entropy_with_logits(labels=target, logits=output)
    eps = _c(output, backend.epsilon())
    o = tf.clip_by_value(output, eps, _c(output, 1) - eps)
    return -(target * tf.math.log(o + eps) + (_c(o, 1) - target) * tf.math.log(
        _c(o, 1) - o + eps))


@keras_op
def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Returns the categorical cross-entropy along ``axis`` (probabilities renormalized and
    clipped)."""
    output = _f(output)
    target = to_tensor(target, output.dtype.name)
    if tuple(target.shape) != tuple(output.shape):
        raise ValueError("Arguments `target` and `output` must have the same shape. Received: "
                         f"target.shape={tuple(target.shape)}, "
                         f"output.shape={tuple(output.shape)}")
    if from_logits:
        m = tf.stop_gradient(tf.reduce_max(output, axis=axis, keepdims=True))
        logp = output - m - tf.math.log(tf.reduce_sum(tf.exp(output - m), axis=axis,
                                                      keepdims=True))
        return -tf.reduce_sum(target * logp, axis=axis)
    o = output / tf.reduce_sum(output, axis=axis, keepdims=True)
    eps = _c(o, backend.epsilon())
    o = tf.clip_by_value(o, eps, _c(o, 1) - eps)
    return -tf.reduce_sum(target * tf.math.log(o), axis=axis)


@keras_op
def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Returns the categorical cross-entropy with integer class ``target``."""
    output = _f(output)
    t = to_tensor(target)
    if len(t.shape) == len(output.shape) and t.shape[-1] == 1:
        t = tf.squeeze(t, [-1])
    oh = tf.one_hot(tf.cast(t, "int32"), output.shape[axis], axis=axis, dtype=output.dtype)
    return categorical_crossentropy(oh, output, from_logits=from_logits, axis=axis)


@keras_op
def moments(x, axes, keepdims=False, synchronized=False):
    """Returns ``(mean, variance)`` of x over ``axes`` (float16 computed in float32)."""
    x = _f(x)
    half = x.dtype.name == "float16"
    if half:
        x = tf.cast(x, "float32")
    axes = tuple(axes) if isinstance(axes, (list, tuple)) else (axes,)
    mean = tf.reduce_mean(x, axis=axes, keepdims=True)
    var = tf.reduce_mean(tf.square(x - mean), axis=axes, keepdims=True)
    if not keepdims:
        mean, var = tf.squeeze(mean, list(axes)), tf.squeeze(var, list(axes))
    if half:
        mean, var = tf.cast(mean, "float16"), tf.cast(var, "float16")
    return mean, var


def _along(v, x, axis):
    v = to_tensor(v, x.dtype.name)
    if len(v.shape) == 1 and len(x.shape) > 1:
        shape = [1] * len(x.shape)
        shape[axis] = -1
        v = tf.reshape(v, shape)
    return v


@keras_op
def batch_normalization(x, mean, variance, axis, offset=None, scale=None, epsilon=1e-3):
    """Returns ``(x - mean) / sqrt(variance + epsilon) * scale + offset`` along ``axis``."""
    x = _f(x)
    inv = tf.math.rsqrt(_along(variance, x, axis) + _c(x, epsilon))
    if scale is not None:
        inv = inv * _along(scale, x, axis)
    y = (x - _along(mean, x, axis)) * inv
    return y + _along(offset, x, axis) if offset is not None else y


@keras_op
def layer_normalization(x, gamma=None, beta=None, axis=-1, epsilon=None, **kwargs):
    """Returns x normalized to zero mean, unit variance over ``axis``, then scaled/shifted."""
    x = _f(x)
    eps = backend.epsilon() if epsilon is None else epsilon
    axes = tuple(axis) if isinstance(axis, (tuple, list)) else (axis,)
    mean = tf.reduce_mean(x, axis=axes, keepdims=True)
    var = tf.reduce_mean(tf.square(x - mean), axis=axes, keepdims=True)
    y = (x - mean) * tf.math.rsqrt(var + _c(x, eps))
    if gamma is not None:
        y = y * to_tensor(gamma, x.dtype.name)
    if beta is not None:
        y = y + to_tensor(beta, x.dtype.name)
    return y


@keras_op
def rms_normalization(x, scale=None, axis=-1, epsilon=None):
    """Returns ``x / sqrt(mean(x**2) + epsilon) * scale`` over ``axis``."""
    x = _f(x)
    eps = backend.epsilon() if epsilon is None else epsilon
    y = x * tf.math.rsqrt(tf.reduce_mean(tf.square(x), axis=axis, keepdims=True) + _c(x, eps))
    return y * to_tensor(scale, x.dtype.name) if scale is not None else y


@keras_op
def normalize(x, axis=-1, order=2, epsilon=None):
    """Returns x divided by its ``order``-norm along ``axis``."""
    x = _f(x)
    eps = backend.epsilon() if epsilon is None else epsilon
    if order == 2:
        sq = tf.reduce_sum(tf.square(x), axis=axis, keepdims=True)
        return x * tf.math.rsqrt(tf.maximum(sq, _c(x, eps * eps)))
    n = tf.pow(tf.reduce_sum(tf.pow(tf.abs(x), _c(x, order)), axis=axis, keepdims=True),
               _c(x, 1.0 / order))
    return x / tf.maximum(n, _c(x, eps))


@keras_op
def psnr(x1, x2, max_val):
    """Returns the peak signal-to-noise ratio between x1 and x2 (a scalar, in dB)."""
    a, b = _f(x1), _f(x2)
    b = to_tensor(b, a.dtype.name)
    mse = tf.reduce_mean(tf.square(a - b))
    return _c(a, 20) * tf.math.log(_c(a, max_val)) / _c(a, np.log(10)) - \
        _c(a, 10) * tf.math.log(mse) / _c(a, np.log(10))


@keras_op
def polar(abs_, angle):
    """Returns the complex numbers ``abs_ * exp(1j * angle)`` (not differentiable)."""
    r, t = _f(abs_).numpy(), _f(angle).numpy()
    return Tensor((r * np.exp(1j * t)).astype(np.complex64 if r.dtype != np.float64
                                              else np.complex128))


@keras_op
def dot_product_attention(query, key, value, bias=None, mask=None, scale=None,
                          is_causal=False, flash_attention=None, attn_logits_soft_cap=None):
    """Returns softmax(Q K^T * scale + bias, masked) V for (batch, seq, heads, dim) inputs;
    grouped key/value heads are repeated to the query heads."""
    q, k, v = _f(query), _f(key), _f(value)
    k, v = to_tensor(k, q.dtype.name), to_tensor(v, q.dtype.name)
    hq, hk = q.shape[-2], k.shape[-2]
    if hq != hk:
        k = tf.repeat(k, hq // hk, axis=-2)
        v = tf.repeat(v, hq // hk, axis=-2)
    s = _c(q, 1.0 / np.sqrt(q.shape[-1]) if scale is None else scale)
    if bias is None and attn_logits_soft_cap is None and q.dtype.name in FUSED_DTYPES \
            and len(q.shape) == len(k.shape) == len(v.shape) == 4:
        # One fused op (batched GEMMs, in-place softmax), the same maths as below.
        return attention_ops.dot_product_attention(
            q, k, v, mask=mask if mask is None else to_tensor(mask), scale=float(s),
            causal=is_causal)[0]
    logits = tf.einsum("btnh,bsnh->bnts", q, k) * s
    if attn_logits_soft_cap is not None:
        cap = _c(q, attn_logits_soft_cap)
        logits = tf.tanh(logits / cap) * cap
    if bias is not None:
        logits = logits + to_tensor(bias, q.dtype.name)
    keep = None
    if mask is not None:
        keep = to_tensor(mask)
        if not keep.dtype.is_bool:
            keep = tf.cast(keep, "bool")
    if is_causal:
        t, s_len = logits.shape[-2], logits.shape[-1]
        causal = Tensor(np.tril(np.ones((t, s_len), bool)))
        keep = causal if keep is None else tf.logical_and(keep, causal)
    if keep is not None:
        keep = tf.broadcast_to(keep, tf.shape(logits))
        logits = tf.where(keep, logits, tf.fill(tf.shape(logits), _c(q, -1e9 if
                                                                     q.dtype.name != "float16"
                                                                     else -6e4)))
    m = tf.stop_gradient(tf.reduce_max(logits, axis=-1, keepdims=True))
    e = tf.exp(logits - m)
    w = e / tf.reduce_sum(e, axis=-1, keepdims=True)
    return tf.einsum("bnts,bsnh->btnh", w, v)


@keras_op
def depth_to_space(x, block_size, data_format="channels_last"):
    """Returns x with channel blocks moved into ``block_size`` x ``block_size`` pixels."""
    x = to_tensor(x)
    b = block_size
    if data_format == "channels_first":
        x = tf.transpose(x, [0, 2, 3, 1])
    n, h, w, c = x.shape
    y = tf.reshape(x, [-1, h, w, b, b, c // (b * b)])
    y = tf.transpose(y, [0, 1, 3, 2, 4, 5])
    y = tf.reshape(y, [-1, h * b, w * b, c // (b * b)])
    return tf.transpose(y, [0, 3, 1, 2]) if data_format == "channels_first" else y


@keras_op
def space_to_depth(x, block_size, data_format="channels_last"):
    """Returns x with ``block_size`` x ``block_size`` pixel blocks moved into channels."""
    x = to_tensor(x)
    b = block_size
    if data_format == "channels_first":
        x = tf.transpose(x, [0, 2, 3, 1])
    n, h, w, c = x.shape
    y = tf.reshape(x, [-1, h // b, b, w // b, b, c])
    y = tf.transpose(y, [0, 1, 3, 2, 4, 5])
    y = tf.reshape(y, [-1, h // b, w // b, b * b * c])
    return tf.transpose(y, [0, 3, 1, 2]) if data_format == "channels_first" else y


def _pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


def _unfold_index(h, w, k, d, p, s):
    """Flat indices (into the padded image) of each patch element: (k0*k1, L)."""
    hp, wp = h + 2 * p[0], w + 2 * p[1]
    oh = (hp - d[0] * (k[0] - 1) - 1) // s[0] + 1
    ow = (wp - d[1] * (k[1] - 1) - 1) // s[1] + 1
    ki, kj = np.meshgrid(np.arange(k[0]) * d[0], np.arange(k[1]) * d[1], indexing="ij")
    oi, oj = np.meshgrid(np.arange(oh) * s[0], np.arange(ow) * s[1], indexing="ij")
    rows = ki.reshape(-1, 1) + oi.reshape(1, -1)
    cols = kj.reshape(-1, 1) + oj.reshape(1, -1)
    return (rows * wp + cols).astype(np.int32), hp, wp


@keras_op
def unfold(x, kernel_size, dilation=1, padding=0, stride=1):
    """Returns the sliding patches of an (N, C, H, W) x as (N, C*kh*kw, L)."""
    x = to_tensor(x)
    k, d, p, s = _pair(kernel_size), _pair(dilation), _pair(padding), _pair(stride)
    n, c, h, w = x.shape
    idx, hp, wp = _unfold_index(h, w, k, d, p, s)
    xp = tf.pad(x, [[0, 0], [0, 0], [p[0], p[0]], [p[1], p[1]]])
    flat = tf.reshape(xp, [-1, c, hp * wp])
    patches = tf.gather(flat, idx, axis=2)   # (N, C, k0*k1, L)
    return tf.reshape(patches, [-1, c * k[0] * k[1], idx.shape[1]])


@keras_op
def fold(x, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """Returns (N, C, H, W) made by summing the (N, C*kh*kw, L) patches back in place."""
    x = to_tensor(x)
    k, d, p, s = _pair(kernel_size), _pair(dilation), _pair(padding), _pair(stride)
    h, w = _pair(output_size)
    n, ckk, length = x.shape
    c = ckk // (k[0] * k[1])
    idx, hp, wp = _unfold_index(h, w, k, d, p, s)
    y = tf.transpose(tf.reshape(x, [-1, c, k[0] * k[1] * length]), [2, 0, 1])
    out = tf.scatter_nd(idx.reshape(-1, 1), y, [hp * wp, n, c])
    out = tf.reshape(tf.transpose(out, [1, 2, 0]), [-1, c, hp, wp])
    return out[:, :, p[0]:p[0] + h, p[1]:p[1] + w]


from tapeflow.keras.ops.ctc import ctc_decode, ctc_loss  # noqa: E402,F401

__all__ = ["one_hot", "multi_hot", "binary_crossentropy", "categorical_crossentropy",
           "sparse_categorical_crossentropy", "moments", "batch_normalization",
           "layer_normalization", "rms_normalization", "normalize", "psnr", "polar",
           "dot_product_attention", "depth_to_space", "space_to_depth", "unfold", "fold",
           "ctc_loss", "ctc_decode"]
