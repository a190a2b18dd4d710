"""``tf.experimental.numpy.random``: NumPy's random functions, giving float64 Tensors.

The values come from tapeflow's own generator (``seed`` makes them repeatable); they are not
the numbers TensorFlow draws for the same seed.
"""
import numpy as np

import tapeflow as tf
from tapeflow.experimental.numpy import _dtypes as D

_STATE = {"rng": np.random.default_rng()}


def seed(s):
    """Seeds the generator behind these functions."""
    _STATE["rng"] = np.random.default_rng(int(s))


def _shape(size):
    if size is None:
        return ()
    return (int(size),) if isinstance(size, (int, np.integer)) else tuple(int(s) for s in size)


def _float(arr):
    return tf.constant(np.asarray(arr, D.default_float_type().as_numpy_dtype))


def rand(*size):
    """Returns uniform samples in [0, 1) of shape ``size``."""
    return _float(_STATE["rng"].random(_shape(size)))


def random(size=None):
    """Returns uniform samples in [0, 1)."""
    return _float(_STATE["rng"].random(_shape(size)))


def uniform(low=0.0, high=1.0, size=None):
    """Returns uniform samples in [low, high)."""
    return _float(_STATE["rng"].uniform(low, high, _shape(size)))


def randn(*args):
    """Returns standard normal samples of shape ``args``."""
    return _float(_STATE["rng"].standard_normal(_shape(args)))


def standard_normal(size=None):
    """Returns standard normal samples."""
    return _float(_STATE["rng"].standard_normal(_shape(size)))


def randint(low, high=None, size=None, dtype=np.int64):
    """Returns integers in [low, high) (or [0, low) when ``high`` is None)."""
    if high is None:
        low, high = 0, low
    dtype = D.tf_dtype(dtype)
    if not dtype.is_integer:
        raise ValueError(f"`dtype` must be an integer type. Received: dtype={dtype}")
    return tf.constant(_STATE["rng"].integers(low, high, _shape(size)).astype(
        dtype.as_numpy_dtype))


def poisson(lam=1.0, size=None):
    """Returns Poisson samples (int64)."""
    return tf.constant(_STATE["rng"].poisson(lam, _shape(size)).astype(np.int64))
