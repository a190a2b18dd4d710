"""Keras 3's dtype promotion for ``keras.ops`` (``keras.backend.result_type``).

Keras promotes on a lattice (as JAX does), not as TensorFlow (which refuses mixed dtypes):
``int32 + float32 -> float32``, ``int8 + uint8 -> int16``, ``int64 + uint64 -> float32``. Python
scalars are *weak*: they take the other operand's kind when they can (``int8 + 1 -> int8``,
``float16 + 1.5 -> float16``) and default to ``int32`` / ``floatx()`` alone. ``uint64`` results
are narrowed to ``uint32`` as Keras does.
"""
import numpy as np

from tapeflow.framework.tensor import Tensor, convert_to_tensor
from tapeflow.keras import backend

# The lattice: each node and the nodes just above it. "i*" / "f*" are weak Python int / float.
_UP = {
    "bool": ("i*",), "i*": ("uint8", "int8"),
    "uint8": ("uint16", "int16"), "uint16": ("uint32", "int32"), "uint32": ("uint64", "int64"),
    "uint64": ("f*",), "int8": ("int16",), "int16": ("int32",), "int32": ("int64",),
    "int64": ("f*",), "f*": ("float16", "bfloat16"), "float16": ("float32",),
    "bfloat16": ("float32",), "float32": ("float64",), "float64": (),
}


def _above(node):
    seen, stack = set(), [node]
    while stack:
        n = stack.pop()
        if n not in seen:
            seen.add(n)
            stack.extend(_UP[n])
    return seen


_ABOVE = {n: _above(n) for n in _UP}
_ORDER = sorted(_UP, key=lambda n: len(_ABOVE[n]), reverse=True)  # lowest node first
_JOIN = {}


def _join(a, b):
    key = (a, b)
    out = _JOIN.get(key)
    if out is None:
        common = _ABOVE[a] & _ABOVE[b]
        out = next(n for n in _ORDER if n in common)  # the least upper bound
        _JOIN[key] = out
    return out


_PY = {bool: "bool", int: "i*", float: "f*"}


def _node(d):
    """Returns the lattice node of a dtype-like: a name, a Python type, a DType."""
    if d in _PY:
        return _PY[d]
    if d == "int" or d == "float":  # Keras's names for weak Python scalars
        return "i*" if d == "int" else "f*"
    return backend.standardize_dtype(d)


def _finish(node):
    if node == "i*":
        return "int32"
    if node == "f*":
        return backend.floatx()
    if node == "uint64":
        return "uint32"
    return node


def result_type(*dtypes):
    """Returns the dtype name Keras 3 gives an op on operands of these dtypes.

    Args:
      *dtypes: dtype names, DTypes or Python types (``int``, ``float``, ``bool`` are weak).

    Returns:
      A dtype name string (``"float32"``).
    """
    if not dtypes:
        return backend.floatx()
    node = _node(dtypes[0])
    for d in dtypes[1:]:
        node = _join(node, _node(d))
    return _finish(node)


def dtype_of(x):
    """Returns the Keras dtype of an operand: a name, or ``int``/``float``/``bool`` for a weak
    Python scalar."""
    t = type(x)
    if t is float or t is int or t is bool:
        return t
    d = getattr(x, "dtype", None)
    if d is not None:
        name = getattr(d, "name", None)
        if isinstance(name, str):
            return name
        return backend.standardize_dtype(d)
    a = np.asarray(x)
    if a.dtype.kind == "i":
        return "int32"
    if a.dtype.kind == "f":
        return backend.floatx()
    return backend.standardize_dtype(a.dtype)


def to_tensor(x, dtype=None):
    """Returns ``x`` as a Tensor of ``dtype`` (cast, differentiably, when it is another one)."""
    if dtype is None and type(x) is Tensor:
        return x
    if isinstance(x, Tensor):
        if dtype is None or x.dtype.name == dtype:
            return x
        from tapeflow.ops.math_ops import cast
        return cast(x, dtype)
    hook = getattr(type(x), "__tf_tensor__", None)
    if hook is not None:
        return to_tensor(hook(x), dtype)
    if dtype is None:
        d = dtype_of(x)
        dtype = result_type(d) if d in _PY else d
    if isinstance(x, (np.ndarray, np.generic)):
        return Tensor(np.asarray(x, dtype=np.dtype(dtype)))
    return convert_to_tensor(np.asarray(x, dtype=np.dtype(dtype)))


def promote(*xs):
    """Returns the operands as Tensors of their ``result_type``, and that dtype name."""
    dtype = result_type(*[dtype_of(x) for x in xs])
    return [to_tensor(x, dtype) for x in xs], dtype


def is_float(dtype):
    """Returns True for a float dtype name."""
    return dtype.startswith(("float", "bfloat"))
