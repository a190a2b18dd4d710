"""``tf.experimental.numpy``: the NumPy API on tensors, as TensorFlow 2.21 offers it.

    import tapeflow.experimental.numpy as tnp      # or tf.experimental.numpy
    x = tnp.arange(6).reshape  # after tnp.experimental_enable_numpy_behavior()

Every function returns a ``tf.Tensor`` (``tnp.ndarray`` *is* ``tf.Tensor``), follows NumPy's
dtype rules (Python ints -> int64, floats -> float64, ``int32 + float32 -> float64``) and
is differentiable under ``tf.GradientTape`` where the TensorFlow op behind it is.
"""
from tapeflow.experimental.numpy import random  # noqa: F401
from tapeflow.experimental.numpy._array_ops import (  # noqa: F401
    append, atleast_1d, atleast_2d, atleast_3d, broadcast_arrays, broadcast_to, compress,
    concatenate, diag, diag_indices, diagflat, diagonal, dsplit, dstack, expand_dims, flatten,
    flip, fliplr, flipud, hsplit, hstack, iscomplexobj, isrealobj, isscalar, ix_, meshgrid,
    moveaxis, ndim, pad, ravel, repeat, reshape, roll, rot90, select, shape, size, split,
    squeeze, stack, swapaxes, take, take_along_axis, tile, transpose, tril, triu, vander,
    vsplit, vstack)
from tapeflow.experimental.numpy._behavior import experimental_enable_numpy_behavior  # noqa
from tapeflow.experimental.numpy._core import (  # noqa: F401
    arange, array, asanyarray, asarray, ascontiguousarray, copy, empty, empty_like, eye, full,
    full_like, geomspace, identity, linspace, logspace, ndarray, ones, ones_like, tri, zeros,
    zeros_like)
from tapeflow.experimental.numpy._dtypes import (  # noqa: F401
    bool_, complex64, complex128, complex_, e, finfo, float16, float32, float64, float_, iinfo,
    inexact, inf, int8, int16, int32, int64, int_, issubdtype, newaxis, object_, pi,
    promote_types, result_type, string_, uint8, uint16, uint32, uint64, unicode_)
from tapeflow.experimental.numpy._linalg import (  # noqa: F401
    cross, dot, einsum, inner, kron, matmul, outer, polyval, tensordot, trace, vdot)
from tapeflow.experimental.numpy._math import (  # noqa: F401
    abs, absolute, add, angle, arccos, arccosh, arcsin, arcsinh, arctan, arctan2, arctanh,
    around, bitwise_and, bitwise_not, bitwise_or, bitwise_xor, cbrt, ceil, clip, conj,
    conjugate, cos, cosh, deg2rad, divide, divmod, equal, exp, exp2, expm1, fabs, fix,
    float_power, floor, floor_divide, gcd, greater, greater_equal, heaviside, hypot, imag,
    iscomplex, isfinite, isinf, isnan, isneginf, isposinf, isreal, lcm, less, less_equal, log,
    log1p, log2, log10, logaddexp, logaddexp2, logical_and, logical_not, logical_or,
    logical_xor, maximum, minimum, mod, multiply, negative, nextafter, not_equal, positive,
    power, rad2deg, real, reciprocal, remainder, round, sign, signbit, sin, sinc, sinh, sqrt,
    square, subtract, tan, tanh, true_divide)
from tapeflow.experimental.numpy._reductions import (  # noqa: F401
    all, allclose, amax, amin, any, argmax, argmin, argsort, array_equal, average,
    count_nonzero, cumprod, cumsum, diff, isclose, max, mean, min, nanmean, nanprod, nansum,
    nonzero, prod, ptp, sort, std, sum, var, where)
