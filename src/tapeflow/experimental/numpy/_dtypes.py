"""Dtypes of ``tf.experimental.numpy``: NumPy's type objects and NumPy's promotion rules.

TensorFlow's NumPy API promotes as NumPy 2 does (``np.result_type`` on the operands' dtypes,
Python scalars taking part as "weak" values), with Python floats becoming float64 unless
``experimental_enable_numpy_behavior(prefer_float32=True)`` was called.
"""
import numbers

import numpy as np

from tapeflow.framework import dtypes as _tf_dtypes
from tapeflow.framework.tensor import Tensor
from tapeflow.framework.variable import Variable

bool_ = np.bool_
int_ = np.int64
float_ = np.float64
complex_ = np.complex128
string_ = np.bytes_
unicode_ = np.str_
object_ = np.object_
inexact = np.inexact
float16, float32, float64 = np.float16, np.float32, np.float64
int8, int16, int32, int64 = np.int8, np.int16, np.int32, np.int64
uint8, uint16, uint32, uint64 = np.uint8, np.uint16, np.uint32, np.uint64
complex64, complex128 = np.complex64, np.complex128

e = float(np.e)
pi = float(np.pi)
inf = float(np.inf)
newaxis = None

_STATE = {"prefer_float32": False}


def is_prefer_float32():
    """Returns whether Python floats become float32 (True) or float64 (False, NumPy's way)."""
    return _STATE["prefer_float32"]


def set_prefer_float32(value):
    """Sets whether Python floats become float32 in type inference."""
    _STATE["prefer_float32"] = bool(value)


def default_float_type():
    """Returns the float dtype ints are promoted to: float64, or float32 when preferred."""
    return _tf_dtypes.float32 if is_prefer_float32() else _tf_dtypes.float64


def _np_dtype(dtype):
    """Returns the ``np.dtype`` for a tf DType, NumPy type, Python type or string."""
    if isinstance(dtype, _tf_dtypes.DType):
        return np.dtype(dtype.as_numpy_dtype)
    if dtype is float and is_prefer_float32():
        return np.dtype(np.float32)
    return np.dtype(dtype)


def tf_dtype(dtype):
    """Returns the tf DType for any dtype-like (None stays None)."""
    if dtype is None or isinstance(dtype, _tf_dtypes.DType):
        return dtype
    return _tf_dtypes.as_dtype(_np_dtype(dtype))


def _operand(x):
    """What ``np.result_type`` should see for ``x``: a dtype, or a weak Python scalar."""
    if isinstance(x, (Tensor, Variable)):
        return np.dtype(x.dtype.as_numpy_dtype)
    if isinstance(x, _tf_dtypes.DType):
        return np.dtype(x.as_numpy_dtype)
    if isinstance(x, (np.ndarray, np.generic)):
        return x.dtype
    if isinstance(x, float) and is_prefer_float32():
        return np.float32(x)
    if isinstance(x, complex) and is_prefer_float32():
        return np.complex64(x)
    if isinstance(x, (bool, numbers.Number)):
        return x
    if isinstance(x, type) or isinstance(x, (str, np.dtype)):
        return _np_dtype(x)
    return x


def _flatten(items):
    out = []
    for x in items:
        if isinstance(x, (list, tuple)):
            out.extend(_flatten(x))
        else:
            out.append(x)
    return out


def result_type(*arrays_and_dtypes):
    """Returns the tf DType NumPy's promotion gives for the arrays, scalars and dtypes given.

    Lists are looked into: their Python scalars count as weak values, as in TensorFlow.
    """
    ops = [_operand(x) for x in _flatten(arrays_and_dtypes)]
    if not ops:
        ops = [np.asarray([]).dtype]
    return _tf_dtypes.as_dtype(np.result_type(*ops))


def promote_types(type1, type2):
    """Returns the ``np.dtype`` both types promote to (``np.promote_types``)."""
    return np.promote_types(_np_dtype(type1), _np_dtype(type2))


def finfo(dtype):
    """Returns ``np.finfo`` of a dtype (a tf DType is accepted)."""
    return np.finfo(_np_dtype(dtype))


def iinfo(int_type):
    """Returns ``np.iinfo`` of an integer dtype (a tf DType is accepted)."""
    return np.iinfo(_np_dtype(int_type))


def issubdtype(arg1, arg2):
    """Returns ``np.issubdtype(arg1, arg2)``; tf DTypes are accepted."""
    def norm(a):
        return np.dtype(a.as_numpy_dtype) if isinstance(a, _tf_dtypes.DType) else a
    return bool(np.issubdtype(norm(arg1), norm(arg2)))


def is_inexact(dtype):
    """True for floating and complex tf DTypes."""
    return dtype.is_floating or dtype.is_complex
