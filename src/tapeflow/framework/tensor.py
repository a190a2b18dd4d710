"""``tf.Tensor``: an immutable array with a dtype, and TensorFlow's conversion rules.

Operator methods (``__add__``, ``__getitem__`` ...) are attached by the op
modules when they are imported (see ``tapeflow.ops``), so that every operator
goes through the op mechanism and is recorded on tapes.
"""
import numpy as np

from tapeflow.framework import dtypes
from tapeflow.framework.errors import InvalidArgumentError
from tapeflow.framework.tensor_shape import TensorShape

_from_numpy = dtypes._BY_NP.get


_new_shape = object.__new__


class Tensor:
    """An immutable multidimensional array (TensorFlow's eager tensor).

    Holds a NumPy array (or NumPy scalar for 0-d tensors). Create one with
    ``tf.constant`` or ``tf.convert_to_tensor``.
    """

    __slots__ = ("_value", "__weakref__")
    __array_priority__ = 100

    def __init__(self, value):
        self._value = value

    # -- properties -------------------------------------------------------
    @property
    def dtype(self):
        """Returns the tensor's ``DType``."""
        d = _from_numpy(self._value.dtype)
        return d if d is not None else dtypes.as_dtype(self._value.dtype)

    @property
    def shape(self):
        """Returns the tensor's ``TensorShape`` (cheap: fine on hot paths)."""
        s = _new_shape(TensorShape)
        s._dims = self._value.shape    # NumPy's shape is already a tuple of ints
        return s

    def get_shape(self):
        """Returns the tensor's ``TensorShape`` (alias of ``.shape``)."""
        return self.shape

    @property
    def ndim(self):
        """Returns the number of dimensions."""
        return self._value.ndim

    @property
    def name(self):
        raise AttributeError("Tensor.name is undefined when eager execution is enabled.")

    @property
    def device(self):
        """Returns the device string of the tensor (always the CPU here)."""
        return "/job:localhost/replica:0/task:0/device:CPU:0"

    def numpy(self):
        """Returns the value as a NumPy array (a NumPy scalar for 0-d tensors)."""
        v = self._value
        if isinstance(v, np.ndarray):
            if v.ndim == 0:
                return v[()]
            return v.copy()
        return v

    def __array__(self, dtype=None, copy=None):
        v = np.asarray(self._value)
        if dtype is not None and v.dtype != dtype:
            return v.astype(dtype)
        if copy:
            return v.copy()
        return v

    # -- python protocol --------------------------------------------------
    def __len__(self):
        if self._value.ndim == 0:
            raise TypeError("Scalar tensor has no `len()`")
        return len(self._value)

    def __iter__(self):
        if self._value.ndim == 0:
            raise TypeError("Cannot iterate over a scalar tensor.")
        from tapeflow.framework.primitive import ENGINE
        return iter(ENGINE.unstack(self))

    def __bool__(self):
        if self._value.size != 1 or self._value.ndim != 0:
            if self._value.size == 1:
                return bool(self._value.reshape(()))
            raise ValueError("The truth value of an array with more than one element is "
                             "ambiguous. Use a.any() or a.all()")
        return bool(self._value)

    def __float__(self):
        return float(_scalar_of(self._value))

    def __int__(self):
        return int(_scalar_of(self._value))

    def __index__(self):
        if self._value.dtype.kind not in "iu" or self._value.ndim != 0:
            raise TypeError("Only integer scalar tensors can be converted to an index")
        return int(self._value)

    def __complex__(self):
        return complex(self._value)

    def __format__(self, format_spec):
        v = self._value
        if v.ndim == 0 and format_spec:
            return format(v.item(), format_spec)
        return format(np.asarray(v).__str__() if not format_spec else v, format_spec)

    def __hash__(self):
        raise TypeError("Tensor is unhashable. Instead, use tensor.ref() as the key.")

    def ref(self):
        """Returns a hashable reference object to this tensor."""
        return _Reference(self)

    def __setitem__(self, key, value):
        raise TypeError("'Tensor' object does not support item assignment")

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self

    def __reduce__(self):
        from tapeflow.framework.primitive import ENGINE
        return ENGINE.constant, (self.numpy(),)

    def __str__(self):
        return "tf.Tensor(%s, shape=%s, dtype=%s)" % (
            _numpy_text(self._value, False), self.shape, self.dtype.name)

    def __repr__(self):
        return "<tf.Tensor: shape=%s, dtype=%s, numpy=%s>" % (
            self.shape, self.dtype.name, _numpy_text(self._value, True))

    # Set by the op modules:  __add__, __radd__, ..., __getitem__, __eq__ ...
    # eval-style helpers
    def set_shape(self, shape):
        """Checks that ``shape`` is compatible with the tensor's shape.

        Raises:
          ValueError: if the shapes are incompatible.
        """
        if not self.shape.is_compatible_with(shape):
            raise ValueError(f"Tensor's shape {self.shape} is not compatible with supplied "
                             f"shape {TensorShape(shape)}.")


# ``t.array``: the public read of the NumPy array behind a Tensor, for the layers above the
# engine (Keras's layers, losses and metrics, on their hot paths). It is the same slot as
# the engine's own field, read at the same C speed (a property or a function would add a
# call to every Layer call). No copy: never write into the array, never assign ``t.array``.
Tensor.array = Tensor.__dict__["_value"]


def _scalar_of(v):
    """Returns the single element of a one-element array (TypeError otherwise, like NumPy)."""
    if v.ndim == 0:
        return v
    if v.size != 1:
        raise TypeError("only length-1 arrays can be converted to Python scalars")
    return v.reshape(())


class _Reference:
    __slots__ = ("_t",)

    def __init__(self, t):
        self._t = t

    def deref(self):
        """Returns the referenced tensor."""
        return self._t

    def __hash__(self):
        return id(self._t)

    def __eq__(self, other):
        return isinstance(other, _Reference) and other._t is self._t


def _numpy_text(value, is_repr):
    """The text of a value inside a tensor's str/repr (TensorFlow's rules)."""
    if value.ndim == 0:
        item = np.asarray(value)[()]
        if is_repr:
            text = repr(item.item()) if value.dtype.kind != "O" else repr(item)
        else:
            text = str(item)
    else:
        arr = np.asarray(value)
        text = repr(arr) if is_repr else str(arr)
    if "\n" in text:
        text = "\n" + text
    return text


# -- conversion ---------------------------------------------------------------

def _infer_array(value):
    """Converts a Python value to an array with TensorFlow's default dtypes."""
    t = type(value)
    if t is float:
        return np.float32(value)
    if t is bool:
        return np.bool_(value)
    if t is int:
        if -2**31 <= value < 2**31:
            return np.int32(value)
        if -2**63 <= value < 2**63:
            return np.int64(value)
        raise ValueError(_OUT_OF_RANGE)
    if t is str or t is bytes:
        return _bytes_array(value)
    try:
        arr = np.asarray(value)
    except ValueError as e:
        if "with a sequence" not in str(e):   # not NumPy's ragged-list error: keep it
            raise
        raise ValueError(_RAGGED) from None
    k = arr.dtype.kind
    if k == "U" and not isinstance(value, np.ndarray) and not _all_strings(value):
        raise ValueError("Can't convert Python sequence with mixed types to Tensor.")
    if k == "f" and arr.dtype == np.float64 and not _has_numpy_float64(value):
        return arr.astype(np.float32)
    if k == "i" and arr.dtype == np.int64 and not _has_numpy_int64(value):
        if arr.size == 0 or (arr.min() >= -2**31 and arr.max() < 2**31):
            return arr.astype(np.int32)
    if k in "US":
        return _bytes_array(arr if isinstance(value, np.ndarray) else value)
    if k == "O":
        if _all_ints(arr):
            raise ValueError(_OUT_OF_RANGE)
        raise ValueError(f"Attempt to convert a value ({value!r}) with an unsupported type "
                         f"({type(value)}) to a Tensor.")
    return arr


_OUT_OF_RANGE = "Can't convert Python sequence with out-of-range integer to Tensor."
_RAGGED = "Can't convert non-rectangular Python sequence to Tensor."


def _all_strings(value):
    """True if a (nested) Python sequence holds strings alone (not ``[1, "a"]``)."""
    flat = np.asarray(value, dtype=object).reshape(-1)
    return all(isinstance(v, (str, bytes)) for v in flat)


def _all_ints(arr):
    """True if an object array holds Python ints only (too large for int64)."""
    flat = arr.reshape(-1)
    return flat.size > 0 and all(type(v) is int for v in flat)


def _bytes_array(value):
    """Returns an object array of ``bytes``: TensorFlow's strings are bytes (UTF-8)."""
    if type(value) is str:
        return np.array(value.encode("utf-8"), dtype=object)
    if type(value) is bytes:
        return np.array(value, dtype=object)
    arr = np.asarray(value)
    if arr.dtype.kind == "U" and isinstance(value, np.ndarray):
        return np.char.encode(arr, "utf-8").astype(object)
    if arr.dtype.kind == "S" and isinstance(value, np.ndarray):
        return arr.astype(object)
    if arr.dtype.kind in "US":   # lists: NumPy's S/U dtypes would drop trailing NUL bytes
        arr = np.array(value, dtype=object)
    out = np.empty(arr.shape, dtype=object)
    out.reshape(-1)[:] = [v.encode("utf-8") if isinstance(v, str) else v
                          for v in arr.reshape(-1)]
    return out


def _has_numpy_float64(value):
    """True if a nested list holds a float64 array, tensor or NumPy scalar."""
    if isinstance(value, (list, tuple)):
        return any(_has_numpy_float64(v) for v in value[:8]) if value else False
    return getattr(value, "dtype", None) in (np.float64, dtypes.float64)


def _has_numpy_int64(value):
    if isinstance(value, (list, tuple)):
        return any(_has_numpy_int64(v) for v in value[:8]) if value else False
    return getattr(value, "dtype", None) in (np.int64, dtypes.int64)


def _cast_python_value(value, dtype):
    """Converts a Python value to ``dtype``, refusing lossy float-to-int conversion."""
    npd = dtype._np
    try:
        arr = np.asarray(value)
    except ValueError as e:
        if "with a sequence" not in str(e):   # not NumPy's ragged-list error: keep it
            raise
        raise ValueError(_RAGGED) from None
    k = arr.dtype.kind
    if dtype is dtypes.string:
        if k not in "USO" or not _all_strings(value):
            raise TypeError(f"Cannot convert {value!r} to EagerTensor of dtype {dtype.name}")
        return _bytes_array(value)
    if (k == "O" and _all_ints(arr)) or (arr.dtype == np.uint64 and npd != np.uint64):
        raise ValueError(_OUT_OF_RANGE)
    # TensorFlow refuses every Python float for an integer or bool dtype (even 3.0), ints
    # for bool, complex for real and strings for numbers; integers out of range wrap.
    if k in "OUS" or (arr.size and ((k in "fc" and npd.kind in "iub") or (
            k == "c" and npd.kind == "f") or (k != "b" and npd.kind == "b"))):
        raise TypeError(f"Cannot convert {value!r} to EagerTensor of dtype {dtype.name}")
    return arr.astype(npd)


def convert_to_tensor(value, dtype=None, dtype_hint=None, name=None):
    """Converts a Python value, NumPy array, Tensor or Variable to a Tensor.

    Python floats become float32 and Python ints int32 (int64 when too large);
    NumPy arrays keep their dtype. With ``dtype`` the value is converted to it.

    Returns:
      A ``Tensor``.

    Raises:
      TypeError: if a Python value cannot be represented in ``dtype``.
      ValueError: if a Tensor of another dtype is given with ``dtype``.
    """
    if type(value) is Tensor or isinstance(value, Tensor):
        if dtype is not None:
            dtype = dtypes.as_dtype(dtype)
            if _from_numpy(value._value.dtype) is not dtype:
                raise ValueError(
                    f"Tensor conversion requested dtype {dtype.name} for Tensor with dtype "
                    f"{value.dtype.name}: {value!r}")
        return value
    hook = getattr(type(value), "__tf_tensor__", None)
    if hook is not None:
        return hook(value, dtype, name)
    if dtype is not None:
        dtype = dtypes.as_dtype(dtype)
        if isinstance(value, (np.ndarray, np.generic)):
            # NumPy values are cast as NumPy casts them (TensorFlow: 1.5 -> int32 1)
            if dtype is dtypes.string:
                return Tensor(_bytes_array(value))
            if value.dtype.kind == "c" and dtype._np.kind != "c":
                value = value.real   # TensorFlow drops the imaginary part too
            with np.errstate(invalid="ignore", over="ignore"):
                return Tensor(np.asarray(value).astype(dtype._np))
        if isinstance(value, (list, tuple)) and _contains_tensor(value):
            arr = _infer_array(value)
            if _from_numpy(arr.dtype) is not dtype:
                raise InvalidArgumentError(
                    None, "Pack", f"cannot convert a list of {_from_numpy(arr.dtype).name} "
                    f"tensors to dtype {dtype.name}")
            return Tensor(arr)
        return Tensor(_cast_python_value(value, dtype))
    if dtype_hint is not None and not isinstance(value, (np.ndarray, np.generic)):
        try:
            return convert_to_tensor(value, dtype_hint)
        except (TypeError, ValueError):
            pass
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "US":
            return Tensor(_bytes_array(value))
        return Tensor(value)
    if isinstance(value, np.generic):
        return Tensor(np.asarray(value))
    return Tensor(_infer_array(value))


def _contains_tensor(value):
    for v in value:
        if isinstance(v, (list, tuple)):
            if _contains_tensor(v):
                return True
        elif isinstance(v, Tensor) or hasattr(type(v), "__tf_tensor__"):
            return True
    return False


def is_tensor(x):
    """Returns True if ``x`` is a Tensor, a Variable or another tensor-like type."""
    return isinstance(x, Tensor) or hasattr(type(x), "__tf_tensor__")
