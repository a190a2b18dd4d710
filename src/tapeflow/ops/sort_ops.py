"""Sorting, top-k and counting: sort, argsort, top_k, in_top_k, bincount,
confusion_matrix, segment_sum.
"""
from collections import namedtuple

from tapeflow.backend import xp as np  # the array namespace kernels use (DESIGN: backend)

from tapeflow.framework import dtypes
from tapeflow.framework.errors import InvalidArgumentError
from tapeflow.framework.op_args import index_arg
from tapeflow.framework.op_def import ANY, COMPARE, defop
from tapeflow.framework.tensor import Tensor, convert_to_tensor
from tapeflow.framework.graph import func_graph as _func_graph
from tapeflow.ops.math_ops import _quiet


def _t(x):
    return x if type(x) is Tensor else convert_to_tensor(x)


# -- sorting and top-k ----------------------------------------------------------------------
# Values are picked with TakeAlongAxis, whose gradient scatters dy back (indices are
# unique along the axis), so sort and top_k need no gradient rule of their own.

def _take_np(x, indices, axis):
    return np.take_along_axis(x, indices, axis=axis)


def _take_grad(op, dy):
    """Scatters dy back to the positions it was taken from."""
    x, idx = op.inputs
    return _put_op(dy, idx, axis=op.attrs["axis"], shape=x._value.shape), None


def _put_np(values, indices, axis, shape):
    out = np.zeros(shape, values.dtype)
    np.put_along_axis(out, indices, values, axis=axis)
    return out


def _put_grad(op, dy):
    """Takes dy back from the positions written."""
    return _take_op(dy, op.inputs[1], axis=op.attrs["axis"]), None


# Internal ops (no public wrapper): called as ``_take_op(x, idx, axis=a)``.
_take_op = defop("TakeAlongAxis", _take_np, _take_grad, dtypes=ANY).op_def.op
_put_op = defop("PutAlongAxis", _put_np, _put_grad, dtypes=ANY).op_def.op


def _sort_key(v, descending):
    if not descending:
        return v
    if v.dtype.kind == "f":
        return -v
    return -v.astype(np.int64)


def _check_direction(direction):
    if direction not in ("ASCENDING", "DESCENDING"):
        raise ValueError(f"`direction` should be one of {{'ASCENDING', 'DESCENDING'}}. "
                         f"Received: direction={direction}")
    return direction == "DESCENDING"


def _argsort_np(v, axis, descending):
    return np.argsort(_sort_key(v, descending), axis=axis, kind="stable")


def _sort_axis(axis, nd):
    """``axis`` of sort/argsort, checked as TensorFlow's Python layer and its StridedSlice
    of the shape check it."""
    if axis is None:
        raise ValueError("Attempt to convert a value (None) with an unsupported type "
                         "(<class 'NoneType'>) to a Tensor.")
    if np.ndim(axis.numpy() if isinstance(axis, Tensor) else axis):
        shown = np.asarray(axis.numpy() if isinstance(axis, Tensor) else axis)
        raise ValueError(f"Argument `axis` must be a constant scalar. Received: axis={shown}.")
    axis = int(axis)
    if not -nd <= axis < nd:   # TensorFlow slices the shape with ``axis``
        raise InvalidArgumentError(None, "StridedSlice", f"slice index {axis} of dimension 0 "
                                   f"out of bounds. [Op:StridedSlice]")
    return axis % nd


def argsort(values, axis=-1, direction="ASCENDING", stable=False, name=None):
    """Returns the int32 indices that sort ``values`` along ``axis`` (ties keep their order)."""
    descending = _check_direction(direction)
    x = _t(values)
    axis = _sort_axis(axis, x._value.ndim)
    _check_sortable(x, descending)
    return Tensor(_argsort_np(x._value, axis, descending).astype(np.int32))


def _check_sortable(x, descending):
    """TensorFlow sorts with TopKV2 (ascending: of the negation): its dtype rules apply."""
    if x._value.dtype not in _TOPK.ok:
        from tapeflow.ops.math_ops import negative
        if descending or x._value.dtype in negative.op_def.ok:
            raise _TOPK.dtype_error(x._value.dtype)
        raise negative.op_def.dtype_error(x._value.dtype)


def sort(values, axis=-1, direction="ASCENDING", name=None):
    """Returns ``values`` sorted along ``axis`` (``direction`` 'ASCENDING' or 'DESCENDING')."""
    descending = _check_direction(direction)
    x = _t(values)
    axis = _sort_axis(axis, x._value.ndim)
    _check_sortable(x, descending)
    idx = Tensor(_argsort_np(x._value, axis, descending))
    return _take_op(x, idx, axis=axis)


TopKV2 = namedtuple("TopKV2", ["values", "indices"])


def _top_k_np(v, k, index_type):
    idx = _argsort_np(v, -1, True)[..., :k]
    return np.take_along_axis(v, idx, axis=-1), idx.astype(index_type)


def _top_k_grad(op, dy, _):
    """Scatters dy back to the positions the values came from."""
    x = op.inputs[0]
    return (_put_op(dy, op.outputs[1], axis=x._value.ndim - 1, shape=x._value.shape),)


def _top_k_args(input, k=1, sorted=True, index_type=dtypes.int32, name=None):  # noqa: A002
    """Returns the ``k`` largest entries along the last axis and their indices.

    Returns:
      ``TopKV2(values, indices)``; ties give the lower index first; indices are int32.

    Raises:
      InvalidArgumentError: if the last axis is shorter than ``k``, or ``k`` is not a
        scalar int16/int32/int64.
    """
    x = _t(input)
    v = x._value
    if isinstance(k, (bool, np.integer)):
        k = int(k)
    if type(k) is not int:
        k = int(index_arg(k, "TopKV2", "Tk", allowed=("int16", "int32", "int64"), rank=0,
                          what="k must be scalar, got shape"))
    if v.dtype in _TOPK.ok and (v.ndim == 0 or v.shape[-1] < k or k < 0):
        if k < 0:
            raise InvalidArgumentError(None, "TopKV2", f"Need k >= 0, got {k} [Op:TopKV2]")
        n = v.shape[-1] if v.ndim else 0
        what = "1-D" if not v.ndim else f"at least k columns. Had {n}, needed {k}"
        raise InvalidArgumentError(None, "TopKV2", f"input must have {what} [Op:TopKV2]")
    return (x,), {"k": k, "index_type": dtypes.as_dtype(index_type)._np}


_top_k = defop("TopKV2", _top_k_np, _top_k_grad, dtypes=COMPARE, args=_top_k_args,
               num_outputs=2)
_TOPK = _top_k.op_def


def top_k(input, k=1, sorted=True, index_type=dtypes.int32, name=None):  # noqa: A002
    """Returns ``TopKV2(values, indices)``: the ``k`` largest entries along the last axis
    (ties: the lower index first) and their int32 indices."""
    return TopKV2(*_top_k(input, k, sorted, index_type))


def in_top_k(targets, predictions, k, name=None):
    """Returns bool ``[batch]``: whether each target's prediction is among the ``k`` largest.

    Ties at the boundary count as in the top k; non-finite predictions never do.
    """
    p = np.asarray(_t(predictions)._value)
    t = np.asarray(_t(targets)._value).astype(np.int64)
    n = p.shape[1]
    valid = (t >= 0) & (t < n)
    picked = p[np.arange(p.shape[0]), np.where(valid, t, 0)]
    with _quiet():
        greater = np.sum(p > picked[:, None], axis=1)
    return Tensor(valid & np.isfinite(picked) & (greater < int(k)))


# -- counting -----------------------------------------------------------------------------------

def bincount(arr, weights=None, minlength=None, maxlength=None, dtype=dtypes.int32, name=None,
             axis=None, binary_output=False):
    """Returns the counts (or summed ``weights``) of each value in the int tensor ``arr``.

    The length is ``max(arr) + 1``, raised to ``minlength`` and cut to ``maxlength``.
    ``axis=None`` counts over all elements; ``axis=-1`` counts each row of a 2-D ``arr``.

    Raises:
      InvalidArgumentError: if ``arr`` has negative values.
    """
    a = np.asarray(_t(arr)._value)
    if a.size and a.min() < 0:
        raise InvalidArgumentError(None, "Bincount", "Input arr must be non-negative! "
                                   "[Op:Bincount]")
    size = int(a.max()) + 1 if a.size else 0
    if minlength is not None:
        size = max(size, int(minlength))
    if maxlength is not None:
        size = min(size, int(maxlength))
    w = None
    out_dt = dtypes.as_dtype(dtype)._np
    if weights is not None:
        w = np.broadcast_to(np.asarray(_t(weights)._value), a.shape)
        out_dt = w.dtype
    keep = a < size
    if axis is None:
        flat, rows = a[keep], 1
        ww = None if w is None else w[keep]
    elif axis in (-1, a.ndim - 1) and a.ndim == 2:
        rows = a.shape[0]
        flat = (a + size * np.arange(rows)[:, None])[keep]
        ww = None if w is None else w[keep]
    else:
        raise ValueError(f"Unsupported axis value {axis}. Only 0 and -1 are currently "
                         f"supported.")
    if binary_output:
        ww = None
    counts = np.bincount(flat, ww, minlength=rows * size)
    if binary_output:
        counts = counts > 0
    counts = counts.astype(out_dt)
    return Tensor(counts if axis is None else counts.reshape(rows, size))


def confusion_matrix(labels, predictions, num_classes=None, weights=None, dtype=dtypes.int32,
                     name=None):
    """Returns the ``[num_classes, num_classes]`` matrix counting (label, prediction) pairs.

    Rows are labels, columns predictions; ``num_classes`` defaults to the largest
    value plus one.

    Raises:
      InvalidArgumentError: for negative or out-of-range labels or predictions.
    """
    lab = np.asarray(_t(labels)._value).astype(np.int64).ravel()
    pred = np.asarray(_t(predictions)._value).astype(np.int64).ravel()
    if lab.shape != pred.shape:
        raise ValueError(f"Dimensions of labels {lab.shape} and predictions {pred.shape} "
                         f"must match.")
    for what, v in (("labels", lab), ("predictions", pred)):
        if v.size and v.min() < 0:
            raise InvalidArgumentError(None, "ConfusionMatrix", f"`{what}` contains negative "
                                       f"values. Condition x >= 0 did not hold.")
    if num_classes is None:
        n = int(max(lab.max(initial=-1), pred.max(initial=-1))) + 1
    else:
        n = int(_t(num_classes)._value)
        for what, v in (("labels", lab), ("predictions", pred)):
            if v.size and v.max() >= n:
                raise InvalidArgumentError(None, "ConfusionMatrix", f"`{what}` out of bound. "
                                           f"Condition x < y did not hold.")
    w = None if weights is None else np.asarray(_t(weights)._value).ravel()
    counts = np.bincount(lab * n + pred, w, minlength=n * n)
    return Tensor(counts.astype(dtypes.as_dtype(dtype)._np).reshape(n, n))


def segment_sum(data, segment_ids, name=None):
    """Returns the sums of ``data``'s rows per (sorted) segment id; ``max(id) + 1`` rows."""
    from tapeflow.ops.indexing_ops import unsorted_segment_sum
    ids = _t(segment_ids)
    n = int(ids._value.max()) + 1 if ids._value.size else 0
    return unsorted_segment_sum(data, ids, n)


__all__ = ["sort", "argsort"]


# Inside a tf.function trace, these compute from traced values outside the op mechanism,
# so such a call becomes one graph node that runs again on every call.
argsort = _func_graph.opaque(argsort)
sort = _func_graph.opaque(sort)
top_k = _func_graph.opaque(top_k)
in_top_k = _func_graph.opaque(in_top_k)
bincount = _func_graph.opaque(bincount)
confusion_matrix = _func_graph.opaque(confusion_matrix)
segment_sum = _func_graph.opaque(segment_sum, argnums=(1,), names=("segment_ids",))
