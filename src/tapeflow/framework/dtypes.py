"""Dtype objects (``tf.float32`` ...) and ``tf.as_dtype``."""
import builtins

import numpy as np


class DType:
    """A TensorFlow data type: a name plus the NumPy dtype that stores it."""

    __slots__ = ("_name", "_np", "_code")

    def __init__(self, name, np_dtype):
        self._name = name
        self._np = np.dtype(np_dtype) if np_dtype is not None else None

    @property
    def name(self):
        """Returns the dtype's name, such as ``'float32'``."""
        return self._name

    @property
    def as_numpy_dtype(self):
        """Returns the NumPy scalar type (``numpy.float32`` ...)."""
        return self._np.type if self._np is not None else object

    @property
    def base_dtype(self):
        """Returns this dtype (reference dtypes do not exist here)."""
        return self

    @property
    def real_dtype(self):
        """Returns the real dtype of a complex dtype, else this dtype."""
        if self._name == "complex64":
            return float32
        if self._name == "complex128":
            return float64
        return self

    @property
    def is_floating(self):
        """Returns True for float16/bfloat16/float32/float64."""
        return self._np is not None and self._np.kind == "f"

    @property
    def is_integer(self):
        """Returns True for the signed and unsigned integer dtypes."""
        return self._np is not None and self._np.kind in "iu"

    @property
    def is_unsigned(self):
        """Returns True for the unsigned integer dtypes (not bool, as in TensorFlow)."""
        return self._np is not None and self._np.kind == "u"

    @property
    def is_quantized(self):
        """Returns False: quantized dtypes do not exist here."""
        return False

    @property
    def is_bool(self):
        """Returns True for ``tf.bool``."""
        return self._name == "bool"

    @property
    def is_complex(self):
        """Returns True for complex64/complex128."""
        return self._np is not None and self._np.kind == "c"

    @property
    def is_numpy_compatible(self):
        """Returns True: every dtype here maps to a NumPy dtype."""
        return True

    @property
    def size(self):
        """Returns the number of bytes of one element."""
        return self._np.itemsize

    @property
    def min(self):
        """Returns the smallest value of this dtype."""
        if self.is_floating:
            return np.finfo(self._np).min   # a NumPy scalar of the dtype, as TensorFlow
        if self.is_integer:
            return int(np.iinfo(self._np).min)
        raise TypeError(f"Cannot find minimum value of {self} with type {self}.")

    @property
    def max(self):
        """Returns the largest value of this dtype."""
        if self.is_floating:
            return np.finfo(self._np).max
        if self.is_integer:
            return int(np.iinfo(self._np).max)
        raise TypeError(f"Cannot find maximum value of {self} with type {self}.")

    def is_compatible_with(self, other):
        """Returns True if ``other`` names the same dtype."""
        try:
            return as_dtype(other) is self
        except TypeError:
            return False

    def __eq__(self, other):
        if other is self:
            return True
        if other is None:
            return False
        try:
            return as_dtype(other) is self
        except (TypeError, ValueError):
            return False

    def __ne__(self, other):
        return not self.__eq__(other)

    def __hash__(self):
        return hash(self._name)

    def __repr__(self):
        return "tf." + self._name

    def __str__(self):
        return "<dtype: '%s'>" % self._name

    def __reduce__(self):
        return as_dtype, (self._name,)


float16 = DType("float16", np.float16)
half = float16
float32 = DType("float32", np.float32)
float64 = DType("float64", np.float64)
double = float64
int8 = DType("int8", np.int8)
int16 = DType("int16", np.int16)
int32 = DType("int32", np.int32)
int64 = DType("int64", np.int64)
uint8 = DType("uint8", np.uint8)
uint16 = DType("uint16", np.uint16)
uint32 = DType("uint32", np.uint32)
uint64 = DType("uint64", np.uint64)
bool = DType("bool", np.bool_)  # noqa: A001  (TensorFlow's name)
complex64 = DType("complex64", np.complex64)
complex128 = DType("complex128", np.complex128)
string = DType("string", np.object_)

_ALL = [float16, float32, float64, int8, int16, int32, int64, uint8, uint16, uint32,
        uint64, bool, complex64, complex128, string]
_BY_NAME = {d.name: d for d in _ALL}
_BY_NAME.update({"half": float16, "float": float32, "double": float64})
_BY_NP = {d._np: d for d in _ALL}
_BY_NP[np.dtype("U")] = string
# Only these Python types name a dtype in TensorFlow (``as_dtype(int)`` raises).
_PY = {builtins.float: float32, builtins.bool: bool, builtins.object: string}
_NOT_DTYPES = (builtins.int, builtins.complex, builtins.str, builtins.bytes)


def as_dtype(type_value):
    """Converts a name, NumPy dtype, Python type or DType into a DType.

    Returns:
      The matching ``DType``.

    Raises:
      TypeError: if ``type_value`` names no known dtype.
    """
    if type(type_value) is DType:
        return type_value
    if isinstance(type_value, str):
        d = _BY_NAME.get(type_value)
        if d is not None:
            return d
        raise _not_a_dtype(type_value)
    if type(type_value) is type:  # by identity: np.dtype("int64") == int is True
        d = _PY.get(type_value)
        if d is not None:
            return d
        if type_value in _NOT_DTYPES:
            raise _not_a_dtype(type_value)
    if type_value is None:  # np.dtype(None) would be float64
        raise _not_a_dtype(type_value)
    dtype_attr = getattr(type_value, "dtype", None)
    if isinstance(dtype_attr, DType):
        return dtype_attr
    try:
        npd = np.dtype(type_value)
    except TypeError:
        raise _not_a_dtype(type_value) from None
    d = _BY_NP.get(npd)
    if d is None:
        if npd.kind in "US":
            return string
        raise _not_a_dtype(type_value)
    return d


def _not_a_dtype(value):
    return TypeError(f"Cannot convert the argument `type_value`: {value!r} to a TensorFlow "
                     f"DType.")


def from_numpy(np_dtype):
    """Returns the DType for a NumPy dtype object (fast path, no validation)."""
    d = _BY_NP.get(np_dtype)
    if d is None:
        return as_dtype(np_dtype)
    return d


__all__ = ["DType", "as_dtype", "float16", "half", "float32", "float64", "double", "int8",
           "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "bool",
           "complex64", "complex128", "string"]
