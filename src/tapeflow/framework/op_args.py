"""TensorFlow's conversion rules for an op's integer arguments (axes, shapes, sizes).

Argument normalisers of ``defop(..., args=...)`` declarations use these, so that a bad
``axis``/``shape``/``k`` is refused with TensorFlow's exception class and words.
"""
import numpy as np

from tapeflow.framework import dtypes as _dtypes
from tapeflow.framework.errors import InvalidArgumentError
from tapeflow.framework.op_def import _TF_NAMES, _traced_value
from tapeflow.framework.tensor import Tensor, convert_to_tensor

INDEX = ("int32", "int64")


def _shape_text(shape):
    return "[" + ",".join(map(str, shape)) + "]"


def index_arg(value, op_name, attr, *, allowed=INDEX, strict=False, rank=None, what=None,
              float_ok=False):
    """Returns an integer argument of an op (an axis, a shape, ``k``, ``depth``) as a NumPy
    int array, converted and refused as TensorFlow converts and refuses it.

    ``strict``: TensorFlow converts the value with ``dtype=int32`` (a Python float or string
    is a TypeError, a Tensor of another dtype a ValueError); otherwise its dtype is
    inferred (``1.5`` is float32) and checked against ``allowed`` (the op's attribute
    ``attr``: InvalidArgumentError). ``rank``: the rank the value must have (0 or 1), else
    InvalidArgumentError ``what`` followed by ``got shape [..]``. A Python float is a
    TypeError unless ``float_ok`` (then a float32 value refused by ``allowed``).
    """
    if type(value) is float and not float_ok:   # a Python float never becomes an index
        raise TypeError(f"Cannot convert {value!r} to EagerTensor of dtype int32")
    if value is None:
        raise ValueError("Attempt to convert a value (None) with an unsupported type "
                         "(<class 'NoneType'>) to a Tensor.")
    if isinstance(value, Tensor):
        arr = _traced_value(value)
        if strict and arr.dtype != np.int32:
            raise ValueError(f"Tensor conversion requested dtype int32 for Tensor with dtype "
                             f"{value.dtype.name}: {value!r}")
    else:
        if hasattr(type(value), "__tf_tensor__"):
            return index_arg(convert_to_tensor(value), op_name, attr, allowed=allowed,
                             strict=strict, rank=rank, what=what)
        if isinstance(value, (list, tuple)):
            value = [_traced_value(a) if isinstance(a, Tensor) else a for a in value]
        if isinstance(value, (np.ndarray, np.generic)):
            arr = np.asarray(value)
        else:
            try:
                arr = np.asarray(value)
            except ValueError:   # a ragged nested list
                raise ValueError(f"Can't convert non-rectangular Python sequence to "
                                 f"Tensor.") from None
            if arr.dtype == np.float64:
                arr = arr.astype(np.float32)
            elif arr.dtype.kind in "iu":
                arr = arr.astype(np.int32 if arr.size == 0 or (
                    arr.min() >= -2**31 and arr.max() < 2**31) else np.int64)
            elif arr.dtype.kind == "U":
                arr = arr.astype(object)
            if strict and arr.dtype.kind not in "iu" and arr.size:
                raise TypeError(f"Cannot convert {value!r} to EagerTensor of dtype int32")
            if isinstance(value, (list, tuple)) and arr.size == 0:
                arr = arr.astype(np.int32)
    if arr.dtype.name not in allowed:
        d = _dtypes._BY_NP.get(arr.dtype)
        kind = "string" if arr.dtype.kind in "OSU" else (d.name if d else str(arr.dtype))
        raise InvalidArgumentError(
            None, op_name, f"Value for attr '{attr}' of {_TF_NAMES.get(kind, kind)} is not in "
            f"the list of allowed values: {', '.join(allowed)} [Op:{op_name}]")
    if rank is not None and arr.ndim != rank:
        raise InvalidArgumentError(None, op_name, f"{what or attr} {_shape_text(arr.shape)} "
                                   f"[Op:{op_name}]")
    return arr



def resource_error(op_name, shapes):
    """Returns TensorFlow's ResourceExhaustedError for an allocation NumPy cannot make."""
    from tapeflow.framework.errors import ResourceExhaustedError
    return ResourceExhaustedError(
        None, op_name, f"OOM when allocating tensor for {op_name} (inputs of shapes "
        f"{', '.join(str(list(s)) for s in shapes)}) [Op:{op_name}]")
