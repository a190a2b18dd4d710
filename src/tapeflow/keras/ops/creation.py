"""``keras.ops`` tensor creation: arange, linspace, eye, ones/zeros/full(_like), windows...

Created tensors are constants (no gradient). Default dtypes follow Keras 3: floats are
``floatx()``, integer ranges ``int32``.
"""
import numpy as np

import tapeflow as tf
from tapeflow.framework.tensor import Tensor
from tapeflow.keras import backend
from tapeflow.keras.ops.operation import keras_op
from tapeflow.keras.ops.promotion import dtype_of, result_type, to_tensor


def _std(dtype):
    return backend.floatx() if dtype is None else backend.standardize_dtype(dtype)


def _scalar(v):
    return v.numpy().item() if isinstance(v, Tensor) else v


def arange(start, stop=None, step=None, dtype=None):
    """Returns evenly spaced values in [start, stop) (int32 for integer arguments)."""
    start, stop, step = _scalar(start), _scalar(stop), _scalar(step)
    if stop is None:
        start, stop = 0, start
    if step is None:
        step = 1
    if dtype is None:
        kinds = [dtype_of(v) for v in (start, stop, step)]
        dtype = result_type(*kinds)
    return Tensor(np.arange(start, stop, step).astype(backend.standardize_dtype(dtype)))


def _lin(start, stop, num, endpoint, axis, dtype, fn):
    s = to_tensor(start).numpy()
    e = to_tensor(stop).numpy()
    out = fn(s, e, num, endpoint, axis)
    if dtype is None:
        dtype = result_type(dtype_of(start), dtype_of(stop), float)
    return out.astype(backend.standardize_dtype(dtype))


@keras_op
def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    """Returns ``num`` evenly spaced values from start to stop (and the step if asked)."""
    out = _lin(start, stop, num, endpoint, axis, dtype,
               lambda s, e, n, ep, ax: np.linspace(s, e, n, endpoint=ep, axis=ax))
    if retstep:
        step = (np.asarray(stop) - np.asarray(start)) / max(num - (1 if endpoint else 0), 1)
        return Tensor(out), Tensor(np.asarray(step, out.dtype))
    return Tensor(out)


@keras_op
def logspace(start, stop, num=50, endpoint=True, base=10, dtype=None, axis=0):
    """Returns ``num`` values spaced evenly on a log scale, base**start to base**stop."""
    return Tensor(_lin(start, stop, num, endpoint, axis, dtype,
                       lambda s, e, n, ep, ax: np.logspace(s, e, n, endpoint=ep, base=base,
                                                           axis=ax)))


@keras_op
def geomspace(start, stop, num=50, endpoint=True, dtype=None, axis=0):
    """Returns ``num`` values spaced evenly on a log scale from start to stop."""
    return Tensor(_lin(start, stop, num, endpoint, axis, dtype,
                       lambda s, e, n, ep, ax: np.geomspace(s, e, n, endpoint=ep, axis=ax)))


def eye(N, M=None, k=0, dtype=None):  # noqa: N803 (Keras's names)
    """Returns an N x M matrix with ones on the ``k``-th diagonal."""
    return Tensor(np.eye(int(N), None if M is None else int(M), int(k), dtype=_std(dtype)))


def identity(n, dtype=None):
    """Returns the n x n identity matrix."""
    return Tensor(np.eye(int(n), dtype=_std(dtype)))


def tri(N, M=None, k=0, dtype=None):  # noqa: N803 (Keras's names)
    """Returns an N x M matrix with ones at and below the ``k``-th diagonal."""
    return Tensor(np.tri(int(N), None if M is None else int(M), int(k), dtype=_std(dtype)))


def _shape(shape):
    if isinstance(shape, Tensor):
        return tuple(int(v) for v in shape.numpy().reshape(-1))
    if isinstance(shape, (int, np.integer)):
        return (int(shape),)
    return tuple(int(_scalar(v)) for v in shape)


def ones(shape, dtype=None):
    """Returns a tensor of ones."""
    return tf.ones(_shape(shape), _std(dtype))


def zeros(shape, dtype=None):
    """Returns a tensor of zeros."""
    return tf.zeros(_shape(shape), _std(dtype))


def empty(shape, dtype=None):
    """Returns a tensor of the shape (filled with zeros, as TensorFlow's backend does)."""
    return tf.zeros(_shape(shape), _std(dtype))


def full(shape, fill_value, dtype=None):
    """Returns a tensor of the shape filled with ``fill_value``."""
    v = to_tensor(fill_value, _std(dtype))
    return tf.broadcast_to(v, _shape(shape))


def _like_dtype(x, dtype):
    return backend.standardize_dtype(dtype) if dtype is not None else \
        to_tensor(x).dtype.name


@keras_op
def ones_like(x, dtype=None):
    """Returns ones shaped like x (x's dtype unless ``dtype``)."""
    return tf.ones(tuple(to_tensor(x).shape), _like_dtype(x, dtype))


@keras_op
def zeros_like(x, dtype=None):
    """Returns zeros shaped like x (x's dtype unless ``dtype``)."""
    return tf.zeros(tuple(to_tensor(x).shape), _like_dtype(x, dtype))


@keras_op
def empty_like(x, dtype=None):
    """Returns zeros shaped like x (x's dtype unless ``dtype``)."""
    return tf.zeros(tuple(to_tensor(x).shape), _like_dtype(x, dtype))


@keras_op
def full_like(x, fill_value, dtype=None):
    """Returns ``fill_value`` repeated in x's shape (x's dtype unless ``dtype``)."""
    d = _like_dtype(x, dtype)
    return tf.broadcast_to(to_tensor(fill_value, d), tuple(to_tensor(x).shape))


def _window(np_fn, name):
    def op(x):
        return Tensor(np_fn(int(_scalar(x))).astype(backend.floatx()))
    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"Returns the {name.capitalize()} window of ``x`` points (floatx)."
    return op


bartlett = _window(np.bartlett, "bartlett")
blackman = _window(np.blackman, "blackman")
hamming = _window(np.hamming, "hamming")
hanning = _window(np.hanning, "hanning")


def kaiser(x, beta):
    """Returns the Kaiser window of ``x`` points with shape parameter ``beta`` (floatx)."""
    return Tensor(np.kaiser(int(_scalar(x)), float(_scalar(beta))).astype(backend.floatx()))


@keras_op
def vander(x, N=None, increasing=False):  # noqa: N803 (Keras's name)
    """Returns the Vandermonde matrix of 1-D x (powers of x as columns)."""
    x = to_tensor(x)
    n = x.shape[0] if N is None else int(N)
    powers = np.arange(n)
    if not increasing:
        powers = powers[::-1]
    cols = [tf.ones_like(x) if p == 0 else x ** p if x.dtype.is_floating else
            tf.pow(x, tf.constant(p, x.dtype)) for p in powers]
    return tf.stack(cols, axis=1)


@keras_op
def array(x, dtype=None):
    """Returns x as a tensor (of ``dtype`` when given)."""
    return to_tensor(x, None if dtype is None else backend.standardize_dtype(dtype))


@keras_op
def copy(x):
    """Returns a copy of x."""
    return tf.identity(to_tensor(x))


@keras_op
def view(x, dtype=None):
    """Returns x's bytes reinterpreted as ``dtype``."""
    x = to_tensor(x)
    if dtype is None:
        return x
    return Tensor(x.numpy().view(np.dtype(backend.standardize_dtype(dtype))))
