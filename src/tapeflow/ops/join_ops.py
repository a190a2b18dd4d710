"""Joining and splitting: ``tf.concat``, ``tf.stack``, ``tf.unstack``, ``tf.split``.

Each op is declared with ``defop`` (framework/op_def.py) with an argument normaliser that
checks the list of tensors (one dtype) and the ``axis``/``num``/sizes as TensorFlow does.
Re-exported from ``array_ops``.
"""
import builtins as _builtins

from tapeflow.backend import xp as np  # the array namespace kernels use (DESIGN: backend)

from tapeflow.framework import dtypes
from tapeflow.framework.errors import InvalidArgumentError
from tapeflow.framework.op_args import index_arg
from tapeflow.framework.op_def import ANY, defop, exported
from tapeflow.framework.tensor import Tensor, convert_to_tensor
from tapeflow.framework.graph import func_graph as _func_graph
from tapeflow.ops.creation_ops import _t

_range = _builtins.range


def _same_dtype(ts, op_name):
    d = ts[0]._value.dtype
    for t in ts[1:]:
        if t._value.dtype != d:
            raise InvalidArgumentError(
                None, op_name, f"cannot compute {op_name} as input #1(zero-based) was expected "
                f"to be a {dtypes.as_dtype(d).name} tensor but is a {t.dtype.name} tensor "
                f"[Op:{op_name}]")


def _convert_list(values):
    ts = [v for v in values if isinstance(v, Tensor) or hasattr(type(v), "__tf_tensor__")]
    if ts:
        ref = convert_to_tensor(ts[0]).dtype
        return [convert_to_tensor(v) if isinstance(v, Tensor) or hasattr(
            type(v), "__tf_tensor__") else convert_to_tensor(v, ref) for v in values]
    return [convert_to_tensor(v) for v in values]


def _python_axis(axis):
    """An axis TensorFlow's Python layer compares with ints (stack, unstack)."""
    if isinstance(axis, Tensor):
        axis = _func_graph.value_of(axis).item()
    if not isinstance(axis, (int, float, np.number)):
        raise TypeError(f"'<' not supported between instances of '{type(axis).__name__}' "
                        f"and 'int'")
    return axis


def _scalar_int(axis, op_name, attr, what, strict=False):
    if type(axis) is int:
        return axis
    if type(axis) is bool:
        return int(axis)
    arr = index_arg(axis, op_name, attr, strict=strict,
                    allowed=("int32", "int64", "int8", "int16", "uint8", "uint16")
                    if isinstance(axis, np.generic) else ("int32", "int64"))
    if arr.ndim:
        raise InvalidArgumentError(None, op_name, f"{what}{','.join(map(str, arr.shape))}] "
                                   f"[Op:{op_name}]")
    return int(arr)


def _concat_np(*xs, axis):
    return np.concatenate(xs, axis=axis)


def _concat_grad(op, dy):
    """Splits dy back into the pieces' sizes along the axis."""
    axis = op.attrs["axis"]
    sizes = [x._value.shape[axis] for x in op.inputs]
    return split(dy, sizes, axis=axis)


def _concat_args(values, axis, name="concat"):
    """Returns the tensors in ``values`` joined along ``axis``.

    Raises:
      InvalidArgumentError: on mixed dtypes, mismatched shapes or 0-d tensors.
    """
    if not len(values):
        raise InvalidArgumentError(None, "ConcatV2", "ConcatV2 needs at least one input "
                                   "tensor [Op:ConcatV2]")
    for v in values:
        if hasattr(type(v), "__tf_dispatch__"):  # RaggedTensor
            return v.__tf_dispatch__(concat, (values, axis), {})
    if not any(isinstance(v, Tensor) or hasattr(type(v), "__tf_tensor__") for v in values):
        # Python values: the first one's dtype is the one the others convert to (TypeError)
        first = convert_to_tensor(values[0])
        ts = [first] + [convert_to_tensor(v, first.dtype) for v in values[1:]]
    else:
        ts = _convert_list(values)
    if type(axis) is float:
        raise TypeError(f"Cannot convert {axis!r} to EagerTensor of dtype int32")
    if type(axis) is not int and type(axis) is not bool:
        arr = index_arg(axis, "ConcatV2", "Tidx", allowed=("int32", "int64", "int8", "int16",
                        "uint8", "uint16") if isinstance(axis, np.generic) else ("int32",
                                                                                  "int64"))
        if arr.size != 1 or arr.ndim > 1:
            raise InvalidArgumentError(None, "ConcatV2", f"axis tensor should be a scalar "
                                       f"integer, but got shape "
                                       f"[{','.join(map(str, arr.shape))}] [Op:ConcatV2]")
        axis = arr.reshape(-1)[0]
    axis = int(axis)
    if len(ts) == 1:
        return ts[0]
    _same_dtype(ts, "ConcatV2")
    nd = ts[0]._value.ndim
    if nd == 0:
        raise InvalidArgumentError(None, "ConcatV2", "ConcatOp : Can't concatenate scalars "
                                   "(use tf.stack instead) [Op:ConcatV2]")
    if not -nd <= axis < nd:
        raise InvalidArgumentError(None, "ConcatV2", f"ConcatOp : Expected concatenating "
                                   f"dimensions in the range [{-nd}, {nd}), but got {axis} "
                                   f"[Op:ConcatV2]")
    return tuple(ts), {"axis": axis % nd}


concat = defop("ConcatV2", _concat_np, _concat_grad, dtypes=ANY, args=_concat_args,
               export="concat")


def _stack_np(*xs, axis):
    return np.stack(xs, axis=axis)


def _stack_grad(op, dy):
    """Unstacks dy along the stacking axis."""
    return unstack(dy, axis=op.attrs["axis"])


def _stack_args(values, axis=0, name="stack"):
    """Returns the tensors in ``values`` stacked along a new ``axis``.

    Raises:
      InvalidArgumentError: on mixed dtypes or mismatched shapes.
    """
    for v in values:
        if hasattr(type(v), "__tf_dispatch__"):  # RaggedTensor
            return v.__tf_dispatch__(stack, (values, axis), {})
    if not len(values):
        return Tensor(np.zeros((0,), np.float32))
    ts = _convert_list(values)
    nd = ts[0]._value.ndim + 1
    axis = _python_axis(axis)
    if not -nd <= axis < nd:
        raise ValueError(f"Argument `axis` = {axis} not in range [{-nd}, {nd})")
    _same_dtype(ts, "Pack")
    shp = ts[0]._value.shape
    for i, t in enumerate(ts[1:], 1):
        if t._value.shape != shp:
            raise InvalidArgumentError(
                None, "Pack", f"Shapes of all inputs must match: values[0].shape = "
                f"[{','.join(map(str, shp))}] != values[{i}].shape = "
                f"[{','.join(map(str, t._value.shape))}] [Op:Pack]")
    return tuple(ts), {"axis": int(axis) % nd}


stack = defop("Pack", _stack_np, _stack_grad, dtypes=ANY, args=_stack_args, export="stack")


def _unstack_np(x, axis):
    m = np.moveaxis(x, axis, 0)
    return [m[i, ...] for i in _range(m.shape[0])]  # views, no copies


def _unstack_grad(op, *dys):
    """Stacks the pieces' gradients back together."""
    return (stack(list(dys), axis=op.attrs["axis"]),)


def _unstack_args(value, num=None, axis=0, name="unstack"):
    """Returns the list of tensors obtained by slicing ``value`` along ``axis``."""
    x = _t(value)
    nd = x._value.ndim
    if isinstance(axis, Tensor) and axis.dtype.is_floating:
        raise AttributeError(f"'numpy.{axis.dtype.name}' object has no attribute '__index__'")
    if isinstance(axis, float):
        raise TypeError("list indices must be integers or slices, not float")
    axis = _python_axis(axis)
    if not -nd <= axis < nd:
        raise ValueError(f"Argument `axis` = {axis} not in range [{-nd}, {nd})")
    axis = int(axis) % nd
    if num is not None and num != x._value.shape[axis]:
        raise ValueError(f"Cannot infer argument `num` from shape {x.shape}")
    if x._value.shape[axis] == 0:
        return []
    return (x,), {"axis": axis}


unstack = defop("Unpack", _unstack_np, _unstack_grad, dtypes=ANY, args=_unstack_args,
                num_outputs=-1, export="unstack")


def _split_np(x, sizes, axis):
    idx = np.cumsum(sizes)[:-1]
    return np.split(x, idx, axis=axis)


def _split_grad(op, *dys):
    """Concatenates the pieces' gradients."""
    return (concat(list(dys), axis=op.attrs["axis"]),)


def _split_args(value, num_or_size_splits, axis=0, num=None, name="split"):
    """Returns ``value`` split along ``axis`` into equal parts or parts of the given sizes.

    Raises:
      InvalidArgumentError: if the sizes do not add up to the axis length, or ``axis`` is
        not a scalar in range.
    """
    x = _t(value)
    nd = x._value.ndim
    if isinstance(num_or_size_splits, Tensor) and num_or_size_splits._value.ndim == 0:
        num_or_size_splits = int(num_or_size_splits._value)
    by_num = isinstance(num_or_size_splits, (int, np.integer))
    op_name = "Split" if by_num else "SplitV"
    if isinstance(axis, Tensor) and axis.dtype != dtypes.int32:
        raise InvalidArgumentError(
                None, op_name, f"cannot compute {op_name} as input #0(zero-based) was expected "
            f"to be a int32 tensor but is a {axis.dtype.name} tensor [Op:{op_name}]")
    axis = _scalar_int(axis, op_name, "Tidx", "split_dim must be a scalar but has rank [",
                       strict=True)
    if not -nd <= axis < nd:
        raise InvalidArgumentError(None, op_name, f"-input rank(-{nd}) <= split_dim < input "
                                   f"rank ({nd}), but got {axis} [Op:{op_name}]")
    axis %= nd
    n = x._value.shape[axis]
    if by_num:
        k = int(num_or_size_splits)
        if k <= 0:
            raise InvalidArgumentError(None, "Split", f"Value for attr 'num_split' of {k} must "
                                       f"be at least minimum 1 [Op:Split]")
        if n % k:
            raise InvalidArgumentError(
                None, "Split", f"Number of ways to split should evenly divide the split "
                f"dimension, but got split_dim {axis} (size = {n}) and num_split {k} "
                f"[Op:Split]")
        sizes = [n // k] * k
    else:
        sizes = num_or_size_splits
        if isinstance(sizes, Tensor):
            sizes = _func_graph.value_of(_t(sizes)).tolist()
        sizes = [int(s) for s in sizes]
        if -1 in sizes:
            known = sum(s for s in sizes if s != -1)
            sizes[sizes.index(-1)] = n - known
        if sum(sizes) != n or any(s < 0 for s in sizes):
            raise InvalidArgumentError(
                None, "SplitV", f"Determined shape must either match input shape along "
                f"split_dim exactly if fully specified, or be less than the size of the input "
                f"along split_dim if not fully specified.  Got: {sum(sizes)} [Op:SplitV]")
    return (x,), {"sizes": tuple(sizes), "axis": axis}


split = defop("SplitV", _split_np, _split_grad, dtypes=ANY, args=_split_args, num_outputs=-1,
              export="split")


__all__ = exported(globals())
