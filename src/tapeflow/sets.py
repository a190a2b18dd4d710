"""``tf.sets``: set operations along the last dimension of dense or sparse tensors.

The sets are the last-dimension rows; results are SparseTensors whose rows hold
the sorted set elements, as TensorFlow returns them.
"""
import numpy as np

from tapeflow.framework import dtypes
from tapeflow.framework.errors import InvalidArgumentError
from tapeflow.sparse_tensor import SparseTensor
from tapeflow.framework.tensor import Tensor, convert_to_tensor

__all__ = ["difference", "intersection", "size", "union"]

_OK = ("int8", "int16", "int32", "int64", "uint8", "uint16", "string")


def _rows(x, name):
    """Returns (list of row value lists, outer shape, dtype) for a dense or sparse input."""
    if isinstance(x, SparseTensor):
        idx = np.asarray(np.asarray(x.indices))
        vals = np.asarray(np.asarray(x.values))
        shape = np.asarray(np.asarray(x.dense_shape))
        outer = tuple(int(d) for d in shape[:-1])
        n = int(np.prod(outer)) if outer else 1
        rows = [[] for _ in range(n)]
        lin = np.ravel_multi_index(idx[:, :-1].T, outer) if outer else np.zeros(len(idx), int)
        for i, v in zip(lin, vals):
            rows[int(i)].append(v)
        return rows, outer, x.dtype
    t = convert_to_tensor(x)
    if t.dtype.name not in _OK:
        raise TypeError(f"'{name}' has invalid dtype `{t.dtype!r}` not in supported dtypes: "
                        f"`{set(_OK)}`.")
    a = np.asarray(np.asarray(t))
    if a.ndim < 2:
        raise InvalidArgumentError(None, "DenseToDenseSetOperation", f"Shape {list(a.shape)} "
                                   f"has rank {a.ndim} < 2")
    outer = a.shape[:-1]
    return [list(r) for r in a.reshape(-1, a.shape[-1])], outer, t.dtype


def _result(sets, outer, dtype):
    width = max((len(s) for s in sets), default=0)
    idx, vals = [], []
    for i, s in enumerate(sets):
        coords = np.unravel_index(i, outer) if outer else ()
        for j, v in enumerate(s):
            idx.append(list(coords) + [j])
            vals.append(v)
    np_vals = np.empty(len(vals), object) if dtype is dtypes.string else np.asarray(
        vals, dtype=dtype.as_numpy_dtype).reshape(-1)
    if dtype is dtypes.string:
        np_vals[:] = vals
    return SparseTensor(Tensor(np.asarray(idx, np.int64).reshape(-1, len(outer) + 1)),
                        Tensor(np_vals), Tensor(np.asarray(list(outer) + [width], np.int64)))


def _op(a, b, fn):
    ra, outer, dtype = _rows(a, "a")
    rb, outer_b, dtype_b = _rows(b, "b")
    if dtype != dtype_b:
        raise TypeError(f"Types don't match, {dtype!r} vs {dtype_b!r}.")
    if tuple(outer) != tuple(outer_b):
        raise InvalidArgumentError(None, None, f"Shapes {list(outer)} and {list(outer_b)} of "
                                   "the set groups do not match")
    return _result([sorted(fn(set(x), set(y))) for x, y in zip(ra, rb)], outer, dtype)


def intersection(a, b, validate_indices=True):
    """Returns the sorted intersection of the last-dimension sets of ``a`` and ``b``."""
    return _op(a, b, lambda x, y: x & y)


def union(a, b, validate_indices=True):
    """Returns the sorted union of the last-dimension sets of ``a`` and ``b``."""
    return _op(a, b, lambda x, y: x | y)


def difference(a, b, aminusb=True, validate_indices=True):
    """Returns ``a - b`` (or ``b - a`` when not ``aminusb``) of the last-dimension sets."""
    return _op(a, b, (lambda x, y: x - y) if aminusb else (lambda x, y: y - x))


def size(a, validate_indices=True):
    """Returns the number of distinct elements of each last-dimension set of SparseTensor
    ``a`` (int32).

    Raises:
      TypeError: if ``a`` is not a SparseTensor (as TensorFlow).
    """
    if not isinstance(a, SparseTensor):
        raise TypeError(f"Expected `SparseTensor`, got {a!s}.")
    rows, outer, _ = _rows(a, "a")
    return Tensor(np.asarray([len(set(r)) for r in rows], np.int32).reshape(outer))


set_intersection = intersection
set_union = union
set_difference = difference
set_size = size
