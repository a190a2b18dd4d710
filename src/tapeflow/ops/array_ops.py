"""Shape ops (reshape, transpose, broadcast, squeeze), joining and splitting.

This module also re-exports the creation, manipulation and indexing ops, which
live in ``creation_ops``, ``manip_ops`` and ``indexing_ops``.
"""
from tapeflow.backend import xp as np  # the array namespace kernels use (DESIGN: backend)

from tapeflow.framework import dtypes
from tapeflow.framework.errors import InvalidArgumentError
from tapeflow.framework.op_def import index_array
from tapeflow.framework.primitive import make_unary, primitive
from tapeflow.framework.tensor import Tensor, convert_to_tensor
from tapeflow.framework.graph import func_graph as _func_graph
from tapeflow.ops.creation_ops import *  # noqa: F401,F403
from tapeflow.ops.creation_ops import _np_dtype, _shape_list, _t
from tapeflow.ops.math_ops import unbroadcast


@primitive("Identity")
def _identity_kernel(x):
    return x


@_identity_kernel.def_grad
def _identity_grad(op, dy):
    """d identity = dy."""
    return dy


_identity_op = _identity_kernel
_identity = make_unary(_identity_kernel)


def identity(input, name=None):  # noqa: A002
    """Returns a Tensor with the same value as ``input`` (reads a variable's value)."""
    return _identity(input)


@primitive("StopGradient", differentiable=False)
def _stop_gradient_kernel(x):
    return x


stop_gradient = make_unary(_stop_gradient_kernel)


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


@primitive("Reshape")
def _reshape_kernel(x, shape):
    return np.reshape(x, shape)


@_reshape_kernel.def_grad
def _reshape_grad(op, dy):
    """Reshapes dy back to the input's shape."""
    return reshape(dy, op.inputs[0]._value.shape)


def reshape(tensor, shape, name=None):
    """Returns ``tensor`` with the same elements in ``shape`` (one dim may be -1).

    Raises:
      InvalidArgumentError: if the element counts differ.
    """
    x = tensor if type(tensor) is Tensor else convert_to_tensor(tensor)
    if type(shape) is tuple:
        shp = shape
    else:
        try:
            shp = _shape_list(shape)
        except (TypeError, ValueError):
            index_array(shape, "Reshape", "Tshape")   # a string: TensorFlow's error
            raise
        if isinstance(shape, Tensor) and shape._value.dtype.kind not in "iu":
            index_array(shape, "Reshape", "Tshape")   # a float Tensor: TensorFlow's error
    if x._value.shape == shp:
        return x if not _needs_record(x) else _reshape_kernel(x, shape=shp)
    try:
        return _reshape_kernel(x, shape=shp)
    except InvalidArgumentError:
        if shp.count(-1) > 1:
            first = shp.index(-1)
            raise InvalidArgumentError(
                None, "Reshape", f"Only one input size may be -1, not both {first} and "
                f"{shp.index(-1, first + 1)} [Op:Reshape]") from None
        raise InvalidArgumentError(
            None, "Reshape", f"Input to reshape is a tensor with {x._value.size} values, but the "
            f"requested shape has {int(np.prod([d for d in shp if d != -1]))} [Op:Reshape]"
        ) from None


def _needs_record(x):
    from tapeflow.framework import primitive as prim
    return bool(prim.ACTIVE)


@primitive("BroadcastTo")
def _broadcast_to_kernel(x, shape):
    return np.broadcast_to(x, shape)


@_broadcast_to_kernel.def_grad
def _broadcast_to_grad(op, dy):
    """Sums dy over the broadcast axes."""
    return unbroadcast(dy, op.inputs[0]._value.shape)


def broadcast_to(input, shape, name=None):  # noqa: A002
    """Returns ``input`` broadcast to ``shape``.

    Raises:
      InvalidArgumentError: if the shapes are not broadcast-compatible.
    """
    x = _t(input)
    shp = _shape_list(shape)
    if x._value.shape == shp:
        return x
    return _broadcast_to_kernel(x, shape=shp)


@primitive("Transpose")
def _transpose_kernel(x, perm):
    return np.transpose(x, perm)


@_transpose_kernel.def_grad
def _transpose_grad(op, dy):
    """Transposes dy by the inverse permutation."""
    perm = op.attrs["perm"]
    return transpose(dy, list(np.argsort(perm)))


def transpose(a, perm=None, conjugate=False, name="transpose"):
    """Returns ``a`` with its axes permuted (reversed when ``perm`` is None)."""
    x = _t(a)
    if perm is None:
        perm = tuple(reversed(np.arange(x._value.ndim).tolist()))
    else:
        perm = tuple(int(p) for p in (_func_graph.value_of(_t(perm)).tolist() if not isinstance(
            perm, (list, tuple)) else perm))
    out = _transpose_kernel(x, perm=perm)
    if conjugate and x._value.dtype.kind == "c":
        from tapeflow.ops.special_math_ops import conj
        out = conj(out)
    return out


def expand_dims(input, axis, name=None):  # noqa: A002
    """Returns ``input`` with a new axis of size 1 inserted at ``axis``."""
    x = _t(input)
    nd = x._value.ndim
    if isinstance(axis, (list, tuple)) or np.ndim(_func_graph.value_of(axis)) > 0:
        if np.size(_func_graph.value_of(axis)) != 1:
            raise InvalidArgumentError(None, "ExpandDims", "'dim' must be a tensor with a "
                                       "single value [Op:ExpandDims]")
        axis = np.ravel(_func_graph.value_of(axis))[0]
    axis = int(axis)
    if not -nd - 1 <= axis <= nd:
        raise InvalidArgumentError(None, "ExpandDims", f"Tried to expand dim index {axis} for "
                                   f"tensor with {nd} dimensions. [Op:ExpandDims]")
    if axis < 0:
        axis += nd + 1
    shp = x._value.shape[:axis] + (1,) + x._value.shape[axis:]
    return _reshape_kernel(x, shape=shp)


def squeeze(input, axis=None, name=None):  # noqa: A002
    """Returns ``input`` without the size-1 axes (only those in ``axis`` if given).

    Raises:
      InvalidArgumentError: if an axis in ``axis`` does not have size 1.
    """
    x = _t(input)
    shp = x._value.shape
    if axis is None:
        new = tuple(n for n in shp if n != 1)
    else:
        axes = [int(axis)] if isinstance(axis, (int, np.integer)) else [int(a) for a in axis]
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
        new = tuple(n for i, n in enumerate(shp) if i not in axes)
    return _reshape_kernel(x, shape=new)


# -- joining and splitting ---------------------------------------------------------

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


@primitive("ConcatV2")
def _concat_kernel(*xs, axis):
    return np.concatenate(xs, axis=axis)


@_concat_kernel.def_grad
def _concat_grad(op, dy):
    """Splits dy back into the pieces' sizes along the axis."""
    axis = op.attrs["axis"]
    sizes = [x._value.shape[axis] for x in op.inputs]
    return split(dy, sizes, axis=axis)


def concat(values, axis, name="concat"):
    """Returns the tensors in ``values`` joined along ``axis``.

    Raises:
      InvalidArgumentError: on mixed dtypes or mismatched shapes.
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
    _same_dtype(ts, "ConcatV2")
    nd = ts[0]._value.ndim
    axis = int(axis)
    if not -nd <= axis < max(nd, 1):
        raise InvalidArgumentError(None, "ConcatV2", f"ConcatOp : Expected concatenating "
                                   f"dimensions in the range [{-nd}, {nd}), but got {axis}")
    if len(ts) == 1:
        return ts[0]
    return _concat_kernel(*ts, axis=axis % nd)


@primitive("Pack")
def _stack_kernel(*xs, axis):
    return np.stack(xs, axis=axis)


@_stack_kernel.def_grad
def _stack_grad(op, dy):
    """Unstacks dy along the stacking axis."""
    return unstack(dy, axis=op.attrs["axis"])


def stack(values, axis=0, name="stack"):
    """Returns the tensors in ``values`` stacked along a new ``axis``.

    Raises:
      InvalidArgumentError: on mixed dtypes or mismatched shapes.
    """
    for v in values:
        if hasattr(type(v), "__tf_dispatch__"):  # RaggedTensor
            return v.__tf_dispatch__(stack, (values, axis), {})
    ts = _convert_list(values)
    _same_dtype(ts, "Pack")
    nd = ts[0]._value.ndim + 1
    axis = int(axis)
    if not -nd <= axis < nd:
        raise ValueError(f"Argument `axis` = {axis} not in range [{-nd}, {nd})")
    return _stack_kernel(*ts, axis=axis % nd)


@primitive("Unpack", num_outputs=-1)
def _unstack_kernel(x, axis):
    return list(np.moveaxis(x, axis, 0))  # views, no copies


@_unstack_kernel.def_grad
def _unstack_grad(op, *dys):
    """Stacks the pieces' gradients back together."""
    return (stack(list(dys), axis=op.attrs["axis"]),)


def unstack(value, num=None, axis=0, name="unstack"):
    """Returns the list of tensors obtained by slicing ``value`` along ``axis``."""
    x = _t(value)
    if x._value.ndim == 0:
        raise ValueError("Cannot unstack a scalar tensor.")
    axis = int(axis) % x._value.ndim
    if num is not None and num != x._value.shape[axis]:
        raise ValueError(f"Cannot infer argument `num` from shape {x.shape}")
    if x._value.shape[axis] == 0:
        return []
    return _unstack_kernel(x, axis=axis)


@primitive("SplitV", num_outputs=-1)
def _split_kernel(x, sizes, axis):
    idx = np.cumsum(sizes)[:-1]
    return np.split(x, idx, axis=axis)


@_split_kernel.def_grad
def _split_grad(op, *dys):
    """Concatenates the pieces' gradients."""
    return (concat(list(dys), axis=op.attrs["axis"]),)


def split(value, num_or_size_splits, axis=0, num=None, name="split"):
    """Returns ``value`` split along ``axis`` into equal parts or parts of the given sizes.

    Raises:
      InvalidArgumentError: if the sizes do not add up to the axis length.
    """
    x = _t(value)
    axis = int(axis) % x._value.ndim
    n = x._value.shape[axis]
    if isinstance(num_or_size_splits, Tensor) and num_or_size_splits._value.ndim == 0:
        num_or_size_splits = int(num_or_size_splits._value)
    if isinstance(num_or_size_splits, (int, np.integer)):
        k = int(num_or_size_splits)
        if k <= 0 or n % k:
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
    return _split_kernel(x, sizes=tuple(sizes), axis=axis)



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
from tapeflow.ops.manip_ops import *  # noqa: E402,F401,F403
from tapeflow.ops.slicing_ops import *  # noqa: E402,F401,F403
from tapeflow.ops.slicing_ops import _getitem  # noqa: E402,F401
from tapeflow.ops.indexing_ops import *  # noqa: E402,F401,F403
from tapeflow.ops import creation_ops as _c, indexing_ops as _i  # noqa: E402
from tapeflow.ops import manip_ops as _m, slicing_ops as _s  # noqa: E402

__all__ = [
    "identity", "stop_gradient", "shape", "shape_n", "size", "rank", "reshape",
    "broadcast_to", "transpose", "expand_dims", "squeeze", "concat", "stack", "unstack",
    "split", "ensure_shape", "broadcast_static_shape", "broadcast_dynamic_shape",
] + _c.__all__ + _m.__all__ + _s.__all__ + _i.__all__


# Inside a tf.function trace, these compute from traced values outside the op mechanism,
# so such a call becomes one graph node that runs again on every call.
reshape = _func_graph.opaque(reshape, argnums=(1,), names=("shape",))
broadcast_to = _func_graph.opaque(broadcast_to, argnums=(1,), names=("shape",))
