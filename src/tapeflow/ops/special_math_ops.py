"""More elementwise math: erf, inverse and hyperbolic trigonometry, NaN tests,
truncating division, xlogy/xdivy and log-sigmoid. Kernel and gradient per op.
"""
import math as _math

from tapeflow.backend import xp as np  # the array namespace kernels use (DESIGN: backend)

from tapeflow.framework import dtypes
from tapeflow.framework.errors import InvalidArgumentError
from tapeflow.framework.op_def import ANY, FLOAT, FLOAT_COMPLEX, defop
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
# erf(x) = 2/sqrt(pi) e^{-x^2} x sum_n c_n x^{2n} with c_n = 2^n / (1*3*...*(2n+1)). Every
# term is positive, so the sum has no cancellation and reaches float64 round-off for all
# |x| < 6 (beyond, erf is +-1 in float64). The terms needed grow with x^2, so the sum is cut
# to fit the largest input. Small arrays sum all terms at once (a matrix of powers times
# the coefficients: three NumPy calls instead of a loop), large ones by Horner's rule.
# erfc for x >= 2.5 uses the continued fraction
# erfc(x) = e^{-x^2}/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))) to keep its
# relative accuracy in the tail. Accuracy is checked against math.erf in the tests.

_COEFS = np.cumprod([1.0] + [2.0 / (2 * n + 1) for n in range(1, 200)])
_POWERS = np.arange(200, dtype=np.float64)
_ERF_ONE = 6.0  # erf(6) rounds to 1.0 in float64
_SPLIT = 2.5


def _erf_series(a):
    """erf(a) for 0 <= a < 6, a float64 array (large arrays by bands of |a|)."""
    if a.size > 4096:
        out = np.empty_like(a)
        lo = 0.0
        for hi in (1.5, 3.0, 6.0):  # small |a| needs far fewer terms
            band = (a >= lo) & (a < hi)
            out[band] = _erf_sum(a[band])
            lo = hi
        return out
    return _erf_sum(a)


def _erf_sum(a):
    z = a * a
    zmax = float(z.max()) if z.size else 0.0
    k = min(200, int(2 * zmax + 4 * _math.sqrt(zmax) + 17))  # terms for float64 round-off
    if z.size * k <= 1 << 16:
        s = np.power(z[..., None], _POWERS[:k]) @ _COEFS[:k]
    else:
        s = np.full_like(z, _COEFS[k - 1])
        for c in _COEFS[k - 2::-1]:
            s *= z
            s += c
    return _TWO_OVER_SQRT_PI * np.exp(-z) * a * s


def _erfc_fraction(a):
    """erfc(a) for a >= 2.5."""
    f = a.copy()
    for k in range(60, 0, -1):
        f = a + (0.5 * k) / f
    return np.exp(-a * a) / (_math.sqrt(_math.pi) * f)


def _erf64(x):
    x = np.atleast_1d(x)
    a = np.abs(x)
    out = np.ones_like(a)
    inner = a < _ERF_ONE
    out[inner] = _erf_series(a[inner])
    out[np.isnan(a)] = np.nan
    return np.copysign(out, x)


def _erfc64(x):
    x = np.atleast_1d(x)
    a = np.abs(x)
    tail = ~(a < _SPLIT)  # nan goes to the tail, which keeps it
    pos = np.empty_like(a)
    pos[~tail] = 1.0 - _erf_series(a[~tail])
    pos[tail] = _erfc_fraction(a[tail])
    return np.where(x < 0, 2.0 - pos, pos)


def _via_float64(fn):
    def kernel(x):
        with _quiet():
            out = fn(np.asarray(x, dtype=np.float64))
        if np.ndim(x) == 0:
            return x.dtype.type(out[0])
        return out.astype(x.dtype, copy=False)
    return kernel


def _erf_grad(op, dy):
    """d erf(x) = dy 2/sqrt(pi) e^{-x^2}."""
    x = op.inputs[0]
    return multiply(dy, multiply(exp(negative(square(x))), _TWO_OVER_SQRT_PI))


def _erfc_grad(op, dy):
    """d erfc(x) = -dy 2/sqrt(pi) e^{-x^2}."""
    return negative(_erf_grad(op, dy))


erf = _unary("Erf", _via_float64(_erf64), _erf_grad, dtypes=FLOAT)
erfc = _unary("Erfc", _via_float64(_erfc64), _erfc_grad, dtypes=FLOAT)


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


tan = _unary("Tan", np.tan, _tan_grad, dtypes=FLOAT_COMPLEX)
asin = _unary("Asin", np.arcsin, _asin_grad, dtypes=FLOAT_COMPLEX)
acos = _unary("Acos", np.arccos, _acos_grad, dtypes=FLOAT_COMPLEX)
atan = _unary("Atan", np.arctan, _atan_grad, dtypes=FLOAT_COMPLEX)
sinh = _unary("Sinh", np.sinh, _sinh_grad, dtypes=FLOAT_COMPLEX)
cosh = _unary("Cosh", np.cosh, _cosh_grad, dtypes=FLOAT_COMPLEX)
asinh = _unary("Asinh", np.arcsinh, _asinh_grad, dtypes=FLOAT_COMPLEX)
acosh = _unary("Acosh", np.arccosh, _acosh_grad, dtypes=FLOAT_COMPLEX)
atanh = _unary("Atanh", np.arctanh, _atanh_grad, dtypes=FLOAT_COMPLEX)


def _atan2_np(y, x):
    _float_only("Atan2", y)
    return np.arctan2(y, x)


def _atan2_grad(op, dz):
    """d atan2(y, x) = (dz x / (x^2+y^2), -dz y / (x^2+y^2))."""
    y, x = op.inputs
    r2 = add(square(x), square(y))
    return (divide(multiply(dz, x), r2),
            negative(divide(multiply(dz, y), r2)))


atan2 = defop("Atan2", _atan2_np, _atan2_grad, kind="binary", dtypes=ANY, export="atan2")


# -- log-sigmoid ------------------------------------------------------------------------

def _log_sigmoid_kernel(x):
    # log(1 / (1 + e^{-x})) = -log(e^0 + e^{-x}), stable for large |x|.
    return (-np.logaddexp(x.dtype.type(0), -x)).astype(x.dtype, copy=False)


def _log_sigmoid_grad(op, dy):
    """d log(sigmoid(x)) = dy sigmoid(-x)."""
    return multiply(dy, sigmoid(negative(op.inputs[0])))


log_sigmoid = _unary("LogSigmoid", _log_sigmoid_kernel, _log_sigmoid_grad, dtypes=FLOAT_COMPLEX)


# -- NaN / inf tests (no gradient) --------------------------------------------------------

is_nan = _unary("IsNan", np.isnan, None, dtypes=FLOAT)
is_inf = _unary("IsInf", np.isinf, None, dtypes=FLOAT)
is_finite = _unary("IsFinite", np.isfinite, None, dtypes=FLOAT)


# -- truncating division (no gradient) ---------------------------------------------------

def _truncatediv_np(x, y):
    _check_int_zero(y, "TruncateDiv")
    if x.dtype.kind in "fc":
        with _quiet():
            return np.trunc(x / y)
    if x.dtype.kind == "u":
        return x // y
    q = np.abs(x) // np.abs(y)
    return np.where((x < 0) != (y < 0), -q, q).astype(x.dtype, copy=False)


def _truncatemod_np(x, y):
    _check_int_zero(y, "TruncateMod")
    with _quiet():
        return np.fmod(x, y)


# dtypes=ANY: the kernels refuse what TensorFlow refuses, in its words (as before)
truncatediv = defop("TruncateDiv", _truncatediv_np, kind="binary", dtypes=ANY,
                    export="truncatediv")
truncatemod = defop("TruncateMod", _truncatemod_np, kind="binary", dtypes=ANY,
                    export="truncatemod")


# -- xlogy / xdivy ----------------------------------------------------------------------

def _xlogy_np(x, y):
    _float_only("Xlogy", x)
    with _quiet():
        return np.where(x == 0, x.dtype.type(0), x * np.log(y)).astype(x.dtype, copy=False)


def _xlogy_grad(op, dz):
    """d x log y = (dz xlogy(x != 0, y), dz xdivy(x, y))."""
    x, y = op.inputs
    nonzero = cast(not_equal(x, 0), x.dtype)
    return (multiply(dz, xlogy(nonzero, y)),
            multiply(dz, xdivy(x, y)))


def _xdivy_np(x, y):
    _float_only("Xdivy", x)
    with _quiet():
        return np.where(x == 0, x.dtype.type(0), x / y).astype(x.dtype, copy=False)


def _xdivy_grad(op, dz):
    """d x/y = (dz xdivy(x != 0, y), -dz xdivy(x, y^2))."""
    x, y = op.inputs
    nonzero = cast(not_equal(x, 0), x.dtype)
    return (multiply(dz, xdivy(nonzero, y)),
            negative(multiply(dz, xdivy(x, square(y)))))


xlogy = defop("Xlogy", _xlogy_np, _xlogy_grad, kind="binary", dtypes=ANY, export="xlogy")
xdivy = defop("Xdivy", _xdivy_np, _xdivy_grad, kind="binary", dtypes=ANY, export="xdivy")


def reciprocal_no_nan(x, name=None):
    """Returns ``1 / x`` elementwise, with 0 where ``x`` is 0.

    >>> reciprocal_no_nan(constant([0.0, 2.0])).numpy()
    array([0. , 0.5], dtype=float32)
    """
    x = x if type(x) is Tensor else convert_to_tensor(x)
    _float_only("ReciprocalNoNan", x._value)
    return divide_no_nan(ones_like_(x), x)


def _mul_no_nan_np(x, y):
    _float_only("MulNoNan", x)
    with _quiet():
        return np.where(y == 0, x.dtype.type(0), x * y).astype(x.dtype, copy=False)


def _mul_no_nan_grad(op, dz):
    """(mul_no_nan(dz, y), mul_no_nan(x, dz)), as in TensorFlow."""
    x, y = op.inputs
    return (multiply_no_nan(dz, y),
            multiply_no_nan(x, dz))


multiply_no_nan = defop("MulNoNan", _mul_no_nan_np, _mul_no_nan_grad, kind="binary", dtypes=ANY,
                       export="multiply_no_nan")


def rint(x, name=None):
    """Returns ``x`` rounded to the nearest integer, halves to even (like ``tf.round``)."""
    from tapeflow.ops.math_ops import round as round_
    return round_(x)


# -- complex numbers ----------------------------------------------------------------------

def _conj_np(x):
    return np.conj(x)


def _conj_grad(op, dy):
    """d conj(x) = conj(dy)."""
    return _conj_op(dy)


_conj_op = defop("Conj", _conj_np, _conj_grad, dtypes=ANY)


def conj(x, name=None):
    """Returns the complex conjugate of ``x`` (``x`` itself for real tensors, as TensorFlow)."""
    x = x if type(x) is Tensor else convert_to_tensor(x)
    return _conj_op(x) if x._value.dtype.kind == "c" else x


def _complex_part(name, fn):
    # no gradient: complex gradients are outside what tapeflow's tape tracks
    op = defop(name, lambda x: np.asarray(fn(x)).astype(
        x.real.dtype if x.dtype.kind == "c" else x.dtype), dtypes=ANY)

    def part(input, name=None):  # noqa: A002  (TensorFlow's argument name)
        return op(input if type(input) is Tensor else convert_to_tensor(input))
    part.__name__ = name.lower()
    part.__doc__ = f"Returns the elementwise ``{name.lower()}`` of a (complex) tensor."
    return part


def _complex_np(real, imag):
    return real + 1j * imag if real.dtype == np.float64 else (real + 1j * imag).astype(
        np.complex64)


_complex_op = defop("Complex", _complex_np, dtypes=ANY, kind="call")


def complex(real, imag, name=None):  # noqa: A001  (TensorFlow's name)
    """Returns ``real + i * imag``: complex64 from float32 parts, complex128 from float64.

    Raises:
      InvalidArgumentError: if the parts' dtypes differ or are not float32/float64.
    """
    r = real if type(real) is Tensor else convert_to_tensor(real)
    i = imag if type(imag) is Tensor else convert_to_tensor(imag, r.dtype)
    if r.dtype != i.dtype or r.dtype.name not in ("float32", "float64"):
        raise InvalidArgumentError(None, "Complex", f"cannot compute Complex as input #1"
                                   f"(zero-based) was expected to be a {r.dtype.name} tensor "
                                   f"but is a {i.dtype.name} tensor [Op:Complex]")
    return _complex_op(r, i)


real = _complex_part("Real", np.real)
imag = _complex_part("Imag", np.imag)
angle = _complex_part("Angle", np.angle)


__all__ = ["acos", "acosh", "asin", "asinh", "atan", "atan2", "atanh", "cosh", "sinh", "tan",
           "truncatediv", "truncatemod", "complex"]
