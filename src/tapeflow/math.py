"""``tf.math``: every elementwise, reduction and segment op under its TensorFlow name.

    >>> import tapeflow as tf
    >>> tf.math.reduce_max(tf.constant([1, 3, 2])).numpy()
    np.int32(3)
"""
from tapeflow.ops.clip_ops import add_n, scalar_mul  # noqa: F401
from tapeflow.ops.gamma_ops import digamma, lgamma, polygamma  # noqa: F401
from tapeflow.ops.linalg_ops import einsum  # noqa: F401
from tapeflow.ops.math_ops import (  # noqa: F401
    abs, add, ceil, cos, divide, divide_no_nan, equal, exp, expm1, floor, floordiv, floormod,
    greater, greater_equal, l2_normalize, less, less_equal, log, log1p, logical_and,
    logical_not, logical_or, logical_xor, maximum, minimum, mod, multiply, negative,
    not_equal, pow, realdiv, reciprocal, reduce_mean, reduce_sum, round, rsqrt, sigmoid,
    sign, sin, sqrt, square, squared_difference, subtract, tanh, truediv)
from tapeflow.ops.reduction_ops import (  # noqa: F401
    argmax, argmin, count_nonzero, cumprod, cumsum, reduce_all, reduce_any,
    reduce_euclidean_norm, reduce_logsumexp, reduce_max, reduce_min, reduce_prod, reduce_std,
    reduce_variance)
from tapeflow.ops.sort_ops import (  # noqa: F401
    bincount, confusion_matrix, in_top_k, segment_sum, top_k)
from tapeflow.ops.special_math_ops import (  # noqa: F401
    acos, acosh, angle, asin, asinh, atan, atan2, atanh, conj, cosh, erf, erfc, imag,
    is_finite, is_inf, is_nan, real,
    log_sigmoid, multiply_no_nan, reciprocal_no_nan, rint, sinh, tan, truncatediv, truncatemod,
    xdivy, xlogy)

# Ops that live with the nn or array families, loaded on first use.
_ELSEWHERE = {
    "softplus": "tapeflow.ops.nn_ops", "softmax": "tapeflow.ops.nn_ops",
    "log_softmax": "tapeflow.ops.nn_ops", "softsign": "tapeflow.ops.nn_impl",
    "unsorted_segment_sum": "tapeflow.ops.indexing_ops",
}


def __getattr__(name):
    if name in _ELSEWHERE:
        import importlib
        value = getattr(importlib.import_module(_ELSEWHERE[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'tapeflow.math' has no attribute {name!r}")
