"""Linear algebra: einsum, tensordot, norm, inverse, determinant, solve, diagonals
and trace. Kernel and gradient per op; ``matmul`` lives in ``math_ops``.
"""
import string

from tapeflow.backend import xp as np  # the array namespace kernels use (DESIGN: backend)

from tapeflow.framework.errors import InvalidArgumentError
from tapeflow.framework.op_def import ANY, defop
from tapeflow.framework.primitive import binary_inputs
from tapeflow.framework.tensor import Tensor, convert_to_tensor
from tapeflow.framework.graph import func_graph as _func_graph
from tapeflow.ops.math_ops import (
    _norm_axis, abs, add, matmul, multiply, pow, reduce_sum, sqrt, square, subtract)
from tapeflow.ops.matrix_ops import (  # noqa: F401  (tf.linalg names)
    band_part, cholesky, det, eigh, eigvalsh, inv, pinv, qr, slogdet, solve, svd)
from tapeflow.ops.reduction_ops import reduce_max


def _t(x):
    return x if type(x) is Tensor else convert_to_tensor(x)


def _array_ops():
    from tapeflow.ops import array_ops
    return array_ops


# -- einsum ---------------------------------------------------------------------------------

def _explicit(equation, shapes):
    """Rewrites ``equation`` without ellipses and with an explicit output.

    Returns:
      ``(input_subscripts, output_subscript)`` as a list of strings and a string.
    """
    eq = equation.replace(" ", "")
    lhs, arrow, out = eq.partition("->")
    ins = lhs.split(",")
    if len(ins) != len(shapes):
        raise ValueError(f"Invalid equation {equation!r}: it names {len(ins)} inputs but "
                         f"{len(shapes)} were given.")
    free = iter(c for c in string.ascii_letters if c not in eq)
    n_ell = max([len(s) - (len(sub) - 3) for sub, s in zip(ins, shapes) if "..." in sub],
                default=0)
    ell = "".join(next(free) for _ in range(n_ell))
    subs = []
    for sub, s in zip(ins, shapes):
        if "..." in sub:
            k = len(s) - (len(sub) - 3)
            sub = sub.replace("...", ell[n_ell - k:])
        if len(sub) != len(s):
            raise InvalidArgumentError(
                None, "Einsum", f"Expected input of rank {len(sub)} for subscripts {sub!r}, "
                f"got shape {list(s)} [Op:Einsum]")
        subs.append(sub)
    if arrow:
        out = out.replace("...", ell)
    else:
        letters = "".join(subs)
        out = ell + "".join(sorted(c for c in set(letters) if letters.count(c) == 1
                                   and c not in ell))
    return subs, out


def _einsum_kernel(*xs, equation):
    big = len(xs) > 1 and max(x.size for x in xs) > 256
    return np.einsum(equation, *xs, optimize=big)


def _einsum_grad(op, dy):
    """For input i: einsum of dy with the other inputs, back to input i's subscripts.

    Letters input i summed alone come back by broadcasting (a ones operand), a repeated
    letter (a diagonal) by an identity operand, a broadcast size-1 axis by summing.
    """
    lhs, out = op.attrs["equation"].split("->")
    subs = lhs.split(",")
    xs = op.inputs
    sizes = {}
    for sub, x in zip(subs + [out], list(xs) + [dy]):
        for c, n in zip(sub, x._value.shape):
            sizes[c] = max(sizes.get(c, 1), n)
    dtype = dy._value.dtype
    grads = []
    for i, (sub_i, x_i) in enumerate(zip(subs, xs)):
        if x_i._value.dtype.kind not in "fc":
            grads.append(None)
            continue
        operands = [dy] + [x for j, x in enumerate(xs) if j != i]
        op_subs = [out] + [s for j, s in enumerate(subs) if j != i]
        present = set("".join(op_subs))
        free = iter(c for c in string.ascii_letters
                    if c not in sizes and c not in "".join(subs) + out)
        target, seen = [], set()
        for c, n in zip(sub_i, x_i._value.shape):
            if c in seen:  # a diagonal: pair the letter with a fresh one through an identity
                c2 = next(free)
                operands.append(Tensor(np.eye(n, dtype=dtype)))
                op_subs.append(c + c2)
                target.append(c2)
            elif n == 1 and sizes[c] != 1:  # broadcast axis: sum over it, keep size 1
                c2 = next(free)
                operands.append(Tensor(np.ones(1, dtype=dtype)))
                op_subs.append(c2)
                target.append(c2)
            else:
                if c not in present:  # summed in input i alone: broadcast back
                    operands.append(Tensor(np.ones(n, dtype=dtype)))
                    op_subs.append(c)
                    present.add(c)
                target.append(c)
            seen.add(c)
        eq = ",".join(op_subs) + "->" + "".join(target)
        grads.append(_einsum_op(*operands, equation=eq))
    return tuple(grads)


# TensorFlow's Einsum takes any type; CPU kernels exist for these
_einsum_op = defop("Einsum", _einsum_kernel, _einsum_grad, dtypes=ANY, kind="call",
                   kernels=("bfloat16", "half", "float", "double", "int32", "int64",
                            "complex64", "complex128"))


def einsum(equation, *inputs, **kwargs):
    """Returns the tensor contraction that ``equation`` describes (NumPy's einsum notation).

    Ellipses and implicit outputs are supported.

    >>> einsum("ij,jk->ik", ones([2, 3]), ones([3, 4])).shape
    TensorShape([2, 4])

    Raises:
      InvalidArgumentError: if the inputs' dtypes differ or their ranks do not match.
    """
    if len(inputs) == 1 and isinstance(inputs[0], (list, tuple)):
        inputs = inputs[0]
    ts = [_t(x) for x in inputs]
    for t in ts[1:]:
        if t._value.dtype != ts[0]._value.dtype:
            raise InvalidArgumentError(
                None, "Einsum", f"cannot compute Einsum as input #1(zero-based) was expected "
                f"to be a {ts[0].dtype.name} tensor but is a {t.dtype.name} tensor "
                f"[Op:Einsum]")
    subs, out = _explicit(equation, [t._value.shape for t in ts])
    return _einsum_op(*ts, equation=",".join(subs) + "->" + out)


# -- tensordot ------------------------------------------------------------------------------

def _axes_list(axes, nd):
    if isinstance(axes, Tensor):
        axes = _func_graph.value_of(axes).tolist()
    axes = [axes] if isinstance(axes, (int, np.integer)) else list(axes)
    return [int(a) % nd if nd else int(a) for a in axes]


def tensordot(a, b, axes, name=None):
    """Returns the sum of products of ``a`` and ``b`` over the given axes.

    ``axes`` is an int N (the last N axes of ``a`` with the first N of ``b``) or a
    pair of axis lists.

    Raises:
      ValueError: if ``axes`` is malformed.
      InvalidArgumentError: if contracted sizes or dtypes differ.
    """
    A = _array_ops()
    a, b = binary_inputs("Tensordot", _t(a), _t(b))
    sa, sb = a._value.shape, b._value.shape
    if isinstance(axes, Tensor):
        axes = _func_graph.value_of(axes).tolist()
    if isinstance(axes, (int, np.integer)):
        n = int(axes)
        if n < 0 or n > len(sa) or n > len(sb):
            raise ValueError(f"'axes' must be at most the rank of both inputs ({len(sa)}, "
                             f"{len(sb)}), got {n}.")
        ax_a, ax_b = list(range(len(sa) - n, len(sa))), list(range(n))
    elif isinstance(axes, (list, tuple)) and len(axes) == 2:
        ax_a, ax_b = _axes_list(axes[0], len(sa)), _axes_list(axes[1], len(sb))
    else:
        raise ValueError(f"'axes' must be an integer or have length 2. Received {axes}.")
    # TensorFlow checks only that the contracted sizes multiply to the same number
    if len(ax_a) != len(ax_b) or np.prod([sa[i] for i in ax_a]) != np.prod(
            [sb[j] for j in ax_b]):
        raise InvalidArgumentError(
            None, "Tensordot", f"Cannot contract axes {ax_a} of shape {list(sa)} with axes "
            f"{ax_b} of shape {list(sb)} [Op:Tensordot]")
    free_a = [i for i in range(len(sa)) if i not in ax_a]
    free_b = [i for i in range(len(sb)) if i not in ax_b]
    k = int(np.prod([sa[i] for i in ax_a]))
    perm_a, perm_b = free_a + ax_a, ax_b + free_b
    if perm_a != list(range(len(sa))):
        a = A.transpose(a, perm_a)
    if perm_b != list(range(len(sb))):
        b = A.transpose(b, perm_b)
    out = matmul(A.reshape(a, [-1, k]), A.reshape(b, [k, -1]))
    return A.reshape(out, [sa[i] for i in free_a] + [sb[i] for i in free_b])


# -- norm ---------------------------------------------------------------------------------------

def norm(tensor, ord="euclidean", axis=None, keepdims=None, name=None):  # noqa: A002
    """Returns the vector or matrix norm of ``tensor``.

    ``axis`` None: the norm of all values as one vector; an int: vector norms along
    that axis; a 2-tuple: matrix norms. ``ord`` is 'euclidean', 'fro', 1, 2, np.inf
    or any p > 0 for vectors; 'euclidean', 'fro', 1 or np.inf for matrices.

    Raises:
      ValueError: for an unsupported ``ord`` or ``axis``.
    """
    x = _t(tensor)
    nd = x._value.ndim
    if isinstance(axis, Tensor):
        axis = _func_graph.value_of(axis).tolist()
    matrix = isinstance(axis, (list, tuple)) and len(axis) == 2
    if isinstance(axis, (list, tuple)) and len(axis) not in (1, 2):
        raise ValueError(f"'axis' must be None, an integer, or a tuple of 2 unique integers, "
                         f"got {axis}")
    is_num = isinstance(ord, (int, float, np.number)) and not isinstance(ord, bool)
    if matrix:
        if not (ord in ("euclidean", "fro") or (is_num and ord in (1, 2, np.inf))):
            raise ValueError(f"'ord' must be a supported matrix norm in ['euclidean', 'fro', "
                             f"1, 2, inf], got {ord}")
    elif ord == "fro" or not (ord == "euclidean" or (is_num and ord > 0)):
        raise ValueError(f"'ord' must be a supported vector norm, got {ord}")
    ax = _norm_axis(axis, nd)
    if matrix and ord == 2:   # the spectral norm: the largest singular value
        rows, cols = ax
        rest = [i for i in range(nd) if i not in ax]
        s = svd(_array_ops().transpose(x, rest + [rows, cols]), compute_uv=False)
        out = reduce_max(s, axis=-1)
        for i in sorted(ax):
            out = _array_ops().expand_dims(out, i)
    elif ord in ("euclidean", "fro") or (ord == 2 and not matrix):
        out = sqrt(reduce_sum(square(x), axis=ax, keepdims=True))
    elif matrix:
        rows, cols = ax
        if ord == 1:  # largest column sum
            out = reduce_max(reduce_sum(abs(x), axis=rows, keepdims=True), axis=cols,
                             keepdims=True)
        else:  # largest row sum
            out = reduce_max(reduce_sum(abs(x), axis=cols, keepdims=True), axis=rows,
                             keepdims=True)
    elif ord == 1:
        out = reduce_sum(abs(x), axis=ax, keepdims=True)
    elif ord == np.inf:
        out = reduce_max(abs(x), axis=ax, keepdims=True)
    else:
        p = float(ord)
        out = pow(reduce_sum(pow(abs(x), p), axis=ax, keepdims=True), 1.0 / p)
    if not keepdims:
        out = reduce_sum(out, axis=ax)  # drops the kept size-1 axes
    return out


def _swap(a):
    return _array_ops().transpose(a, list(range(a._value.ndim - 2)) + [a._value.ndim - 1,
                                                                        a._value.ndim - 2])


# -- diagonals, trace, transpose ---------------------------------------------------------------

def diag(diagonal, name="diag", k=0, num_rows=-1, num_cols=-1, padding_value=0,
         align="RIGHT_LEFT"):
    """Returns square matrices with ``diagonal``'s last axis on their main diagonal."""
    A = _array_ops()
    d = _t(diagonal)
    n = d._value.shape[-1]
    return multiply(A.expand_dims(d, -1), Tensor(np.eye(n, dtype=d._value.dtype)))


def _diag_part_kernel(x):
    return np.diagonal(x, axis1=-2, axis2=-1).copy()


def _diag_part_grad(op, dy):
    """dy placed on the main diagonal of a zero matrix of the input's shape."""
    A = _array_ops()
    m, n = op.inputs[0]._value.shape[-2:]
    eye = Tensor(np.eye(m, n, dtype=dy._value.dtype))
    return multiply(A.expand_dims(dy, -1 if m <= n else -2), eye)


_diag_part_op = defop("MatrixDiagPartV3", _diag_part_kernel, _diag_part_grad, dtypes=ANY,
                      kind="call")


def diag_part(input, name="diag_part", k=0, padding_value=0, align="RIGHT_LEFT"):  # noqa: A002
    """Returns the main diagonal of each matrix in ``input`` (last two axes)."""
    x = _t(input)
    if x._value.dtype.kind in "OSU":   # TensorFlow converts padding_value (0) to a string
        raise TypeError(f"Cannot convert {padding_value!r} to EagerTensor of dtype string")
    if x._value.ndim < 2:
        raise InvalidArgumentError(
            None, "MatrixDiagPartV3", f"input must be at least 2-dim, received shape: "
            f"[{','.join(map(str, x._value.shape))}] [Op:MatrixDiagPartV3]")
    return _diag_part_op(x)


def trace(x, name=None):
    """Returns the sum of the main diagonal of each matrix in ``x``."""
    return reduce_sum(diag_part(x), axis=-1)


def matrix_transpose(a, name="matrix_transpose", conjugate=False):
    """Returns ``a`` with its last two axes swapped.

    Raises:
      ValueError: if ``a`` has rank below 2.
    """
    a = _t(a)
    if a._value.ndim < 2:
        raise ValueError(f"Argument `a` should be a (batch) matrix with rank >= 2.  Received "
                         f"`a` = {a} with shape: {a.shape}")
    if conjugate and a._value.dtype.kind == "c":
        from tapeflow.ops.special_math_ops import conj
        return conj(_swap(a))
    return _swap(a)


def adjoint(matrix, name=None):
    """Returns the conjugate transpose of each matrix in ``matrix``."""
    return matrix_transpose(matrix, conjugate=True)


def matvec(a, b, transpose_a=False, adjoint_a=False, a_is_sparse=False, b_is_sparse=False,
           name=None):
    """Returns the matrix-vector product ``a @ b`` over the last axes."""
    A = _array_ops()
    out = matmul(a, A.expand_dims(_t(b), -1), transpose_a=transpose_a, adjoint_a=adjoint_a)
    return A.squeeze(out, -1)


# -- composites ---------------------------------------------------------------------------

def logdet(matrix, name=None):
    """Returns ``log(det(matrix))`` of each Hermitian positive-definite matrix, as
    ``2 * sum(log(diag(cholesky(matrix))))``."""
    from tapeflow.ops.math_ops import log
    from tapeflow.ops.special_math_ops import real
    d = diag_part(cholesky(matrix))
    if d._value.dtype.kind == "c":
        d = real(d)
    return multiply(2.0, reduce_sum(log(d), axis=-1))


def set_diag(input, diagonal, name="set_diag", k=0, align="RIGHT_LEFT"):  # noqa: A002
    """Returns ``input`` with the main diagonal of each matrix replaced by ``diagonal``."""
    A = _array_ops()
    x, d = _t(input), _t(diagonal)
    rows, cols = x._value.shape[-2:]
    dt = x._value.dtype
    if cols > rows:   # the diagonal covers the first ``rows`` columns
        d = A.concat([d, Tensor(np.zeros(d._value.shape[:-1] + (cols - rows,), dt))], -1)
    eye = np.eye(rows, cols, dtype=dt)
    placed = multiply(A.expand_dims(d, -2), Tensor(eye))
    return add(multiply(x, Tensor(1 - eye)), placed)


def cross(a, b, name=None):
    """Returns the cross product of 3-vectors along the last axis."""
    A = _array_ops()
    a, b = binary_inputs("Cross", a, b)
    a0, a1, a2 = A.unstack(a, axis=-1)
    b0, b1, b2 = A.unstack(b, axis=-1)
    return A.stack([subtract(multiply(a1, b2), multiply(a2, b1)),
                    subtract(multiply(a2, b0), multiply(a0, b2)),
                    subtract(multiply(a0, b1), multiply(a1, b0))], axis=-1)


__all__ = ["einsum", "tensordot", "norm"]
