"""``keras.ops`` array manipulation: reshape, transpose, concatenate, split, take, where, pad...

All differentiable ones are built on ``tf.*`` ops (reshape, transpose, gather, concat...).
"""
import builtins

import numpy as np

import tapeflow as tf
from tapeflow.framework.tensor import Tensor
from tapeflow.keras import backend
from tapeflow.keras.keras_tensor import KerasTensor
from tapeflow.keras.ops.operation import keras_op, symbolic_op
from tapeflow.keras.ops.promotion import dtype_of, result_type, to_tensor


def _rank(x):
    return len(x.shape)


def reshape(x, newshape):
    """Returns x with shape ``newshape`` (one entry may be -1)."""
    if type(x) is KerasTensor:
        return symbolic_op("reshape", (x, newshape), {})
    return tf.reshape(x if type(x) is Tensor else to_tensor(x), newshape)


def transpose(x, axes=None):
    """Returns x with its axes permuted (reversed when ``axes`` is None)."""
    if type(x) is KerasTensor:
        return symbolic_op("transpose", (x,), {"axes": axes})
    return tf.transpose(x if type(x) is Tensor else to_tensor(x), axes)


@keras_op
def expand_dims(x, axis):
    """Returns x with new size-1 axes at ``axis`` (an int or a tuple)."""
    x = to_tensor(x)
    if isinstance(axis, (tuple, list)):
        out_rank = _rank(x) + len(axis)
        for a in sorted(a % out_rank for a in axis):
            x = tf.expand_dims(x, a)
        return x
    return tf.expand_dims(x, axis)


@keras_op
def squeeze(x, axis=None):
    """Returns x without its size-1 axes (only ``axis`` when given)."""
    x = to_tensor(x)
    if isinstance(axis, int):
        axis = [axis]
    return tf.squeeze(x, axis=list(axis) if axis is not None else None)


@keras_op
def ravel(x):
    """Returns x flattened to one axis."""
    return tf.reshape(to_tensor(x), [-1])


@keras_op
def moveaxis(x, source, destination):
    """Returns x with axes ``source`` moved to ``destination``."""
    x = to_tensor(x)
    r = _rank(x)
    src = [a % r for a in np.atleast_1d(source)]
    dst = [a % r for a in np.atleast_1d(destination)]
    order = [a for a in range(r) if a not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return tf.transpose(x, order)


@keras_op
def swapaxes(x, axis1, axis2):
    """Returns x with two axes swapped."""
    x = to_tensor(x)
    order = list(range(_rank(x)))
    order[axis1], order[axis2] = order[axis2], order[axis1]
    return tf.transpose(x, order)


def _strong(x):
    t = type(x)
    return "int32" if t is int else backend.floatx() if t is float else dtype_of(x)


def _promote_all(xs):
    d = result_type(*[_strong(x) for x in xs])
    return [to_tensor(x, d) for x in xs]


@keras_op
def concatenate(xs, axis=0):
    """Returns the tensors joined along ``axis`` (promoted to a common dtype)."""
    xs = _promote_all(xs)
    if axis is None:
        xs = [tf.reshape(x, [-1]) for x in xs]
        axis = 0
    return tf.concat(xs, axis=axis)


@keras_op
def append(x1, x2, axis=None):
    """Returns x2 appended to x1 along ``axis`` (both flattened when None)."""
    return concatenate([x1, x2], axis=axis)


@keras_op
def stack(x, axis=0):
    """Returns the tensors stacked along a new ``axis``."""
    return tf.stack(_promote_all(x), axis=axis)


@keras_op
def hstack(xs):
    """Returns the tensors joined along axis 1 (axis 0 for 1-D ones)."""
    xs = _promote_all(xs)
    return tf.concat(xs, axis=0 if _rank(xs[0]) == 1 else 1)


@keras_op
def vstack(xs):
    """Returns the tensors joined along axis 0 (1-D ones as rows)."""
    xs = [tf.reshape(x, [1, -1]) if _rank(x) == 1 else x for x in _promote_all(xs)]
    return tf.concat(xs, axis=0)


@keras_op
def dstack(xs):
    """Returns the tensors joined along axis 2 (lifted to 3-D first)."""
    out = []
    for x in _promote_all(xs):
        if _rank(x) == 1:
            x = tf.reshape(x, [1, -1, 1])
        elif _rank(x) == 2:
            x = tf.expand_dims(x, -1)
        out.append(x)
    return tf.concat(out, axis=2)


def _split_points(n, indices_or_sections, even):
    if isinstance(indices_or_sections, int):
        k = indices_or_sections
        if even and n % k:
            raise ValueError(f"array split does not result in an equal division: {n} into {k}")
        base, extra = divmod(n, k)
        sizes = [base + 1] * extra + [base] * (k - extra)
    else:
        cuts = [0] + [builtins.min(builtins.max(int(i), 0), n)
                      for i in indices_or_sections] + [n]
        sizes = [builtins.max(b - a, 0) for a, b in zip(cuts[:-1], cuts[1:])]
    return sizes


@keras_op
def split(x, indices_or_sections, axis=0):
    """Returns a list of sub-tensors: ``indices_or_sections`` equal parts or cut points."""
    x = to_tensor(x)
    sizes = _split_points(x.shape[axis], indices_or_sections, True)
    return list(tf.split(x, sizes, axis=axis))


@keras_op
def array_split(x, indices_or_sections, axis=0):
    """Returns a list of sub-tensors, as ``split`` but allowing unequal parts."""
    x = to_tensor(x)
    return list(tf.split(x, _split_points(x.shape[axis], indices_or_sections, False),
                         axis=axis))


@keras_op
def hsplit(x, indices_or_sections):
    """Returns ``split`` along axis 1 (axis 0 for 1-D)."""
    x = to_tensor(x)
    return split(x, indices_or_sections, axis=0 if _rank(x) == 1 else 1)


@keras_op
def vsplit(x, indices_or_sections):
    """Returns ``split`` along axis 0."""
    return split(x, indices_or_sections, axis=0)


@keras_op
def dsplit(x, indices_or_sections):
    """Returns ``split`` along axis 2."""
    return split(x, indices_or_sections, axis=2)


@keras_op
def tile(x, repeats):
    """Returns x repeated ``repeats`` times along each axis."""
    x = to_tensor(x)
    reps = list(np.atleast_1d(repeats))
    if len(reps) < _rank(x):
        reps = [1] * (_rank(x) - len(reps)) + reps
    elif len(reps) > _rank(x):
        x = tf.reshape(x, [1] * (len(reps) - _rank(x)) + list(x.shape))
    return tf.tile(x, reps)


@keras_op
def repeat(x, repeats, axis=None):
    """Returns each element repeated ``repeats`` times along ``axis`` (flattened if None)."""
    return tf.repeat(to_tensor(x), repeats, axis=axis)


@keras_op
def broadcast_to(x, shape):
    """Returns x broadcast to ``shape``."""
    return tf.broadcast_to(to_tensor(x), shape)


@keras_op
def flip(x, axis=None):
    """Returns x with the order of elements reversed along ``axis`` (all axes if None)."""
    x = to_tensor(x)
    if axis is None:
        axis = list(range(_rank(x)))
    return tf.reverse(x, list(np.atleast_1d(axis)))


@keras_op
def fliplr(x):
    """Returns x reversed along axis 1."""
    return flip(x, 1)


@keras_op
def flipud(x):
    """Returns x reversed along axis 0."""
    return flip(x, 0)


@keras_op
def roll(x, shift, axis=None):
    """Returns x shifted cyclically by ``shift`` along ``axis`` (flattened if None)."""
    x = to_tensor(x)
    if axis is None:
        return tf.reshape(tf.roll(tf.reshape(x, [-1]), shift, 0), tf.shape(x))
    return tf.roll(x, shift, axis)


@keras_op
def rot90(array, k=1, axes=(0, 1)):
    """Returns the array rotated by 90 degrees ``k`` times in the plane of ``axes``."""
    x = to_tensor(array)
    a0, a1 = axes[0] % _rank(x), axes[1] % _rank(x)
    k %= 4
    if k == 0:
        return x
    if k == 2:
        return flip(flip(x, a0), a1)
    order = list(range(_rank(x)))
    order[a0], order[a1] = order[a1], order[a0]
    if k == 1:
        return tf.transpose(flip(x, a1), order)
    return flip(tf.transpose(x, order), a1)


@keras_op
def take(x, indices, axis=None):
    """Returns the elements of x at ``indices`` along ``axis`` (flattened x when None);
    negative indices count from the end."""
    x = to_tensor(x)
    idx = to_tensor(indices)
    if idx.dtype.is_floating:
        idx = tf.cast(idx, "int32")
    if axis is None:
        x = tf.reshape(x, [-1])
        axis = 0
    n = x.shape[axis]
    idx = tf.where(idx < 0, idx + n, idx)
    return tf.gather(x, idx, axis=axis)


@keras_op
def take_along_axis(x, indices, axis=None):
    """Returns the values of x at ``indices`` along ``axis`` (indices shaped like x)."""
    x = to_tensor(x)
    idx = to_tensor(indices).numpy().astype(np.int64)
    if axis is None:
        x = tf.reshape(x, [-1])
        axis = 0
    axis %= _rank(x)
    n = x.shape[axis]
    idx = np.where(idx < 0, idx + n, idx)
    shape = np.broadcast_shapes(tuple(x.shape[:axis]) + (1,) + tuple(x.shape[axis + 1:]),
                                idx.shape)
    idx = np.broadcast_to(idx, shape)
    xs = tf.broadcast_to(x, shape[:axis] + (n,) + shape[axis + 1:])
    grids = np.indices(idx.shape, sparse=False)
    full = np.stack([idx if i == axis else grids[i] for i in range(idx.ndim)], -1)
    return tf.gather_nd(xs, full.astype(np.int32))


@keras_op
def where(condition, x1=None, x2=None):
    """Returns x1 where ``condition`` holds, else x2 (promoted); with one argument, the
    indices of the true elements (as ``nonzero``)."""
    if x1 is None and x2 is None:
        return nonzero(condition)
    if x1 is None or x2 is None:
        raise ValueError("`x1` and `x2` either both should be `None` or both should have "
                         "non-None value.")
    c = to_tensor(condition)
    if not c.dtype.is_bool:
        c = tf.cast(c, "bool")
    d = result_type(dtype_of(x1), dtype_of(x2))
    a, b = to_tensor(x1, d), to_tensor(x2, d)
    shape = np.broadcast_shapes(tuple(c.shape), tuple(a.shape), tuple(b.shape))
    if tuple(a.shape) != shape:
        a = tf.broadcast_to(a, shape)
    if tuple(b.shape) != shape:
        b = tf.broadcast_to(b, shape)
    if tuple(c.shape) != shape:
        c = tf.broadcast_to(c, shape)
    return tf.where(c, a, b)


@keras_op
def nonzero(x):
    """Returns a tuple of int32 index tensors, one per axis, of the non-zero elements."""
    a = to_tensor(x).numpy()
    return tuple(Tensor(i.astype(np.int32)) for i in np.nonzero(a))


@keras_op
def select(condlist, choicelist, default=0):
    """Returns, elementwise, the choice of the first true condition (``default`` if none)."""
    d = result_type(*[dtype_of(c) for c in choicelist])
    out = to_tensor(default, d)
    for c, v in reversed(list(zip(condlist, choicelist))):
        c = to_tensor(c)
        v = to_tensor(v, d)
        shape = np.broadcast_shapes(tuple(c.shape), tuple(v.shape), tuple(out.shape))
        out = tf.where(tf.broadcast_to(c, shape), tf.broadcast_to(v, shape),
                       tf.broadcast_to(out, shape))
    return out


@keras_op
def pad(x, pad_width, mode="constant", constant_values=None):
    """Returns x padded by ``pad_width`` (``constant``, ``reflect`` or ``symmetric``)."""
    x = to_tensor(x)
    pw = np.asarray(pad_width, dtype=np.int64)
    if pw.ndim == 0:
        pw = np.full((_rank(x), 2), int(pw))
    elif pw.ndim == 1:
        pw = np.tile(pw.reshape(1, -1) if pw.size == 2 else pw.reshape(-1, 1), (_rank(x), 1))
        pw = pw.reshape(_rank(x), -1)
        if pw.shape[1] == 1:
            pw = np.tile(pw, (1, 2))
    elif pw.shape[0] == 1 and _rank(x) > 1:
        pw = np.tile(pw, (_rank(x), 1))
    mode = mode.lower()
    if mode != "constant" and constant_values is not None:
        raise ValueError("Argument `constant_values` can only be provided when "
                         f"`mode == 'constant'`. Received: mode={mode}")
    if mode not in ("constant", "reflect", "symmetric"):
        a = x.numpy()
        return Tensor(np.pad(a, pw, mode=mode))
    return tf.pad(x, pw.tolist(), mode=mode.upper(),
                  constant_values=0 if constant_values is None else constant_values)


@keras_op
def diagonal(x, offset=0, axis1=0, axis2=1):
    """Returns the diagonal at ``offset`` of the plane ``(axis1, axis2)``, as the last axis."""
    x = to_tensor(x)
    r = _rank(x)
    a1, a2 = axis1 % r, axis2 % r
    rest = [i for i in range(r) if i not in (a1, a2)]
    y = tf.transpose(x, rest + [a1, a2])
    n, m = y.shape[-2], y.shape[-1]
    rows = np.arange(builtins.max(0, -offset), n)
    cols = rows + offset
    keep = cols < m
    rows, cols = rows[keep], cols[keep]
    if rows.size == 0:
        return tf.zeros(tuple(y.shape[:-2]) + (0,), x.dtype)
    flat = tf.reshape(y, tuple(y.shape[:-2]) + (n * m,))
    return tf.gather(flat, (rows * m + cols).astype(np.int32), axis=-1)


@keras_op
def diag(x, k=0):
    """Returns the ``k``-th diagonal of a 2-D x, or a 2-D matrix with 1-D x on it."""
    x = to_tensor(x)
    if _rank(x) == 1:
        n = x.shape[0] + builtins.abs(k)
        idx = np.arange(x.shape[0])
        rows, cols = (idx, idx + k) if k >= 0 else (idx - k, idx)
        pos = (rows * n + cols).reshape(-1, 1).astype(np.int32)
        return tf.reshape(tf.scatter_nd(pos, x, [n * n]), [n, n])
    if _rank(x) == 2:
        return diagonal(x, k)
    raise ValueError(f"`x` must be 1d or 2d. Received: x.shape={tuple(x.shape)}")


@keras_op
def diagflat(x, k=0):
    """Returns a 2-D matrix with the flattened x on its ``k``-th diagonal."""
    return diag(tf.reshape(to_tensor(x), [-1]), k)


def _tri_mask(n, m, k, lower):
    return np.tri(n, m, k, dtype=bool) if lower else ~np.tri(n, m, k - 1, dtype=bool)


@keras_op
def tril(x, k=0):
    """Returns x with elements above the ``k``-th diagonal zeroed."""
    x = to_tensor(x)
    mask = _tri_mask(x.shape[-2], x.shape[-1], k, True)
    return tf.where(tf.broadcast_to(mask, tf.shape(x)), x, tf.zeros_like(x))


@keras_op
def triu(x, k=0):
    """Returns x with elements below the ``k``-th diagonal zeroed."""
    x = to_tensor(x)
    mask = _tri_mask(x.shape[-2], x.shape[-1], k, False)
    return tf.where(tf.broadcast_to(mask, tf.shape(x)), x, tf.zeros_like(x))


@keras_op
def meshgrid(*x, indexing="xy"):
    """Returns coordinate grids from 1-D coordinate tensors (``xy`` or ``ij`` indexing)."""
    xs = [tf.reshape(to_tensor(v), [-1]) for v in x]
    n = len(xs)
    shape = [v.shape[0] for v in xs]
    if indexing == "xy" and n >= 2:
        shape[0], shape[1] = shape[1], shape[0]
    out = []
    for i, v in enumerate(xs):
        s = [1] * n
        pos = i
        if indexing == "xy" and n >= 2 and i < 2:
            pos = 1 - i
        s[pos] = -1
        out.append(tf.broadcast_to(tf.reshape(v, s), shape))
    return out


def get_item(x, key):
    """Returns ``x[key]``."""
    if type(x) is KerasTensor:
        return symbolic_op("get_item", (x, key), {})
    return to_tensor(x)[key]


@keras_op
def size(x):
    """Returns the number of elements of x (an int32 scalar tensor)."""
    return Tensor(np.asarray(np.prod(to_tensor(x).shape, dtype=np.int64), np.int32))


def ndim(x):
    """Returns the number of axes of x (an int)."""
    if type(x) is KerasTensor:
        return len(x.shape)
    return len(to_tensor(x).shape)


def shape(x):
    """Returns the shape of x as a tuple (None for unknown sizes of a KerasTensor)."""
    if type(x) is KerasTensor:
        return tuple(x.shape)
    return tuple(to_tensor(x).shape)


def isin(x1, x2, assume_unique=False, invert=False):
    """Returns whether each element of x1 is in x2 (bool)."""
    if type(x1) is KerasTensor or type(x2) is KerasTensor:
        return symbolic_op("isin", (x1, x2), {"assume_unique": assume_unique,
                                               "invert": invert})
    return Tensor(np.isin(to_tensor(x1).numpy(), to_tensor(x2).numpy(),
                          assume_unique=assume_unique, invert=invert))
