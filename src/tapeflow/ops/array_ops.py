"""Shape ops (reshape, transpose, broadcast, squeeze).

Every op here is declared with ``defop`` (framework/op_def.py): its TensorFlow name, its
NumPy kernel, its gradient, its dtypes and an argument normaliser with the public
signature, which checks ``axis``/``shape``/``perm`` arguments as TensorFlow does.
This module also re-exports the creation, joining/splitting, manipulation and indexing
ops, which live in ``creation_ops``, ``join_ops``, ``manip_ops`` and ``indexing_ops``.
"""
import builtins as _builtins

from tapeflow.backend import xp as np  # the array namespace kernels use (DESIGN: backend)

from tapeflow.framework import dtypes
from tapeflow.framework import primitive as _prim
from tapeflow.framework.errors import InvalidArgumentError
from tapeflow.framework.op_args import index_arg
from tapeflow.framework.op_def import ANY, defop, exported
from tapeflow.framework.tensor import Tensor, convert_to_tensor
from tapeflow.framework.tensor_shape import TensorShape
from tapeflow.framework.graph import func_graph as _func_graph
from tapeflow.ops.creation_ops import *  # noqa: F401,F403
from tapeflow.ops.creation_ops import _np_dtype, _shape_list, _t
from tapeflow.ops.math_ops import unbroadcast

_tapes = _prim.ACTIVE
_range = _builtins.range   # ``range`` here is tf.range (creation_ops)


def _shape_vec(shape, op_name, attr, what):
    """A shape argument as a tuple of ints (TensorFlow's conversion and 1-D check)."""
    if type(shape) is tuple or type(shape) is list:
        for d in shape:
            if type(d) is not int:
                break
        else:
            return tuple(shape)
    if isinstance(shape, TensorShape):
        return _shape_list(shape)
    arr = index_arg(shape, op_name, attr)
    if arr.ndim != 1 and not (arr.ndim == 0 and op_name == "Reshape"):
        raise InvalidArgumentError(None, op_name, f"{what}[{','.join(map(str, arr.shape))}] "
                                   f"[Op:{op_name}]")
    return tuple(int(d) for d in arr.reshape(-1))


def _identity_grad(op, dy):
    """d identity = dy."""
    return dy


def _identity_np(x):
    """Returns a Tensor with the same value as ``input`` (reads a variable's value)."""
    return x


identity = defop("Identity", _identity_np, _identity_grad, dtypes=ANY, export="identity")
_identity_op = _identity = identity.op_def.op


def _stop_gradient_np(x):
    """Returns ``input`` as a Tensor through which no gradient flows."""
    return x


stop_gradient = defop("StopGradient", _stop_gradient_np, dtypes=ANY, export="stop_gradient")


# -- shapes ----------------------------------------------------------------------------

def shape(input, out_type=dtypes.int32, name=None):  # noqa: A002
    """Returns the shape of ``input`` as a 1-D int32 Tensor."""
    x = _t(input)
    return Tensor(np.array(x._value.shape, dtype=_np_dtype(out_type)))


def size(input, out_type=dtypes.int32, name=None):  # noqa: A002
    """Returns the number of elements of ``input`` as a 0-d int32 Tensor."""
    return Tensor(_np_dtype(out_type).type(np.size(_t(input)._value)))


def rank(input, name=None):  # noqa: A002
    """Returns the number of dimensions of ``input`` as a 0-d int32 Tensor."""
    return Tensor(np.int32(np.ndim(_t(input)._value)))


def _reshape_np(x, shape):
    try:
        return np.reshape(x, shape)
    except ValueError:
        _check_reshape(x.size, shape)   # raises TensorFlow's error
        raise


def _reshape_grad(op, dy):
    """Reshapes dy back to the input's shape."""
    return reshape(dy, op.inputs[0]._value.shape)


def _check_reshape(size, shp):
    """Raises TensorFlow's InvalidArgumentError for reshaping ``size`` values to ``shp``."""
    known = 1
    first = None
    for i, d in enumerate(shp):
        if d == -1:
            if first is not None:
                raise InvalidArgumentError(None, "Reshape", f"Only one input size may be -1, "
                                           f"not both {first} and {i} [Op:Reshape]")
            first = i
        elif d < 0:
            raise InvalidArgumentError(None, "Reshape", f"Size {i} must be non-negative, not "
                                       f"{d} [Op:Reshape]")
        else:
            known *= d
    if first is None or known == 0 or size % known:
        raise InvalidArgumentError(
            None, "Reshape", f"Input to reshape is a tensor with {size} values, but the "
            f"requested shape {'requires a multiple of' if first is not None else 'has'} "
            f"{known} [Op:Reshape]")


def _reshape_args(tensor, shape, name=None):
    """Returns ``tensor`` with the same elements in ``shape`` (one dim may be -1).

    Raises:
      InvalidArgumentError: if the element counts differ, a size is below -1, more than one
        is -1, or ``shape`` is not a vector of int32/int64.
    """
    x = tensor if type(tensor) is Tensor else convert_to_tensor(tensor)
    shp = _shape_vec(shape, "Reshape", "Tshape", "sizes input must be 1-D, not ")
    if x._value.shape == shp:
        return x if not _tapes else ((x,), {"shape": shp})
    if shp and min(shp) < -1:      # NumPy would take -2 for -1
        _check_reshape(x._value.size, shp)
    return (x,), {"shape": shp}


reshape = defop("Reshape", _reshape_np, _reshape_grad, dtypes=ANY, args=_reshape_args,
                export="reshape")
_reshape_kernel = reshape.op_def.op


def _broadcast_to_np(x, shape):
    return np.broadcast_to(x, shape)


def _broadcast_to_grad(op, dy):
    """Sums dy over the broadcast axes."""
    return unbroadcast(dy, op.inputs[0]._value.shape)


def _broadcast_to_args(input, shape, name=None):  # noqa: A002
    """Returns ``input`` broadcast to ``shape``.

    Raises:
      InvalidArgumentError: if the shapes are not broadcast-compatible.
    """
    x = _t(input)
    shp = _shape_vec(shape, "BroadcastTo", "Tidx",
                     "shape must be a vector of {int32,int64}, got shape ")
    if x._value.shape == shp:
        return x
    return (x,), {"shape": shp}


broadcast_to = defop("BroadcastTo", _broadcast_to_np, _broadcast_to_grad, dtypes=ANY,
                     args=_broadcast_to_args, export="broadcast_to")


def _transpose_np(x, perm):
    return np.transpose(x, perm)


def _transpose_grad(op, dy):
    """Transposes dy by the inverse permutation."""
    perm = op.attrs["perm"]
    return transpose(dy, list(np.argsort(perm)))


def _perm(perm, nd):
    if type(perm) is list or type(perm) is tuple:
        for p in perm:
            if type(p) is not int:
                break
        else:
            p = tuple(perm)
            if len(p) == nd and sorted(p) == list(_range(nd)):
                return p
    arr = index_arg(perm, "Transpose", "Tperm")
    if arr.ndim != 1:
        raise InvalidArgumentError(None, "Transpose", f"perm must be rank 1, got shape "
                                   f"[{','.join(map(str, arr.shape))}] [Op:Transpose]")
    p = [int(i) for i in arr]
    if len(p) != nd:
        raise InvalidArgumentError(None, "Transpose", f"transpose expects a vector of size "
                                   f"{nd}. But input(1) is a vector of size {len(p)} "
                                   f"[Op:Transpose]")
    for i in p:
        if not 0 <= i < nd:
            raise InvalidArgumentError(None, "Transpose", f"{i} is out of range [0 .. {nd}) "
                                       f"[Op:Transpose]")
    for i in _range(nd):
        if i not in p:
            raise InvalidArgumentError(None, "Transpose", f"{i} is missing from "
                                       f"{{{','.join(map(str, p))}}}. [Op:Transpose]")
    return tuple(p)


def _transpose_args(a, perm=None, conjugate=False, name="transpose"):
    """Returns ``a`` with its axes permuted (reversed when ``perm`` is None)."""
    x = _t(a)
    nd = x._value.ndim
    perm = tuple(_range(nd - 1, -1, -1)) if perm is None else _perm(perm, nd)
    if conjugate and x._value.dtype.kind == "c":
        from tapeflow.ops.special_math_ops import conj
        x = conj(x)
    return (x,), {"perm": perm}


transpose = defop("Transpose", _transpose_np, _transpose_grad, dtypes=ANY,
                  args=_transpose_args, export="transpose")


def _expand_dims_np(x, axis):
    s = x.shape   # a reshape: cheaper than np.expand_dims's argument checks
    return x.reshape(s[:axis] + (1,) + s[axis:])


def _squeeze_np(x, axis):
    return np.squeeze(x, axis=axis)


def _to_input_shape_grad(op, dy):
    """Reshapes dy back to the input's shape (ExpandDims, Squeeze)."""
    return _reshape_kernel(dy, shape=op.inputs[0]._value.shape)


# ``op(x, axis=)``: the public functions below check ``axis`` as TensorFlow does; ``axis``
# is one index in ``[0, rank]`` (ExpandDims) or a tuple of size-1 axes (Squeeze), so a
# trace (and a SavedModel) holds no batch size.
_expand_dims_op = defop("ExpandDims", _expand_dims_np, _to_input_shape_grad, dtypes=ANY,
                        kind="call")
_squeeze_op = defop("Squeeze", _squeeze_np, _to_input_shape_grad, dtypes=ANY, kind="call")


def expand_dims(input, axis, name=None):  # noqa: A002
    """Returns ``input`` with a new axis of size 1 inserted at ``axis``."""
    x = _t(input)
    nd = x._value.ndim
    if type(axis) is not int:
        if type(axis) is float:
            raise TypeError(f"Cannot convert {axis!r} to EagerTensor of dtype int32")
        arr = index_arg(axis if type(axis) is not bool else int(axis), "ExpandDims", "Tdim",
                        allowed=("int32", "int64", "int8", "int16", "uint8", "uint16",
                                 "uint32", "uint64"))
        if arr.size != 1:
            raise InvalidArgumentError(None, "ExpandDims", "'dim' must be a tensor with a "
                                       "single value [Op:ExpandDims]")
        axis = int(arr.reshape(-1)[0])
    if not -nd - 1 <= axis <= nd:
        raise InvalidArgumentError(None, "ExpandDims", f"Tried to expand dim index {axis} for "
                                   f"tensor with {nd} dimensions. [Op:ExpandDims]")
    if axis < 0:
        axis += nd + 1
    return _expand_dims_op(x, axis=axis)


def _squeeze_axes(axis):
    if isinstance(axis, (int, np.integer)):
        return [int(axis)]
    if isinstance(axis, Tensor):
        v = _func_graph.value_of(axis)
        if v.ndim == 0:
            raise TypeError("Cannot iterate over a scalar tensor.")
        return [int(a) for a in v]
    if isinstance(axis, float):
        return [int(axis)]     # TensorFlow's Python layer truncates it
    out = []
    for a in axis:
        if not isinstance(a, (int, np.integer)):
            raise TypeError(f"Expected int for argument 'axis' not {a!r}.")
        out.append(int(a))
    return out


def squeeze(input, axis=None, name=None):  # noqa: A002
    """Returns ``input`` without the size-1 axes (only those in ``axis`` if given).

    Raises:
      InvalidArgumentError: if an axis in ``axis`` does not have size 1.
    """
    x = _t(input)
    shp = x._value.shape
    if axis is None:
        axes = tuple(i for i, n in enumerate(shp) if n == 1)
    else:
        if isinstance(axis, str):
            raise TypeError(f"Expected int for argument 'axis' not {axis!r}.")
        axes = _squeeze_axes(axis)
        for a in axes:
            if not -len(shp) <= a < len(shp):
                raise InvalidArgumentError(
                    None, "Squeeze", f"Tried to squeeze dim index {a} for tensor with "
                    f"{len(shp)} dimensions. [Op:Squeeze]")
        axes = [a % len(shp) for a in axes]
        for a in axes:
            if shp[a] != 1:
                raise InvalidArgumentError(
                    None, "Squeeze", f"Can not squeeze dim[{a}], expected a dimension of 1, "
                    f"got {shp[a]} [Op:Squeeze]")
        axes = tuple(sorted(set(axes)))
    return _squeeze_op(x, axis=axes)


# -- shape utilities -------------------------------------------------------------------

def shape_n(input, out_type=dtypes.int32, name=None):  # noqa: A002
    """Returns the shapes of the tensors in ``input`` as a list of 1-D Tensors."""
    return [shape(x, out_type) for x in input]


def ensure_shape(x, shape, name=None):
    """Returns ``x`` after checking that its shape is compatible with ``shape``.

    ``shape`` may contain None for dimensions that can be anything.

    Raises:
      InvalidArgumentError: if the shapes are not compatible.
    """
    from tapeflow.framework.tensor_shape import TensorShape
    t = _t(x)
    want = TensorShape(shape)
    if not want.is_compatible_with(t._value.shape):
        raise InvalidArgumentError(
            None, "EnsureShape", f"Shape of tensor x {list(t._value.shape)} is not compatible "
            f"with expected shape {_shape_text(want)}. [Op:EnsureShape]")
    return x if isinstance(x, Tensor) else t


def _shape_text(s):
    if s.rank is None:
        return "<unknown>"
    return "[" + ",".join("?" if d is None else str(d) for d in s.dims) + "]"


def _broadcast_dims(a, b):
    """Broadcasts two dim lists (None = unknown); returns the list or None if incompatible."""
    a, b = list(a), list(b)
    n = max(len(a), len(b))
    a = [1] * (n - len(a)) + a
    b = [1] * (n - len(b)) + b
    out = []
    for x, y in zip(a, b):
        if x == 1:
            out.append(y)
        elif y == 1:
            out.append(x)
        elif x is None or y is None:
            out.append(x if y is None else y)
        elif x == y:
            out.append(x)
        else:
            return None
    return out


def broadcast_static_shape(shape_x, shape_y):
    """Returns the TensorShape that two TensorShapes broadcast to.

    Raises:
      ValueError: if the shapes cannot broadcast.
    """
    from tapeflow.framework.tensor_shape import TensorShape
    sx, sy = TensorShape(shape_x), TensorShape(shape_y)
    if sx.rank is None or sy.rank is None:
        return TensorShape(None)
    dims = _broadcast_dims(sx.dims, sy.dims)
    if dims is None:
        raise ValueError(f"Incompatible shapes for broadcasting. Two shapes are compatible if "
                         f"for each dimension pair they are either equal or one of them is 1. "
                         f"Received: {sx} and {sy}.")
    return TensorShape(dims)


def broadcast_dynamic_shape(shape_x, shape_y):
    """Returns the shape (a 1-D int Tensor) that two shape vectors broadcast to.

    Raises:
      InvalidArgumentError: if the shapes cannot broadcast.
    """
    sx, sy = _t(shape_x), _t(shape_y)
    a, b = _func_graph.value_of(sx).tolist(), _func_graph.value_of(sy).tolist()
    dims = _broadcast_dims(a, b)
    if dims is None:
        raise InvalidArgumentError(
            None, "BroadcastArgs", f"Incompatible shapes: [{','.join(map(str, a))}] vs. "
            f"[{','.join(map(str, b))}] [Op:BroadcastArgs]")
    return Tensor(np.array(dims, dtype=sx._value.dtype))


# The other op families live in their own modules; re-exported here so that
# ``array_ops.gather`` and friends keep working.
from tapeflow.ops.join_ops import *  # noqa: E402,F401,F403
from tapeflow.ops.manip_ops import *  # noqa: E402,F401,F403
from tapeflow.ops.slicing_ops import *  # noqa: E402,F401,F403
from tapeflow.ops.slicing_ops import _getitem  # noqa: E402,F401
from tapeflow.ops.indexing_ops import *  # noqa: E402,F401,F403
from tapeflow.ops import creation_ops as _c, indexing_ops as _i  # noqa: E402
from tapeflow.ops import join_ops as _j, manip_ops as _m, slicing_ops as _s  # noqa: E402

__all__ = exported(globals()) + [
    "expand_dims", "squeeze", "shape", "shape_n", "size", "rank", "ensure_shape",
    "broadcast_static_shape", "broadcast_dynamic_shape",
] + _c.__all__ + _j.__all__ + _m.__all__ + _s.__all__ + _i.__all__


# Inside a tf.function trace, these compute from traced values outside the op mechanism,
# so such a call becomes one graph node that runs again on every call.
reshape = _func_graph.opaque(reshape, argnums=(1,), names=("shape",))
broadcast_to = _func_graph.opaque(broadcast_to, argnums=(1,), names=("shape",))
