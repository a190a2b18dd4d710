"""``keras.ops.linalg``: decompositions, solves, norms and inverses, on ``tf.linalg`` where it
has the op (with gradients), on NumPy for the rest (eig, lu_factor, lstsq: not differentiable)."""
import numpy as np

import tapeflow as tf
from tapeflow.framework.tensor import Tensor
from tapeflow.keras import backend
from tapeflow.keras.ops.operation import keras_op
from tapeflow.keras.ops.promotion import result_type, to_tensor


def _f(x):
    x = to_tensor(x)
    return x if x.dtype.is_floating else tf.cast(x, backend.floatx())


@keras_op
def cholesky(x, upper=False):
    """Returns the lower (or ``upper``) Cholesky factor of positive-definite matrices."""
    low = tf.linalg.cholesky(_f(x))
    return tf.linalg.adjoint(low) if upper else low


@keras_op
def cholesky_inverse(x, upper=False):
    """Returns the inverse of ``L L^T`` given its Cholesky factor ``x``."""
    f = _f(x)
    a = tf.matmul(f, f, transpose_a=True) if upper else tf.matmul(f, f, transpose_b=True)
    return tf.linalg.inv(a)


@keras_op
def det(x):
    """Returns the determinants of square matrices."""
    return tf.linalg.det(_f(x))


@keras_op
def inv(x):
    """Returns the inverses of square matrices."""
    return tf.linalg.inv(_f(x))


@keras_op
def eig(x):
    """Returns ``(eigenvalues, eigenvectors)`` of square matrices (complex; not
    differentiable)."""
    w, v = np.linalg.eig(_f(x).numpy())
    return Tensor(w), Tensor(v)


@keras_op
def eigh(x):
    """Returns ``(eigenvalues ascending, eigenvectors)`` of symmetric matrices."""
    w, v = tf.linalg.eigh(_f(x))
    return w, v


@keras_op
def lu_factor(x):
    """Returns ``(lu, pivots)``: L (unit diagonal, below) and U packed in one matrix, and
    int32 row pivots, as ``scipy.linalg.lu_factor`` (not differentiable)."""
    a = _f(x).numpy()
    batch = a.shape[:-2]
    flat = a.reshape((-1,) + a.shape[-2:]).astype(np.float64)
    lus, pivs = [], []
    for m in flat:
        m = m.copy()
        n = m.shape[0]
        piv = np.zeros(min(m.shape), np.int32)
        for k in range(min(m.shape)):
            p = k + int(np.argmax(np.abs(m[k:, k])))
            piv[k] = p
            if p != k:
                m[[k, p]] = m[[p, k]]
            if m[k, k] != 0:
                m[k + 1:, k] /= m[k, k]
                m[k + 1:, k + 1:] -= np.outer(m[k + 1:, k], m[k, k + 1:])
        lus.append(m)
        pivs.append(piv)
        del n
    lu = np.stack(lus).reshape(a.shape).astype(a.dtype)
    return Tensor(lu), Tensor(np.stack(pivs).reshape(batch + (-1,)))


@keras_op
def norm(x, ord=None, axis=None, keepdims=False):  # noqa: A002 (Keras's name)
    """Returns the vector or matrix norm (NumPy's ``ord`` meanings), as floats."""
    x = _f(x)
    if isinstance(axis, int):
        axis = (axis,)
    rank = len(x.shape)
    if axis is None:
        axis = tuple(range(rank))
        if ord is None:
            return _keep(tf.sqrt(tf.reduce_sum(tf.square(x))), rank, keepdims, axis)
    axis = tuple(a % rank for a in axis)
    if len(axis) == 1:
        o = 2 if ord is None else ord
        ax = axis[0]
        if o == np.inf:
            r = tf.reduce_max(tf.abs(x), axis=ax)
        elif o == -np.inf:
            r = tf.reduce_min(tf.abs(x), axis=ax)
        elif o == 0:
            r = tf.reduce_sum(tf.cast(tf.not_equal(x, tf.zeros_like(x)), x.dtype), axis=ax)
        elif o == 1:
            r = tf.reduce_sum(tf.abs(x), axis=ax)
        elif o == 2:
            r = tf.sqrt(tf.reduce_sum(tf.square(x), axis=ax))
        else:
            c = np.asarray(o, x.dtype.as_numpy_dtype)
            r = tf.pow(tf.reduce_sum(tf.pow(tf.abs(x), c), axis=ax), 1 / c)
        return _keep(r, rank, keepdims, axis)
    r0, r1 = axis
    if ord in (None, "fro"):
        r = tf.sqrt(tf.reduce_sum(tf.square(x), axis=axis))
    elif ord == 1:
        r = tf.reduce_max(tf.reduce_sum(tf.abs(x), axis=r0), axis=r1 - (r1 > r0))
    elif ord == -1:
        r = tf.reduce_min(tf.reduce_sum(tf.abs(x), axis=r0), axis=r1 - (r1 > r0))
    elif ord == np.inf:
        r = tf.reduce_max(tf.reduce_sum(tf.abs(x), axis=r1), axis=r0 - (r0 > r1))
    elif ord == -np.inf:
        r = tf.reduce_min(tf.reduce_sum(tf.abs(x), axis=r1), axis=r0 - (r0 > r1))
    elif ord in (2, -2, "nuc"):
        rest = [i for i in range(rank) if i not in axis]
        s = tf.linalg.svd(tf.transpose(x, rest + [r0, r1]), compute_uv=False)
        r = tf.reduce_max(s, -1) if ord == 2 else tf.reduce_min(s, -1) if ord == -2 else \
            tf.reduce_sum(s, -1)
    else:
        raise ValueError(f"Invalid `ord` argument for matrix norm. Received: ord={ord}")
    return _keep(r, rank, keepdims, axis)


def _keep(r, rank, keepdims, axis):
    if not keepdims:
        return r
    shape = [1 if i in axis else None for i in range(rank)]
    full = list(r.shape)
    out = []
    for s in shape:
        out.append(1 if s == 1 else full.pop(0))
    return tf.reshape(r, out)


@keras_op
def qr(x, mode="reduced"):
    """Returns ``(q, r)`` of matrices (``mode`` ``"reduced"`` or ``"complete"``)."""
    if mode not in ("reduced", "complete"):
        raise ValueError(f"`mode` argument value not supported. Expected one of "
                         f"{{'reduced', 'complete'}}. Received: mode={mode}")
    return tuple(tf.linalg.qr(_f(x), full_matrices=(mode == "complete")))


def _pair(a, b):
    a, b = to_tensor(a), to_tensor(b)
    d = result_type(a.dtype.name, b.dtype.name, float)
    return to_tensor(a, d), to_tensor(b, d)


@keras_op
def solve(a, b):
    """Returns x with ``a @ x = b``."""
    a, b = _pair(a, b)
    if len(b.shape) == len(a.shape) - 1:
        return tf.squeeze(tf.linalg.solve(a, tf.expand_dims(b, -1)), [-1])
    return tf.linalg.solve(a, b)


@keras_op
def solve_triangular(a, b, lower=False):
    """Returns x with ``a @ x = b`` for triangular ``a`` (the other triangle ignored)."""
    a, b = _pair(a, b)
    n = a.shape[-1]
    mask = np.tril(np.ones((n, n), bool)) if lower else np.triu(np.ones((n, n), bool))
    a = tf.where(tf.broadcast_to(Tensor(mask), tf.shape(a)), a, tf.zeros_like(a))
    return solve(a, b)


@keras_op
def svd(x, full_matrices=True, compute_uv=True):
    """Returns ``(u, s, v^H)`` of matrices (``s`` alone when ``compute_uv=False``)."""
    x = _f(x)
    if not compute_uv:
        return tf.linalg.svd(x, compute_uv=False)
    s, u, v = tf.linalg.svd(x, full_matrices=full_matrices)
    return u, s, tf.linalg.adjoint(v)


@keras_op
def pinv(x, rcond=None):
    """Returns the Moore-Penrose pseudo-inverse."""
    return tf.linalg.pinv(_f(x), rcond=rcond)


@keras_op
def lstsq(a, b, rcond=None):
    """Returns the least-squares solution x of ``a @ x = b`` (not differentiable)."""
    a, b = _pair(a, b)
    sol = np.linalg.lstsq(a.numpy(), b.numpy(), rcond=rcond)[0]
    return Tensor(sol.astype(a.dtype.as_numpy_dtype))


@keras_op
def matrix_rank(x, tol=None):
    """Returns the int32 rank of matrices (singular values above ``tol``)."""
    a = _f(x).numpy()
    return Tensor(np.asarray(np.linalg.matrix_rank(a, tol=tol), np.int32))


def jvp(fun, primals, tangents, has_aux=False):
    """Returns ``(fun(*primals), J @ tangents)`` (``aux`` too with ``has_aux``), by the
    double-vjp trick on nested tapes."""
    xs = [to_tensor(p) for p in primals]
    ts = [to_tensor(t, x.dtype.name) for t, x in zip(tangents, xs)]
    with tf.GradientTape() as outer:
        with tf.GradientTape(persistent=True) as inner:
            for x in xs:
                inner.watch(x)
            out = fun(*xs)
            aux = None
            if has_aux:
                out, aux = out
        u = tf.ones_like(out)
        outer.watch(u)
        gs = inner.gradient(out, xs, output_gradients=[u])
        dot = tf.add_n([tf.reduce_sum(g * t) for g, t in zip(gs, ts) if g is not None])
    tangent_out = outer.gradient(dot, u)
    result = (out, tangent_out)
    return result + (aux,) if has_aux else result


__all__ = ["cholesky", "cholesky_inverse", "det", "eig", "eigh", "inv", "jvp", "lstsq",
           "lu_factor", "matrix_rank", "norm", "pinv", "qr", "solve", "solve_triangular",
           "svd"]
