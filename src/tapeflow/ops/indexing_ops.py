"""Gathering, scattering, one_hot and where: one ``defop`` declaration per op (kernel,
gradient, TensorFlow's dtypes, an argument normaliser with the public signature)."""
from tapeflow.backend import xp as np  # the array namespace kernels use (DESIGN: backend)
from tapeflow.backend import scatter_add

from tapeflow.framework import dtypes
from tapeflow.framework.errors import InvalidArgumentError, UnimplementedError
from tapeflow.framework.indexed_slices import IndexedSlices
from tapeflow.framework.op_args import index_arg
from tapeflow.framework.op_def import ANY, defop, exported
from tapeflow.framework.tensor import Tensor, convert_to_tensor
from tapeflow.framework.graph import func_graph as _func_graph
from tapeflow.ops.array_ops import reshape, transpose
from tapeflow.ops.creation_ops import _np_dtype, _t


# -- gathering and indexing ------------------------------------------------------------

def _segment_sum_np(data, ids, num_segments):
    out = np.zeros((num_segments,) + data.shape[ids.ndim:], dtype=data.dtype)
    return scatter_add(out, ids, data)   # a sort-and-reduce for wide rows (backend)


def _segment_sum_grad(op, dy):
    """Gathers dy at the segment ids."""
    data, ids = op.inputs
    return gather(dy, ids), None


def _segment_sum_args(data, segment_ids, num_segments, name=None):
    """Returns sums of ``data`` rows grouped by ``segment_ids`` into ``num_segments`` rows."""
    return (_t(data), _t(segment_ids)), {"num_segments": int(_func_graph.value_of(
        num_segments))}


unsorted_segment_sum = defop("UnsortedSegmentSum", _segment_sum_np, _segment_sum_grad,
                             dtypes=ANY, args=_segment_sum_args, export="unsorted_segment_sum")


def _gather_np(params, indices, axis, batch_dims=0):
    n = params.shape[axis]
    if indices.size and (indices.min() < -0 or indices.max() >= n):
        bad = indices[(indices < 0) | (indices >= n)].flat[0]
        raise InvalidArgumentError(None, "GatherV2", f"indices[...] = {bad} is not in "
                                   f"[0, {n}) [Op:GatherV2]")
    return np.take(params, indices, axis=axis)


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


def _gather_args(params, indices, validate_indices=None, axis=None, batch_dims=0, name=None):
    """Returns the slices of ``params`` at ``indices`` along ``axis`` (default 0).

    Raises:
      InvalidArgumentError: for an index out of range, or an axis that is not a scalar
        int32/int64.
    """
    if type(params) is not Tensor and hasattr(type(params), "__tf_dispatch__"):  # ragged
        return params.__tf_dispatch__(gather, (params, indices), {"axis": axis,
                                                                  "batch_dims": batch_dims})
    p = _t(params)
    if not isinstance(indices, Tensor) and np.asarray(indices).dtype == np.bool_:
        indices = np.asarray(indices).astype(np.int32)   # Python bools are converted as ints
    i = _t(indices)
    if i._value.dtype.kind not in "iu":
        raise InvalidArgumentError(None, "GatherV2", "indices must be an integer tensor")
    b = int(batch_dims)
    if b < 0:
        b += i._value.ndim
    if axis is None:
        axis = b
    elif type(axis) is not int:
        arr = index_arg(axis, "GatherV2", "Taxis", float_ok=True)
        if arr.ndim:
            raise InvalidArgumentError(None, "GatherV2", "axis must be scalar [Op:GatherV2]")
        axis = int(arr)
    axis, nd = int(axis), p._value.ndim
    if not -nd <= axis < max(nd, 1):
        raise InvalidArgumentError(None, "GatherV2", f"Shape must be at least rank {axis + 1} "
                                   f"but is rank {nd} [Op:GatherV2]")
    axis %= max(nd, 1)
    if b:
        return _batched_gather(p, i, axis, b)
    return (p, i), {"axis": axis}


gather = defop("GatherV2", _gather_np, _gather_grad, dtypes=ANY, args=_gather_args,
               export="gather")


def _batched_gather(p, i, axis, b):
    """gather with ``batch_dims=b``: row ``i[B]`` picks from ``p[B]`` (B = leading dims)."""
    from tapeflow.ops.slicing_ops import _slice_kernel
    ps, iv = p._value.shape, np.asarray(i._value)
    if axis < b or ps[:b] != iv.shape[:b]:
        raise InvalidArgumentError(
            None, "GatherV2", f"batch_dims ({b}) must be <= axis ({axis}) and params and "
            f"indices must share their first batch_dims dimensions: params shape {list(ps)}, "
            f"indices shape {list(iv.shape)} [Op:GatherV2]")
    n = ps[axis]
    if iv.size and (iv.min() < 0 or iv.max() >= n):
        bad = iv[(iv < 0) | (iv >= n)].flat[0]
        raise InvalidArgumentError(None, "GatherV2", f"indices[...] = {bad} is not in "
                                   f"[0, {n}) [Op:GatherV2]")
    mid = axis - b
    if mid:  # bring the gathered axis next to the batch dims
        perm = tuple(range(b)) + (axis,) + tuple(k for k in range(b, len(ps)) if k != axis)
        p = transpose(p, perm)
    grids = tuple(np.arange(ps[k]).reshape((1,) * k + (ps[k],) + (1,) * (iv.ndim - k - 1))
                  for k in range(b))
    out = _slice_kernel(p, key=grids + (iv,))  # shape B + I + P_mid + P_rest
    if mid:
        ni = iv.ndim - b
        perm = tuple(range(b)) + tuple(range(b + ni, b + ni + mid)) + tuple(
            range(b, b + ni)) + tuple(range(b + ni + mid, out._value.ndim))
        out = transpose(out, perm)
    return out


def _one_hot_np(indices, depth, on_value, off_value, axis, dtype):
    idx = np.asarray(indices).astype(np.int64)
    valid = (idx >= 0) & (idx < depth)
    out = (np.arange(depth) == np.where(valid, idx, -1)[..., None])
    res = np.where(out, on_value, off_value).astype(dtype)
    if axis != -1 and axis != idx.ndim:
        res = np.moveaxis(res, -1, axis)
    return res


def _one_hot_args(indices, depth, on_value=None, off_value=None, axis=None, dtype=None,
                  name=None):
    """Returns a one-hot encoding of ``indices`` (-1 or out-of-range give all-off rows)."""
    if not isinstance(indices, Tensor) and np.asarray(indices).dtype == np.bool_:
        indices = np.asarray(indices).astype(np.int32)   # Python bools are converted as ints
    i = _t(indices)
    if i._value.dtype.kind not in "iu" or i._value.dtype.itemsize == 2 or \
            i._value.dtype.kind == "u" and i._value.dtype.itemsize > 1:
        name = {"float32": "float", "float64": "double", "float16": "half"}.get(
            i.dtype.name, i.dtype.name)
        raise InvalidArgumentError(
            None, "OneHot", f"Value for attr 'TI' of {name} is not in the list of "
            f"allowed values: uint8, int8, int32, int64 [Op:OneHot]")
    if isinstance(depth, (bool, np.integer)):
        depth = int(depth)
    d = index_arg(depth, "OneHot", "depth", strict=True, allowed=("int32",))
    if d.ndim:
        raise InvalidArgumentError(None, "OneHot", f"depth must be a scalar, but got: "
                                   f"[{','.join(map(str, d.shape))}] [Op:OneHot]")
    depth = int(d)
    if depth < 0:
        raise InvalidArgumentError(None, "OneHot", f"depth must be non-negative, got: {depth} "
                                   f"[Op:OneHot]")
    nd = i._value.ndim + 1
    if axis is not None and axis != -1 and not 0 <= axis < nd:
        raise InvalidArgumentError(
            None, "OneHot", f"Expected axis to be -1 or between [0, {nd}).  But received: "
            f"{axis} [Op:OneHot]")
    on_dt = None if on_value is None else _t(on_value).dtype
    off_dt = None if off_value is None else _t(off_value).dtype
    if on_dt is not None and off_dt is not None and on_dt != off_dt:
        raise TypeError(f"dtype {on_dt} of on_value does not match dtype {off_dt} of "
                        f"off_value")
    if dtype is None:
        dtype = on_dt or off_dt or dtypes.float32
    npd = _np_dtype(dtype)
    on = 1 if on_value is None else _t(on_value)._value
    off = 0 if off_value is None else _t(off_value)._value
    return (i,), {"depth": int(depth), "on_value": on, "off_value": off,
                  "axis": -1 if axis is None else int(axis), "dtype": npd}


one_hot = defop("OneHot", _one_hot_np, dtypes=ANY, args=_one_hot_args, export="one_hot")



# -- gather_nd / scatter_nd -------------------------------------------------------------

def _nd_key(indices, shape, op_name):
    """Checks ``indices`` (last axis indexes the leading dims of ``shape``); returns a key."""
    k = indices.shape[-1] if indices.ndim else 0
    if indices.ndim == 0 or k > len(shape):
        raise InvalidArgumentError(
            None, op_name, f"index innermost dimension length must be <= params rank; saw: "
            f"{k} vs. {len(shape)} (indices shape {list(indices.shape)}, params shape "
            f"{list(shape)}) [Op:{op_name}]")
    bound = np.asarray(shape[:k], dtype=np.int64)
    bad = np.any((indices < 0) | (indices >= bound), axis=-1)
    if np.any(bad):
        pos = tuple(int(i) for i in np.argwhere(bad)[0])
        raise InvalidArgumentError(
            None, op_name, f"indices{list(pos)} = {indices[pos].tolist()} does not index into "
            f"param shape {list(shape)} [Op:{op_name}]")
    return tuple(np.moveaxis(indices, -1, 0))


def _check_updates(indices, updates, shape, op_name):
    k = indices.shape[-1]
    want = indices.shape[:-1] + tuple(shape[k:])
    if updates.shape != want:
        raise InvalidArgumentError(
            None, op_name, f"Dimensions of updates must match indices.shape[:-1] + "
            f"shape[indices.shape[-1]:]: updates shape {list(updates.shape)}, indices shape "
            f"{list(indices.shape)}, shape {list(shape)} (expected {list(want)}) [Op:{op_name}]")


def _int_indices(indices, op_name):
    if not isinstance(indices, Tensor) and np.asarray(indices).dtype == np.bool_:
        indices = np.asarray(indices).astype(np.int32)   # Python bools are converted as ints
    i = _t(indices)
    if i._value.dtype.kind not in "iu":
        raise InvalidArgumentError(None, op_name, f"indices must be int32 or int64, got "
                                   f"{i.dtype.name} [Op:{op_name}]")
    return i


def _gather_nd_np(params, indices):
    if indices.ndim and indices.shape[-1] == 0:   # an empty index depth: whole copies
        return np.broadcast_to(params, indices.shape[:-1] + params.shape).copy()
    return params[_nd_key(indices, params.shape, "GatherNd")]


def _gather_nd_grad(op, dy):
    """Scatters dy (summing repeated indices) into zeros of the params' shape."""
    params, indices = op.inputs
    return _scatter_nd_kernel(indices, dy, shape=params._value.shape), None


def _gather_nd_args(params, indices, batch_dims=0, name=None):
    """Returns the slices of ``params`` addressed by the last axis of ``indices``.

    Returns:
      A Tensor of shape ``indices.shape[:-1] + params.shape[indices.shape[-1]:]``.

    Raises:
      InvalidArgumentError: for an index out of range.
    """
    if type(params) is not Tensor and hasattr(type(params), "__tf_dispatch__"):  # ragged
        return params.__tf_dispatch__(gather_nd, (params, indices), {"batch_dims": batch_dims})
    p, i = _t(params), _int_indices(indices, "GatherNd")
    b = int(batch_dims)
    if not b:
        ps, ishape = p._value.shape, i._value.shape
        if not ps:
            raise InvalidArgumentError(None, "GatherNd", f"params must be at least a vector: "
                                       f"[] [Op:GatherNd]")
        if not p._value.size and int(np.prod(ishape[:-1])) and ishape[-1:] != (len(ps),):
            raise InvalidArgumentError(
                None, "GatherNd", f"Requested more than 0 entries, but params is empty.  "
                f"Params shape: [{','.join(map(str, ps))}] [Op:GatherNd]")
        return (p, i), {}
    from tapeflow.ops.slicing_ops import _slice_kernel
    ps, iv = p._value.shape, np.asarray(i._value)
    if iv.ndim <= b or ps[:b] != iv.shape[:b]:
        raise InvalidArgumentError(
            None, "GatherNd", f"params and indices must share their first batch_dims ({b}) "
            f"dimensions: params shape {list(ps)}, indices shape {list(iv.shape)} "
            f"[Op:GatherNd]")
    key = _nd_key(iv, ps[b:], "GatherNd")
    grids = tuple(np.arange(ps[k]).reshape((1,) * k + (ps[k],) + (1,) * (iv.ndim - 2 - k))
                  for k in range(b))
    return _slice_kernel(p, key=grids + key)


gather_nd = defop("GatherNd", _gather_nd_np, _gather_nd_grad, dtypes=ANY, args=_gather_nd_args,
                  export="gather_nd")
_gather_nd_kernel = gather_nd.op_def.op


def _scatter_nd_np(indices, updates, shape):
    _check_updates(indices, updates, shape, "ScatterNd")
    out = np.zeros(shape, dtype=updates.dtype)
    np.add.at(out, _nd_key(indices, shape, "ScatterNd"), updates)  # duplicates sum
    return out


def _scatter_nd_grad(op, dy):
    """Gathers dy at the indices."""
    return None, _gather_nd_kernel(dy, op.inputs[0])


def _scatter_nd_args(indices, updates, shape, name=None):
    """Returns zeros of ``shape`` with ``updates`` added at ``indices`` (duplicates sum).

    Raises:
      InvalidArgumentError: for an index out of range or mismatched update shape.
    """
    from tapeflow.ops.creation_ops import _shape_list
    return (_int_indices(indices, "ScatterNd"), _t(updates)), {"shape": _shape_list(shape)}


scatter_nd = defop("ScatterNd", _scatter_nd_np, _scatter_nd_grad, dtypes=ANY,
                   args=_scatter_nd_args, typed=1, export="scatter_nd")
_scatter_nd_kernel = scatter_nd.op_def.op


def _tsu_np(tensor, indices, updates):
    _check_updates(indices, updates, tensor.shape, "TensorScatterUpdate")
    out = np.array(tensor, copy=True)
    out[_nd_key(indices, tensor.shape, "TensorScatterUpdate")] = updates
    return out


def _tsu_grad(op, dy):
    """dy with the overwritten positions zeroed; the updates get dy gathered there."""
    _, indices, updates = op.inputs
    zeros = Tensor(np.zeros_like(updates._value))
    return (_tsu_kernel(dy, indices, zeros), None, _gather_nd_kernel(dy, indices))


def _tsa_np(tensor, indices, updates):
    _check_updates(indices, updates, tensor.shape, "TensorScatterAdd")
    out = np.array(tensor, copy=True)
    np.add.at(out, _nd_key(indices, tensor.shape, "TensorScatterAdd"), updates)
    return out


def _tsa_grad(op, dy):
    """dy passes to the tensor; the updates get dy gathered at the indices."""
    return dy, None, _gather_nd_kernel(dy, op.inputs[1])


def _scatter_inputs(tensor, indices, updates, op_name):
    t = _t(tensor)
    u = updates if type(updates) is Tensor else convert_to_tensor(updates, t.dtype)
    if u._value.dtype != t._value.dtype:
        raise InvalidArgumentError(
            None, op_name, f"updates must have the tensor's dtype {t.dtype.name}, got "
            f"{u.dtype.name} [Op:{op_name}]")
    return t, _int_indices(indices, op_name), u


def _tsu_args(tensor, indices, updates, name=None):
    """Returns a copy of ``tensor`` with ``updates`` written at ``indices``.

    Raises:
      InvalidArgumentError: for an index out of range, or mismatched shapes/dtypes.
    """
    return _scatter_inputs(tensor, indices, updates, "TensorScatterUpdate"), {}


tensor_scatter_nd_update = defop("TensorScatterUpdate", _tsu_np, _tsu_grad, dtypes=ANY,
                                 args=_tsu_args, export="tensor_scatter_nd_update")
_tsu_kernel = tensor_scatter_nd_update.op_def.op


def _tsa_args(tensor, indices, updates, name=None):
    """Returns a copy of ``tensor`` with ``updates`` added at ``indices`` (duplicates sum).

    Raises:
      InvalidArgumentError: for an index out of range, or mismatched shapes/dtypes.
    """
    return _scatter_inputs(tensor, indices, updates, "TensorScatterAdd"), {}


tensor_scatter_nd_add = defop("TensorScatterAdd", _tsa_np, _tsa_grad, dtypes=ANY,
                              args=_tsa_args, export="tensor_scatter_nd_add")
_tsa_kernel = tensor_scatter_nd_add.op_def.op


def tensor_scatter_nd_sub(tensor, indices, updates, name=None):
    """Returns a copy of ``tensor`` with ``updates`` subtracted at ``indices``."""
    from tapeflow.ops.math_ops import negative
    t, i, u = _scatter_inputs(tensor, indices, updates, "TensorScatterSub")
    return _tsa_kernel(t, i, negative(u))


def _minmax_scatter(ufunc, name, export):
    def kernel(tensor, indices, updates):
        _check_updates(indices, updates, tensor.shape, name)
        out = np.array(tensor, copy=True)
        ufunc.at(out, _nd_key(indices, tensor.shape, name), updates)
        return out

    def args(tensor, indices, updates, name=None):
        """Returns a copy of ``tensor`` with each position at ``indices`` set to the
        maximum (``tensor_scatter_nd_max``) or minimum (``..._min``) of itself and its
        ``updates``."""
        return _scatter_inputs(tensor, indices, updates, name_), {}
    name_ = name

    def grad(op, dy):
        """dy split evenly among the tensor and the updates equal to the output."""
        from tapeflow.ops.math_ops import cast, equal
        x, indices, y = op.inputs
        (out,) = op.outputs
        x_ind = cast(equal(x, out), dy.dtype)
        y_ind = cast(equal(y, _gather_nd_kernel(out, indices)), dy.dtype)
        ind = x_ind + _scatter_nd_kernel(indices, y_ind, shape=list(x.shape))
        return dy * x_ind / ind, None, _gather_nd_kernel(dy / ind, indices) * y_ind

    kernel.__module__ = __name__
    return defop(name, kernel, grad, dtypes=ANY, args=args, export=export, module=__name__)


tensor_scatter_nd_max = _minmax_scatter(np.maximum, "TensorScatterMax", "tensor_scatter_nd_max")
tensor_scatter_nd_min = _minmax_scatter(np.minimum, "TensorScatterMin", "tensor_scatter_nd_min")


# -- where, unique, searchsorted --------------------------------------------------------

def where(condition, x=None, y=None, name=None):
    """``tf.where``: coordinates of True elements, or an elementwise choice.

    With only ``condition``: returns the int64 coordinates of its non-zero
    elements, shape ``[num_true, rank]``. With ``x`` and ``y``: returns ``x``
    where ``condition`` is True and ``y`` elsewhere, all three broadcast.

    Raises:
      ValueError: if only one of ``x`` and ``y`` is given.
      InvalidArgumentError: if the shapes do not broadcast or the dtypes differ.
    """
    from tapeflow.framework.primitive import binary_inputs
    from tapeflow.ops.math_ops import _select_kernel
    for v in (condition, x, y):
        if type(v) is not Tensor and hasattr(type(v), "__tf_dispatch__"):  # RaggedTensor
            return v.__tf_dispatch__(where, (condition, x, y), {})
    # a Python condition is converted to bool (TypeError for numbers, as TensorFlow)
    c = condition if isinstance(condition, Tensor) else convert_to_tensor(condition, dtypes.bool)
    if c._value.dtype != np.bool_ and (x is not None or y is not None):
        # TensorFlow converts the condition with dtype=bool: a numeric tensor is refused
        raise ValueError(f"Tensor conversion requested dtype bool for Tensor with dtype "
                         f"{c.dtype.name}: {c!r}")
    if x is None and y is None:
        return _argwhere(c)
    if x is None or y is None:
        raise ValueError("x and y must both be non-None or both be None.")
    if c._value.dtype != np.bool_:
        raise InvalidArgumentError(None, "SelectV2", f"condition must be a bool tensor, got "
                                   f"{c.dtype.name} [Op:SelectV2]")
    x, y = binary_inputs("SelectV2", x, y)
    return _select_kernel(c, x, y)


def _argwhere_np(c):
    return np.argwhere(c).astype(np.int64)


def _argwhere_args(c):
    """Returns the int64 coordinates of the True (non-zero) elements of ``c``."""
    if c._value.dtype == np.float16:
        raise UnimplementedError(None, "Where", "No WhereOp available for float16/half type. "
                                 "[Op:Where]")
    if not c._value.ndim:
        raise InvalidArgumentError(None, "Where", "WhereOp : Unhandled input dimensions: 0 "
                                   "[Op:Where]")
    return (c,), {}


# TensorFlow's Where: numbers and bool (no string; float16 has no kernel)
_argwhere = defop("Where", _argwhere_np, dtypes=("float", "double", "int32", "uint8",
                  "int16", "int8", "complex64", "int64", "bfloat16", "uint16", "complex128",
                  "half", "uint32", "uint64", "bool"), args=_argwhere_args)


def unique(x, out_idx=dtypes.int32, name=None):
    """Returns the unique elements of 1-D ``x`` in order of first appearance, and their index.

    Returns:
      A namedtuple ``(y, idx)``: ``y`` the unique values, ``idx`` (``out_idx``,
      int32 by default) the position in ``y`` of each element of ``x``.
    """
    v = _t(x)._value
    if v.ndim != 1:
        raise InvalidArgumentError(None, "Unique", f"unique expects a 1D vector, got shape "
                                   f"{list(v.shape)} [Op:Unique]")
    u, first, inv = np.unique(v, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    return UniqueOutput(Tensor(u[order]), Tensor(rank[inv.reshape(-1)].astype(
        _np_dtype(out_idx))))


UniqueOutput = __import__("collections").namedtuple("Unique", ["y", "idx"])


def searchsorted(sorted_sequence, values, side="left", out_type=dtypes.int32, name=None):
    """Returns where each of ``values`` would go in ``sorted_sequence`` (along the last axis).

    Returns:
      A Tensor of ``values``' shape, dtype ``out_type``.
    """
    s, v = _t(sorted_sequence)._value, _t(values)._value
    if side not in ("left", "right"):
        raise ValueError(f"Argument `side` must be one of 'left' or 'right'. Received: {side}")
    if s.ndim == 1 and v.ndim <= 1:
        r = np.searchsorted(s, v, side=side)
    else:
        cmp = np.less if side == "left" else np.less_equal
        r = np.sum(cmp(s[..., None, :], v[..., :, None]), axis=-1)
    return Tensor(np.asarray(r).astype(_np_dtype(out_type)))


__all__ = exported(globals()) + ["tensor_scatter_nd_sub", "where", "unique", "searchsorted"]


# Inside a tf.function trace, these compute from traced values outside the op mechanism,
# so such a call becomes one graph node that runs again on every call.
unique = _func_graph.opaque(unique)
searchsorted = _func_graph.opaque(searchsorted)
one_hot = _func_graph.opaque(one_hot, argnums=(1,), names=("depth",))
