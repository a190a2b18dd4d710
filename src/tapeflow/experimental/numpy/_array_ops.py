"""Shape manipulation, joining, splitting and indexing of ``tf.experimental.numpy``."""
import numpy as np

import tapeflow as tf
from tapeflow.framework.tensor_shape import TensorShape
from tapeflow.experimental.numpy._core import asarray, promote


def _rank(t):
    return t.shape.rank


def reshape(a, newshape, order="C"):
    """Returns ``a`` with the new shape (one -1 allowed); ``order='F'`` fills column-first."""
    t = asarray(a)
    if isinstance(newshape, (int, np.integer)):
        newshape = [int(newshape)]
    newshape = [int(s) for s in newshape]
    if order == "C":
        return tf.reshape(t, newshape)
    if order != "F":
        raise ValueError(f"Unsupported order argument {order}")
    flat = tf.reshape(tf.transpose(t), newshape[::-1])
    return tf.transpose(flat)


def ravel(a):
    """Returns ``a`` flattened to one dimension."""
    return tf.reshape(asarray(a), [-1])


def flatten(a, order="C"):
    """Returns ``a`` flattened (row-major for 'C', column-major for 'F')."""
    t = asarray(a)
    return tf.reshape(tf.transpose(t) if order == "F" else t, [-1])


def transpose(a, axes=None):
    """Returns ``a`` with its axes permuted (reversed by default)."""
    return tf.transpose(asarray(a), None if axes is None else list(axes))


def swapaxes(a, axis1, axis2):
    """Returns ``a`` with two axes interchanged."""
    t = asarray(a)
    perm = list(range(_rank(t)))
    axis1, axis2 = axis1 % len(perm), axis2 % len(perm)
    perm[axis1], perm[axis2] = perm[axis2], perm[axis1]
    return tf.transpose(t, perm)


def moveaxis(a, source, destination):
    """Returns ``a`` with axes moved from ``source`` to ``destination``."""
    t = asarray(a)
    rank = _rank(t)
    src = [source] if isinstance(source, int) else list(source)
    dst = [destination] if isinstance(destination, int) else list(destination)
    src, dst = [s % rank for s in src], [d % rank for d in dst]
    perm = [i for i in range(rank) if i not in src]
    for d, s in sorted(zip(dst, src)):
        perm.insert(d, s)
    return tf.transpose(t, perm)


def squeeze(a, axis=None):
    """Returns ``a`` without its size-1 dimensions (or only those in ``axis``)."""
    return tf.squeeze(asarray(a), axis)


def expand_dims(a, axis):
    """Returns ``a`` with a size-1 dimension inserted at ``axis``."""
    return tf.expand_dims(asarray(a), axis)


def atleast_1d(*arys):
    """Returns the inputs with at least one dimension (a list for several)."""
    return _atleast(arys, 1)


def atleast_2d(*arys):
    """Returns the inputs with at least two dimensions (a list for several)."""
    return _atleast(arys, 2)


def atleast_3d(*arys):
    """Returns the inputs with at least three dimensions, NumPy's way (a list for several)."""
    return _atleast(arys, 3)


def _atleast(arys, n):
    out = []
    for a in arys:
        t = asarray(a)
        r = _rank(t)
        if r < n:
            shape = t.shape.as_list()
            if n == 3 and r == 1:
                shape = [1] + shape + [1]
            elif n == 3 and r == 2:
                shape = shape + [1]
            else:
                shape = [1] * (n - r) + shape
            t = tf.reshape(t, shape)
        out.append(t)
    return out[0] if len(out) == 1 else out


def concatenate(arys, axis=0):
    """Returns the arrays joined along ``axis`` (in their promoted dtype)."""
    if not arys:
        raise ValueError("Need at least one array to concatenate.")
    if axis is None:   # TensorFlow's tnp refuses NumPy's flattening form
        raise ValueError("Attempt to convert a value (None) with an unsupported type "
                         "(<class 'NoneType'>) to a Tensor.")
    return tf.concat(list(promote(*arys)), axis)


def stack(arrays, axis=0):
    """Returns the arrays stacked along a new axis ``axis``."""
    return tf.stack(list(promote(*arrays)), axis)


def hstack(tup):
    """Returns the arrays joined column-wise (along axis 1; axis 0 for 1-D arrays)."""
    ts = [atleast_1d(t) for t in promote(*tup)]
    return tf.concat(ts, 0 if _rank(ts[0]) == 1 else 1)


def vstack(tup):
    """Returns the arrays joined row-wise, as at least 2-D arrays."""
    return tf.concat([atleast_2d(t) for t in promote(*tup)], 0)


def dstack(tup):
    """Returns the arrays joined depth-wise (axis 2), as at least 3-D arrays."""
    return tf.concat([atleast_3d(t) for t in promote(*tup)], 2)


def append(arr, values, axis=None):
    """Returns ``arr`` with ``values`` appended (both flattened when ``axis`` is None)."""
    if axis is None:
        return concatenate([ravel(arr), ravel(values)], 0)
    return concatenate([arr, values], axis)


def split(ary, indices_or_sections, axis=0):
    """Returns a list of sub-arrays: equal sections, or cut at the given indices."""
    t = asarray(ary)
    n = t.shape.as_list()[axis]
    if isinstance(indices_or_sections, (int, np.integer)):
        return tf.split(t, int(indices_or_sections), axis)
    cuts = [0] + [min(max(int(i), 0), n) for i in indices_or_sections] + [n]
    sizes = [max(b - a, 0) for a, b in zip(cuts[:-1], cuts[1:])]
    out, start = [], 0
    for a, size in zip(cuts[:-1], sizes):
        idx = [slice(None)] * _rank(t)
        idx[axis] = slice(a, a + size)
        out.append(t[tuple(idx)])
    return out


def hsplit(ary, indices_or_sections):
    """Returns ``split`` along axis 1 (axis 0 for 1-D arrays)."""
    t = asarray(ary)
    return split(t, indices_or_sections, 0 if _rank(t) == 1 else 1)


def vsplit(ary, indices_or_sections):
    """Returns ``split`` along axis 0."""
    return split(ary, indices_or_sections, 0)


def dsplit(ary, indices_or_sections):
    """Returns ``split`` along axis 2."""
    return split(ary, indices_or_sections, 2)


def tile(a, reps):
    """Returns ``a`` repeated ``reps`` times per dimension (NumPy's rank alignment)."""
    t = asarray(a)
    reps = [int(reps)] if isinstance(reps, (int, np.integer)) else [int(r) for r in reps]
    rank = max(_rank(t), len(reps))
    t = tf.reshape(t, [1] * (rank - _rank(t)) + t.shape.as_list())
    return tf.tile(t, [1] * (rank - len(reps)) + reps)


def repeat(a, repeats, axis=None):
    """Returns each element repeated ``repeats`` times (flattened when ``axis`` is None)."""
    return tf.repeat(asarray(a), repeats, axis)


def flip(m, axis=None):
    """Returns ``m`` reversed along ``axis`` (all axes if None)."""
    t = asarray(m)
    if axis is None:
        axis = list(range(_rank(t)))
    elif isinstance(axis, int):
        axis = [axis]
    return tf.reverse(t, [a % _rank(t) for a in axis]) if axis else t


def fliplr(m):
    """Returns ``m`` reversed along axis 1."""
    return flip(m, 1)


def flipud(m):
    """Returns ``m`` reversed along axis 0."""
    return flip(m, 0)


def rot90(m, k=1, axes=(0, 1)):
    """Returns ``m`` rotated by 90 degrees ``k`` times in the plane of ``axes``."""
    t = asarray(m)
    k %= 4
    if k == 0:
        return t
    if k == 2:
        return flip(t, list(axes))
    if k == 1:
        return swapaxes(flip(t, axes[1]), axes[0], axes[1])
    return flip(swapaxes(t, axes[0], axes[1]), axes[1])


def roll(a, shift, axis=None):
    """Returns ``a`` with elements shifted along ``axis`` (the flattened array if None)."""
    t = asarray(a)
    if axis is None:
        return tf.reshape(tf.roll(tf.reshape(t, [-1]), shift, 0), t.shape.as_list())
    return tf.roll(t, shift, axis)


def pad(array, pad_width, mode, **kwargs):
    """Returns ``array`` padded; ``mode``: constant (``constant_values``), reflect, symmetric."""
    t = asarray(array)
    widths = np.broadcast_to(np.asarray(pad_width, np.int64), (_rank(t), 2)).tolist()
    mode = mode.upper()
    if mode not in ("CONSTANT", "REFLECT", "SYMMETRIC"):
        raise ValueError(f"Unsupported padding mode: {mode.lower()}")
    value = kwargs.get("constant_values", 0)
    return tf.pad(t, widths, mode, constant_values=value)


def broadcast_to(array, shape):
    """Returns ``array`` broadcast to ``shape``."""
    shape = [int(shape)] if isinstance(shape, (int, np.integer)) else [int(s) for s in shape]
    return tf.broadcast_to(asarray(array), shape)


def broadcast_arrays(*args, **kwargs):
    """Returns the arrays broadcast against each other."""
    ts = [asarray(a) for a in args]
    shape = TensorShape([])
    for t in ts:
        shape = tf.broadcast_static_shape(shape, t.shape)
    return [tf.broadcast_to(t, shape.as_list()) for t in ts]


def take(a, indices, axis=None, out=None, mode="clip"):
    """Returns the elements at ``indices`` along ``axis`` (of the flattened ``a`` if None).

    ``mode`` 'clip' (TensorFlow's default) clips indices into range, 'wrap' wraps them,
    'raise' refuses out-of-range ones.
    """
    if out is not None:
        raise ValueError("out argument is not supported in take.")
    t = asarray(a)
    if axis is None:
        t, axis = tf.reshape(t, [-1]), 0
    axis %= _rank(t)
    idx = asarray(indices)
    n = t.shape.as_list()[axis]
    if mode == "clip":
        idx = tf.clip_by_value(idx, tf.cast(0, idx.dtype), tf.cast(n - 1, idx.dtype))
    elif mode == "wrap":
        idx = tf.math.floormod(idx, tf.cast(n, idx.dtype))
    elif mode != "raise":
        raise ValueError(f"Invalid mode '{mode}' for take")
    return tf.gather(t, idx, axis=axis)


def take_along_axis(arr, indices, axis):
    """Returns the values of ``arr`` at ``indices`` along ``axis`` (shapes broadcast)."""
    t, idx = asarray(arr), asarray(indices)
    if axis is None:
        t, axis = tf.reshape(t, [-1]), 0
    axis %= _rank(t)
    shape = tf.broadcast_static_shape(t.shape, idx.shape).as_list()
    tshape, ishape = list(shape), list(shape)
    tshape[axis], ishape[axis] = t.shape.as_list()[axis], idx.shape.as_list()[axis]
    t = tf.broadcast_to(t, tshape)
    idx = tf.broadcast_to(idx, ishape)
    idx = tf.where(idx < 0, idx + tf.cast(tshape[axis], idx.dtype), idx)
    perm = [i for i in range(len(shape)) if i != axis] + [axis]
    inv = np.argsort(perm).tolist()
    g = tf.gather(tf.transpose(t, perm), tf.transpose(idx, perm), batch_dims=len(shape) - 1)
    return tf.transpose(g, inv)


def compress(condition, a, axis=None):
    """Returns the slices of ``a`` along ``axis`` where ``condition`` is true."""
    t = asarray(a)
    cond = tf.cast(asarray(condition), tf.bool)
    if axis is None:
        t, axis = tf.reshape(t, [-1]), 0
    n = t.shape.as_list()[axis]
    c = cond.numpy()
    if c.shape[0] > n:
        raise ValueError(f"condition of length {c.shape[0]} is longer than axis length {n}")
    keep = np.nonzero(c)[0]
    return tf.gather(t, tf.constant(keep.astype(np.int64)), axis=axis)


def select(condlist, choicelist, default=0):
    """Returns, per element, the choice of the first true condition (else ``default``)."""
    if len(condlist) != len(choicelist):
        raise ValueError("list of cases must be same length as list of conditions")
    choices = promote(*choicelist, default)
    out = choices[-1]
    for cond, choice in reversed(list(zip(condlist, choices[:-1]))):
        c = tf.cast(asarray(cond), tf.bool)
        shape = tf.broadcast_static_shape(tf.broadcast_static_shape(c.shape, choice.shape),
                                          out.shape).as_list()
        out = tf.where(tf.broadcast_to(c, shape), tf.broadcast_to(choice, shape),
                       tf.broadcast_to(out, shape))
    return out


def diagonal(a, offset=0, axis1=0, axis2=1):
    """Returns the ``offset`` diagonal of the ``axis1``/``axis2`` planes (last axis)."""
    t = asarray(a)
    rank = _rank(t)
    axis1, axis2 = axis1 % rank, axis2 % rank
    perm = [i for i in range(rank) if i not in (axis1, axis2)] + [axis1, axis2]
    t = tf.transpose(t, perm)
    rows, cols = t.shape.as_list()[-2:]
    if offset >= 0:
        n = max(0, min(rows, cols - offset))
        t = t[..., :n, offset:offset + n]
    else:
        n = max(0, min(rows + offset, cols))
        t = t[..., -offset:-offset + n, :n]
    return tf.linalg.diag_part(t)


def diag(v, k=0):
    """Returns the ``k``-th diagonal of a 2-D ``v``, or a 2-D array with 1-D ``v`` on it."""
    t = asarray(v)
    if _rank(t) == 1:
        return _diag_matrix(t, k)
    if _rank(t) == 2:
        return diagonal(t, k)
    raise ValueError("Input to diag should be 1-D or 2-D.")


def diagflat(v, k=0):
    """Returns a 2-D array with the flattened ``v`` on its ``k``-th diagonal."""
    return _diag_matrix(tf.reshape(asarray(v), [-1]), k)


def _diag_matrix(t, k):
    m = tf.linalg.diag(t)
    if k == 0:
        return m
    pads = [[0, k], [k, 0]] if k > 0 else [[-k, 0], [0, -k]]
    return tf.pad(m, pads)


def tril(m, k=0):
    """Returns ``m`` with the elements above the ``k``-th diagonal zeroed."""
    t = asarray(m)
    rows, cols = t.shape.as_list()[-2:]
    mask = tf.constant(np.tri(rows, cols, k, dtype=bool))
    return tf.where(tf.broadcast_to(mask, t.shape.as_list()), t, tf.zeros_like(t))


def triu(m, k=0):
    """Returns ``m`` with the elements below the ``k``-th diagonal zeroed."""
    t = asarray(m)
    rows, cols = t.shape.as_list()[-2:]
    mask = tf.constant(~np.tri(rows, cols, k - 1, dtype=bool))
    return tf.where(tf.broadcast_to(mask, t.shape.as_list()), t, tf.zeros_like(t))


def meshgrid(*xi, **kwargs):
    """Returns coordinate matrices from coordinate vectors (``indexing`` 'xy' or 'ij')."""
    indexing = kwargs.get("indexing", "xy")
    ts = [ravel(x) for x in xi]
    return tf.meshgrid(*ts, indexing=indexing)


def ix_(*args):
    """Returns an open mesh: the i-th input reshaped to size -1 along dimension i only."""
    n = len(args)
    out = []
    for i, a in enumerate(args):
        t = asarray(a)
        if t.dtype == tf.bool:
            t = tf.constant(np.nonzero(t.numpy())[0].astype(np.int64))
        shape = [1] * n
        shape[i] = -1
        out.append(tf.reshape(t, shape))
    return out


def diag_indices(n, ndim=2):
    """Returns ``ndim`` int32 index vectors ``0..n-1`` addressing the main diagonal."""
    if n < 0:
        raise ValueError(f"n argument to diag_indices must be nonnegative, got {n}")
    return tuple(tf.range(n, dtype=tf.int32) for _ in range(ndim))


def vander(x, N=None, increasing=False):
    """Returns the Vandermonde matrix of the 1-D ``x``."""
    t = asarray(x)
    if _rank(t) != 1:
        raise ValueError("x must be a one-dimensional array or sequence.")
    n = t.shape.as_list()[0] if N is None else N
    powers = tf.range(n, dtype=t.dtype) if increasing else tf.range(n - 1, -1, -1, dtype=t.dtype)
    return tf.pow(tf.expand_dims(t, 1), tf.expand_dims(powers, 0))


def shape(a):
    """Returns the shape of ``a`` as a ``TensorShape``."""
    return asarray(a).shape


def ndim(a):
    """Returns the number of dimensions of ``a``."""
    return asarray(a).shape.rank


def size(x, axis=None):
    """Returns the number of elements of ``x`` (along ``axis`` if given)."""
    s = asarray(x).shape.as_list()
    return np.int64(np.prod(s) if axis is None else s[axis])


def isscalar(num):
    """Returns whether ``num`` is a 0-d array or a scalar."""
    return asarray(num).shape.rank == 0


def iscomplexobj(x):
    """Returns whether ``x`` has a complex dtype."""
    return asarray(x).dtype.is_complex


def isrealobj(x):
    """Returns whether ``x`` does not have a complex dtype."""
    return not iscomplexobj(x)
