"""Matrix ops of ``tf.linalg``: inverse, determinants, solve, Cholesky, band part, and the
decompositions (eigh, svd, qr, pinv), each declared once with ``defop`` (TensorFlow's op
name and dtype list, NumPy kernel, gradient written with tapeflow ops).

The decompositions' gradients are the standard reverse-mode rules (TensorFlow registers
gradients for SelfAdjointEigV2, Svd and Qr): they assume distinct eigen/singular values,
as TensorFlow's do, and are written with differentiable ops, so second order works.
"""
import collections

from tapeflow.backend import xp as np  # the array namespace kernels use (DESIGN: backend)

from tapeflow.framework.errors import InvalidArgumentError
from tapeflow.framework.op_def import ANY, defop
from tapeflow.framework.primitive import binary_inputs
from tapeflow.framework.tensor import Tensor, convert_to_tensor
from tapeflow.ops.math_ops import add, matmul, multiply, negative, subtract

# TensorFlow's lists for its matrix ops (``MatrixInverse``, ``Cholesky``, ``Svd`` ...)
LINALG = ("double", "float", "half", "complex64", "complex128")
LINALG_KERNELS = ("double", "float", "complex64", "complex128")     # no half kernel
DET = ("half", "float", "double", "complex64", "complex128")        # MatrixDeterminant


def _t(x):
    return x if type(x) is Tensor else convert_to_tensor(x)


def _A():
    from tapeflow.ops import array_ops
    return array_ops


def _fail(op, msg):
    return InvalidArgumentError(None, op, f"{msg} [Op:{op}]")


def _matrices(name, a, square=True):
    """Checks ``a`` is a batch of (square) matrices, as TensorFlow's linalg kernels do."""
    if a.ndim < 2:
        raise _fail(name, f"Input tensor 0 must have rank >= 2, got {a.ndim}")
    if square and a.shape[-1] != a.shape[-2]:
        raise _fail(name, "Input matrix must be square.")


def _adj(a):
    """The conjugate transpose of each matrix (a differentiable op)."""
    from tapeflow.ops.linalg_ops import matrix_transpose
    return matrix_transpose(a, conjugate=True)


def _eye_like(n, dtype):
    return Tensor(np.eye(n, dtype=dtype))


def _diag(d):
    """Square matrices with ``d``'s last axis on their diagonals."""
    n = d._value.shape[-1]
    return multiply(_A().expand_dims(d, -1), _eye_like(n, d._value.dtype))


# -- inverse, determinant, solve, Cholesky ----------------------------------------------------

def _inv_kernel(a, adjoint=False):
    _matrices("MatrixInverse", a)
    try:
        out = np.linalg.inv(a.astype(np.float32) if a.dtype == np.float16 else a)
    except np.linalg.LinAlgError:
        raise _fail("MatrixInverse", "Input is not invertible.") from None
    out = out.astype(a.dtype, copy=False)
    return np.swapaxes(out, -1, -2).conj() if adjoint else out


def _inv_grad(op, dy):
    """For Y = A^-1: dA = -Y^H dy Y^H; for Y = A^-H (adjoint=True): dA = -Y dy^H Y."""
    y = op.outputs[0]
    if op.attrs.get("adjoint"):
        return negative(matmul(y, matmul(dy, y, adjoint_a=True)))
    return negative(matmul(y, matmul(dy, y, adjoint_b=True), adjoint_a=True))


_inv = defop("MatrixInverse", _inv_kernel, _inv_grad, dtypes=LINALG, kind="call",
             kernels=("double", "float", "half", "complex64", "complex128"))


def inv(input, adjoint=False, name=None):  # noqa: A002
    """Returns the inverse (``adjoint``: its conjugate transpose) of each square matrix.

    Raises:
      InvalidArgumentError: if a matrix is singular or not square.
    """
    return _inv(input, adjoint=bool(adjoint))


def _det_kernel(a):
    _matrices("MatrixDeterminant", a)
    return np.asarray(np.linalg.det(a)).astype(a.dtype)[()]


def _det_grad(op, dy):
    """d det A = dy det(A) A^-H (conjugated for complex)."""
    A = _A()
    a, d = op.inputs[0], op.outputs[0]
    scale = A.expand_dims(A.expand_dims(multiply(dy, d), -1), -1)
    return multiply(scale, _adj(inv(a)))


_det = defop("MatrixDeterminant", _det_kernel, _det_grad, dtypes=DET, kind="call",
             kernels=LINALG_KERNELS)


def det(input, name=None):  # noqa: A002
    """Returns the determinant of each square matrix in ``input``."""
    return _det(input)


def _slogdet_kernel(a):
    _matrices("LogMatrixDeterminant", a)
    sign, logabs = np.linalg.slogdet(a)
    return [np.asarray(sign).astype(a.dtype), np.asarray(logabs).astype(a.dtype)]


def _slogdet_grad(op, dsign, dlog):
    """d log|det A| = dlog A^-H; the sign has no gradient."""
    A = _A()
    a = op.inputs[0]
    return multiply(A.expand_dims(A.expand_dims(dlog, -1), -1), _adj(inv(a)))


_slogdet = defop("LogMatrixDeterminant", _slogdet_kernel, _slogdet_grad, dtypes=DET,
                 kind="call", kernels=LINALG_KERNELS, num_outputs=2)


def slogdet(input, name=None):  # noqa: A002
    """Returns ``(sign, log_abs_determinant)`` of each square matrix (both of its dtype)."""
    sign, logabs = _slogdet(input)
    return sign, logabs


def _solve_kernel(a, b, adjoint=False):
    if a.ndim < 2 or b.ndim < 2:
        raise _fail("MatrixSolve", f"Input tensor {0 if a.ndim < 2 else 1} must have rank "
                    f">= 2, got {min(a.ndim, b.ndim)}")
    if a.ndim != b.ndim:
        raise _fail("MatrixSolve", "All input tensors must have the same rank.")
    _matrices("MatrixSolve", a)
    if a.shape[-1] != b.shape[-2]:
        raise _fail("MatrixSolve", "Input matrix and rhs are incompatible.")
    if adjoint:
        a = np.swapaxes(a, -1, -2).conj()
    try:
        return np.linalg.solve(a, b)
    except np.linalg.LinAlgError:
        raise _fail("MatrixSolve", "Input matrix is not invertible.") from None


def _solve_grad(op, dy):
    """For X = A^-1 B: dB = A^-H dy, dA = -dB X^H (swapped for adjoint=True)."""
    a, _ = op.inputs
    x = op.outputs[0]
    adj = op.attrs.get("adjoint", False)
    db = _solve(a, dy, adjoint=not adj)
    da = negative(matmul(x, db, adjoint_b=True) if adj else matmul(db, x, adjoint_b=True))
    return da, db


_solve = defop("MatrixSolve", _solve_kernel, _solve_grad, dtypes=LINALG, kind="call",
               kernels=LINALG_KERNELS)


def solve(matrix, rhs, adjoint=False, name=None):
    """Returns ``X`` with ``matrix @ X = rhs`` (``adjoint``: with the conjugate transpose).

    Raises:
      InvalidArgumentError: for a singular or non-square matrix, incompatible shapes, or
        different dtypes.
    """
    matrix, rhs = binary_inputs("MatrixSolve", _t(matrix), _t(rhs))
    return _solve(matrix, rhs, adjoint=bool(adjoint))


def _cholesky_kernel(a):
    _matrices("Cholesky", a)
    try:
        return np.linalg.cholesky(a)
    except np.linalg.LinAlgError:
        raise _fail("Cholesky", "Cholesky decomposition was not successful. The input might "
                    "not be valid.") from None


def _cholesky_grad(op, dl):
    """For A = L L^H: S = L^-H Phi(L^H dL) L^-1, dA = (S + S^H) / 2, where Phi keeps the
    lower triangle and halves the diagonal."""
    low = op.outputs[0]
    linv = inv(low)
    p = matmul(low, dl, adjoint_a=True)
    phi = subtract(band_part(p, -1, 0), multiply(band_part(p, 0, 0), 0.5))
    s = matmul(linv, matmul(phi, linv), adjoint_a=True)
    return multiply(add(s, _adj(s)), 0.5)


_cholesky = defop("Cholesky", _cholesky_kernel, _cholesky_grad, dtypes=LINALG, kind="call",
                  kernels=LINALG_KERNELS)


def cholesky(input, name=None):  # noqa: A002
    """Returns the lower-triangular ``L`` with ``L @ adjoint(L) = input`` (reads the lower
    triangle).

    Raises:
      InvalidArgumentError: if a matrix is not positive definite.
    """
    return _cholesky(input)


def _band_kernel(x, num_lower, num_upper):
    if x.ndim < 2:
        raise _fail("MatrixBandPart", f"input must be at least 2-dim, received shape: "
                    f"[{','.join(map(str, x.shape))}]")
    m, n = x.shape[-2:]
    for what, v, lim, dim in (("num_lower", num_lower, m, "rows"),
                              ("num_upper", num_upper, n, "columns")):
        if v > lim:
            raise _fail("MatrixBandPart", f"{what} must be negative or less or equal to "
                        f"number of {dim} ({lim}) got: {v}")
    d = np.arange(n)[None, :] - np.arange(m)[:, None]  # column minus row
    keep = ((num_lower < 0) | (-d <= num_lower)) & ((num_upper < 0) | (d <= num_upper))
    return np.where(keep, x, np.zeros((), x.dtype))


def _band_grad(op, dy):
    """The same band of ``dy``."""
    return _band(dy, **op.attrs)


_band = defop("MatrixBandPart", _band_kernel, _band_grad, dtypes=ANY, kind="call",
              kernels=ANY[:-1])


def _band_arg(v, what):
    if isinstance(v, Tensor):
        v = v._value
    if isinstance(v, float) or (isinstance(v, np.ndarray) and v.dtype.kind == "f"):
        raise TypeError(f"Cannot convert {v!r} to EagerTensor of dtype int64")
    v = np.asarray(v)
    if v.ndim:
        raise _fail("MatrixBandPart", f"{what} must be scalar, got shape "
                    f"[{','.join(map(str, v.shape))}]")
    return int(v)


def band_part(input, num_lower, num_upper, name=None):  # noqa: A002
    """Returns ``input`` with entries outside the central band of each matrix set to 0.

    ``num_lower`` / ``num_upper``: how many sub- / super-diagonals to keep (negative:
    all). ``band_part(x, 0, -1)`` is the upper triangle, ``band_part(x, 0, 0)`` the diagonal.
    """
    return _band(input, num_lower=_band_arg(num_lower, "num_lower"),
                 num_upper=_band_arg(num_upper, "num_upper"))


# -- decompositions -------------------------------------------------------------------------

def _real_dtype(a):
    return np.float32 if a.dtype == np.complex64 else (
        np.float64 if a.dtype == np.complex128 else a.dtype)


def _eigh_kernel(a):
    _matrices("SelfAdjointEigV2", a)
    if a.size == 0:   # e has the input's dtype (complex too), as in TensorFlow
        return [np.zeros(a.shape[:-1], a.dtype), np.zeros(a.shape, a.dtype)]
    e, v = np.linalg.eigh(a)
    return [e.astype(a.dtype, copy=False), v.astype(a.dtype, copy=False)]


def _off_diagonal_reciprocal(x):
    """``1 / x`` off the diagonal of each matrix, 0 on it (where ``x`` is 0)."""
    n = x._value.shape[-1]
    eye = _eye_like(n, x._value.dtype)
    return multiply(subtract(1.0, eye), _reciprocal(add(x, eye)))


def _reciprocal(x):
    """``1 / x`` (tf.math.reciprocal, imported on use)."""
    from tapeflow.ops.math_ops import reciprocal
    return reciprocal(x)


def _cast_like(x, like):
    from tapeflow.ops.math_ops import cast
    return x if x._value.dtype == like._value.dtype else cast(x, like.dtype)


def _eigh_grad(op, de, dv):
    """For A = V diag(e) V^H: dA = V (diag(de) + F o (V^H dV)) V^H with
    F_ij = 1 / (e_j - e_i) (0 on the diagonal), kept on the lower triangle (the one eigh
    reads), the diagonal once."""
    A = _A()
    e, v = op.outputs
    f = _off_diagonal_reciprocal(subtract(A.expand_dims(e, -2), A.expand_dims(e, -1)))
    f, de = _cast_like(f, v), _cast_like(de, v)
    inner = add(_diag(de), multiply(f, matmul(v, dv, adjoint_a=True)))
    g = matmul(v, matmul(inner, v, adjoint_b=True))
    g = band_part(add(g, _adj(g)), -1, 0)
    return subtract(g, multiply(band_part(g, 0, 0), 0.5))


_eigh = defop("SelfAdjointEigV2", _eigh_kernel, _eigh_grad, dtypes=LINALG, kind="call",
              kernels=LINALG_KERNELS, num_outputs=2)


def eigh(tensor, name=None):
    """Returns ``(e, v)``: the eigenvalues (ascending) and eigenvectors of each
    self-adjoint matrix (its lower triangle is read)."""
    e, v = _eigh(tensor)
    return e, v


def eigvalsh(tensor, name=None):
    """Returns the eigenvalues (ascending) of each self-adjoint matrix."""
    return _eigh(tensor)[0]


def _svd_kernel(a, full_matrices, compute_uv):
    _matrices("Svd", a, square=False)
    m, n = a.shape[-2:]
    k = min(m, n)
    rd = _real_dtype(a)
    if a.size == 0:
        s = np.zeros(a.shape[:-2] + (k,), rd)
        if not compute_uv:
            return [s]
        um, vn = (m, n) if full_matrices else (k, k)
        eye = lambda r, c: np.broadcast_to(np.eye(r, c, dtype=a.dtype),  # noqa: E731
                                           a.shape[:-2] + (r, c)).copy()
        return [s, eye(m, um), eye(n, vn)]
    if not np.isfinite(a).all():   # LAPACK does not converge: NaN out, as TensorFlow
        um, vn = (m, n) if full_matrices else (k, k)
        nan = lambda *shape: np.full(a.shape[:-2] + shape, np.nan, a.dtype)  # noqa: E731
        s = np.full(a.shape[:-2] + (k,), np.nan, rd)
        return [s] if not compute_uv else [s, nan(m, um), nan(n, vn)]
    if not compute_uv:
        return [np.linalg.svd(a, compute_uv=False).astype(rd, copy=False)]
    u, s, vh = np.linalg.svd(a, full_matrices=full_matrices)
    return [s.astype(rd, copy=False), u.astype(a.dtype, copy=False),
            np.swapaxes(vh, -1, -2).conj().astype(a.dtype, copy=False)]


def _svd_grad(op, ds, du=None, dv=None):
    """Reverse mode of A = U diag(s) V^H (Townsend, "Differentiating the singular value
    decomposition", 2016), written for m <= n (a tall A goes through its adjoint)."""
    a = op.inputs[0]
    full, with_uv = op.attrs["full_matrices"], op.attrs["compute_uv"]
    s = op.outputs[0]
    if not with_uv:   # ds only: dA = U diag(ds) V^H with a (recorded) reduced svd
        _, u, v = _svd(a, full_matrices=False, compute_uv=True)
        return matmul(u, matmul(_cast_like(_diag(ds), u), v, adjoint_b=True))
    u, v = op.outputs[1:]
    m, n = a._value.shape[-2:]
    if full and abs(m - n) > 1:
        raise NotImplementedError("svd gradient has not been implemented for input with "
                                  "unequal number of rows and columns when "
                                  "full_matrices=True.")
    tall = m > n
    if tall:   # work on A^H = V diag(s) U^H
        u, v, du, dv, m, n = v, u, dv, du, n, m
    A = _A()
    k = m
    s_c, ds = _cast_like(s, u), _cast_like(ds, u)
    s2 = multiply(s, s)
    f = _cast_like(_off_diagonal_reciprocal(subtract(A.expand_dims(s2, -2),
                                                     A.expand_dims(s2, -1))), u)
    v1, dv1 = v[..., :, :k], dv[..., :, :k]
    fu = multiply(f, matmul(u, du, adjoint_a=True))
    fv = multiply(f, matmul(v1, dv1, adjoint_a=True))
    s_mat = _diag(s_c)
    core = add(add(_diag(ds), matmul(add(fu, _adj(fu)), s_mat)),
               matmul(s_mat, add(fv, _adj(fv))))
    grad = matmul(u, matmul(core, v1, adjoint_b=True))
    if m != n:
        dv1h = _adj(dv1)
        rest = subtract(dv1h, matmul(matmul(dv1h, v1), v1, adjoint_b=True))
        if full:
            v2, dv2 = v[..., :, k:], dv[..., :, k:]
            rest = subtract(rest, matmul(matmul(v1, dv2, adjoint_a=True), v2, adjoint_b=True))
        s_inv = _diag(_reciprocal(s_c))
        grad = add(grad, matmul(matmul(u, s_inv), rest))
    return _adj(grad) if tall else grad


_svd = defop("Svd", _svd_kernel, _svd_grad, dtypes=LINALG, kind="call",
             kernels=LINALG_KERNELS, num_outputs=-1)


def svd(tensor, full_matrices=False, compute_uv=True, name=None):
    """Returns the singular values ``s`` (descending, real), and ``u``, ``v`` with
    ``tensor = u @ diag(s) @ adjoint(v)`` when ``compute_uv``."""
    out = _svd(tensor, full_matrices=bool(full_matrices), compute_uv=bool(compute_uv))
    return out[0] if not compute_uv else tuple(out)


_Qr = collections.namedtuple("Qr", ["q", "r"])


def _qr_kernel(a, full_matrices):
    _matrices("Qr", a, square=False)
    m, n = a.shape[-2:]
    if a.size == 0:
        k = m if full_matrices else min(m, n)
        q = np.broadcast_to(np.eye(m, k, dtype=a.dtype), a.shape[:-2] + (m, k)).copy()
        return [q, np.zeros(a.shape[:-2] + (k, n), a.dtype)]
    work = a.astype(np.float32) if a.dtype == np.float16 else a
    q, r = np.linalg.qr(work, mode="complete" if full_matrices else "reduced")
    return [q.astype(a.dtype, copy=False), r.astype(a.dtype, copy=False)]


def _tri_right_solve(x, r):
    """``x @ inv(r)^H`` for square upper-triangular ``r``."""
    return _adj(solve(r, _adj(x)))


def _qr_grad_deep(q, r, dq, dr):
    """Reverse mode of A = Q R for m >= n (reduced): Q (dR + M R^-H) + (dQ - Q Q^H dQ) R^-H
    with M the lower triangle of (Q^H dQ - dQ^H Q) + (R dR^H - dR R^H)."""
    qdq = matmul(q, dq, adjoint_a=True)
    rdr = matmul(r, dr, adjoint_b=True)
    low = band_part(add(subtract(qdq, _adj(qdq)), subtract(rdr, _adj(rdr))), -1, 0)
    first = matmul(q, add(dr, _tri_right_solve(low, r)))
    second = _tri_right_solve(subtract(dq, matmul(q, qdq)), r)
    return add(first, second)


def _qr_grad(op, dq, dr):
    """Reverse-mode QR: square and tall inputs directly; a wide A = [X | Y] through
    X = Q U (U the first m columns of R) and Y = Q V."""
    a = op.inputs[0]
    q, r = op.outputs
    m, n = a._value.shape[-2:]
    if m >= n:
        if op.attrs["full_matrices"] and m > n:
            raise NotImplementedError("QrGrad not implemented when nrows > ncols and "
                                      "full_matrices is true.")
        return _qr_grad_deep(q, r, dq, dr)
    y = a[..., :, m:]
    u, dv = r[..., :, :m], dr[..., :, m:]
    dx = _qr_grad_deep(q, u, add(dq, matmul(y, dv, adjoint_b=True)), dr[..., :, :m])
    return _A().concat([dx, matmul(q, dv)], -1)


_qr = defop("Qr", _qr_kernel, _qr_grad, dtypes=LINALG, kind="call", num_outputs=2)


def qr(input, full_matrices=False, name=None):  # noqa: A002
    """Returns ``(q, r)`` with ``input = q @ r``, ``q`` orthonormal, ``r`` upper
    triangular."""
    q, r = _qr(input, full_matrices=bool(full_matrices))
    return _Qr(q, r)


def pinv(a, rcond=None, validate_args=False, name=None):
    """Returns the Moore-Penrose pseudo-inverse of each matrix in ``a``, from its SVD
    (singular values below ``rcond * max(s)`` dropped; default ``10 * max(m, n) * eps``).

    Raises:
      TypeError: if ``a`` is not a float tensor; ValueError: if its rank is below 2.
    """
    from tapeflow.ops.math_ops import cast, divide, greater, where_
    x = _t(a)
    v = x._value
    if v.dtype.kind != "f":
        raise TypeError(f"Input `a` must have `float`-like `dtype` (saw {x.dtype.name}).")
    if v.ndim < 2:
        raise ValueError(f"Input `a` must have at least 2 dimensions (saw: {v.ndim}).")
    m, n = v.shape[-2:]
    if rcond is None:
        rcond = 10.0 * max(m, n) * np.finfo(v.dtype).eps
    from tapeflow.ops.reduction_ops import reduce_max
    s, u, vv = svd(x)
    if s._value.size:
        cutoff = multiply(cast(rcond, x.dtype), reduce_max(s, axis=-1, keepdims=True))
    else:
        cutoff = Tensor(np.zeros(s._value.shape[:-1] + (1,), v.dtype))
    keep = greater(s, cutoff)
    safe = where_(keep, s, Tensor(np.ones_like(s._value)))
    s_inv = where_(keep, divide(1.0, safe), Tensor(np.zeros_like(s._value)))
    A = _A()
    return matmul(multiply(vv, A.expand_dims(s_inv, -2)), u, adjoint_b=True)


__all__ = []
