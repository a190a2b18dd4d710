"""Creation, shape and indexing ops: kernel and gradient per op."""
import numpy as np

from tapeflow.framework import dtypes
from tapeflow.framework.errors import InvalidArgumentError
from tapeflow.framework.indexed_slices import IndexedSlices
from tapeflow.framework.primitive import make_unary, primitive
from tapeflow.framework.tensor import Tensor, convert_to_tensor
from tapeflow.framework.tensor_shape import TensorShape
from tapeflow.ops.math_ops import reduce_sum, unbroadcast


def _t(x):
    return x if type(x) is Tensor else convert_to_tensor(x)


def _shape_list(shape):
    """Converts a shape given as list, tuple, TensorShape, Tensor or int to a tuple of ints."""
    if isinstance(shape, Tensor):
        shape = shape._value.tolist()
    elif isinstance(shape, TensorShape):
        shape = shape.as_list()
    elif hasattr(type(shape), "__tf_tensor__"):
        shape = convert_to_tensor(shape)._value.tolist()
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


# -- creation -------------------------------------------------------------------------

def constant(value, dtype=None, shape=None, name="Const"):
    """Returns a constant Tensor of ``value`` (broadcast or reshaped to ``shape`` if given).

    Raises:
      TypeError: if ``value`` cannot be represented in ``dtype``.
    """
    if isinstance(value, Tensor) or hasattr(type(value), "__tf_tensor__"):
        t = convert_to_tensor(value)
        if dtype is not None and t.dtype != dtypes.as_dtype(dtype):
            from tapeflow.ops.math_ops import cast
            t = cast(t, dtype)
    elif dtype is not None and isinstance(value, (np.ndarray, np.generic)):
        t = Tensor(np.asarray(value).astype(dtypes.as_dtype(dtype)._np))
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


def zeros(shape, dtype=dtypes.float32, name=None, layout=None):
    """Returns a Tensor of zeros of ``shape`` and ``dtype`` (float32 by default)."""
    return Tensor(np.zeros(_shape_list(shape), _np_dtype(dtype)))


def ones(shape, dtype=dtypes.float32, name=None, layout=None):
    """Returns a Tensor of ones of ``shape`` and ``dtype`` (float32 by default)."""
    return Tensor(np.ones(_shape_list(shape), _np_dtype(dtype)))


def zeros_like(input, dtype=None, name=None, layout=None):  # noqa: A002
    """Returns zeros with the shape (and dtype, unless given) of ``input``."""
    x = _t(input)
    return Tensor(np.zeros(x._value.shape, x._value.dtype if dtype is None else
                           _np_dtype(dtype)))


def ones_like(input, dtype=None, name=None, layout=None):  # noqa: A002
    """Returns ones with the shape (and dtype, unless given) of ``input``."""
    x = _t(input)
    return Tensor(np.ones(x._value.shape, x._value.dtype if dtype is None else
                          _np_dtype(dtype)))


def fill(dims, value, name=None, layout=None):
    """Returns a Tensor of shape ``dims`` filled with ``value`` (dtype from ``value``)."""
    v = _t(value)
    return Tensor(np.full(_shape_list(dims), v._value, dtype=v._value.dtype))


def eye(num_rows, num_columns=None, batch_shape=None, dtype=dtypes.float32, name=None):
    """Returns an identity matrix (batched if ``batch_shape`` is given)."""
    m = np.eye(int(num_rows), None if num_columns is None else int(num_columns),
               dtype=_np_dtype(dtype))
    if batch_shape is not None:
        m = np.broadcast_to(m, _shape_list(batch_shape) + m.shape).copy()
    return Tensor(m)


def range(start, limit=None, delta=1, dtype=None, name="range"):  # noqa: A001
    """Returns the sequence ``start, start+delta, ...`` below ``limit`` (like Python's range).

    The dtype is inferred from the arguments (int32 for Python ints, float32 if any
    is a float) unless given.
    """
    if limit is None:
        start, limit = 0, start
    vals = [_t(v) for v in (start, limit, delta)]
    if dtype is None:
        order = [np.int32, np.int64, np.float16, np.float32, np.float64]
        kinds = [v._value.dtype.type for v in vals]
        npd = max(kinds, key=lambda k: order.index(k) if k in order else 0)
    else:
        npd = _np_dtype(dtype)
    s, lim, d = (v._value.item() for v in vals)
    if d == 0:
        raise InvalidArgumentError(None, "Range", "Requires delta != 0: 0 [Op:Range]")
    return Tensor(np.arange(s, lim, d).astype(npd))


def linspace(start, stop, num, name=None, axis=0):
    """Returns ``num`` evenly spaced values from ``start`` to ``stop`` inclusive.

    Integer endpoints give float64, as in TensorFlow.
    """
    s, e = _t(start), _t(stop)
    npd = s._value.dtype if s._value.dtype.kind == "f" else np.float64
    return Tensor(np.linspace(s._value, e._value, int(num), axis=axis).astype(npd))


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
    return Tensor(_np_dtype(out_type)(np.size(_t(input)._value)))


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
    shp = shape if type(shape) is tuple else _shape_list(shape)
    if x._value.shape == shp:
        return x if not _needs_record(x) else _reshape_kernel(x, shape=shp)
    try:
        return _reshape_kernel(x, shape=shp)
    except InvalidArgumentError:
        raise InvalidArgumentError(
            None, "Reshape", f"Input to reshape is a tensor with {x._value.size} values, but the "
            f"requested shape has {int(np.prod([d for d in shp if d != -1]))} [Op:Reshape]"
        ) from None


def _needs_record(x):
    from tapeflow.framework import primitive as prim
    return bool(prim._tapes)


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
        perm = tuple(int(p) for p in (_t(perm)._value.tolist() if not isinstance(
            perm, (list, tuple)) else perm))
    return _transpose_kernel(x, perm=perm)


def expand_dims(input, axis, name=None):  # noqa: A002
    """Returns ``input`` with a new axis of size 1 inserted at ``axis``."""
    x = _t(input)
    nd = x._value.ndim
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
        axes = [axis] if isinstance(axis, int) else list(axis)
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
    ts = _convert_list(values)
    _same_dtype(ts, "Pack")
    nd = ts[0]._value.ndim + 1
    axis = int(axis)
    if not -nd <= axis < nd:
        raise ValueError(f"Argument `axis` = {axis} not in range [{-nd}, {nd})")
    return _stack_kernel(*ts, axis=axis % nd)


@primitive("Unpack", num_outputs=-1)
def _unstack_kernel(x, axis):
    return [np.take(x, i, axis=axis) for i in np.arange(x.shape[axis])]


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
    if isinstance(num_or_size_splits, (int, np.integer)):
        k = int(num_or_size_splits)
        if k <= 0 or n % k:
            raise InvalidArgumentError(
                None, "Split", f"Number of ways to split should evenly divide the split "
                f"dimension, but got split_dim {axis} (size = {n}) and num_split {k} "
                f"[Op:Split]")
        sizes = [n // k] * k
    else:
        sizes = [int(s) for s in (_t(num_or_size_splits)._value.tolist() if isinstance(
            num_or_size_splits, Tensor) else num_or_size_splits)]
        if -1 in sizes:
            known = sum(s for s in sizes if s != -1)
            sizes[sizes.index(-1)] = n - known
        if sum(sizes) != n or any(s < 0 for s in sizes):
            raise InvalidArgumentError(
                None, "SplitV", f"Determined shape must either match input shape along "
                f"split_dim exactly if fully specified, or be less than the size of the input "
                f"along split_dim if not fully specified.  Got: {sum(sizes)} [Op:SplitV]")
    return _split_kernel(x, sizes=tuple(sizes), axis=axis)


# -- gathering and indexing ------------------------------------------------------------

@primitive("UnsortedSegmentSum")
def _segment_sum_kernel(data, ids, num_segments):
    out = np.zeros((num_segments,) + data.shape[ids.ndim:], dtype=data.dtype)
    np.add.at(out, ids, data)
    return out


@_segment_sum_kernel.def_grad
def _segment_sum_grad(op, dy):
    """Gathers dy at the segment ids."""
    data, ids = op.inputs
    return gather(dy, ids), None


def unsorted_segment_sum(data, segment_ids, num_segments, name=None):
    """Returns sums of ``data`` rows grouped by ``segment_ids`` into ``num_segments`` rows."""
    return _segment_sum_kernel(_t(data), _t(segment_ids), num_segments=int(num_segments))


@primitive("GatherV2")
def _gather_kernel(params, indices, axis, batch_dims=0):
    n = params.shape[axis]
    if indices.size and (indices.min() < -0 or indices.max() >= n):
        bad = indices[(indices < 0) | (indices >= n)].flat[0]
        raise InvalidArgumentError(None, "GatherV2", f"indices[...] = {bad} is not in "
                                   f"[0, {n}) [Op:GatherV2]")
    return np.take(params, indices, axis=axis)


@_gather_kernel.def_grad
def _gather_grad(op, dy):
    """An IndexedSlices of dy at the gathered rows (dense scatter for axis != 0)."""
    params, indices = op.inputs
    axis = op.attrs["axis"]
    pshape = params._value.shape
    if axis == 0:
        flat_idx = reshape(indices, (-1,))
        values = reshape(dy, (int(np.size(indices._value)),) + pshape[1:])
        return IndexedSlices(values, flat_idx,
                             Tensor(np.array(pshape, dtype=np.int32))), None
    perm = list(np.arange(len(pshape)))
    perm = [axis] + perm[:axis] + perm[axis + 1:]
    inv = list(np.argsort(perm))
    nd_i = indices._value.ndim
    # move the gathered axes of dy to the front
    dperm = list(np.arange(axis, axis + nd_i)) + list(np.arange(axis)) + list(
        np.arange(axis + nd_i, dy._value.ndim))
    dyt = transpose(dy, dperm)
    moved_shape = tuple(pshape[p] for p in perm)
    flat = reshape(dyt, (int(np.size(indices._value)),) + moved_shape[1:])
    dense = unsorted_segment_sum(flat, reshape(indices, (-1,)), pshape[axis])
    return transpose(dense, inv), None


def gather(params, indices, validate_indices=None, axis=None, batch_dims=0, name=None):
    """Returns the slices of ``params`` at ``indices`` along ``axis`` (default 0).

    Raises:
      InvalidArgumentError: for an index out of range.
    """
    p = _t(params)
    i = _t(indices)
    if i._value.dtype.kind not in "iu":
        raise InvalidArgumentError(None, "GatherV2", "indices must be an integer tensor")
    axis = 0 if axis is None else int(axis) % max(p._value.ndim, 1)
    return _gather_kernel(p, i, axis=axis)


@primitive("OneHot", differentiable=False)
def _one_hot_kernel(indices, depth, on_value, off_value, axis, dtype):
    idx = np.asarray(indices).astype(np.int64)
    valid = (idx >= 0) & (idx < depth)
    out = (np.arange(depth) == np.where(valid, idx, -1)[..., None])
    res = np.where(out, on_value, off_value).astype(dtype)
    if axis != -1 and axis != idx.ndim:
        res = np.moveaxis(res, -1, axis)
    return res


def one_hot(indices, depth, on_value=None, off_value=None, axis=None, dtype=None, name=None):
    """Returns a one-hot encoding of ``indices`` (-1 or out-of-range give all-off rows)."""
    i = _t(indices)
    if dtype is None:
        if on_value is not None:
            dtype = _t(on_value).dtype
        elif off_value is not None:
            dtype = _t(off_value).dtype
        else:
            dtype = dtypes.float32
    npd = _np_dtype(dtype)
    on = 1 if on_value is None else _t(on_value)._value
    off = 0 if off_value is None else _t(off_value)._value
    return _one_hot_kernel(i, depth=int(depth), on_value=on, off_value=off,
                           axis=-1 if axis is None else int(axis), dtype=npd)


# -- __getitem__ ---------------------------------------------------------------------------

@primitive("StridedSlice")
def _slice_kernel(x, key):
    try:
        return x[key]
    except IndexError as e:
        raise InvalidArgumentError(None, "StridedSlice", f"{e} (shape {list(x.shape)}) "
                                   f"[Op:StridedSlice]") from None


@_slice_kernel.def_grad
def _slice_grad(op, dy):
    """Scatters dy into zeros of the input's shape at the sliced positions."""
    x = op.inputs[0]
    return _slice_grad_op(dy, shape=x._value.shape, key=op.attrs["key"])


@primitive("StridedSliceGrad")
def _slice_grad_kernel(dy, shape, key):
    out = np.zeros(shape, dtype=dy.dtype)
    if _has_array_index(key):
        np.add.at(out, key, dy)
    else:
        out[key] = dy
    return out


@_slice_grad_kernel.def_grad
def _slice_grad_grad(op, ddx):
    """The slice of ddx at the same key."""
    return _slice_kernel(ddx, key=op.attrs["key"])


def _slice_grad_op(dy, shape, key):
    return _slice_grad_kernel(dy, shape=shape, key=key)


def _has_array_index(key):
    if isinstance(key, tuple):
        return any(isinstance(k, np.ndarray) for k in key)
    return isinstance(key, np.ndarray)


def _norm_key_item(k):
    if isinstance(k, Tensor) or hasattr(type(k), "__tf_tensor__"):
        v = convert_to_tensor(k)._value
        if v.ndim == 0 and v.dtype.kind in "iu":
            return int(v)
        return np.asarray(v)
    if isinstance(k, slice):
        return slice(*(int(convert_to_tensor(s)._value) if isinstance(s, Tensor) else s
                       for s in (k.start, k.stop, k.step)))
    if isinstance(k, (list, np.ndarray)):
        return np.asarray(k)
    return k


def _getitem(tensor, key):
    """``tensor[key]``: ints, slices, Ellipsis, None/newaxis, and bool/int tensor masks."""
    x = tensor if type(tensor) is Tensor else convert_to_tensor(tensor)
    if isinstance(key, list):
        key = tuple(key)  # TensorFlow reads a list index as a tuple of indices
    if isinstance(key, tuple):
        key = tuple(_norm_key_item(k) for k in key)
    else:
        key = _norm_key_item(key)
    if isinstance(key, np.ndarray) and key.dtype == np.bool_:
        return boolean_mask(x, key)
    return _slice_kernel(x, key=key)


def boolean_mask(tensor, mask, axis=None, name="boolean_mask"):
    """Returns the elements (rows) of ``tensor`` where ``mask`` is True.

    Raises:
      InvalidArgumentError: if the mask's shape does not match the leading dims.
    """
    x = _t(tensor)
    m = np.asarray(_t(mask)._value)
    axis = 0 if axis is None else int(axis)
    xs = x._value.shape
    if m.ndim == 0 or xs[axis:axis + m.ndim] != m.shape:
        raise InvalidArgumentError(None, "BooleanMask", f"Shapes {list(xs)} and "
                                   f"{list(m.shape)} are incompatible")
    key = (slice(None),) * axis + tuple(np.nonzero(m))
    return _slice_kernel(x, key=key)


__all__ = [
    "constant", "zeros", "ones", "zeros_like", "ones_like", "fill", "eye", "range",
    "linspace", "identity", "stop_gradient", "shape", "size", "rank", "reshape",
    "broadcast_to", "transpose", "expand_dims", "squeeze", "concat", "stack", "unstack",
    "split", "unsorted_segment_sum", "gather", "one_hot", "boolean_mask",
]
