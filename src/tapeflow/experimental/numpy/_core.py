"""Conversion to tensors and array creation for ``tf.experimental.numpy``.

Every function returns a ``tf.Tensor`` (``tnp.ndarray`` is ``tf.Tensor``). Dtypes follow NumPy:
Python ints become int64 and floats float64 (float32 with ``prefer_float32``).
"""
import numpy as np

import tapeflow as tf
from tapeflow.framework.tensor import Tensor
from tapeflow.framework.variable import Variable
from tapeflow.experimental.numpy import _dtypes as D

ndarray = Tensor


def _is_tensor(x):
    return isinstance(x, (Tensor, Variable))


def asarray(a, dtype=None):
    """Returns ``a`` as a Tensor, cast to ``dtype`` if given (no copy when already one)."""
    dtype = D.tf_dtype(dtype)
    if isinstance(a, Variable):
        a = tf.identity(a)
    if isinstance(a, Tensor):
        return a if dtype is None or a.dtype == dtype else tf.cast(a, dtype)
    if isinstance(a, (list, tuple)) and _contains_tensor(a):
        t = tf.stack([asarray(x) for x in a]) if _same_dtypes(a) else \
            tf.stack([asarray(x, D.result_type(*a)) for x in a])
        return t if dtype is None or t.dtype == dtype else tf.cast(t, dtype)
    if dtype is not None:
        arr = np.asarray(a, dtype=D._np_dtype(dtype))
    else:
        arr = np.asarray(a)
        if arr.dtype == object:
            raise ValueError(f"Can't convert {type(a).__name__} of mixed or ragged content "
                             "to an ndarray")
        if D.is_prefer_float32() and not isinstance(a, (np.ndarray, np.generic)):
            if arr.dtype == np.float64:
                arr = arr.astype(np.float32)
            elif arr.dtype == np.complex128:
                arr = arr.astype(np.complex64)
    if arr.dtype.kind == "U":
        return tf.constant(np.char.encode(arr, "utf-8"))
    return tf.constant(arr)


def _contains_tensor(value):
    if isinstance(value, (list, tuple)):
        return any(_contains_tensor(v) for v in value)
    return _is_tensor(value)


def _same_dtypes(items):
    kinds = {x.dtype for x in items if _is_tensor(x)}
    return len(kinds) == 1 and all(_is_tensor(x) or isinstance(x, (list, tuple))
                                   for x in items)


def array(val, dtype=None, copy=True, ndmin=0):
    """Returns a Tensor of ``val`` with at least ``ndmin`` dimensions (leading ones added)."""
    t = asarray(val, dtype)
    if copy and t is val:
        t = tf.identity(t)
    if t.shape.rank < ndmin:
        t = tf.reshape(t, [1] * (ndmin - t.shape.rank) + t.shape.as_list())
    return t


def asanyarray(a, dtype=None):
    """Same as ``asarray``."""
    return asarray(a, dtype)


def ascontiguousarray(a, dtype=None):
    """Returns ``asarray(a, dtype)`` with at least one dimension."""
    return array(a, dtype, ndmin=1)


def copy(a):
    """Returns a copy of ``a`` as a Tensor."""
    return array(a, copy=True)


def promote(*args):
    """Returns the arguments as Tensors of their common NumPy-promoted dtype."""
    if len(args) == 2 and _is_tensor(args[0]) and _is_tensor(args[1]) \
            and args[0].dtype == args[1].dtype:
        return asarray(args[0]), asarray(args[1])
    dtype = D.result_type(*args)
    return tuple(asarray(a, dtype) for a in args)


def _shape(shape):
    if isinstance(shape, Tensor):
        shape = shape.numpy().tolist()
    if isinstance(shape, (int, np.integer)):
        return [int(shape)]
    return [int(s) for s in shape]


def _dtype_or_float(dtype):
    return D.default_float_type() if dtype is None or dtype is float else D.tf_dtype(dtype)


def zeros(shape, dtype=float):
    """Returns a Tensor of zeros (float64 unless ``dtype`` says otherwise)."""
    return tf.zeros(_shape(shape), _dtype_or_float(dtype))


def ones(shape, dtype=float):
    """Returns a Tensor of ones (float64 unless ``dtype`` says otherwise)."""
    return tf.ones(_shape(shape), _dtype_or_float(dtype))


def empty(shape, dtype=float):
    """Returns a Tensor of the shape (filled with zeros, as TensorFlow's)."""
    return zeros(shape, dtype)


def full(shape, fill_value, dtype=None):
    """Returns a Tensor of ``shape`` filled with ``fill_value`` (dtype NumPy infers from it)."""
    fill = asarray(fill_value, dtype)
    return tf.broadcast_to(fill, _shape(shape))


def _like(a, dtype, shape):
    t = asarray(a)
    dtype = D.tf_dtype(dtype) or t.dtype
    return t, dtype, (t.shape.as_list() if shape is None else _shape(shape))


def zeros_like(a, dtype=None):
    """Returns zeros with ``a``'s shape and dtype (or ``dtype``)."""
    t, dtype, shape = _like(a, dtype, None)
    return tf.zeros(shape, dtype)


def ones_like(a, dtype=None):
    """Returns ones with ``a``'s shape and dtype (or ``dtype``)."""
    t, dtype, shape = _like(a, dtype, None)
    return tf.ones(shape, dtype)


def empty_like(a, dtype=None):
    """Same as ``zeros_like``."""
    return zeros_like(a, dtype)


def full_like(a, fill_value, dtype=None, order="K", subok=True, shape=None):
    """Returns a Tensor like ``a`` (shape and dtype) filled with ``fill_value``."""
    t, dtype, shape = _like(a, dtype, shape)
    return tf.broadcast_to(asarray(fill_value, dtype), shape)


def arange(start, stop=None, step=1, dtype=None):
    """Returns evenly spaced values in ``[start, stop)`` (int64 for ints, float64 for floats)."""
    if step == 0:
        raise ValueError("step must be non-zero.")
    if stop is None:
        start, stop = 0, start
    vals = [v.numpy() if _is_tensor(v) else v for v in (start, stop, step)]
    dtype = D.tf_dtype(dtype) or D.result_type(*vals)
    arr = np.arange(*vals, dtype=np.float64 if dtype.is_floating else None)
    return tf.constant(arr.astype(dtype.as_numpy_dtype))


def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=float, axis=0):
    """Returns ``num`` evenly spaced values from ``start`` to ``stop``.

    As in TensorFlow, an integer ``dtype`` still gives float64 values.
    """
    if num < 0:
        raise ValueError(f"Number of samples {num} must be non-negative.")
    dtype = _dtype_or_float(dtype)
    if not D.is_inexact(dtype):
        dtype = D.default_float_type()
    start, stop = asarray(start, dtype), asarray(stop, dtype)
    div = (num - 1) if endpoint else num
    step = (stop - start) / max(div, 1)
    shape = [num] + [1] * start.shape.rank
    ramp = tf.reshape(tf.range(num, dtype=dtype), shape)
    out = start + ramp * step
    if endpoint and num > 1:
        out = tf.concat([out[:-1], tf.expand_dims(stop + tf.zeros_like(start), 0)], 0)
    if axis != 0:
        out = _moveaxis0(out, axis)
    if retstep:
        return out, step
    return out


def _moveaxis0(t, axis):
    rank = t.shape.rank
    axis = axis % rank
    perm = list(range(1, rank))
    perm.insert(axis, 0)
    return tf.transpose(t, perm)


def logspace(start, stop, num=50, endpoint=True, base=10.0, dtype=None, axis=0):
    """Returns ``base ** linspace(start, stop, num)``."""
    dtype = D.tf_dtype(dtype) or D.default_float_type()
    y = linspace(start, stop, num, endpoint, dtype=dtype, axis=axis)
    return tf.pow(tf.cast(base, y.dtype), y)


def geomspace(start, stop, num=50, endpoint=True, dtype=None, axis=0):
    """Returns ``num`` values spaced evenly on a log scale from ``start`` to ``stop``."""
    dtype = D.tf_dtype(dtype) or D.default_float_type()
    start, stop = asarray(start, dtype), asarray(stop, dtype)
    out = tf.exp(linspace(tf.math.log(start), tf.math.log(stop), num, endpoint, dtype=dtype))
    if num > 0:   # the ends are exact, as NumPy's
        pieces = [tf.expand_dims(start, 0), out[1:-1] if endpoint else out[1:]]
        if endpoint and num > 1:
            pieces.append(tf.expand_dims(stop, 0))
        out = tf.concat(pieces, 0)[:num]
    return _moveaxis0(out, axis) if axis != 0 else out


def eye(N, M=None, k=0, dtype=float):
    """Returns an ``N x M`` Tensor with ones on the ``k``-th diagonal."""
    M = N if M is None else M
    return tf.constant(np.eye(N, M, k, dtype=_dtype_or_float(dtype).as_numpy_dtype))


def identity(n, dtype=float):
    """Returns the ``n x n`` identity matrix."""
    return eye(n, dtype=dtype)


def tri(N, M=None, k=0, dtype=None):
    """Returns an ``N x M`` Tensor with ones at and below the ``k``-th diagonal."""
    M = N if M is None else M
    return tf.constant(np.tri(N, M, k, dtype=_dtype_or_float(dtype).as_numpy_dtype))
