"""Gathering, scattering, masking, where and ``__getitem__``: kernel and gradient per op."""
from tapeflow.backend import xp as np  # the array namespace kernels use (DESIGN: backend)
from tapeflow.backend import scatter_add

from tapeflow.framework import dtypes
from tapeflow.framework.errors import InvalidArgumentError
from tapeflow.framework.indexed_slices import IndexedSlices
from tapeflow.framework.primitive import primitive
from tapeflow.framework.tensor import Tensor, convert_to_tensor
from tapeflow.framework.graph import func_graph as _func_graph
from tapeflow.ops.array_ops import reshape, transpose
from tapeflow.ops.creation_ops import _np_dtype, _t


# -- gathering and indexing ------------------------------------------------------------

@primitive("UnsortedSegmentSum")
def _segment_sum_kernel(data, ids, num_segments):
    out = np.zeros((num_segments,) + data.shape[ids.ndim:], dtype=data.dtype)
    return scatter_add(out, ids, data)   # a sort-and-reduce for wide rows (backend)


@_segment_sum_kernel.def_grad
def _segment_sum_grad(op, dy):
    """Gathers dy at the segment ids."""
    data, ids = op.inputs
    return gather(dy, ids), None


def unsorted_segment_sum(data, segment_ids, num_segments, name=None):
    """Returns sums of ``data`` rows grouped by ``segment_ids`` into ``num_segments`` rows."""
    return _segment_sum_kernel(_t(data), _t(segment_ids),
                               num_segments=int(_func_graph.value_of(num_segments)))


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
    if type(params) is not Tensor and hasattr(type(params), "__tf_dispatch__"):  # ragged
        return params.__tf_dispatch__(gather, (params, indices), {"axis": axis,
                                                                  "batch_dims": batch_dims})
    p = _t(params)
    i = _t(indices)
    if i._value.dtype.kind not in "iu":
        raise InvalidArgumentError(None, "GatherV2", "indices must be an integer tensor")
    b = int(batch_dims)
    if b < 0:
        b += i._value.ndim
    if axis is None:
        axis = b
    axis, nd = int(axis), p._value.ndim
    if not -nd <= axis < max(nd, 1):
        raise InvalidArgumentError(None, "GatherV2", f"Shape must be at least rank {axis + 1} "
                                   f"but is rank {nd} [Op:GatherV2]")
    axis %= max(nd, 1)
    if b:
        return _batched_gather(p, i, axis, b)
    return _gather_kernel(p, i, axis=axis)


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
    if i._value.dtype.kind == "b":   # TensorFlow's Python wrapper casts bool indices
        i = Tensor(i._value.astype(np.int64))
    if i._value.dtype.kind not in "iu" or i._value.dtype.itemsize == 2 or \
            i._value.dtype.kind == "u" and i._value.dtype.itemsize > 1:
        name = {"float32": "float", "float64": "double", "float16": "half"}.get(
            i.dtype.name, i.dtype.name)
        raise InvalidArgumentError(
            None, "OneHot", f"Value for attr 'TI' of {name} is not in the list of "
            f"allowed values: uint8, int8, int32, int64 [Op:OneHot]")
    if type(depth) is float:
        raise TypeError(f"Cannot convert {depth!r} to EagerTensor of dtype int32")
    depth = int(_t(depth)._value)
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
    return _one_hot_kernel(i, depth=int(depth), on_value=on, off_value=off,
                           axis=-1 if axis is None else int(axis), dtype=npd)



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
    i = _t(indices)
    if i._value.dtype.kind not in "iu":
        raise InvalidArgumentError(None, op_name, f"indices must be int32 or int64, got "
                                   f"{i.dtype.name} [Op:{op_name}]")
    return i


@primitive("GatherNd")
def _gather_nd_kernel(params, indices):
    return params[_nd_key(indices, params.shape, "GatherNd")]


@_gather_nd_kernel.def_grad
def _gather_nd_grad(op, dy):
    """Scatters dy (summing repeated indices) into zeros of the params' shape."""
    params, indices = op.inputs
    return _scatter_nd_kernel(indices, dy, shape=params._value.shape), None


def gather_nd(params, indices, batch_dims=0, name=None):
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
        return _gather_nd_kernel(p, i)
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


@primitive("ScatterNd")
def _scatter_nd_kernel(indices, updates, shape):
    _check_updates(indices, updates, shape, "ScatterNd")
    out = np.zeros(shape, dtype=updates.dtype)
    np.add.at(out, _nd_key(indices, shape, "ScatterNd"), updates)  # duplicates sum
    return out


@_scatter_nd_kernel.def_grad
def _scatter_nd_grad(op, dy):
    """Gathers dy at the indices."""
    return None, _gather_nd_kernel(dy, op.inputs[0])


def scatter_nd(indices, updates, shape, name=None):
    """Returns zeros of ``shape`` with ``updates`` added at ``indices`` (duplicates sum).

    Raises:
      InvalidArgumentError: for an index out of range or mismatched update shape.
    """
    from tapeflow.ops.creation_ops import _shape_list
    return _scatter_nd_kernel(_int_indices(indices, "ScatterNd"), _t(updates),
                              shape=_shape_list(shape))


@primitive("TensorScatterUpdate")
def _tsu_kernel(tensor, indices, updates):
    _check_updates(indices, updates, tensor.shape, "TensorScatterUpdate")
    out = np.array(tensor, copy=True)
    out[_nd_key(indices, tensor.shape, "TensorScatterUpdate")] = updates
    return out


@_tsu_kernel.def_grad
def _tsu_grad(op, dy):
    """dy with the overwritten positions zeroed; the updates get dy gathered there."""
    _, indices, updates = op.inputs
    zeros = Tensor(np.zeros_like(updates._value))
    return (_tsu_kernel(dy, indices, zeros), None, _gather_nd_kernel(dy, indices))


@primitive("TensorScatterAdd")
def _tsa_kernel(tensor, indices, updates):
    _check_updates(indices, updates, tensor.shape, "TensorScatterAdd")
    out = np.array(tensor, copy=True)
    np.add.at(out, _nd_key(indices, tensor.shape, "TensorScatterAdd"), updates)
    return out


@_tsa_kernel.def_grad
def _tsa_grad(op, dy):
    """dy passes to the tensor; the updates get dy gathered at the indices."""
    return dy, None, _gather_nd_kernel(dy, op.inputs[1])


def _scatter_args(tensor, indices, updates, op_name):
    t = _t(tensor)
    u = updates if type(updates) is Tensor else convert_to_tensor(updates, t.dtype)
    if u._value.dtype != t._value.dtype:
        raise InvalidArgumentError(
            None, op_name, f"updates must have the tensor's dtype {t.dtype.name}, got "
            f"{u.dtype.name} [Op:{op_name}]")
    return t, _int_indices(indices, op_name), u


def tensor_scatter_nd_update(tensor, indices, updates, name=None):
    """Returns a copy of ``tensor`` with ``updates`` written at ``indices``.

    Raises:
      InvalidArgumentError: for an index out of range, or mismatched shapes/dtypes.
    """
    return _tsu_kernel(*_scatter_args(tensor, indices, updates, "TensorScatterUpdate"))


def tensor_scatter_nd_add(tensor, indices, updates, name=None):
    """Returns a copy of ``tensor`` with ``updates`` added at ``indices`` (duplicates sum).

    Raises:
      InvalidArgumentError: for an index out of range, or mismatched shapes/dtypes.
    """
    return _tsa_kernel(*_scatter_args(tensor, indices, updates, "TensorScatterAdd"))


def tensor_scatter_nd_sub(tensor, indices, updates, name=None):
    """Returns a copy of ``tensor`` with ``updates`` subtracted at ``indices``."""
    from tapeflow.ops.math_ops import negative
    t, i, u = _scatter_args(tensor, indices, updates, "TensorScatterSub")
    return _tsa_kernel(t, i, negative(u))


def _minmax_scatter(ufunc, name):
    @primitive(name)
    def kernel(tensor, indices, updates):
        _check_updates(indices, updates, tensor.shape, name)
        out = np.array(tensor, copy=True)
        ufunc.at(out, _nd_key(indices, tensor.shape, name), updates)
        return out

    @kernel.def_grad
    def grad(op, dy):
        """dy split evenly among the tensor and the updates equal to the output."""
        from tapeflow.ops.math_ops import cast, equal
        x, indices, y = op.inputs
        (out,) = op.outputs
        x_ind = cast(equal(x, out), dy.dtype)
        y_ind = cast(equal(y, _gather_nd_kernel(out, indices)), dy.dtype)
        ind = x_ind + _scatter_nd_kernel(indices, y_ind, shape=list(x.shape))
        return dy * x_ind / ind, None, _gather_nd_kernel(dy / ind, indices) * y_ind

    return kernel


_tsmax_kernel = _minmax_scatter(np.maximum, "TensorScatterMax")
_tsmin_kernel = _minmax_scatter(np.minimum, "TensorScatterMin")


def tensor_scatter_nd_max(tensor, indices, updates, name=None):
    """Returns a copy of ``tensor`` with each position at ``indices`` set to the maximum of
    itself and its ``updates``."""
    return _tsmax_kernel(*_scatter_args(tensor, indices, updates, "TensorScatterMax"))


def tensor_scatter_nd_min(tensor, indices, updates, name=None):
    """Returns a copy of ``tensor`` with each position at ``indices`` set to the minimum of
    itself and its ``updates``."""
    return _tsmin_kernel(*_scatter_args(tensor, indices, updates, "TensorScatterMin"))


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
    if c._value.dtype != np.bool_ and x is not None and y is not None:
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


def _argwhere(c):
    """Returns the int64 coordinates of the True elements of ``c``."""
    return Tensor(np.argwhere(c._value).astype(np.int64))


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


__all__ = [
    "unsorted_segment_sum", "gather", "one_hot", "gather_nd", "scatter_nd",
    "tensor_scatter_nd_update", "tensor_scatter_nd_add", "tensor_scatter_nd_sub",
    "tensor_scatter_nd_max", "tensor_scatter_nd_min", "where", "unique", "searchsorted",
]


# Inside a tf.function trace, these compute from traced values outside the op mechanism,
# so such a call becomes one graph node that runs again on every call.
unique = _func_graph.opaque(unique)
searchsorted = _func_graph.opaque(searchsorted)
_argwhere = _func_graph.opaque(_argwhere)
one_hot = _func_graph.opaque(one_hot, argnums=(1,), names=("depth",))
