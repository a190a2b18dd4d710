"""``tf.linalg``: matrix products, norms, inverses, determinants and diagonals.

    >>> import tapeflow as tf
    >>> tf.linalg.det(tf.constant([[2.0, 0.0], [0.0, 3.0]])).numpy()
    np.float32(6.0)
"""
from tapeflow.ops.clip_ops import global_norm  # noqa: F401
from tapeflow.ops.creation_ops import eye  # noqa: F401
from tapeflow.ops.linalg_ops import (  # noqa: F401
    adjoint, band_part, cholesky, cross, det, diag, diag_part, eigh, eigvalsh, einsum, inv,
    logdet, matrix_transpose, matvec, norm, pinv, qr, set_diag, slogdet, solve, svd, tensordot,
    trace)
from tapeflow.ops.math_ops import l2_normalize, matmul  # noqa: F401

