"""``tf.sparse``: operations on ``tf.SparseTensor``.

Index bookkeeping (sorting, linearising, bounds checks) is NumPy on the int64
indices; every step that touches ``values`` is a tapeflow op (``gather``,
``scatter_nd``, ``unsorted_segment_sum``), so gradients flow to the values and
to dense operands with no sparse-specific gradient code.
"""
import numpy as np

from tapeflow.framework import dtypes
from tapeflow.framework.errors import InvalidArgumentError
from tapeflow.sparse_tensor import SparseTensor, SparseTensorSpec
from tapeflow.framework.tensor import Tensor, convert_to_tensor

__all__ = ["SparseTensor", "SparseTensorSpec", "add", "concat", "expand_dims", "eye",
           "fill_empty_rows", "from_dense", "map_values", "maximum", "minimum", "reduce_max",
           "reduce_sum", "reorder", "reset_shape", "reshape", "retain", "slice",
           "sparse_dense_matmul", "split", "to_dense", "transpose", "matmul"]


def _ops():
    import tapeflow as tf
    return tf


def _parts(sp):
    """Returns (indices array, values Tensor, shape array) of a SparseTensor."""
    if not isinstance(sp, SparseTensor):
        raise TypeError(f"Input must be a SparseTensor, got {type(sp).__name__}")
    return (np.asarray(np.asarray(sp.indices)), sp.values, np.asarray(np.asarray(sp.dense_shape)))


def _linear(idx, shape):
    """Row-major linear index of each row of ``idx`` in a tensor of ``shape``."""
    if idx.shape[1] == 0:
        return np.zeros(len(idx), np.int64)
    strides = np.concatenate([np.cumprod(shape[::-1])[::-1][1:], [1]]).astype(np.int64)
    return idx @ strides


def _unlinear(lin, shape):
    return np.stack(np.unravel_index(lin, tuple(shape)), axis=1).astype(np.int64) \
        if len(shape) else np.zeros((len(lin), 0), np.int64)


def _check(idx, shape, op, order=True):
    for i, row in enumerate(idx):
        if np.any(row < 0) or np.any(row >= shape):
            raise InvalidArgumentError(
                None, op, f"indices[{i}] = [{','.join(map(str, row))}] is out of bounds: need "
                f"0 <= index < [{','.join(map(str, shape))}]")
    if order and len(idx) > 1:
        lin = _linear(idx, shape)
        d = np.diff(lin)
        if np.any(d <= 0):
            i = int(np.argmax(d <= 0)) + 1
            what = "repeated" if d[i - 1] == 0 else "out of order"
            tail = "" if what == "repeated" else (" Many sparse ops require sorted indices.\n"
                                                  "    Use `tf.sparse.reorder` to create a "
                                                  "correctly ordered copy.\n\n")
            raise InvalidArgumentError(
                None, op, f"indices[{i}] = [{','.join(map(str, idx[i]))}] is {what}.{tail}")


def to_dense(sp_input, default_value=None, validate_indices=True, name=None):
    """Returns the dense Tensor that ``sp_input`` represents, ``default_value`` elsewhere.

    Raises:
      InvalidArgumentError: for an index out of bounds, or (``validate_indices``)
        repeated or out of row-major order.
    """
    tf = _ops()
    idx, values, shape = _parts(sp_input)
    _check(idx, shape, "SparseToDense", order=validate_indices)
    if default_value is None or (values.dtype is not dtypes.string and
                                 not np.any(np.asarray(default_value))):
        if values.dtype is dtypes.string:
            out = np.full(tuple(shape), b"" if default_value is None else default_value, object)
            out[tuple(idx.T)] = np.asarray(np.asarray(values))
            return Tensor(out)
        return tf.scatter_nd(Tensor(idx), values, Tensor(shape))
    base = tf.fill(Tensor(shape), tf.cast(default_value, values.dtype))
    return tf.tensor_scatter_nd_update(base, Tensor(idx), values)


def from_dense(tensor, name=None):
    """Returns a SparseTensor of the non-zero (non-empty for strings) elements of ``tensor``."""
    tf = _ops()
    t = convert_to_tensor(tensor)
    a = np.asarray(np.asarray(t))
    mask = a != (b"" if t.dtype is dtypes.string else 0)
    idx = np.argwhere(mask).astype(np.int64).reshape(-1, a.ndim)
    return SparseTensor(Tensor(idx), tf.gather_nd(t, Tensor(idx)), Tensor(np.asarray(a.shape,
                                                                                     np.int64)))


def reorder(sp_input, name=None):
    """Returns ``sp_input`` with its entries in row-major (canonical) order."""
    tf = _ops()
    idx, values, shape = _parts(sp_input)
    perm = np.argsort(_linear(idx, shape), kind="stable")
    if np.all(perm == np.arange(len(perm))):
        return SparseTensor(Tensor(idx), values, Tensor(shape))
    return SparseTensor(Tensor(idx[perm]), tf.gather(values, Tensor(perm)), Tensor(shape))


def _resolve_shape(new_shape, size):
    new_shape = np.asarray(np.asarray(convert_to_tensor(new_shape, dtype=dtypes.int64))).copy()
    unknown = np.flatnonzero(new_shape == -1)
    if len(unknown) > 1:
        raise InvalidArgumentError(None, "SparseReshape", "only one output dimension may be -1, "
                                   f"not both {unknown[0]} and {unknown[1]}")
    known = int(np.prod(new_shape[new_shape != -1]))
    if len(unknown):
        if known == 0 or size % known:
            raise InvalidArgumentError(None, "SparseReshape", f"Input to reshape is a "
                                       f"SparseTensor with {size} dense values, but the "
                                       f"requested shape requires a multiple of {known}")
        new_shape[unknown[0]] = size // known
    elif known != size:
        raise InvalidArgumentError(None, "SparseReshape", f"Input to reshape is a tensor with "
                                   f"{size} dense values, but the requested shape has {known}")
    return new_shape


def reshape(sp_input, shape, name=None):
    """Returns ``sp_input`` reshaped (row-major) to ``shape``; one dimension may be -1.

    Raises:
      InvalidArgumentError: if the sizes differ.
    """
    idx, values, old = _parts(sp_input)
    new = _resolve_shape(shape, int(np.prod(old)))
    return SparseTensor(Tensor(_unlinear(_linear(idx, old), new)), values, Tensor(new))


def transpose(sp_input, perm=None, name=None):
    """Returns ``sp_input`` with its dimensions permuted (reversed by default), reordered."""
    idx, values, shape = _parts(sp_input)
    perm = np.arange(len(shape))[::-1] if perm is None else np.asarray(perm)
    return reorder(SparseTensor(Tensor(idx[:, perm]), values, Tensor(shape[perm])))


def add(a, b, threshold=0):
    """Returns ``a + b``: a SparseTensor if both are sparse (entries whose sum has
    magnitude below ``threshold`` dropped), else a dense Tensor.
    """
    tf = _ops()
    if not isinstance(a, SparseTensor):
        a, b = b, a
    if not isinstance(b, SparseTensor):
        return tf.tensor_scatter_nd_add(convert_to_tensor(b, dtype=a.dtype), a.indices, a.values)
    ia, va, sa = _parts(a)
    ib, vb, sb = _parts(b)
    if not np.array_equal(sa, sb):
        raise InvalidArgumentError(None, "SparseAdd", f"Operands' shapes do not match: "
                                   f"A.shape = {list(sa)} vs. B.shape = {list(sb)}")
    lin = np.concatenate([_linear(ia, sa), _linear(ib, sb)])
    uniq, seg = np.unique(lin, return_inverse=True)
    summed = tf.math.unsorted_segment_sum(tf.concat([va, vb], 0), Tensor(seg.reshape(-1)),
                                          len(uniq))
    idx = _unlinear(uniq, sa)
    thr = float(np.asarray(threshold))
    if thr > 0:
        keep = np.flatnonzero(np.abs(np.asarray(np.asarray(summed))) >= thr)
        summed, idx = tf.gather(summed, Tensor(keep)), idx[keep]
    return SparseTensor(Tensor(idx), summed, Tensor(sa))


def _reduce(sp_input, axis, keepdims, output_is_sparse, op):
    tf = _ops()
    idx, values, shape = _parts(sp_input)
    rank = len(shape)
    axes = range(rank) if axis is None else np.atleast_1d(np.asarray(axis)) % max(rank, 1)
    axes = sorted(set(int(a) for a in axes))
    keep = [d for d in range(rank) if d not in axes]
    kshape = shape[keep]
    lin = _linear(idx[:, keep], kshape)
    n = int(np.prod(kshape))
    if op == "sum":
        red = tf.math.unsorted_segment_sum(values, Tensor(lin), n)
    else:
        v = np.asarray(np.asarray(values))
        red_a = np.full(n, np.iinfo(v.dtype).min if v.dtype.kind in "iu" else -np.inf, v.dtype)
        np.maximum.at(red_a, lin, v)
        red = Tensor(red_a)
    out_shape = [int(s) if d in keep else 1 for d, s in enumerate(shape)] if keepdims \
        else [int(s) for s in kshape]
    if output_is_sparse:
        present = np.unique(lin)
        coords = _unlinear(present, kshape)
        if keepdims:
            full = np.zeros((len(present), rank), np.int64)
            full[:, keep] = coords
            coords = full
        return SparseTensor(Tensor(coords), tf.gather(red, Tensor(present)),
                            Tensor(np.asarray(out_shape, np.int64)))
    if op == "max":
        empty = np.ones(n, bool)
        empty[lin] = False
        red = Tensor(np.where(empty, 0, np.asarray(np.asarray(red))).astype(red.dtype.as_numpy_dtype))
    return tf.reshape(red, out_shape)


def reduce_sum(sp_input, axis=None, keepdims=None, output_is_sparse=False, name=None):
    """Returns the sum of the entries over ``axis`` (all by default): a dense Tensor,
    or a SparseTensor of the present cells with ``output_is_sparse``."""
    return _reduce(sp_input, axis, keepdims, output_is_sparse, "sum")


def reduce_max(sp_input, axis=None, keepdims=None, output_is_sparse=False, name=None):
    """Returns the maximum of the present entries over ``axis`` (0 where none is present)."""
    return _reduce(sp_input, axis, keepdims, output_is_sparse, "max")


def sparse_dense_matmul(sp_a, b, adjoint_a=False, adjoint_b=False, name=None):
    """Returns the dense product of SparseTensor ``sp_a`` (rank 2) and dense matrix ``b``.

    Raises:
      InvalidArgumentError: if the inner dimensions differ.
    """
    tf = _ops()
    idx, values, shape = _parts(sp_a)
    b = convert_to_tensor(b, dtype=values.dtype)
    if adjoint_b:
        b = tf.transpose(tf.math.conj(b) if b.dtype.is_complex else b)
    rows, cols = idx[:, 0], idx[:, 1]
    m, k = int(shape[0]), int(shape[1])
    if adjoint_a:
        rows, cols, m, k = cols, rows, k, m
        if values.dtype.is_complex:
            values = tf.math.conj(values)
    if b.shape[0] != k:
        bs = ",".join(str(d) for d in b.shape)
        raise InvalidArgumentError(None, "SparseTensorDenseMatMul", f"Cannot multiply A and B "
                                   f"because inner dimension does not match: {k} vs. "
                                   f"{b.shape[0]}.  Did you forget a transpose?  Dimensions of "
                                   f"A: [{shape[0]}, {shape[1]}).  Dimensions of B: [{bs}]")
    prod = tf.reshape(values, [-1, 1]) * tf.gather(b, Tensor(cols))
    return tf.math.unsorted_segment_sum(prod, Tensor(rows), m)


matmul = sparse_dense_matmul


def retain(sp_input, to_retain):
    """Returns the entries of ``sp_input`` where the bool vector ``to_retain`` is True."""
    tf = _ops()
    idx, values, shape = _parts(sp_input)
    keep = np.flatnonzero(np.asarray(np.asarray(convert_to_tensor(to_retain))))
    return SparseTensor(Tensor(idx[keep]), tf.gather(values, Tensor(keep)), Tensor(shape))


def slice(sp_input, start, size, name=None):  # noqa: A001
    """Returns the entries inside the box ``[start, start + size)``, shifted to start at 0."""
    tf = _ops()
    idx, values, shape = _parts(sp_input)
    start = np.asarray(start, np.int64)
    size = np.asarray(size, np.int64)
    end = np.minimum(start + size, shape)
    keep = np.flatnonzero(np.all((idx >= start) & (idx < end), axis=1))
    return SparseTensor(Tensor(idx[keep] - start), tf.gather(values, Tensor(keep)),
                        Tensor(np.maximum(end - start, 0)))


def concat(axis, sp_inputs, expand_nonconcat_dims=False, name=None, expand_nonconcat_dim=None):
    """Returns the SparseTensors ``sp_inputs`` joined along ``axis``.

    Raises:
      InvalidArgumentError: if the other dimensions differ (and not ``expand_nonconcat_dims``).
    """
    tf = _ops()
    parts = [_parts(s) for s in sp_inputs]
    rank = len(parts[0][2])
    axis = int(axis) % rank
    shapes = np.stack([p[2] for p in parts])
    others = [d for d in range(rank) if d != axis]
    if not expand_nonconcat_dims and np.any(shapes[:, others] != shapes[0, others]):
        raise InvalidArgumentError(None, "SparseConcat", "Input shapes must match: expected "
                                   f"{list(shapes[0])} but got {list(shapes[1])}")
    out_shape = shapes.max(axis=0)
    offset, idxs = 0, []
    for idx, _, shape in parts:
        idx = idx.copy()
        idx[:, axis] += offset
        offset += shape[axis]
        idxs.append(idx)
    out_shape[axis] = offset
    return reorder(SparseTensor(Tensor(np.concatenate(idxs)),
                                tf.concat([p[1] for p in parts], 0), Tensor(out_shape)))


def expand_dims(sp_input, axis=None, name=None):
    """Returns ``sp_input`` with a new dimension of size 1 at ``axis``."""
    idx, values, shape = _parts(sp_input)
    axis = 0 if axis is None else int(axis)
    axis = axis % (len(shape) + 1)
    return SparseTensor(Tensor(np.insert(idx, axis, 0, axis=1)), values,
                        Tensor(np.insert(shape, axis, 1)))


def eye(num_rows, num_columns=None, dtype=dtypes.float32, name=None):
    """Returns a sparse ``[num_rows, num_columns]`` identity matrix."""
    n = int(num_rows)
    m = n if num_columns is None else int(num_columns)
    d = np.arange(min(n, m), dtype=np.int64)
    dtype = dtypes.as_dtype(dtype)
    return SparseTensor(Tensor(np.stack([d, d], 1)), Tensor(np.ones(len(d),
                                                                    dtype.as_numpy_dtype)),
                        Tensor(np.asarray([n, m], np.int64)))


def _union(a, b, fn):
    ia, va, sa = _parts(a)
    ib, vb, sb = _parts(b)
    la, lb = _linear(ia, sa), _linear(ib, sb)
    uniq = np.union1d(la, lb)
    full_a = np.zeros(len(uniq), va.dtype.as_numpy_dtype)
    full_b = np.zeros(len(uniq), vb.dtype.as_numpy_dtype)
    full_a[np.searchsorted(uniq, la)] = np.asarray(np.asarray(va))
    full_b[np.searchsorted(uniq, lb)] = np.asarray(np.asarray(vb))
    return SparseTensor(Tensor(_unlinear(uniq, sa)), Tensor(fn(full_a, full_b)), Tensor(sa))


def maximum(sp_a, sp_b, name=None):
    """Returns the elementwise maximum of two SparseTensors of one shape (absent = 0)."""
    return _union(sp_a, sp_b, np.maximum)


def minimum(sp_a, sp_b, name=None):
    """Returns the elementwise minimum of two SparseTensors of one shape (absent = 0)."""
    return _union(sp_a, sp_b, np.minimum)


def map_values(op, *args, **kwargs):
    """Returns ``op`` applied to the values of the SparseTensors in ``args``/``kwargs``
    (which must share their indices), as a SparseTensor with those indices."""
    sps = [a for a in list(args) + list(kwargs.values()) if isinstance(a, SparseTensor)]
    if not sps:
        raise ValueError("No SparseTensor in argument list of map_values")
    first = sps[0]
    for s in sps[1:]:
        if not np.array_equal(np.asarray(np.asarray(s.indices)), np.asarray(np.asarray(first.indices))):
            raise InvalidArgumentError(None, None, "SparseTensors have different indices")
    args = [a.values if isinstance(a, SparseTensor) else a for a in args]
    kwargs = {k: v.values if isinstance(v, SparseTensor) else v for k, v in kwargs.items()}
    return first.with_values(op(*args, **kwargs))


def fill_empty_rows(sp_input, default_value, name=None):
    """Returns ``(filled, empty_row_indicator)``: ``default_value`` put at column 0 of
    every empty row, and a bool vector marking those rows."""
    tf = _ops()
    idx, values, shape = _parts(sp_input)
    nrows = int(shape[0])
    empty = np.ones(nrows, bool)
    empty[idx[:, 0]] = False
    rows = np.flatnonzero(empty)
    new_idx = np.zeros((len(rows), len(shape)), np.int64)
    new_idx[:, 0] = rows
    fill = tf.fill([len(rows)], tf.cast(default_value, values.dtype)) \
        if values.dtype is not dtypes.string else Tensor(np.full(len(rows), default_value, object))
    out = reorder(SparseTensor(Tensor(np.concatenate([idx, new_idx])),
                               tf.concat([values, fill], 0), Tensor(shape)))
    return out, Tensor(empty)


def reset_shape(sp_input, new_shape=None):
    """Returns ``sp_input`` with ``new_shape``, or the tightest shape holding its indices."""
    idx, values, shape = _parts(sp_input)
    if new_shape is None:
        new = idx.max(axis=0) + 1 if len(idx) else np.zeros_like(shape)
    else:
        new = np.asarray(np.asarray(convert_to_tensor(new_shape, dtype=dtypes.int64)))
        if np.any(new < shape):
            raise InvalidArgumentError(None, None, "requested new_shape is smaller than the "
                                       "current shape")
    return SparseTensor(Tensor(idx), values, Tensor(new.astype(np.int64)))


def split(sp_input=None, num_split=None, axis=None, name=None, keyword_required=None):
    """Returns ``num_split`` SparseTensors cut from ``sp_input`` along ``axis`` (the first
    ``size % num_split`` pieces one larger)."""
    idx, values, shape = _parts(sp_input)
    axis = int(axis) % len(shape)
    size = int(shape[axis])
    base, extra = divmod(size, int(num_split))
    out, start = [], 0
    for i in range(int(num_split)):
        n = base + (1 if i < extra else 0)
        st = np.zeros(len(shape), np.int64)
        st[axis] = start
        sz = shape.copy()
        sz[axis] = n
        out.append(slice(sp_input, st, sz))
        start += n
    return out


def _mul_dense(sp, other):
    tf = _ops()
    o = convert_to_tensor(other, dtype=sp.dtype)
    if o.shape.rank == 0:
        return sp.with_values(sp.values * o)
    dense = tf.broadcast_to(o, [int(d) for d in np.asarray(np.asarray(sp.dense_shape))])
    return sp.with_values(sp.values * tf.gather_nd(dense, sp.indices))


def _div_dense(sp, other):
    tf = _ops()
    o = convert_to_tensor(other, dtype=sp.dtype)
    if o.shape.rank == 0:
        return sp.with_values(sp.values / o)
    dense = tf.broadcast_to(o, [int(d) for d in np.asarray(np.asarray(sp.dense_shape))])
    return sp.with_values(sp.values / tf.gather_nd(dense, sp.indices))
