"""Products of ``tf.experimental.numpy``: ``dot``, ``matmul``, ``tensordot``, ``einsum``..."""
import tapeflow as tf
from tapeflow.experimental.numpy._core import asarray, promote


def _rank(t):
    return t.shape.rank


def matmul(x1, x2):
    """Returns the matrix product; 1-D operands act as row/column vectors (NumPy's rules)."""
    a, b = promote(x1, x2)
    if _rank(a) == 0 or _rank(b) == 0:
        raise ValueError("matmul: Input operand does not have enough dimensions")
    va, vb = _rank(a) == 1, _rank(b) == 1
    if va:
        a = tf.expand_dims(a, 0)
    if vb:
        b = tf.expand_dims(b, 1)
    try:
        out = tf.matmul(a, b)
    except tf.errors.InvalidArgumentError as e:   # TensorFlow's tnp re-raises as ValueError
        raise ValueError(str(e)) from None
    if va:
        out = tf.squeeze(out, -2)
    if vb:
        out = tf.squeeze(out, -1)
    return out


def dot(a, b):
    """Returns NumPy's ``dot``: products for scalars, sum over a's last and b's
    second-to-last axes otherwise."""
    x, y = promote(a, b)
    if _rank(x) == 0 or _rank(y) == 0:
        return x * y
    return tf.tensordot(x, y, [[_rank(x) - 1], [max(_rank(y) - 2, 0)]])


def tensordot(a, b, axes=2):
    """Returns the sum of products over the given axes (NumPy's ``tensordot``)."""
    x, y = promote(a, b)
    return tf.tensordot(x, y, axes)


def inner(a, b):
    """Returns the sum of products over the last axes of ``a`` and ``b``."""
    x, y = promote(a, b)
    if _rank(x) == 0 or _rank(y) == 0:
        return x * y
    return tf.tensordot(x, y, [[_rank(x) - 1], [_rank(y) - 1]])


def outer(a, b):
    """Returns the outer product of the flattened ``a`` and ``b``."""
    from tapeflow.experimental.numpy._math import multiply
    x, y = promote(a, b)
    return multiply(tf.reshape(x, [-1, 1]), tf.reshape(y, [1, -1]))


def vdot(a, b):
    """Returns the dot product of the flattened arrays, conjugating ``a``."""
    x, y = promote(a, b)
    x = tf.reshape(x, [-1])
    if x.dtype.is_complex:
        x = tf.math.conj(x)
    return tf.reduce_sum(x * tf.reshape(y, [-1]))


def einsum(subscripts, *operands, **kwargs):
    """Returns ``tf.einsum`` of the operands after NumPy's dtype promotion."""
    if kwargs.get("casting", "safe") != "safe" or kwargs.get("optimize", None) not in \
            (None, False, True, "greedy", "optimal", "auto"):
        raise ValueError("Unsupported einsum argument.")
    return tf.einsum(subscripts, *promote(*operands))


def kron(a, b):
    """Returns the Kronecker product of ``a`` and ``b``."""
    x, y = promote(a, b)
    rank = max(_rank(x), _rank(y))
    x = tf.reshape(x, [1] * (rank - _rank(x)) + x.shape.as_list())
    y = tf.reshape(y, [1] * (rank - _rank(y)) + y.shape.as_list())
    xs, ys = x.shape.as_list(), y.shape.as_list()
    xe = tf.reshape(x, [d for s in xs for d in (s, 1)])
    ye = tf.reshape(y, [d for s in ys for d in (1, s)])
    from tapeflow.experimental.numpy._math import multiply
    return tf.reshape(multiply(xe, ye), [p * q for p, q in zip(xs, ys)])


def cross(a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    """Returns the cross product of 2- or 3-element vectors along the given axes."""
    x, y = promote(a, b)
    if axis is not None:
        axisa = axisb = axisc = axis
    x = _last(x, axisa)
    y = _last(y, axisb)
    nx, ny = x.shape.as_list()[-1], y.shape.as_list()[-1]
    if nx not in (2, 3) or ny not in (2, 3):
        raise ValueError("incompatible dimensions for cross product\n"
                         "(dimension must be 2 or 3)")
    x0, x1 = x[..., 0], x[..., 1]
    y0, y1 = y[..., 0], y[..., 1]
    x2 = x[..., 2] if nx == 3 else None
    y2 = y[..., 2] if ny == 3 else None
    if x2 is None and y2 is None:
        return x0 * y1 - x1 * y0
    zero = tf.zeros_like(x0 * y0)
    x2 = zero if x2 is None else x2
    y2 = zero if y2 is None else y2
    out = tf.stack([x1 * y2 - x2 * y1, x2 * y0 - x0 * y2, x0 * y1 - x1 * y0], -1)
    rank = _rank(out)
    axisc %= rank
    if axisc != rank - 1:
        perm = list(range(rank - 1))
        perm.insert(axisc, rank - 1)
        out = tf.transpose(out, perm)
    return out


def _last(t, axis):
    rank = _rank(t)
    axis %= rank
    if axis == rank - 1:
        return t
    perm = [i for i in range(rank) if i != axis] + [axis]
    return tf.transpose(t, perm)


def trace(a, offset=0, axis1=0, axis2=1, dtype=None):
    """Returns the sum along the ``offset`` diagonal of the ``axis1``/``axis2`` planes, in
    the input's dtype unless ``dtype`` is given (TensorFlow's rule)."""
    from tapeflow.experimental.numpy._array_ops import diagonal
    from tapeflow.experimental.numpy._dtypes import tf_dtype
    d = diagonal(a, offset, axis1, axis2)
    if dtype is not None:
        d = tf.cast(d, tf_dtype(dtype))
    return tf.reduce_sum(d, axis=-1)


def polyval(p, x):
    """Returns the polynomial with coefficients ``p`` (highest first) evaluated at ``x``."""
    p = asarray(p)
    coeffs = [p[i] for i in range(p.shape.as_list()[0])] if p.shape.rank else [p]
    ts = promote(x, *coeffs)
    x, coeffs = ts[0], ts[1:]
    out = tf.zeros_like(x) + coeffs[0]
    for c in coeffs[1:]:
        out = out * x + c
    return out
