"""Reductions of RaggedTensors (``tf.reduce_sum``/``mean``/``max``/``min``/``prod``/``any``/
``all`` given a RaggedTensor), with ``axis`` any axis or tuple of axes and ``keepdims``.

Over the ragged axis they are segment reductions over the value row ids; over the outer axis
the j-th elements of all rows are reduced together. Sums and means are tapeflow ops, so
gradients reach the flat values.
"""
import numpy as np

from tapeflow.framework import dtypes
from tapeflow.framework.tensor import Tensor
from tapeflow.ragged_tensor import RaggedTensor


def _tf():
    import tapeflow
    return tapeflow


_KIND = {"Max": "max", "Min": "min", "Prod": "prod", "Any": "any", "All": "all"}


def _segment_reduce(kind, values, ids, n):
    tf = _tf()
    if kind == "sum":
        return tf.math.unsorted_segment_sum(values, ids, n)
    if kind == "mean":
        total = tf.math.unsorted_segment_sum(values, ids, n)
        if not values.dtype.is_floating:  # TensorFlow's ragged mean of ints is float64
            values = tf.cast(values, dtypes.float64)
            total = tf.math.unsorted_segment_sum(values, ids, n)
        count = np.bincount(np.asarray(np.asarray(ids)), minlength=n).astype(
            values.dtype.as_numpy_dtype)
        count = count.reshape((-1,) + (1,) * (values.shape.rank - 1))
        with np.errstate(invalid="ignore", divide="ignore"):
            return total / Tensor(count)
    v = np.asarray(np.asarray(values))
    i = np.asarray(np.asarray(ids))
    if kind in ("max", "min"):
        if v.dtype.kind == "f":  # TensorFlow's identity is the lowest/highest finite value
            info = np.finfo(v.dtype)
            init = info.min if kind == "max" else info.max
        else:
            info = np.iinfo(v.dtype)
            init = info.min if kind == "max" else info.max
        out = np.full((n,) + v.shape[1:], init, v.dtype)
        (np.maximum if kind == "max" else np.minimum).at(out, i, v)
    elif kind == "prod":
        out = np.ones((n,) + v.shape[1:], v.dtype)
        np.multiply.at(out, i, v)
    else:
        out = np.full((n,) + v.shape[1:], kind == "all", bool)
        (np.logical_or if kind == "any" else np.logical_and).at(out, i, v)
    return Tensor(out)


def reduce(kind, rt, axis=None, keepdims=False):
    """Returns the ``kind`` ('sum', 'mean', 'max', 'min', 'prod', 'any', 'all') reduction
    of RaggedTensor ``rt`` over ``axis`` (a dense Tensor, or ragged for inner axes).

    With ``keepdims`` each reduced axis stays with length 1, as TensorFlow keeps it: a
    uniform row length of 1 where the axis was ragged, a dense size-1 axis otherwise.
    """
    tf = _tf()
    if kind == "mean" and not rt.dtype.is_floating:   # TensorFlow's ragged mean: float64
        rt = rt.with_flat_values(tf.cast(rt.flat_values, dtypes.float64))
    if axis is None:
        flat = rt.flat_values
        if kind in ("max", "min"):   # a whole reduction of nothing is -inf/inf, as dense
            out = _dense_reduce(kind, flat, None, False)
        else:
            out = _segment_reduce(kind, tf.reshape(flat, [-1]),
                                  Tensor(np.zeros(int(np.prod(flat.shape)), np.int64)), 1)[0]
        # TensorFlow keeps rank + (rank of the flat values) - 1 dimensions here
        return tf.reshape(out, [1] * (rt.shape.rank + flat.shape.rank - 1)) if keepdims \
            else out
    if isinstance(axis, (list, tuple)) and kind == "mean":
        # the mean over several axes is a ratio of sums, not a mean of means
        flat = rt.flat_values
        if not flat.dtype.is_floating:   # TensorFlow's ragged mean of ints is float64
            flat = tf.cast(flat, dtypes.float64)
        total = reduce("sum", rt.with_flat_values(flat), axis, keepdims)
        count = reduce("sum", rt.with_flat_values(tf.ones_like(flat)), axis, keepdims)
        with np.errstate(invalid="ignore", divide="ignore"):
            return total / count
    if isinstance(axis, (list, tuple)):
        out = rt
        for a in sorted({int(a) % rt.shape.rank for a in axis}, reverse=True):
            out = reduce(kind, out, a, keepdims) if isinstance(out, RaggedTensor) else \
                _dense_reduce(kind, out, a, keepdims)
        return out
    rank = rt.shape.rank
    if not -rank <= int(axis) < rank:
        raise ValueError(f"axis={axis} out of bounds: expected {-rank}<=axis<{rank}")
    axis = int(axis) % rank
    out = _reduce_axis(kind, rt, axis)
    return _insert_dim(out, axis) if keepdims else out


def _reduce_axis(kind, rt, axis):
    tf = _tf()
    if axis == 0:
        # column j collects the j-th row element of every row
        return _reduce_columns(kind, rt, np.zeros(len(rt), np.int64), 1)[0]
    if axis == 1:
        values = rt._values
        if isinstance(values, RaggedTensor):  # per outer row, the columns of its inner rows
            red, lens = _reduce_columns(kind, values, np.asarray(rt.value_rowids()), len(rt))
            return RaggedTensor.from_row_lengths(red, lens)
        return _segment_reduce(kind, values, rt.value_rowids(), len(rt))
    inner = rt._values
    red = _reduce_axis(kind, inner, axis - 1) if isinstance(inner, RaggedTensor) else \
        _dense_reduce(kind, inner, axis - 1, False)
    del tf
    return rt.with_values(red)


def _insert_dim(x, axis):
    """Returns ``x`` with a length-1 dimension at ``axis`` (uniform where ``x`` is ragged)."""
    if not isinstance(x, RaggedTensor):
        return _tf().expand_dims(x, axis)
    if axis == 0:
        return RaggedTensor.from_uniform_row_length(x, len(x), nrows=1)
    if axis == 1:
        return RaggedTensor.from_uniform_row_length(x, 1, nrows=len(x))
    return x.with_values(_insert_dim(x._values, axis - 1))


def _reduce_columns(kind, rt, group, ngroups):
    """Reduces, within each group of rows of ``rt`` (``group[i]`` for row ``i``), the j-th
    elements of the rows together. Returns ``(reduced values, lengths per group)``: group
    ``g`` gets as many results as its longest row."""
    splits = rt._row_splits
    lens = np.diff(splits)
    glen = np.zeros(ngroups, np.int64)
    if len(lens):
        np.maximum.at(glen, group, lens)
    gstart = np.concatenate([[0], np.cumsum(glen)]).astype(np.int64)
    rows = np.repeat(np.arange(len(lens)), lens)
    pos = np.arange(splits[-1], dtype=np.int64) - np.repeat(splits[:-1], lens)
    ids = gstart[group[rows]] + pos if len(rows) else np.zeros(0, np.int64)
    values = rt._values
    if isinstance(values, RaggedTensor):  # rows of rows: gather per element, then recurse
        red, inner = _reduce_columns(kind, values, ids, int(gstart[-1]))
        return RaggedTensor.from_row_lengths(red, inner), glen
    return _segment_reduce(kind, values, Tensor(ids.astype(np.int64)), int(gstart[-1])), glen


def _dense_reduce(kind, t, axis, keepdims):
    tf = _tf()
    fn = {"sum": tf.reduce_sum, "mean": tf.reduce_mean, "max": tf.reduce_max,
          "min": tf.reduce_min, "prod": tf.reduce_prod, "any": tf.reduce_any,
          "all": tf.reduce_all}[kind]
    return fn(t, axis=axis, keepdims=keepdims)
