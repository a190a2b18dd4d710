"""``defop(..., args=...)``: the wrapper derived from an argument normaliser, and
TensorFlow's conversion rules for an op's integer arguments (axes, shapes, sizes), which
normalisers use so that a bad ``axis``/``shape``/``k`` is refused with TensorFlow's
exception class and words.
"""
import numpy as np

from tapeflow.framework import dtypes as _dtypes
from tapeflow.framework.errors import InvalidArgumentError
from tapeflow.framework import primitive as _prim
from tapeflow.framework.op_def import _ALL_NP, _KERNEL_ERRORS, _TF_NAMES, _traced_value
from tapeflow.framework.tensor import Tensor, convert_to_tensor

_tapes = _prim.ACTIVE
_record = _prim.record

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


def call_wrapper(od, op):
    """Returns the public wrapper of a ``defop(..., args=normaliser)`` declaration: the
    normaliser's ``(inputs, attrs)`` run through the dtype check, the kernel (its errors
    translated), and recording."""
    forward, ok, normalise, typed = op.forward, od.ok, od.args, od.typed
    single = op.num_outputs == 1
    checked = len(od.ok) < len(_ALL_NP)     # False: every dtype runs (no test per call)

    def call(*args, **kwargs):
        r = normalise(*args, **kwargs)
        if type(r) is not tuple:
            return r                      # the normaliser's shortcut result
        inputs, attrs = r
        n = len(inputs)
        try:
            if n == 1:
                v = inputs[0]._value
                if checked and v.dtype not in ok:
                    return od.refuse(*inputs, **attrs)
                out = forward(v, **attrs)
            elif n == 2 and not typed:
                a, b = inputs[0]._value, inputs[1]._value
                if checked and a.dtype not in ok:
                    return od.refuse(*inputs, **attrs)
                out = forward(a, b, **attrs)
            else:
                arrays = [t._value for t in inputs]
                if checked and arrays[typed].dtype not in ok:
                    return od.refuse(*inputs, **attrs)
                out = forward(*arrays, **attrs)
        except InvalidArgumentError:
            raise
        except _KERNEL_ERRORS as e:
            raise _prim.kernel_error(op, [t._value for t in inputs], e) from None
        except MemoryError:   # TensorFlow's ResourceExhaustedError, not a bare MemoryError
            raise resource_error(op.name, [t._value.shape for t in inputs]) from None
        if single:
            result = Tensor(out)
            if _tapes:
                _record(op, inputs, (result,), attrs)
            return result
        result = [Tensor(o) for o in out]
        if _tapes:
            _record(op, inputs, tuple(result), attrs)
        return result
    call.__wrapped__ = normalise      # inspect.signature shows the public signature
    return call
