"""``tf.matmul``: one ``defop`` declaration for TensorFlow's MatMul/BatchMatMulV2.

TensorFlow runs ``MatMul`` on two matrices and ``BatchMatMulV2`` otherwise; each has its own
dtype list (integer matmul below int32, and unsigned matmul, have no CPU kernel: MatMul of
int16 is refused outright, BatchMatMulV2 of uint8 is a NotFoundError).
"""
from tapeflow.backend import xp as np  # the array namespace kernels use (DESIGN: backend)

from tapeflow.framework import primitive as prim
from tapeflow.framework.errors import InvalidArgumentError
from tapeflow.framework.op_def import COMPLEX, FLOAT, UINT, OpDef, defop, exported
from tapeflow.framework.tensor import Tensor
from tapeflow.ops.math_ops import _shape, unbroadcast


def _matmul_np(a, b, transpose_a=False, transpose_b=False):
    if a.ndim == 2 and b.ndim == 2:   # the common case: transposed views go to BLAS as is
        if transpose_a:
            a = a.T
        if transpose_b:
            b = b.T
        if a.shape[1] == b.shape[0]:
            return a @ b
        transpose_a = transpose_b = False
    if a.ndim < 2 or b.ndim < 2:
        raise InvalidArgumentError(
            None, "MatMul", f"In[0] and In[1] must be at least rank 2, got shapes "
            f"{list(a.shape)} and {list(b.shape)}")
    if transpose_a:
        a = np.swapaxes(a, -1, -2)
    if transpose_b:
        b = np.swapaxes(b, -1, -2)
    if a.shape[-1] != b.shape[-2]:
        raise InvalidArgumentError(
            None, "MatMul", f"Matrix size-incompatible: In[0]: {list(a.shape)}, In[1]: "
            f"{list(b.shape)} [Op:MatMul]")
    return np.matmul(a, b)


def _matmul_grad(op, dy):
    """For C = A B: dA = dy B^T, dB = A^T dy (with the transposes undone)."""
    a, b = op.inputs
    ta = op.attrs.get("transpose_a", False)
    tb = op.attrs.get("transpose_b", False)
    skip = op.skip_input_indices
    if not ta and not tb:
        da = None if 0 in skip else matmul(dy, b, transpose_b=True)
        db = None if 1 in skip else matmul(a, dy, transpose_a=True)
    elif not ta and tb:
        da = matmul(dy, b)
        db = matmul(dy, a, transpose_a=True)
    elif ta and not tb:
        da = matmul(b, dy, transpose_b=True)
        db = matmul(a, dy)
    else:
        da = matmul(b, dy, transpose_a=True, transpose_b=True)
        db = matmul(dy, a, transpose_a=True, transpose_b=True)
    return unbroadcast(da, _shape(a)), unbroadcast(db, _shape(b))


_NO_T = {}
_TA = {"transpose_a": True, "transpose_b": False}
_TB = {"transpose_a": False, "transpose_b": True}
_TAB = {"transpose_a": True, "transpose_b": True}
# The matrix op's rule (MatMul); the declaration below carries BatchMatMulV2's.
_MATMUL = OpDef("MatMul", None, "binary", FLOAT + ("int32", "int64") + UINT + COMPLEX,
                FLOAT + ("int32", "int64") + COMPLEX, (), None)
_binary_inputs = prim.binary_inputs
_tapes = prim.ACTIVE
_record = prim.record


def _matmul_args(a, b, transpose_a=False, transpose_b=False, adjoint_a=False,
                 adjoint_b=False, a_is_sparse=False, b_is_sparse=False, output_type=None,
                 name=None):
    """Returns the matrix product ``a @ b`` (batched over leading dims).

    Raises:
      InvalidArgumentError: if the inner dimensions or the dtypes differ, or TensorFlow has
        no matmul for the dtype (bool, string, integers below int32 for matrices).
      NotFoundError: for a dtype TensorFlow defines but has no CPU kernel for (uint8 ...).
    """
    if type(a) is not Tensor or type(b) is not Tensor or a._value.dtype != b._value.dtype:
        a, b = _binary_inputs("MatMul", a, b)
    if not (adjoint_a or adjoint_b):
        # the common case (two matrices of one supported dtype, transposed or not: gradients
        # transpose) as the normaliser's shortcut result: the generic wrapper's dispatch
        # costs as much as a small product
        av, bv = a._value, b._value
        if av.ndim == 2 and bv.ndim == 2 and av.dtype is bv.dtype and av.dtype in _MATMUL_OK:
            x = av.T if transpose_a else av
            y = bv.T if transpose_b else bv
            if x.shape[1] == y.shape[0]:
                try:
                    out = Tensor(x @ y)
                except MemoryError:   # the general path raises TensorFlow's error for it
                    pass
                else:
                    if _tapes:
                        _record(_matmul_kernel, (a, b), (out,), (
                            _TAB if transpose_b else _TA) if transpose_a else (
                            _TB if transpose_b else _NO_T))
                    return out
    av = a._value
    if av.dtype not in _MATMUL_OK and av.ndim <= 2 and b._value.ndim <= 2:
        raise _MATMUL.dtype_error(av.dtype)     # MatMul's rule for two matrices
    if not (transpose_a or transpose_b or adjoint_a or adjoint_b):
        return (a, b), _NO_T
    if (adjoint_a or adjoint_b) and av.dtype.kind == "c":   # the adjoint conjugates
        from tapeflow.ops.special_math_ops import conj
        a = conj(a) if adjoint_a else a
        b = conj(b) if adjoint_b else b
    ta = transpose_a or adjoint_a
    tb = transpose_b or adjoint_b
    return (a, b), (_TAB if tb else _TA) if ta else (_TB if tb else _NO_T)


matmul = defop("BatchMatMulV2", _matmul_np, _matmul_grad, args=_matmul_args,
               dtypes=FLOAT + ("int16", "int32", "int64") + UINT + COMPLEX,
               kernels=FLOAT + ("int16", "int32", "int64") + COMPLEX, export="matmul")
_matmul_kernel = matmul.op_def.op
_MATMUL_OK = _MATMUL.ok & matmul.op_def.ok

__all__ = exported(globals())
