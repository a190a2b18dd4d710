"""``keras.ops`` reductions and statistics: sum, mean, max, var, median, quantile, cumsum...

Differentiable ones run ``tf.reduce_*`` and friends; sorting-based statistics (median,
quantile) gather from ``tf.sort``, which has a gradient.
"""
import numpy as np

import tapeflow as tf
from tapeflow.framework.tensor import Tensor
from tapeflow.keras.keras_tensor import KerasTensor
from tapeflow.keras.ops.operation import keras_op, symbolic_op
from tapeflow.keras.ops.promotion import result_type, to_tensor


_F32 = tf.float32


def _axis(axis):
    if isinstance(axis, list):
        return tuple(axis)
    return axis


def _sum_dtype(d):
    if d in ("bool", "int8", "int16"):
        return "int32"
    if d in ("uint8", "uint16"):
        return "uint32"
    return d


def sum(x, axis=None, keepdims=False):  # noqa: A001 (Keras's name)
    """Returns the sum over ``axis`` (small integers and bools sum as int32)."""
    if type(x) is Tensor and x.dtype.is_floating:
        return tf.reduce_sum(x, axis=_axis(axis), keepdims=keepdims)
    if type(x) is KerasTensor:
        return symbolic_op("sum", (x,), {"axis": axis, "keepdims": keepdims})
    x = to_tensor(x)
    d = _sum_dtype(x.dtype.name)
    if d != x.dtype.name:
        x = tf.cast(x, d)
    return tf.reduce_sum(x, axis=_axis(axis), keepdims=keepdims)


@keras_op
def prod(x, axis=None, keepdims=False, dtype=None):
    """Returns the product over ``axis``."""
    x = to_tensor(x)
    d = dtype or _sum_dtype(x.dtype.name)
    if d != x.dtype.name:
        x = tf.cast(x, d)
    return tf.reduce_prod(x, axis=_axis(axis), keepdims=keepdims)


def _float(x):
    x = to_tensor(x)
    if x.dtype.is_floating:
        return x
    return tf.cast(x, result_type(x.dtype.name, float))


def mean(x, axis=None, keepdims=False):
    """Returns the mean over ``axis`` (integers average as ``floatx()``; float16 is summed
    in float32)."""
    if type(x) is Tensor and x.dtype is _F32:
        return tf.reduce_mean(x, axis=_axis(axis), keepdims=keepdims)
    if type(x) is KerasTensor:
        return symbolic_op("mean", (x,), {"axis": axis, "keepdims": keepdims})
    x = _float(x)
    if x.dtype.name == "float16":
        return tf.cast(tf.reduce_mean(tf.cast(x, "float32"), axis=_axis(axis),
                                      keepdims=keepdims), "float16")
    return tf.reduce_mean(x, axis=_axis(axis), keepdims=keepdims)


@keras_op
def var(x, axis=None, keepdims=False):
    """Returns the variance over ``axis``, as floats."""
    x = _float(x)
    return tf.math.reduce_variance(x, axis=_axis(axis), keepdims=keepdims)


@keras_op
def std(x, axis=None, keepdims=False):
    """Returns the standard deviation over ``axis``, as floats."""
    x = _float(x)
    return tf.math.reduce_std(x, axis=_axis(axis), keepdims=keepdims)


def _extreme(name, tf_fn):
    @keras_op
    def op(x, axis=None, keepdims=False, initial=None):
        x = to_tensor(x)
        if x.dtype.is_bool:   # bool max/min: any/all
            red = tf.reduce_any if "max" in name else tf.reduce_all
            return red(x, axis=_axis(axis), keepdims=keepdims)
        r = tf_fn(x, axis=_axis(axis), keepdims=keepdims)
        if initial is not None:
            other = tf.maximum if name in ("max", "amax") else tf.minimum
            r = other(r, to_tensor(initial, x.dtype.name))
        return r
    op.__wrapped__.__name__ = op.__name__ = op.__qualname__ = name
    op.__doc__ = f"Returns the {'largest' if 'max' in name else 'smallest'} value over axis."
    return op


max = _extreme("max", tf.reduce_max)  # noqa: A001 (Keras's name)
min = _extreme("min", tf.reduce_min)  # noqa: A001
amax = _extreme("amax", tf.reduce_max)
amin = _extreme("amin", tf.reduce_min)


@keras_op
def ptp(x, axis=None, keepdims=False):
    """Returns max - min over ``axis``."""
    x = to_tensor(x)
    return tf.reduce_max(x, axis=_axis(axis), keepdims=keepdims) - \
        tf.reduce_min(x, axis=_axis(axis), keepdims=keepdims)


@keras_op
def all(x, axis=None, keepdims=False):  # noqa: A001 (Keras's name)
    """Returns whether every element over ``axis`` is true (bool)."""
    x = to_tensor(x)
    if not x.dtype.is_bool:
        x = tf.not_equal(x, tf.zeros_like(x))
    return tf.reduce_all(x, axis=_axis(axis), keepdims=keepdims)


@keras_op
def any(x, axis=None, keepdims=False):  # noqa: A001 (Keras's name)
    """Returns whether some element over ``axis`` is true (bool)."""
    x = to_tensor(x)
    if not x.dtype.is_bool:
        x = tf.not_equal(x, tf.zeros_like(x))
    return tf.reduce_any(x, axis=_axis(axis), keepdims=keepdims)


@keras_op
def argmax(x, axis=None, keepdims=False):
    """Returns the index of the largest value over ``axis`` (int32; flattened when None)."""
    a = to_tensor(x).numpy()
    r = np.argmax(a, axis=axis, keepdims=keepdims)
    return Tensor(np.asarray(r, np.int32))


@keras_op
def argmin(x, axis=None, keepdims=False):
    """Returns the index of the smallest value over ``axis`` (int32; flattened when None)."""
    a = to_tensor(x).numpy()
    return Tensor(np.asarray(np.argmin(a, axis=axis, keepdims=keepdims), np.int32))


@keras_op
def nanargmax(x, axis=None, keepdims=False):
    """Returns the index of the largest non-NaN value over ``axis`` (int32)."""
    a = to_tensor(x).numpy()
    return Tensor(np.asarray(np.nanargmax(a, axis=axis, keepdims=keepdims), np.int32))


@keras_op
def nanargmin(x, axis=None, keepdims=False):
    """Returns the index of the smallest non-NaN value over ``axis`` (int32)."""
    a = to_tensor(x).numpy()
    return Tensor(np.asarray(np.nanargmin(a, axis=axis, keepdims=keepdims), np.int32))


@keras_op
def count_nonzero(x, axis=None):
    """Returns the number of non-zero values over ``axis`` (int32)."""
    a = to_tensor(x).numpy()
    return Tensor(np.asarray(np.count_nonzero(a, axis=_axis(axis)), np.int32))


def _cum(x, axis, dtype, tf_fn):
    x = to_tensor(x)
    d = dtype or ("int32" if x.dtype.is_bool else x.dtype.name)
    if d != x.dtype.name:
        x = tf.cast(x, d)
    if axis is None:
        x = tf.reshape(x, [-1])
        axis = 0
    return tf_fn(x, axis=axis)


@keras_op
def cumsum(x, axis=None, dtype=None):
    """Returns the running sum along ``axis`` (flattened when None)."""
    return _cum(x, axis, dtype, tf.math.cumsum)


@keras_op
def cumprod(x, axis=None, dtype=None):
    """Returns the running product along ``axis`` (flattened when None)."""
    return _cum(x, axis, dtype, tf.math.cumprod)


@keras_op
def average(x, axis=None, weights=None):
    """Returns the weighted mean over ``axis`` (``weights`` along that axis)."""
    if weights is None:
        return mean(x, axis=axis)
    x = to_tensor(x)
    w = to_tensor(weights)
    d = result_type(x.dtype.name, w.dtype.name, float)
    x, w = to_tensor(x, d), to_tensor(w, d)
    if axis is not None and w.shape.rank == 1 and x.shape.rank > 1:
        shape = [1] * x.shape.rank
        shape[axis] = -1
        w = tf.reshape(w, shape)
    w = tf.broadcast_to(w, tf.shape(x))
    return tf.reduce_sum(x * w, axis=axis) / tf.reduce_sum(w, axis=axis)


def _quantile(x, q, axis, method, keepdims):
    """Quantiles ``q`` in [0, 1] of ``x`` along ``axis``, gathered from ``tf.sort``."""
    x = _float(x)
    qs = np.asarray(q.numpy() if isinstance(q, Tensor) else q, dtype=np.float64)
    rank = len(x.shape)
    if axis is None:
        y = tf.reshape(x, [-1])
        ax = 0
    else:
        axes = sorted(a % rank for a in (axis if isinstance(axis, (tuple, list)) else (axis,)))
        keep = [i for i in range(rank) if i not in axes]
        y = tf.transpose(x, keep + axes)
        y = tf.reshape(y, [x.shape[i] for i in keep] + [-1])
        ax = len(keep)
    y = tf.sort(y, axis=-1) if ax == len(y.shape) - 1 else tf.sort(y, axis=ax)
    n = y.shape[-1]
    pos = qs * (n - 1)
    lo = np.floor(pos).astype(np.int32)
    hi = np.ceil(pos).astype(np.int32)
    if method == "lower":
        hi = lo
    elif method == "higher":
        lo = hi
    elif method == "nearest":
        lo = hi = np.round(pos).astype(np.int32)
    elif method == "midpoint":
        pass
    flat_lo = tf.gather(y, lo.reshape(-1), axis=-1)
    flat_hi = tf.gather(y, hi.reshape(-1), axis=-1)
    if method == "midpoint":
        frac = np.full(lo.shape, 0.5)
    elif method in ("lower", "higher", "nearest"):
        frac = np.zeros(lo.shape)
    else:
        frac = pos - lo
    frac = tf.constant(frac.reshape(-1).astype(x.dtype.as_numpy_dtype))
    out = flat_lo + (flat_hi - flat_lo) * frac   # (..., nq)
    out = tf.transpose(out, [len(out.shape) - 1] + list(range(len(out.shape) - 1)))
    out = tf.reshape(out, list(qs.shape) + list(out.shape[1:]))
    if keepdims:
        if axis is None:
            out = tf.reshape(out, list(qs.shape) + [1] * rank)
        else:
            shape = list(x.shape)
            for a in axes:
                shape[a] = 1
            out = tf.reshape(out, list(qs.shape) + shape)
    return out


@keras_op
def quantile(x, q, axis=None, method="linear", keepdims=False):
    """Returns the ``q``-th quantiles (q in [0, 1]) over ``axis``, as floats."""
    return _quantile(x, q, axis, method, keepdims)


@keras_op
def percentile(x, q, axis=None, method="linear", keepdims=False):
    """Returns the ``q``-th percentiles (q in [0, 100]) over ``axis``, as floats."""
    q = np.asarray(q.numpy() if isinstance(q, Tensor) else q, np.float64) / 100.0
    return _quantile(x, q, axis, method, keepdims)


@keras_op
def median(x, axis=None, keepdims=False):
    """Returns the median over ``axis``, as floats."""
    return _quantile(x, 0.5, axis, "linear", keepdims)


# -- NaN-ignoring reductions (NaNs masked out; gradients flow through the others) ---------

def _nan_masked(x, fill):
    x = to_tensor(x)
    if x.dtype.is_bool and fill in (np.inf, -np.inf):
        return x, None
    if not x.dtype.is_floating:
        return x, None
    nan = tf.math.is_nan(x)
    return tf.where(nan, tf.fill(tf.shape(x), x.dtype.as_numpy_dtype(fill)), x), nan


@keras_op
def nansum(x, axis=None, keepdims=False):
    """Returns the sum over ``axis`` treating NaN as 0."""
    return sum(_nan_masked(x, 0)[0], axis=axis, keepdims=keepdims)


@keras_op
def nanprod(x, axis=None, keepdims=False):
    """Returns the product over ``axis`` treating NaN as 1."""
    return prod(_nan_masked(x, 1)[0], axis=axis, keepdims=keepdims)


@keras_op
def nanmax(x, axis=None, keepdims=False):
    """Returns the largest non-NaN value over ``axis``."""
    y, nan = _nan_masked(x, -np.inf)
    if y.dtype.is_bool:
        return max(y, axis=axis, keepdims=keepdims)
    r = tf.reduce_max(y, axis=_axis(axis), keepdims=keepdims)
    return r if nan is None else _all_nan(r, nan, axis, keepdims)


@keras_op
def nanmin(x, axis=None, keepdims=False):
    """Returns the smallest non-NaN value over ``axis``."""
    y, nan = _nan_masked(x, np.inf)
    if y.dtype.is_bool:
        return min(y, axis=axis, keepdims=keepdims)
    r = tf.reduce_min(y, axis=_axis(axis), keepdims=keepdims)
    return r if nan is None else _all_nan(r, nan, axis, keepdims)


def _all_nan(r, nan, axis, keepdims):
    every = tf.reduce_all(nan, axis=_axis(axis), keepdims=keepdims)
    return tf.where(every, tf.fill(tf.shape(r), r.dtype.as_numpy_dtype(np.nan)), r)


def _count(nan, axis, keepdims, dtype):
    return tf.reduce_sum(tf.cast(tf.logical_not(nan), dtype), axis=_axis(axis),
                         keepdims=keepdims)


@keras_op
def nanmean(x, axis=None, keepdims=False):
    """Returns the mean over ``axis`` of the non-NaN values."""
    x = _float(x)
    y, nan = _nan_masked(x, 0)
    return tf.reduce_sum(y, axis=_axis(axis), keepdims=keepdims) / \
        _count(nan, axis, keepdims, x.dtype)


@keras_op
def nanvar(x, axis=None, keepdims=False):
    """Returns the variance over ``axis`` of the non-NaN values."""
    x = _float(x)
    y, nan = _nan_masked(x, 0)
    n = _count(nan, axis, True, x.dtype)
    m = tf.reduce_sum(y, axis=_axis(axis), keepdims=True) / n
    dev = tf.where(nan, tf.zeros_like(x), x - m)
    v = tf.reduce_sum(dev * dev, axis=_axis(axis), keepdims=True) / n
    if not keepdims:
        v = tf.squeeze(v, axis=_axis(axis)) if axis is not None else tf.reshape(v, [])
    return v


@keras_op
def nanstd(x, axis=None, keepdims=False):
    """Returns the standard deviation over ``axis`` of the non-NaN values."""
    return tf.sqrt(nanvar(x, axis=axis, keepdims=keepdims))


@keras_op
def nancumsum(x, axis=None, dtype=None):
    """Returns the running sum along ``axis`` treating NaN as 0."""
    return cumsum(_nan_masked(x, 0)[0], axis=axis, dtype=dtype)


@keras_op
def nancumprod(x, axis=None, dtype=None):
    """Returns the running product along ``axis`` treating NaN as 1."""
    return cumprod(_nan_masked(x, 1)[0], axis=axis, dtype=dtype)


@keras_op
def nanmedian(x, axis=None, keepdims=False):
    """Returns the median over ``axis`` of the non-NaN values (not differentiable)."""
    a = _float(x).numpy()
    return Tensor(np.asarray(np.nanmedian(a, axis=axis, keepdims=keepdims), a.dtype))


@keras_op
def nanquantile(x, q, axis=None, method="linear", keepdims=False):
    """Returns quantiles over ``axis`` of the non-NaN values (not differentiable)."""
    a = _float(x).numpy()
    return Tensor(np.asarray(np.nanquantile(a, q, axis=axis, method=method,
                                            keepdims=keepdims), a.dtype))


@keras_op
def nanpercentile(x, q, axis=None, method="linear", keepdims=False):
    """Returns percentiles over ``axis`` of the non-NaN values (not differentiable)."""
    a = _float(x).numpy()
    return Tensor(np.asarray(np.nanpercentile(a, q, axis=axis, method=method,
                                              keepdims=keepdims), a.dtype))


@keras_op
def trace(x, offset=0, axis1=0, axis2=1):
    """Returns the sum along a diagonal (small integers sum as int32)."""
    x = to_tensor(x)
    d = _sum_dtype(x.dtype.name)
    from tapeflow.keras.ops.arrays import diagonal
    return tf.reduce_sum(tf.cast(diagonal(x, offset, axis1, axis2), d), axis=-1)


