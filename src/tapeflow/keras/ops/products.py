"""``keras.ops`` products, sorting, counting and differences: matmul, einsum, sort, unique...
"""
import numpy as np

import tapeflow as tf
from tapeflow.framework.errors import InvalidArgumentError
from tapeflow.framework.tensor import Tensor
from tapeflow.keras import backend
from tapeflow.keras.keras_tensor import KerasTensor
from tapeflow.keras.ops.operation import keras_op, symbolic_op
from tapeflow.keras.ops.promotion import dtype_of, result_type, to_tensor


_SMALL = ("bool", "int8", "int16", "uint8", "uint16")


def _promote(*xs):
    """Returns the operands in a dtype the product kernels take (int32 for small integers
    and bools) and the result dtype Keras gives (the promoted one)."""
    d = result_type(*[dtype_of(x) for x in xs])
    work = "int32" if d in _SMALL else d  # TensorFlow's matmul has no small-integer kernel
    return [to_tensor(x, work) for x in xs], d


def _finish(out, d):
    return out if out.dtype.name == d else tf.cast(out, d)


def matmul(x1, x2):
    """Returns the matrix product (1-D operands as vectors, batched over leading axes)."""
    if type(x1) is Tensor and type(x2) is Tensor:
        try:
            return tf.matmul(x1, x2)
        except InvalidArgumentError:
            if x1.dtype is x2.dtype and len(x1.shape) >= 2 and len(x2.shape) >= 2:
                raise
    if type(x1) is KerasTensor or type(x2) is KerasTensor:
        return symbolic_op("matmul", (x1, x2), {})
    (a, b), d = _promote(x1, x2)
    if dtype_of(x1) == "int8" and dtype_of(x2) == "int8":
        d = "int32"  # Keras's int8 x int8 matmul accumulates in int32
    if len(a.shape) == 1 or len(b.shape) == 1:
        out = tf.tensordot(a, b, [[len(a.shape) - 1], [max(len(b.shape) - 2, 0)]])
    else:
        out = tf.matmul(a, b)
    return out if out.dtype.name == d else tf.cast(out, d)


@keras_op
def dot(x1, x2):
    """Returns the dot product: matmul for 2-D, scalar product for scalars, sum over x1's
    last axis and x2's second-to-last otherwise."""
    (a, b), d = _promote(x1, x2)
    if len(a.shape) == 0 or len(b.shape) == 0:
        return _finish(a * b, d)
    return _finish(tf.tensordot(a, b, [[len(a.shape) - 1], [max(len(b.shape) - 2, 0)]]), d)


@keras_op
def tensordot(x1, x2, axes=2):
    """Returns the tensor contraction of x1 and x2 over ``axes``."""
    (a, b), d = _promote(x1, x2)
    return _finish(tf.tensordot(a, b, axes), d)


@keras_op
def einsum(subscripts, *operands):
    """Returns the Einstein summation ``subscripts`` of the operands."""
    xs, d = _promote(*operands)
    return _finish(tf.einsum(subscripts, *xs), d)


@keras_op
def inner(x1, x2):
    """Returns the sum product over the last axes."""
    (a, b), d = _promote(x1, x2)
    if len(a.shape) == 0 or len(b.shape) == 0:
        return _finish(a * b, d)
    return _finish(tf.tensordot(a, b, [[len(a.shape) - 1], [len(b.shape) - 1]]), d)


@keras_op
def outer(x1, x2):
    """Returns the outer product of the flattened operands."""
    (a, b), d = _promote(x1, x2)
    return _finish(tf.reshape(a, [-1, 1]) * tf.reshape(b, [1, -1]), d)


@keras_op
def vdot(x1, x2):
    """Returns the dot product of the flattened operands."""
    (a, b), d = _promote(x1, x2)
    return _finish(tf.reduce_sum(tf.reshape(a, [-1]) * tf.reshape(b, [-1])), d)


@keras_op
def kron(x1, x2):
    """Returns the Kronecker product."""
    (a, b), d = _promote(x1, x2)
    r = max(len(a.shape), len(b.shape))
    a = tf.reshape(a, [1] * (r - len(a.shape)) + list(a.shape))
    b = tf.reshape(b, [1] * (r - len(b.shape)) + list(b.shape))
    sa, sb = list(a.shape), list(b.shape)
    ea = tf.reshape(a, [v for s in sa for v in (s, 1)])
    eb = tf.reshape(b, [v for s in sb for v in (1, s)])
    return _finish(tf.reshape(ea * eb, [x * y for x, y in zip(sa, sb)]), d)


@keras_op
def cross(x1, x2, axisa=-1, axisb=-1, axisc=-1, axis=None):
    """Returns the cross product of 3-vectors (2-vectors are padded with z = 0)."""
    (a, b), d = _promote(x1, x2)
    if axis is not None:
        axisa = axisb = axisc = axis
    a = tf.transpose(a, _to_last(len(a.shape), axisa))
    b = tf.transpose(b, _to_last(len(b.shape), axisb))
    if a.shape[-1] == 2:
        a = tf.pad(a, [[0, 0]] * (len(a.shape) - 1) + [[0, 1]])
    if b.shape[-1] == 2:
        b = tf.pad(b, [[0, 0]] * (len(b.shape) - 1) + [[0, 1]])
    a0, a1, a2 = tf.unstack(a, axis=-1)
    b0, b1, b2 = tf.unstack(b, axis=-1)
    out = tf.stack([a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0], axis=-1)
    r = len(out.shape)
    order = list(range(r - 1))
    order.insert(axisc % r, r - 1)
    return _finish(tf.transpose(out, order), d)


def _to_last(rank, axis):
    axis %= rank
    return [i for i in range(rank) if i != axis] + [axis]


@keras_op
def sort(x, axis=-1):
    """Returns x sorted ascending along ``axis`` (differentiable)."""
    x = to_tensor(x)
    if axis is None:
        x, axis = tf.reshape(x, [-1]), 0
    if x.dtype.is_bool:
        return Tensor(np.sort(x.numpy(), axis=axis))
    return tf.sort(x, axis=axis)


@keras_op
def argsort(x, axis=-1):
    """Returns the int32 indices that sort x along ``axis`` (stable)."""
    a = to_tensor(x).numpy()
    if axis is None:
        a, axis = a.reshape(-1), 0
    return Tensor(np.argsort(a, axis=axis, kind="stable").astype(np.int32))


@keras_op
def argpartition(x, kth, axis=-1):
    """Returns int32 indices that partition x around its ``kth`` element along ``axis``."""
    a = to_tensor(x).numpy()
    return Tensor(np.argpartition(a, kth, axis=axis).astype(np.int32))


@keras_op
def searchsorted(sorted_sequence, values, side="left"):
    """Returns the int32 insertion indices of ``values`` into the 1-D ``sorted_sequence``."""
    s = to_tensor(sorted_sequence).numpy()
    if s.ndim != 1:
        raise ValueError("`searchsorted` only supports 1-D sorted sequences. Received: "
                         f"sorted_sequence.shape={s.shape}")
    return Tensor(np.searchsorted(s, to_tensor(values).numpy(), side=side).astype(np.int32))


@keras_op
def digitize(x, bins):
    """Returns the int32 index of the bin each value falls in."""
    return Tensor(np.digitize(to_tensor(x).numpy(), to_tensor(bins).numpy()).astype(np.int32))


@keras_op
def histogram(x, bins=10, range=None):  # noqa: A002 (Keras's name)
    """Returns (counts, bin edges) of the 1-D x, both in x's float dtype (as Keras)."""
    a = to_tensor(x).numpy()
    if a.ndim != 1:
        raise ValueError(f"Input tensor must be 1-dimensional. Received: input.shape={a.shape}")
    counts, edges = np.histogram(a, bins=bins, range=range)
    d = a.dtype if a.dtype.kind == "f" else np.dtype(backend.floatx())
    return Tensor(counts.astype(d)), Tensor(edges.astype(d))


@keras_op
def bincount(x, weights=None, minlength=0, sparse=False):
    """Returns the count of each non-negative integer in x (weighted sums with ``weights``)."""
    a = to_tensor(x).numpy()
    w = None if weights is None else to_tensor(weights).numpy()
    if a.ndim == 2:
        n = max(int(a.max(initial=-1)) + 1, minlength)
        rows = [np.bincount(r, None if w is None else wr, minlength=n)
                for r, wr in zip(a, w if w is not None else [None] * len(a))]
        out = np.stack(rows)
    else:
        out = np.bincount(a, w, minlength=minlength)
    d = "int32" if w is None else result_type(w.dtype.name if w.dtype.name != "int64" else "int32")
    return Tensor(out.astype(d))


@keras_op
def unique(x, sorted=True, return_inverse=False, return_counts=False, axis=None,  # noqa: A002
           size=None, fill_value=None):
    """Returns the unique values of x (with inverse indices and counts when asked)."""
    a = to_tensor(x).numpy()
    res = np.unique(a, return_inverse=return_inverse, return_counts=return_counts, axis=axis)
    if not isinstance(res, tuple):
        res = (res,)
    values = res[0]
    if size is not None:
        fill = values.min() if fill_value is None and values.size else (fill_value or 0)
        pad = np.full((max(size - len(values), 0),) + values.shape[1:], fill, values.dtype)
        values = np.concatenate([values[:size], pad])
    out = [Tensor(values)]
    for extra in res[1:]:
        out.append(Tensor(extra.astype(np.int32).reshape(a.shape if axis is None and
                                                         extra is res[1] and return_inverse
                                                         else extra.shape)))
    return out[0] if len(out) == 1 else tuple(out)


@keras_op
def unravel_index(indices, shape):
    """Returns a tuple of coordinate arrays of flat ``indices`` in an array of ``shape``."""
    idx = to_tensor(indices).numpy()
    return tuple(Tensor(c.astype(idx.dtype)) for c in np.unravel_index(idx, tuple(shape)))


@keras_op
def diff(a, n=1, axis=-1):
    """Returns the ``n``-th discrete difference along ``axis``."""
    x = to_tensor(a)
    r = len(x.shape)
    axis %= r
    for _ in range(n):
        hi = [slice(None)] * r
        lo = [slice(None)] * r
        hi[axis] = slice(1, None)
        lo[axis] = slice(None, -1)
        x = x[tuple(hi)] - x[tuple(lo)] if not x.dtype.is_bool else \
            tf.not_equal(x[tuple(hi)], x[tuple(lo)])
    return x


@keras_op
def trapezoid(y, x=None, dx=1.0, axis=-1):
    """Returns the integral of y along ``axis`` by the trapezoidal rule."""
    y = to_tensor(y)
    if not y.dtype.is_floating:
        y = tf.cast(y, backend.floatx())
    r = len(y.shape)
    axis %= r
    hi = [slice(None)] * r
    lo = [slice(None)] * r
    hi[axis] = slice(1, None)
    lo[axis] = slice(None, -1)
    avg = (y[tuple(hi)] + y[tuple(lo)]) / np.asarray(2, y.dtype.as_numpy_dtype)
    if x is None:
        return tf.reduce_sum(avg, axis=axis) * np.asarray(dx, y.dtype.as_numpy_dtype)
    xv = to_tensor(x, y.dtype.name)
    if len(xv.shape) == 1:
        shape = [1] * r
        shape[axis] = -1
        xv = tf.reshape(xv, shape)
    d = xv[tuple(hi)] - xv[tuple(lo)] if len(xv.shape) == r else xv
    return tf.reduce_sum(avg * d, axis=axis)


@keras_op
def corrcoef(x):
    """Returns the Pearson correlation coefficients of the rows of x."""
    x = to_tensor(x)
    if not x.dtype.is_floating:
        x = tf.cast(x, backend.floatx())
    if len(x.shape) == 1:
        x = tf.reshape(x, [1, -1])
    xc = x - tf.reduce_mean(x, axis=1, keepdims=True)
    cov = tf.matmul(xc, xc, transpose_b=True)
    d = tf.sqrt(tf.linalg.diag_part(cov))
    return cov / (tf.reshape(d, [-1, 1]) * tf.reshape(d, [1, -1]))


@keras_op
def correlate(x1, x2, mode="valid"):
    """Returns the cross-correlation of two 1-D tensors (``valid``, ``same`` or ``full``)."""
    (a, b), _ = _promote(x1, x2)
    if not a.dtype.is_floating:
        a, b = tf.cast(a, backend.floatx()), tf.cast(b, backend.floatx())
    n, m = a.shape[0], b.shape[0]
    if mode == "full":
        lo, hi = m - 1, m - 1
    elif mode == "same":
        lo = (m - 1) // 2 if n >= m else (m - 1) - (m - 1) // 2
        hi = m - 1 - lo
        if n < m:
            lo, hi = m // 2, (m - 1) // 2
    elif mode == "valid":
        lo = hi = 0
    else:
        raise ValueError(f"Invalid mode: '{mode}'. Mode must be one of: 'full', 'same', "
                         "'valid'.")
    if n < m and mode == "valid":
        a, b = b, a
        n, m = m, n
        rev = True
    else:
        rev = False
    ap = tf.pad(a, [[lo, hi]])
    length = ap.shape[0] - m + 1
    idx = np.arange(length)[:, None] + np.arange(m)[None, :]
    windows = tf.gather(ap, idx.astype(np.int32))
    out = tf.reduce_sum(windows * tf.reshape(b, [1, -1]), axis=1)
    return tf.reverse(out, [0]) if rev else out


@keras_op
def slogdet(x):
    """Returns (sign, log|det|) of square matrices x."""
    x = to_tensor(x)
    if not x.dtype.is_floating:
        x = tf.cast(x, backend.floatx())
    return tuple(tf.linalg.slogdet(x))


def vectorize(pyfunc, *, excluded=None, signature=None):
    """Returns a function that maps ``pyfunc`` over the leading axis of its tensor inputs
    (elementwise for scalars, as ``numpy.vectorize`` with the signature when given)."""
    from tapeflow.keras.ops.core import vectorized_map

    def run(*args):
        if signature is None:
            shape = np.broadcast_shapes(*[tuple(to_tensor(a).shape) for a in args])
            flat = [tf.reshape(tf.broadcast_to(to_tensor(a), shape), [-1]) for a in args]
            out = vectorized_map(lambda xs: pyfunc(*xs), flat)
            return tf.reshape(out, shape)
        return vectorized_map(lambda xs: pyfunc(*xs), list(args))
    return run
