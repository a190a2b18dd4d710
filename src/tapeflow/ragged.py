"""``tf.ragged`` and the ragged versions of tapeflow's ops.

Elementwise ops act on the flat values (``map_flat_values``); reductions over the
ragged axis are segment reductions over the value row ids; ``concat``/``stack``
rebuild the row splits. Everything that touches values is a tapeflow op, so
gradients reach the flat values.
"""
import numpy as np

from tapeflow.framework import dtypes
from tapeflow.framework.errors import InvalidArgumentError
from tapeflow.framework.tensor import Tensor, convert_to_tensor
from tapeflow.ragged_tensor import RaggedTensor, RaggedTensorSpec, _ragged_from_rows

__all__ = ["RaggedTensorSpec", "boolean_mask", "constant", "map_flat_values", "range",
           "row_splits_to_segment_ids", "segment_ids_to_row_splits", "stack"]


def _tf():
    import tapeflow
    return tapeflow


# -- construction ------------------------------------------------------------------

def _depth(x):
    """Nesting depth of scalars in a Python list (ValueError if it varies); None for a
    list with no scalars in it (an empty row fits any depth)."""
    if isinstance(x, (list, tuple)):
        ds = {_depth(v) for v in x} - {None}
        if len(ds) > 1:
            raise ValueError("all scalar values must have the same nesting depth")
        return 1 + ds.pop() if ds else None
    if isinstance(x, np.ndarray):
        return x.ndim
    return 0


def constant(pylist, dtype=None, ragged_rank=None, inner_shape=None, name=None,
             row_splits_dtype=dtypes.int64):
    """Returns the RaggedTensor of a nested Python list whose rows may differ in length.

    Python floats become float32, ints int32 and str bytes, as ``tf.constant``;
    ``ragged_rank`` (default: depth - 1) dimensions are ragged, the rest uniform.

    Raises:
      ValueError: if scalars sit at different depths.
    """
    depth = _depth(pylist)
    if depth is None:  # only empty lists: their nesting is the depth
        depth, probe = 0, pylist
        while isinstance(probe, (list, tuple)):
            depth += 1
            probe = probe[0] if probe else None
    if ragged_rank is None:
        ragged_rank = max(depth - 1 - (len(inner_shape) if inner_shape else 0), 0)
    if ragged_rank == 0:
        return convert_to_tensor(pylist, dtype=dtype)
    level, lengths = list(pylist), []
    for _ in _py_range(ragged_rank):
        lengths.append([len(x) for x in level])
        level = [v for x in level for v in x]
    if level:
        flat = convert_to_tensor(level, dtype=dtype)
    else:
        inner = tuple(inner_shape or ()) if inner_shape else (0,) * max(depth - 1 - ragged_rank,
                                                                        0)
        flat = convert_to_tensor(np.zeros((0,) + inner, dtype=np.float32), dtype=dtype)
    return RaggedTensor.from_nested_row_lengths(flat, lengths)


def range(starts, limits=None, deltas=1, dtype=None, name=None,  # noqa: A001
          row_splits_dtype=dtypes.int64):
    """Returns the RaggedTensor whose row ``i`` is ``range(starts[i], limits[i], deltas[i])``."""
    if limits is None:
        starts, limits = 0, starts
    # TensorFlow's conversion rules: Python ints are int32, floats float32
    parts = [np.asarray(convert_to_tensor(v)) for v in (starts, limits, deltas)]
    s, lim, d = np.broadcast_arrays(*parts)
    np_dtype = dtypes.as_dtype(dtype).as_numpy_dtype if dtype is not None else \
        np.result_type(*parts)
    rows = [np.arange(a, b, c, dtype=np_dtype) for a, b, c in zip(s.ravel(), lim.ravel(),
                                                                   d.ravel())]
    flat = np.concatenate(rows) if rows else np.zeros(0, np_dtype)
    return RaggedTensor.from_row_lengths(Tensor(flat.astype(np_dtype)), [len(r) for r in rows])


def boolean_mask(data, mask, name=None):
    """Returns the values of ``data`` where ``mask`` is True, row by row (a RaggedTensor)."""
    if isinstance(data, RaggedTensor):
        keep = np.asarray(np.asarray(mask.flat_values) if isinstance(mask, RaggedTensor)
                          else np.asarray(convert_to_tensor(mask)))
        lens = [int(np.sum(keep[a:b])) for a, b in zip(data._row_splits[:-1],
                                                       data._row_splits[1:])]
        vals = _tf().boolean_mask(data.flat_values, Tensor(keep))
        return RaggedTensor.from_row_lengths(vals, lens)
    d = convert_to_tensor(data)
    m = np.asarray(np.asarray(convert_to_tensor(mask)))
    if m.ndim == 1:
        return _tf().boolean_mask(d, Tensor(m))
    vals = _tf().boolean_mask(d, Tensor(m))
    return RaggedTensor.from_row_lengths(vals, m.reshape(m.shape[0], -1).sum(axis=1))


def row_splits_to_segment_ids(splits, name=None, out_type=None):
    """Returns the row id of each value for ``splits``."""
    s = np.asarray(splits, np.int64)
    return Tensor(np.repeat(np.arange(len(s) - 1, dtype=np.int64), np.diff(s)))


def segment_ids_to_row_splits(segment_ids, num_segments=None, out_type=None, name=None):
    """Returns the row splits for sorted ``segment_ids``."""
    ids = np.asarray(segment_ids, np.int64)
    n = int(num_segments) if num_segments is not None else (int(ids.max()) + 1 if ids.size
                                                            else 0)
    return Tensor(np.concatenate([[0], np.cumsum(np.bincount(ids, minlength=n))]).astype(
        np.int64))


# -- elementwise ---------------------------------------------------------------------

def _same_splits(a, b):
    sa, sb = a.nested_row_splits, b.nested_row_splits
    if len(sa) != len(sb) or any(not np.array_equal(np.asarray(x), np.asarray(y))
                                 for x, y in zip(sa, sb)):
        raise InvalidArgumentError(None, None, "Condition x == y did not hold.\nInputs must "
                                   "have identical ragged splits.")


def map_flat_values(op, *args, **kwargs):
    """Returns ``op`` applied to the flat values of the RaggedTensors among the arguments
    (which must share their row splits), with their row structure."""
    rts = [a for a in list(args) + list(kwargs.values()) if isinstance(a, RaggedTensor)]
    if not rts:
        return op(*args, **kwargs)
    for r in rts[1:]:
        _same_splits(rts[0], r)
    args = [a.flat_values if isinstance(a, RaggedTensor) else a for a in args]
    kwargs = {k: v.flat_values if isinstance(v, RaggedTensor) else v for k, v in kwargs.items()}
    out = op(*args, **kwargs)
    if out.shape.rank is None or out.shape[0] != rts[0].flat_values.shape[0]:
        raise ValueError("tf.ragged.map_flat_values requires that the output of `op` have "
                         "the same outer-dimension size as flat_values of any ragged inputs.")
    return rts[0].with_flat_values(out)


def _broadcast_dense(rt, dense):
    """Returns dense operand ``dense`` lined up with ``rt``'s flat values.

    Right-aligned as broadcasting is: dimensions that face ``rt``'s inner (uniform)
    dimensions broadcast against the flat values; those facing the outer and ragged
    dimensions must be 1, except a ``[nrows, 1]`` operand of a ragged_rank-1 tensor, which
    gives each row its own value.

    Raises:
      ValueError: if the shapes do not broadcast.
    """
    d = convert_to_tensor(dense, dtype=rt.dtype) if not isinstance(dense, Tensor) else dense
    inner = rt.flat_values.shape.rank - 1
    r = d.shape.rank
    if r == 0:
        return d
    if (rt.ragged_rank == 1 and inner == 0 and r == 2 and d.shape[1] == 1
            and d.shape[0] == len(rt)):
        return _tf().gather(d[:, 0], rt.value_rowids())
    lead = d.shape.as_list()[:max(r - inner, 0)]
    if any(x != 1 for x in lead):
        raise ValueError(f"Unable to broadcast a dense tensor of shape {d.shape} against a "
                         f"RaggedTensor of shape {rt.shape}")
    return _tf().reshape(d, d.shape.as_list()[len(lead):]) if lead else d


def _elementwise(fn, args):
    x, y = args
    if isinstance(x, RaggedTensor) and isinstance(y, RaggedTensor):
        _same_splits(x, y)
        return x.with_flat_values(fn(x.flat_values, y.flat_values))
    if isinstance(x, RaggedTensor):
        return x.with_flat_values(fn(x.flat_values, _broadcast_dense(x, y)))
    return y.with_flat_values(fn(_broadcast_dense(y, x), y.flat_values))


# -- reductions: tapeflow.ragged_reductions -------------------------------------------

from tapeflow.ragged_reductions import _KIND, reduce  # noqa: E402


# -- concat / stack --------------------------------------------------------------------

def _as_ragged(x, like):
    if isinstance(x, RaggedTensor):
        return x
    t = convert_to_tensor(x, dtype=like.dtype)
    return RaggedTensor.from_tensor(t, ragged_rank=like.ragged_rank)


def concat(values, axis):
    """Returns the RaggedTensors (or dense tensors) ``values`` joined along ``axis``."""
    tf = _tf()
    first = next(v for v in values if isinstance(v, RaggedTensor))
    rts = [_as_ragged(v, first) for v in values]
    dts = {r.dtype for r in rts}
    if len(dts) > 1:
        raise InvalidArgumentError(None, "ConcatV2", "Tensors in list passed to 'values' of "
                                   "'ConcatV2' Op have types that don't all match")
    axis = int(axis) % first.shape.rank
    if axis == 0:
        vals = tf.concat([r._values for r in rts], 0) if not isinstance(rts[0]._values,
                                                                       RaggedTensor) \
            else concat([r._values for r in rts], 0)
        lens = np.concatenate([np.diff(r._row_splits) for r in rts])
        return RaggedTensor.from_row_lengths(vals, lens)
    if axis == 1:
        n = len(rts[0])
        if any(len(r) != n for r in rts):
            raise InvalidArgumentError(None, "ConcatV2", "Input tensors at non-concat axes "
                                       "must have equal shapes.")
        # value j of the result: gather from the stacked values in row-interleaved order
        offsets = np.cumsum([0] + [r._row_splits[-1] for r in rts])
        order = []
        for i in _py_range(n):
            for k, r in enumerate(rts):
                order.extend(offsets[k] + np.arange(r._row_splits[i], r._row_splits[i + 1]))
        all_vals = concat([r._values for r in rts], 0) if isinstance(rts[0]._values,
                                                                      RaggedTensor) \
            else tf.concat([r._values for r in rts], 0)
        lens = sum(np.diff(r._row_splits) for r in rts)
        return RaggedTensor.from_row_lengths(gather_rows(all_vals, np.asarray(order, np.int64)),
                                             lens)
    return first.with_values(concat([r._values for r in rts], axis - 1)
                             if isinstance(first._values, RaggedTensor)
                             else tf.concat([r._values for r in rts], axis - 1))


def gather_rows(x, idx):
    """Returns rows ``idx`` (int64 array) of a Tensor or RaggedTensor ``x``."""
    if not isinstance(x, RaggedTensor):
        return _tf().gather(x, Tensor(np.asarray(idx, np.int64)))
    splits = x._row_splits
    starts, limits = splits[:-1][idx], splits[1:][idx]
    inner = np.concatenate([np.arange(a, b) for a, b in zip(starts, limits)]).astype(
        np.int64) if len(idx) else np.zeros(0, np.int64)
    return RaggedTensor.from_row_lengths(gather_rows(x._values, inner), limits - starts)


def _py_range(n):
    import builtins
    return builtins.range(n)


def stack(values, axis=0, name=None):
    """Returns the RaggedTensors (or dense tensors) ``values`` stacked along a new ``axis``."""
    first = next((v for v in values if isinstance(v, RaggedTensor)), None)
    if first is None:  # dense rows of different lengths: tf.data's ragged batching
        ts = [convert_to_tensor(v) for v in values]
        if all(t.shape == ts[0].shape for t in ts):
            return _tf().stack(ts, axis)
        return _ragged_from_rows(ts, ts[0].dtype)
    rts = [_as_ragged(v, first) for v in values]
    axis = int(axis) % (first.shape.rank + 1)
    if axis == 0:
        joined = concat(rts, 0)
        return RaggedTensor.from_row_lengths(joined, [len(r) for r in rts])
    if axis == 1:
        n = len(rts[0])
        joined = concat([RaggedTensor.from_row_lengths(r, np.ones(n, np.int64)) for r in rts],
                        1)
        return joined
    return first.with_values(stack([r._values for r in rts], axis - 1))


# -- indexing ----------------------------------------------------------------------

def getitem(rt, key):
    """Returns ``rt[key]`` for a tuple key: the outer key picks rows, the rest apply per row."""
    outer, rest = key[0], key[1:]
    if isinstance(outer, (int, np.integer)):
        row = rt[outer]
        return row[rest] if rest else row
    rows = rt[outer]
    if not rest:
        return rows
    inner = rest[0]
    if isinstance(inner, (int, np.integer)):
        raise ValueError("Cannot index into an inner ragged dimension.")
    if isinstance(inner, slice):
        pieces = [r[inner] if not isinstance(r, RaggedTensor) else r[inner] for r in rows]
        if rest[1:]:
            pieces = [p[(slice(None),) + rest[1:]] for p in pieces]
        return _ragged_from_rows(pieces, rt.dtype) if not isinstance(rows._values,
                                                                     RaggedTensor) else \
            RaggedTensor.from_row_lengths(concat(pieces, 0) if pieces else rows._values,
                                          [len(p) for p in pieces])
    raise TypeError(f"RaggedTensor indices must be integers or slices, not "
                    f"{type(inner).__name__}")


def _gather(name, rt, indices, axis=None, batch_dims=0):
    """``tf.gather``/``gather_nd`` of a RaggedTensor's rows (axis 0, no batch dimensions)."""
    idx = np.asarray(indices, dtype=np.int64)
    if name == "gather_nd":
        if idx.ndim != 2 or idx.shape[1] != 1:
            raise NotImplementedError("gather_nd of a RaggedTensor supports row indices "
                                      "[[i], [j], ...] here")
        idx = idx[:, 0]
    elif (axis not in (None, 0)) or batch_dims:
        raise NotImplementedError("tf.gather of a RaggedTensor supports axis=0 here")
    n = len(rt)
    if idx.size and (idx.min() < -n or idx.max() >= n):
        raise InvalidArgumentError(None, "GatherV2", f"indices = {idx.tolist()} is not in "
                                   f"[0, {n})")
    idx = idx % max(n, 1)
    if idx.ndim != 1:
        raise NotImplementedError("tf.gather of a RaggedTensor supports 1-d indices here")
    return gather_rows(rt, idx)


def tile(rt, multiples):
    """Returns ``rt`` repeated ``multiples[0]`` times along rows and ``multiples[1]`` times
    within each row (ragged_rank 1, 2-D)."""
    m = [int(v) for v in np.asarray(multiples).reshape(-1)]
    if rt.ragged_rank != 1 or len(m) != 2 or rt.flat_values.shape.rank != 1:
        raise NotImplementedError("tile supports 2-D RaggedTensors of ragged_rank 1 here")
    splits = rt._row_splits
    order, lens = [], []
    for _ in _py_range(m[0]):
        for i in _py_range(len(rt)):
            row = np.arange(splits[i], splits[i + 1])
            order.append(np.tile(row, m[1]))
            lens.append(len(row) * m[1])
    idx = np.concatenate(order).astype(np.int64) if order else np.zeros(0, np.int64)
    return RaggedTensor.from_row_lengths(gather_rows(rt.flat_values, idx), lens)


def where(condition, x=None, y=None):
    """Returns ``x`` where the ragged ``condition`` is True and ``y`` elsewhere (operands
    ragged with the same splits, or scalars)."""
    if x is None and y is None:
        raise NotImplementedError("tf.where of a RaggedTensor condition alone is not "
                                  "supported here")
    like = next(v for v in (condition, x, y) if isinstance(v, RaggedTensor))
    parts = []
    for v in (condition, x, y):
        if isinstance(v, RaggedTensor):
            _same_splits(like, v)
            parts.append(v.flat_values)
        else:
            parts.append(v)
    return like.with_flat_values(_tf().where(*parts))


def reduce_join(rt, axis=None, keepdims=False, separator=""):
    """Returns the strings of ``rt`` joined over ``axis``: per row for the ragged axis."""
    tf = _tf()
    if axis is None:
        return tf.strings.reduce_join(rt.flat_values, None, keepdims, separator)
    axis = int(axis) % rt.shape.rank
    if axis != 1 or rt.ragged_rank != 1 or keepdims:
        raise NotImplementedError("reduce_join of a RaggedTensor supports axis=1 here")
    vals = np.asarray(np.asarray(rt.flat_values))
    sep = separator.encode() if isinstance(separator, str) else separator
    s = rt._row_splits
    out = np.empty(len(rt), object)
    out[:] = [sep.join(vals[s[i]:s[i + 1]]) for i in _py_range(len(rt))]
    return Tensor(out)


# -- dispatch from tapeflow's ops -----------------------------------------------------

def dispatch(fn, args, kwargs):
    """Runs tapeflow op ``fn`` (an elementwise op, reduction, cast, concat or stack) on
    arguments that include RaggedTensors."""
    tf = _tf()
    name = getattr(fn, "__name__", "")
    if name == "cast":
        rt, dtype = args
        return rt.with_flat_values(tf.cast(rt.flat_values, dtype))
    if name == "concat":
        return concat(*args, **kwargs)
    if name == "stack":
        return stack(*args, **kwargs)
    if name in ("reduce_sum", "reduce_mean", "reduce_max", "reduce_min", "reduce_prod",
                "reduce_any", "reduce_all"):
        return reduce(name[7:], args[0], kwargs.get("axis"), kwargs.get("keepdims", False))
    if name == "_reduce":
        op, rt = args
        return reduce(_KIND[op.name], rt, kwargs.get("axis"), kwargs.get("keepdims", False))
    if name in ("zeros_like", "ones_like"):
        return args[0].with_flat_values(fn(args[0].flat_values, **kwargs))
    if name == "tile":
        return tile(*args)
    if name == "where":
        return where(*args)
    if name in ("gather", "gather_nd"):
        return _gather(name, *args, **kwargs)
    if name == "embedding_lookup":
        params, ids = args
        return ids.with_flat_values(fn(params, ids.flat_values, **kwargs))
    if len(args) == 1:
        return args[0].with_flat_values(fn(args[0].flat_values))
    if len(args) == 2:
        return _elementwise(fn, args)
    raise TypeError(f"{name} does not support RaggedTensor arguments")
