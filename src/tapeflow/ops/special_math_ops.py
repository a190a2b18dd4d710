"""More elementwise math: erf, inverse and hyperbolic trigonometry, NaN tests,
truncating division, xlogy/xdivy and log-sigmoid. Kernel and gradient per op.
"""
import math as _math

import numpy as np

from tapeflow.framework import dtypes
from tapeflow.framework.errors import InvalidArgumentError
from tapeflow.framework.primitive import make_binary, primitive
from tapeflow.framework.tensor import Tensor, convert_to_tensor
from tapeflow.ops.math_ops import (
    _check_int_zero, _quiet, _unary, add, cast, divide, divide_no_nan, exp,
    multiply, negative, not_equal, ones_like_, sigmoid, sqrt, square, subtract, unbroadcast)

_TWO_OVER_SQRT_PI = 2.0 / _math.sqrt(_math.pi)


def _float_only(name, x):
    if x.dtype.kind not in "fc":
        raise InvalidArgumentError(
            None, name, f"Value for attr 'T' of {dtypes.as_dtype(x.dtype).name} is not in the "
            f"list of allowed values: bfloat16, half, float, double [Op:{name}]")


# -- erf / erfc -------------------------------------------------------------------------
# |x| < 2.5: erf(x) = 2/sqrt(pi) e^{-x^2} sum_n 2^n x^{2n+1} / (1*3*...*(2n+1)); every term
# is positive, so there is no cancellation. |x| >= 2.5: erfc by its continued fraction
# erfc(x) = e^{-x^2}/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))). Both reach
# float64 round-off (checked against math.erf in the tests).

_SERIES = np.cumprod([1.0] + [2.0 / (2 * n + 1) for n in range(1, 70)])
_SPLIT = 2.5


def _erf_series(a):
    z = a * a
    s = np.full_like(a, _SERIES[-1])
    for c in _SERIES[-2::-1]:
        s = s * z + c
    return _TWO_OVER_SQRT_PI * np.exp(-z) * a * s


def _erfc_fraction(a):
    f = a.copy()
    for k in range(60, 0, -1):
        f = a + (0.5 * k) / f
    return np.exp(-a * a) / (_math.sqrt(_math.pi) * f)


def _erf64(x):
    a = np.abs(x)
    small = a < _SPLIT
    lo = _erf_series(np.where(small, a, 0.0))
    hi = 1.0 - _erfc_fraction(np.where(small, _SPLIT, a))
    return np.copysign(np.where(small, lo, hi), x)


def _erfc64(x):
    a = np.abs(x)
    tail = _erfc_fraction(np.maximum(a, _SPLIT))
    pos = np.where(a < _SPLIT, 1.0 - _erf_series(np.minimum(a, _SPLIT)), tail)
    return np.where(x < 0, 2.0 - pos, pos)


def _via_float64(fn):
    def kernel(x):
        with _quiet():
            out = fn(np.asarray(x, dtype=np.float64))
        return out.astype(x.dtype) if out.ndim else x.dtype.type(out)
    return kernel


def _erf_grad(op, dy):
    """d erf(x) = dy 2/sqrt(pi) e^{-x^2}."""
    x = op.inputs[0]
    return multiply(dy, multiply(exp(negative(square(x))), _TWO_OVER_SQRT_PI))


def _erfc_grad(op, dy):
    """d erfc(x) = -dy 2/sqrt(pi) e^{-x^2}."""
    return negative(_erf_grad(op, dy))


erf = _unary("Erf", _via_float64(_erf64), _erf_grad, float_only=True)
erfc = _unary("Erfc", _via_float64(_erfc64), _erfc_grad, float_only=True)


# -- trigonometry -----------------------------------------------------------------------

def _tan_grad(op, dy):
    """d tan x = dy (1 + tan^2 x)."""
    y = op.outputs[0]
    return multiply(dy, add(square(y), 1))


def _asin_grad(op, dy):
    """d asin x = dy / sqrt(1 - x^2)."""
    return divide(dy, sqrt(subtract(1, square(op.inputs[0]))))


def _acos_grad(op, dy):
    """d acos x = -dy / sqrt(1 - x^2)."""
    return negative(_asin_grad(op, dy))


def _atan_grad(op, dy):
    """d atan x = dy / (1 + x^2)."""
    return divide(dy, add(square(op.inputs[0]), 1))


def _sinh_grad(op, dy):
    """d sinh x = dy cosh x."""
    return multiply(dy, cosh(op.inputs[0]))


def _cosh_grad(op, dy):
    """d cosh x = dy sinh x."""
    return multiply(dy, sinh(op.inputs[0]))


def _asinh_grad(op, dy):
    """d asinh x = dy / sqrt(x^2 + 1)."""
    return divide(dy, sqrt(add(square(op.inputs[0]), 1)))


def _acosh_grad(op, dy):
    """d acosh x = dy / sqrt(x^2 - 1)."""
    return divide(dy, sqrt(subtract(square(op.inputs[0]), 1)))


def _atanh_grad(op, dy):
    """d atanh x = dy / (1 - x^2)."""
    return divide(dy, subtract(1, square(op.inputs[0])))


tan = _unary("Tan", np.tan, _tan_grad, float_only=True)
asin = _unary("Asin", np.arcsin, _asin_grad, float_only=True)
acos = _unary("Acos", np.arccos, _acos_grad, float_only=True)
atan = _unary("Atan", np.arctan, _atan_grad, float_only=True)
sinh = _unary("Sinh", np.sinh, _sinh_grad, float_only=True)
cosh = _unary("Cosh", np.cosh, _cosh_grad, float_only=True)
asinh = _unary("Asinh", np.arcsinh, _asinh_grad, float_only=True)
acosh = _unary("Acosh", np.arccosh, _acosh_grad, float_only=True)
atanh = _unary("Atanh", np.arctanh, _atanh_grad, float_only=True)


@primitive("Atan2")
def _atan2_kernel(y, x):
    _float_only("Atan2", y)
    return np.arctan2(y, x)


@_atan2_kernel.def_grad
def _atan2_grad(op, dz):
    """d atan2(y, x) = (dz x / (x^2+y^2), -dz y / (x^2+y^2))."""
    y, x = op.inputs
    r2 = add(square(x), square(y))
    return (unbroadcast(divide(multiply(dz, x), r2), y._value.shape),
            unbroadcast(negative(divide(multiply(dz, y), r2)), x._value.shape))


atan2 = make_binary(_atan2_kernel)


# -- log-sigmoid ------------------------------------------------------------------------

def _log_sigmoid_kernel(x):
    # log(1 / (1 + e^{-x})) = -log(e^0 + e^{-x}), stable for large |x|.
    return (-np.logaddexp(x.dtype.type(0), -x)).astype(x.dtype, copy=False)


def _log_sigmoid_grad(op, dy):
    """d log(sigmoid(x)) = dy sigmoid(-x)."""
    return multiply(dy, sigmoid(negative(op.inputs[0])))


log_sigmoid = _unary("LogSigmoid", _log_sigmoid_kernel, _log_sigmoid_grad, float_only=True)


# -- NaN / inf tests (no gradient) --------------------------------------------------------

is_nan = _unary("IsNan", np.isnan, None, float_only=True)
is_inf = _unary("IsInf", np.isinf, None, float_only=True)
is_finite = _unary("IsFinite", np.isfinite, None, float_only=True)


# -- truncating division (no gradient) ---------------------------------------------------

@primitive("TruncateDiv", differentiable=False)
def _truncatediv_kernel(x, y):
    _check_int_zero(y, "TruncateDiv")
    if x.dtype.kind in "fc":
        with _quiet():
            return np.trunc(x / y)
    if x.dtype.kind == "u":
        return x // y
    q = np.abs(x) // np.abs(y)
    return np.where((x < 0) != (y < 0), -q, q).astype(x.dtype, copy=False)


@primitive("TruncateMod", differentiable=False)
def _truncatemod_kernel(x, y):
    _check_int_zero(y, "TruncateMod")
    with _quiet():
        return np.fmod(x, y)


truncatediv = make_binary(_truncatediv_kernel)
truncatemod = make_binary(_truncatemod_kernel)


# -- xlogy / xdivy ----------------------------------------------------------------------

@primitive("Xlogy")
def _xlogy_kernel(x, y):
    _float_only("Xlogy", x)
    with _quiet():
        return np.where(x == 0, x.dtype.type(0), x * np.log(y)).astype(x.dtype, copy=False)


@_xlogy_kernel.def_grad
def _xlogy_grad(op, dz):
    """d x log y = (dz xlogy(x != 0, y), dz xdivy(x, y))."""
    x, y = op.inputs
    nonzero = cast(not_equal(x, 0), x.dtype)
    return (unbroadcast(multiply(dz, xlogy(nonzero, y)), x._value.shape),
            unbroadcast(multiply(dz, xdivy(x, y)), y._value.shape))


@primitive("Xdivy")
def _xdivy_kernel(x, y):
    _float_only("Xdivy", x)
    with _quiet():
        return np.where(x == 0, x.dtype.type(0), x / y).astype(x.dtype, copy=False)


@_xdivy_kernel.def_grad
def _xdivy_grad(op, dz):
    """d x/y = (dz xdivy(x != 0, y), -dz xdivy(x, y^2))."""
    x, y = op.inputs
    nonzero = cast(not_equal(x, 0), x.dtype)
    return (unbroadcast(multiply(dz, xdivy(nonzero, y)), x._value.shape),
            unbroadcast(negative(multiply(dz, xdivy(x, square(y)))), y._value.shape))


xlogy = make_binary(_xlogy_kernel)
xdivy = make_binary(_xdivy_kernel)


def reciprocal_no_nan(x, name=None):
    """Returns ``1 / x`` elementwise, with 0 where ``x`` is 0.

    >>> reciprocal_no_nan(constant([0.0, 2.0])).numpy()
    array([0. , 0.5], dtype=float32)
    """
    x = x if type(x) is Tensor else convert_to_tensor(x)
    _float_only("ReciprocalNoNan", x._value)
    return divide_no_nan(ones_like_(x), x)


__all__ = ["acos", "acosh", "asin", "asinh", "atan", "atan2", "atanh", "cosh", "sinh", "tan",
           "truncatediv", "truncatemod"]
