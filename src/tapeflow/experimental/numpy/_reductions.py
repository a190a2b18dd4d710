"""Reductions, scans, sorting and searching of ``tf.experimental.numpy``.

Dtypes follow NumPy: ``sum``/``prod``/``cumsum``/``cumprod`` of bools and small integers
accumulate in int64 (uint64 for unsigned), ``mean``/``std``/``var``/``average`` of integers
give float64; ``argmax``/``argsort`` give int64 indices.
"""
import numpy as np

import tapeflow as tf
from tapeflow.experimental.numpy import _dtypes as D
from tapeflow.experimental.numpy._core import asarray, promote


def _axis(axis):
    if axis is None or isinstance(axis, (int, np.integer)):
        return axis
    return [int(a) for a in axis]


def _accumulate_dtype(t, dtype):
    if dtype is not None:
        return D.tf_dtype(dtype)
    if t.dtype == tf.bool or (t.dtype.is_integer and t.dtype.size < 8):
        return tf.uint64 if t.dtype.is_unsigned else tf.int64
    return t.dtype


def _mean_dtype(t, dtype):
    if dtype is not None:
        return D.tf_dtype(dtype)
    return t.dtype if D.is_inexact(t.dtype) else D.default_float_type()


def _prep(a, dtype, rule):
    t = asarray(a)
    out = rule(t, dtype)
    return t if out == t.dtype else tf.cast(t, out)


def sum(a, axis=None, dtype=None, keepdims=None):  # noqa: A001
    """Returns the sum over ``axis`` (int64 for bool/int inputs, as NumPy)."""
    t = _prep(a, dtype, _accumulate_dtype)
    return tf.reduce_sum(t, _axis(axis), bool(keepdims))


def prod(a, axis=None, dtype=None, keepdims=None):
    """Returns the product over ``axis`` (int64 for bool/int inputs, as NumPy)."""
    t = _prep(a, dtype, _accumulate_dtype)
    return tf.reduce_prod(t, _axis(axis), bool(keepdims))


def mean(a, axis=None, dtype=None, out=None, keepdims=None):
    """Returns the mean over ``axis`` (float64 for integer inputs)."""
    if out is not None:
        raise ValueError("Setting out is not supported.")
    t = _prep(a, dtype, _mean_dtype)
    return tf.reduce_mean(t, _axis(axis), bool(keepdims))


def var(a, axis=None, dtype=None, out=None, ddof=0, keepdims=None):
    """Returns the variance over ``axis``, dividing by ``N - ddof``."""
    if out is not None:
        raise ValueError("Setting out is not supported.")
    t = _prep(a, dtype, _mean_dtype)
    centred = t - tf.reduce_mean(t, _axis(axis), True)
    if t.dtype.is_complex:
        sq = tf.math.real(centred * tf.math.conj(centred))
    else:
        sq = tf.square(centred)
    n = _count(t, axis)
    return tf.reduce_sum(sq, _axis(axis), bool(keepdims)) / tf.cast(n - ddof, sq.dtype)


def _count(t, axis):
    shape = t.shape.as_list()
    if axis is None:
        return int(np.prod(shape))
    axes = [axis] if isinstance(axis, (int, np.integer)) else list(axis)
    return int(np.prod([shape[a] for a in axes]))


def std(a, axis=None, keepdims=None):
    """Returns the standard deviation over ``axis``."""
    return tf.sqrt(var(a, axis=axis, keepdims=keepdims))


def _extreme(fn, name):
    def f(a, axis=None, out=None, keepdims=None):
        if out is not None:
            raise ValueError("Setting out is not supported.")
        t = asarray(a)
        if t.dtype == tf.bool:
            bool_fn = tf.reduce_any if name == "max" else tf.reduce_all
            return bool_fn(t, _axis(axis), bool(keepdims))
        return fn(t, _axis(axis), bool(keepdims))
    f.__doc__ = f"Returns the {name}imum over ``axis`` in the input's dtype."
    return f


amax = _extreme(tf.reduce_max, "max")
amin = _extreme(tf.reduce_min, "min")


def max(a, axis=None, keepdims=None):  # noqa: A001
    """Returns the maximum over ``axis`` in the input's dtype (``amax``)."""
    return amax(a, axis, keepdims=keepdims)


def min(a, axis=None, keepdims=None):  # noqa: A001
    """Returns the minimum over ``axis`` in the input's dtype (``amin``)."""
    return amin(a, axis, keepdims=keepdims)


def ptp(a, axis=None, keepdims=None):
    """Returns ``max - min`` over ``axis``."""
    return amax(a, axis, keepdims=keepdims) - amin(a, axis, keepdims=keepdims)


def average(a, axis=None, weights=None, returned=False):
    """Returns the (weighted) average over ``axis``; with ``returned``, also the weight sum."""
    if weights is None:
        t = asarray(a)
        avg = mean(t, axis)
        total = tf.cast(_count(t, axis), avg.dtype) + tf.zeros_like(avg)
    else:
        t, w = promote(a, weights)
        if not D.is_inexact(t.dtype):
            t, w = tf.cast(t, D.default_float_type()), tf.cast(w, D.default_float_type())
        if w.shape.rank != t.shape.rank:
            if axis is None or w.shape.rank != 1:
                raise ValueError("Axis must be specified when shapes of a and weights differ.")
            shape = [1] * t.shape.rank
            shape[axis] = -1
            w = tf.reshape(w, shape)
        total = tf.reduce_sum(w + tf.zeros_like(t), _axis(axis))
        avg = tf.reduce_sum(t * w, _axis(axis)) / total
    return (avg, total) if returned else avg


def _nan_to(a, value):
    t = asarray(a)
    if not D.is_inexact(t.dtype):
        return t
    return tf.where(tf.math.is_nan(t), tf.cast(value, t.dtype) + tf.zeros_like(t), t)


def nansum(a, axis=None, dtype=None, keepdims=False):
    """Returns the sum treating NaNs as zero."""
    return sum(_nan_to(a, 0), axis, dtype, keepdims)


def nanprod(a, axis=None, dtype=None, keepdims=False):
    """Returns the product treating NaNs as one."""
    return prod(_nan_to(a, 1), axis, dtype, keepdims)


def nanmean(a, axis=None, dtype=None, keepdims=None):
    """Returns the mean of the non-NaN elements."""
    t = _prep(a, dtype, _mean_dtype)
    if not D.is_inexact(t.dtype):
        return mean(t, axis, keepdims=keepdims)
    valid = tf.cast(tf.logical_not(tf.math.is_nan(t)), t.dtype)
    return tf.reduce_sum(_nan_to(t, 0), _axis(axis), bool(keepdims)) / \
        tf.reduce_sum(valid, _axis(axis), bool(keepdims))


def _scan_dtype(t, dtype):
    if dtype is not None:
        return D.tf_dtype(dtype)
    if t.dtype == tf.bool or (t.dtype.is_integer and t.dtype.size < 8) or t.dtype.is_unsigned:
        return tf.int64   # TensorFlow's scans accumulate unsigned ints in int64 too
    return t.dtype


def _scan(fn, doc):
    def f(a, axis=None, dtype=None):
        t = _prep(a, dtype, _scan_dtype)
        if axis is None:
            t, axis = tf.reshape(t, [-1]), 0
        return fn(t, axis=axis)
    f.__doc__ = doc
    return f


cumsum = _scan(tf.math.cumsum, "Returns the cumulative sum along ``axis`` (flattened if None).")
cumprod = _scan(tf.math.cumprod, "Returns the cumulative product along ``axis``.")


def all(a, axis=None, keepdims=None):  # noqa: A001
    """Returns whether all elements over ``axis`` are true (non-zero)."""
    return tf.reduce_all(tf.cast(asarray(a), tf.bool), _axis(axis), bool(keepdims))


def any(a, axis=None, keepdims=None):  # noqa: A001
    """Returns whether any element over ``axis`` is true (non-zero)."""
    return tf.reduce_any(tf.cast(asarray(a), tf.bool), _axis(axis), bool(keepdims))


def count_nonzero(a, axis=None):
    """Returns the number of non-zero elements over ``axis`` (int64)."""
    t = tf.cast(tf.cast(asarray(a), tf.bool), tf.int64)
    return tf.reduce_sum(t, _axis(axis))


def _arg(fn):
    def f(a, axis=None):
        t = asarray(a)
        if axis is None:
            t, axis = tf.reshape(t, [-1]), 0
        if t.dtype == tf.bool:
            t = tf.cast(t, tf.int8)
        return fn(t, axis=axis, output_type=tf.int64)
    return f


argmax = _arg(tf.argmax)
argmax.__doc__ = "Returns the int64 index of the first maximum along ``axis``."
argmin = _arg(tf.argmin)
argmin.__doc__ = "Returns the int64 index of the first minimum along ``axis``."


def sort(a, axis=-1, kind="quicksort", order=None):
    """Returns the values sorted ascending along ``axis`` (flattened if None)."""
    if order is not None:
        raise ValueError("'order' argument to sort is not supported.")
    t = asarray(a)
    if axis is None:
        t, axis = tf.reshape(t, [-1]), 0
    if t.dtype == tf.bool:
        return tf.cast(tf.sort(tf.cast(t, tf.int8), axis=axis), tf.bool)
    return tf.sort(t, axis=axis)


def argsort(a, axis=-1, kind="quicksort", order=None):
    """Returns the int64 indices that sort ``a`` along ``axis`` (stable)."""
    if order is not None:
        raise ValueError("'order' argument to sort is not supported.")
    t = asarray(a)
    if axis is None:
        t, axis = tf.reshape(t, [-1]), 0
    if t.dtype == tf.bool:
        t = tf.cast(t, tf.int8)
    return tf.cast(tf.argsort(t, axis=axis, stable=True), tf.int64)


def nonzero(a):
    """Returns a list, per dimension, of the int64 indices of the non-zero elements."""
    arr = asarray(a).numpy()
    return [tf.constant(i.astype(np.int64)) for i in np.nonzero(np.atleast_1d(arr))]


def where(condition, x=None, y=None):
    """Returns ``x`` where ``condition`` holds, else ``y``; with neither, ``nonzero(condition)``."""
    if x is None and y is None:
        return nonzero(condition)
    if x is None or y is None:
        raise ValueError("Both x and y must be ndarrays, or both must be None.")
    cond = tf.cast(asarray(condition), tf.bool)
    a, b = promote(x, y)
    shape = tf.broadcast_static_shape(
        tf.broadcast_static_shape(cond.shape, a.shape), b.shape).as_list()
    return tf.where(tf.broadcast_to(cond, shape), tf.broadcast_to(a, shape),
                    tf.broadcast_to(b, shape))


def isclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    """Returns where ``|a - b| <= atol + rtol * |b|`` (infinities equal only themselves)."""
    x, y = promote(a, b)
    if not D.is_inexact(x.dtype):
        x, y = tf.cast(x, D.default_float_type()), tf.cast(y, D.default_float_type())
    finite = tf.logical_and(tf.math.is_finite(x), tf.math.is_finite(y))
    x0, y0 = tf.where(finite, x, tf.zeros_like(x)), tf.where(finite, y, tf.zeros_like(y))
    close = tf.abs(x0 - y0) <= atol + rtol * tf.abs(y0)
    out = tf.where(finite, close, tf.equal(x, y))
    if equal_nan:
        out = tf.logical_or(out, tf.logical_and(tf.math.is_nan(x), tf.math.is_nan(y)))
    return out


def allclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    """Returns whether ``isclose`` holds everywhere, as a bool Tensor."""
    return tf.reduce_all(isclose(a, b, rtol, atol, equal_nan))


def array_equal(a1, a2):
    """Returns whether both have the same shape and elements, as a bool Tensor."""
    x, y = promote(a1, a2)
    if x.shape.as_list() != y.shape.as_list():
        return tf.constant(False)
    return tf.reduce_all(tf.equal(x, y))


def diff(a, n=1, axis=-1):
    """Returns the ``n``-th discrete difference along ``axis``."""
    t = asarray(a)
    if n < 0:
        raise ValueError(f"Argument `order` must be a non-negative integer. Received: n={n}")
    axis = axis % t.shape.rank
    for _ in range(n):
        hi = [slice(None)] * t.shape.rank
        lo = [slice(None)] * t.shape.rank
        hi[axis], lo[axis] = slice(1, None), slice(None, -1)
        t = tf.math.logical_xor(t[tuple(hi)], t[tuple(lo)]) if t.dtype == tf.bool \
            else t[tuple(hi)] - t[tuple(lo)]
    return t
