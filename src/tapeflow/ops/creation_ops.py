"""Creation ops: constants, zeros/ones/fill, eye, range, linspace, sequence_mask."""
from tapeflow.backend import xp as np  # the array namespace kernels use (DESIGN: backend)

from tapeflow.framework import dtypes
from tapeflow.framework.errors import InvalidArgumentError
from tapeflow.framework.op_args import index_arg
from tapeflow.framework.op_def import defop, exported
from tapeflow.framework.tensor import Tensor, convert_to_tensor
from tapeflow.framework.tensor_shape import TensorShape
from tapeflow.framework.graph import func_graph as _func_graph


def _t(x):
    return x if type(x) is Tensor else convert_to_tensor(x)


def _shape_list(shape):
    """Converts a shape given as list, tuple, TensorShape, Tensor or int to a tuple of ints."""
    if isinstance(shape, Tensor):
        shape = _func_graph.value_of(shape).tolist()
    elif isinstance(shape, TensorShape):
        shape = shape.as_list()
    elif hasattr(type(shape), "__tf_tensor__"):
        shape = _func_graph.value_of(convert_to_tensor(shape)).tolist()
    if isinstance(shape, (int, np.integer)):
        shape = [shape]
    out = []
    for d in shape:
        if isinstance(d, Tensor):
            d = int(d._value)
        if d is None:
            raise ValueError("Cannot create a tensor with an unknown dimension (None) in its "
                             "shape.")
        out.append(int(d))
    return tuple(out)


def _dims(shape, op_name="Fill", strict=True):
    """A shape to create, converted and checked as TensorFlow's Fill does: a vector (or a
    scalar) of int32/int64, every dimension >= 0."""
    if isinstance(shape, TensorShape) or (isinstance(shape, (list, tuple)) and all(
            type(d) is int or isinstance(d, Tensor) or d is None for d in shape)):
        out = _shape_list(shape)
    else:
        if isinstance(shape, (bool, np.integer)):
            shape = int(shape)
        arr = index_arg(shape, op_name, "index_type",
                        strict=strict and not isinstance(shape, Tensor))
        if arr.ndim > 1:
            raise InvalidArgumentError(None, op_name, f"dims must represent a vector, got "
                                       f"shape [{','.join(map(str, arr.shape))}] "
                                       f"[Op:{op_name}]")
        out = tuple(int(d) for d in arr.reshape(-1))
    for d in out:
        if d < 0:
            raise InvalidArgumentError(None, "Fill", f"Dimension {d} must be >= 0 [Op:Fill]")
    return out



# -- creation -------------------------------------------------------------------------

def constant(value, dtype=None, shape=None, name="Const"):
    """Returns a constant Tensor of ``value`` (broadcast or reshaped to ``shape`` if given).

    Raises:
      TypeError: if ``value`` cannot be represented in ``dtype``.
    """
    if isinstance(value, Tensor) or hasattr(type(value), "__tf_tensor__"):
        t = convert_to_tensor(value)
        if dtype is not None and t.dtype != dtypes.as_dtype(dtype):
            raise TypeError(f"Expected tensor {t._value} with dtype {dtypes.as_dtype(dtype)!r}, "
                            f"but got dtype {t.dtype!r}.")
    else:
        t = convert_to_tensor(value, dtype=dtype)
    if shape is not None:
        shape = _shape_list(shape)
        v = t._value
        if v.size == 1:
            t = Tensor(np.full(shape, v.reshape(()), dtype=v.dtype))
        elif int(np.prod(shape)) == v.size:
            t = Tensor(np.reshape(v, shape))
        else:
            raise TypeError(f"Expected Tensor's shape: {tuple(shape)}, but got "
                            f"{tuple(v.shape)}.")
    return t


def _np_dtype(dtype, default=np.float32):
    return default if dtype is None else dtypes.as_dtype(dtype)._np


def _string_zeros(shape):
    out = np.empty(shape, dtype=object)
    out.fill(b"")   # the zero of a string tensor is the empty string
    return Tensor(out)


def _alloc(make, shape, npd, value=None):
    """``make(shape, npd)`` (``np.full(shape, value, npd)``); an allocation too large for
    memory raises TensorFlow's ResourceExhaustedError instead of a bare MemoryError."""
    try:
        return make(shape, npd) if value is None else make(shape, value, dtype=npd)
    except MemoryError:
        from tapeflow.framework.errors import ResourceExhaustedError
        name = {"float32": "float", "float64": "double"}.get(npd.name, npd.name)
        raise ResourceExhaustedError(
            None, "Fill", f"OOM when allocating tensor with shape{list(shape)} and type {name} "
            f"on /job:localhost/replica:0/task:0/device:CPU:0 by allocator cpu [Op:Fill]"
        ) from None


def zeros(shape, dtype=dtypes.float32, name=None, layout=None):
    """Returns a Tensor of zeros of ``shape`` and ``dtype`` (float32 by default; ``b''``
    for strings)."""
    npd = _np_dtype(dtype)
    if npd.kind == "O":
        return _string_zeros(_dims(shape))
    return Tensor(_alloc(np.zeros, _dims(shape), npd))


def ones(shape, dtype=dtypes.float32, name=None, layout=None):
    """Returns a Tensor of ones of ``shape`` and ``dtype`` (float32 by default).

    Raises:
      TypeError: for a string dtype.
    """
    npd = _np_dtype(dtype)
    if npd.kind == "O":
        raise TypeError("Cannot convert 1 to EagerTensor of dtype string")
    return Tensor(_alloc(np.ones, _dims(shape), npd))


def zeros_like(input, dtype=None, name=None, layout=None):  # noqa: A002
    """Returns zeros with the shape (and dtype, unless given) of ``input``."""
    if type(input) is not Tensor and hasattr(type(input), "__tf_dispatch__"):  # RaggedTensor
        return input.__tf_dispatch__(zeros_like, (input,), {"dtype": dtype})
    x = _t(input)
    npd = x._value.dtype if dtype is None else _np_dtype(dtype)
    if npd.kind == "O":
        return _string_zeros(x._value.shape)
    return Tensor(np.zeros(x._value.shape, npd))


def ones_like(input, dtype=None, name=None, layout=None):  # noqa: A002
    """Returns ones with the shape (and dtype, unless given) of ``input``.

    Raises:
      InvalidArgumentError: for a string tensor.
    """
    if type(input) is not Tensor and hasattr(type(input), "__tf_dispatch__"):  # RaggedTensor
        return input.__tf_dispatch__(ones_like, (input,), {"dtype": dtype})
    x = _t(input)
    npd = x._value.dtype if dtype is None else _np_dtype(dtype)
    if npd.kind == "O":
        raise InvalidArgumentError(
            None, "OnesLike", "Value for attr 'T' of string is not in the list of allowed "
            "values [Op:OnesLike]")
    return Tensor(np.ones(x._value.shape, npd))


def fill(dims, value, name=None, layout=None):
    """Returns a Tensor of shape ``dims`` filled with ``value`` (dtype from ``value``).

    Raises:
      InvalidArgumentError: if ``dims`` is not a vector (or scalar) of int32/int64 sizes
        >= 0, or ``value`` is not a scalar.
    """
    v = _t(value)
    shape = _dims(dims, strict=False)
    if v._value.ndim:
        raise InvalidArgumentError(None, "Fill", f"value must represent a scalar, got shape "
                                   f"[{','.join(map(str, v._value.shape))}] [Op:Fill]")
    return Tensor(_alloc(np.full, shape, v._value.dtype, v._value))


def eye(num_rows, num_columns=None, batch_shape=None, dtype=dtypes.float32, name=None):
    """Returns an identity matrix (batched if ``batch_shape`` is given)."""
    m = np.eye(int(num_rows), None if num_columns is None else int(num_columns),
               dtype=_np_dtype(dtype))
    if batch_shape is not None:
        m = np.broadcast_to(m, _shape_list(batch_shape) + m.shape).copy()
    return Tensor(m)


# TensorFlow's Python layer infers range's dtype from its arguments in this order
_RANGE_ORDER = {np.dtype(np.int32): 0, np.dtype(np.int64): 1, np.dtype(np.float16): 2,
                np.dtype(np.float32): 4, np.dtype(np.float64): 5}


def _range_np(start, limit, delta):
    for what, v in (("start", start), ("limit", limit), ("delta", delta)):
        if v.ndim and not (v.ndim == 1 and v.size == 1):   # a 1-vector passes, as in TF
            raise InvalidArgumentError(None, "Range", f"{what} must be a scalar, not shape "
                                       f"[{','.join(map(str, v.shape))}] [Op:Range]")
    s, lim, d = (v.reshape(()).item() for v in (start, limit, delta))
    if d == 0:
        raise InvalidArgumentError(None, "Range", f"Requires delta != 0: {d} [Op:Range]")
    if (d > 0 and s > lim) or (d < 0 and s < lim):
        raise InvalidArgumentError(
            None, "Range", f"Requires start {'<' if d > 0 else '>'}= limit when delta "
            f"{'>' if d > 0 else '<'} 0: {s}/{lim} [Op:Range]")
    return np.arange(s, lim, d).astype(start.dtype)


def _range_args(start, limit=None, delta=1, dtype=None, name="range"):
    """Returns the sequence ``start, start+delta, ...`` below ``limit`` (like Python's range).

    The dtype is inferred from the arguments (int32 for Python ints, float32 if any
    is a float) unless given.

    Raises:
      InvalidArgumentError: for ``delta`` 0, ``start`` past ``limit``, a non-scalar
        argument or a dtype TensorFlow's Range does not take.
    """
    if limit is None:
        start, limit = 0, start
    if dtype is None:
        vals = [_t(v) for v in (start, limit, delta)]
        for v in vals:
            if v._value.dtype not in _RANGE_ORDER:
                raise AssertionError()   # TensorFlow's dtype inference asserts
        npd = max((v._value.dtype for v in vals), key=_RANGE_ORDER.get)
    else:
        npd = _np_dtype(dtype)
        vals = [convert_to_tensor(v, dtype) if not isinstance(v, Tensor) else v
                for v in (start, limit, delta)]
    vals = [v if v._value.dtype == npd else Tensor(v._value.astype(npd)) for v in vals]
    return tuple(vals), {}


# TensorFlow's Range: defined for these Tidx, CPU kernels for the float and 32/64-bit ints
range = defop("Range", _range_np, dtypes=("bfloat16", "half", "float", "double", "int8",
              "int16", "int32", "int64", "uint16", "uint32", "uint64"),
              kernels=("bfloat16", "half", "float", "double", "int32", "int64"),
              args=_range_args, export="range", quiet=True, attr="Tidx")


def linspace(start, stop, num, name=None, axis=0):
    """Returns ``num`` evenly spaced values from ``start`` to ``stop`` inclusive.

    Integer endpoints give float64, as in TensorFlow.
    """
    s, e = _t(start), _t(stop)
    npd = s._value.dtype if s._value.dtype.kind == "f" else np.float64
    return Tensor(np.linspace(s._value, e._value, int(num), axis=axis).astype(npd))



def sequence_mask(lengths, maxlen=None, dtype=dtypes.bool, name=None):
    """Returns a mask whose row ``i`` is True in its first ``lengths[i]`` positions.

    Returns:
      A Tensor of shape ``lengths.shape + [maxlen]`` (``maxlen`` defaults to
      the largest length), of ``dtype`` (bool by default).
    """
    lens = _t(lengths)._value
    if lens.dtype.kind not in "iu":
        raise TypeError(f"lengths must be an integer tensor, got "
                        f"{_t(lengths).dtype.name}")
    if maxlen is None:
        maxlen = int(lens.max()) if lens.size else 0
    else:
        maxlen = int(_t(maxlen)._value)
    mask = np.arange(maxlen) < np.asarray(lens)[..., None]
    return Tensor(mask.astype(_np_dtype(dtype, np.bool_)))


__all__ = exported(globals()) + ["constant", "zeros", "ones", "zeros_like", "ones_like",
                                 "fill", "eye", "linspace", "sequence_mask"]


# Inside a tf.function trace, these compute from traced values outside the op mechanism,
# so such a call becomes one graph node that runs again on every call.
fill = _func_graph.opaque(fill)
range = _func_graph.opaque(range)
zeros = _func_graph.opaque(zeros, argnums=(0,), names=("shape",))
ones = _func_graph.opaque(ones, argnums=(0,), names=("shape",))
eye = _func_graph.opaque(eye, argnums=(0, 1, 2), names=("num_rows", "num_columns", "batch_shape"))
linspace = _func_graph.opaque(linspace, argnums=(2,), names=("num",))
sequence_mask = _func_graph.opaque(sequence_mask)
