"""The log-gamma function and its derivatives: lgamma, digamma, polygamma.

lgamma' = digamma = polygamma(0, .), and polygamma(n, .)' = polygamma(n + 1, .), so every
gradient here is again an op of this module and can be differentiated to any order.
"""
import math as _math

from tapeflow.backend import xp as np  # the array namespace kernels use (DESIGN: backend)
from numpy.polynomial import polynomial as npoly

from tapeflow.framework.op_def import FLOAT, defop
from tapeflow.framework.primitive import binary_inputs
from tapeflow.framework.tensor import Tensor, convert_to_tensor
from tapeflow.ops.math_ops import _quiet, _unary, multiply

# Lanczos approximation (g = 7, nine terms): relative error near 1e-15 for x >= 0.5.
_LANCZOS_G = 7.0
_LANCZOS = np.array([
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
    -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
    1.5056327351493116e-7])
_HALF_LOG_2PI = 0.5 * _math.log(2 * _math.pi)
# Bernoulli numbers B_2, B_4, ..., B_16 for the asymptotic series of polygamma.
_BERNOULLI = [1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6, -3617 / 510]
_SHIFT = 12.0  # recurrence up to x >= 12, where the asymptotic series is at round-off


def _lgamma64(x):
    reflect = x < 0.5
    y = np.where(reflect, 1.0 - x, x) - 1.0
    a = np.full_like(y, _LANCZOS[0])
    for i in range(1, 9):
        a = a + _LANCZOS[i] / (y + i)
    t = y + _LANCZOS_G + 0.5
    lg = _HALF_LOG_2PI + (y + 0.5) * np.log(t) - t + np.log(a)
    # lgamma(x) = log(pi / |sin(pi x)|) - lgamma(1 - x); poles at 0, -1, -2, ...
    out = np.where(reflect, np.log(np.pi / np.abs(np.sin(np.pi * x))) - lg, lg)
    # the poles, and lgamma(inf) = inf (the series gives inf - inf there)
    return np.where((reflect & (x == np.floor(x))) | (x == np.inf), np.inf, out)


def _polygamma64(n, x):
    """polygamma(n, x) for an int n >= 0 (digamma for n = 0), a float64 array x."""
    x = np.asarray(x, dtype=np.float64)
    # reflection: polygamma(n, x) = (-1)^n polygamma(n, 1 - x) - pi d^n/dx^n cot(pi x)
    reflect = x < 0.5 if n == 0 else x <= 0
    z = np.where(reflect, 1.0 - x, x)
    acc = np.zeros_like(z)
    fact_n = _math.factorial(n)
    sign = -1.0 if n % 2 == 0 else 1.0  # (-1)^(n+1)
    for _ in range(int(_SHIFT)):  # polygamma(n, z) = polygamma(n, z + 1) + sign n! / z^(n+1)
        small = z < _SHIFT
        if not small.any():
            break
        acc = acc + np.where(small, sign * fact_n / np.where(small, z, 1.0) ** (n + 1), 0.0)
        z = np.where(small, z + 1.0, z)
    if n == 0:
        series = np.log(z) - 0.5 / z
        for k, b in enumerate(_BERNOULLI, start=1):
            series = series - b / (2 * k * z ** (2 * k))
    else:
        series = _math.factorial(n - 1) / z ** n + fact_n / (2 * z ** (n + 1))
        for k, b in enumerate(_BERNOULLI, start=1):
            series = series + b * _math.factorial(2 * k + n - 1) / (
                _math.factorial(2 * k) * z ** (2 * k + n))
        series = sign * series
    out = acc + series
    if reflect.any():
        cot = 1.0 / np.tan(np.pi * x)
        dcot = np.pi ** n * npoly.polyval(cot, _cot_derivative(n))
        out = np.where(reflect, (-1) ** n * out - np.pi * dcot, out)
        out = np.where(reflect & (x == np.floor(x)), np.nan, out)  # poles at 0, -1, ...
    return out


def _cot_derivative(n):
    """Coefficients of p_n with d^n/dt^n cot(t) = p_n(cot t): p_0 = c, p_k+1 = -p_k'(1+c^2)."""
    p = np.array([0.0, 1.0])
    for _ in range(n):
        p = -npoly.polymul(npoly.polyder(p), [1.0, 0.0, 1.0])
    return p


def _via_float64(fn):
    def kernel(x):
        with _quiet():
            out = fn(np.asarray(x, dtype=np.float64))
        return np.asarray(out).astype(x.dtype)[()]
    return kernel


def _lgamma_grad(op, dy):
    """d lgamma(x) = dy digamma(x)."""
    return multiply(dy, digamma(op.inputs[0]))


def _digamma_grad(op, dy):
    """d digamma(x) = dy polygamma(1, x)."""
    x = op.inputs[0]
    return multiply(dy, polygamma(Tensor(np.ones_like(x._value)), x))


lgamma = _unary("Lgamma", _via_float64(_lgamma64), _lgamma_grad, dtypes=FLOAT)
digamma = _unary("Digamma", _via_float64(lambda x: _polygamma64(0, x)), _digamma_grad,
                 dtypes=FLOAT)


def _polygamma_kernel(a, x):
    a, xb = np.broadcast_arrays(a, x)
    out = np.empty(xb.shape, np.float64)
    with _quiet():
        for n in np.unique(a):  # one pass per distinct order (usually one)
            sel = a == n
            if n < 0 or n != np.floor(n):
                out[sel] = np.nan
            else:
                v = xb[sel]
                r = _polygamma64(int(n), v)
                if int(n) % 2:   # TF (Eigen's zeta): odd orders are +inf at the poles
                    r = np.where((v <= 0) & (v == np.floor(v)), np.inf, r)
                out[sel] = r
    return out.astype(x.dtype)[()]


def _polygamma_grad(op, dy):
    """d polygamma(a, x)/dx = polygamma(a + 1, x); no gradient for the order a."""
    a, x = op.inputs
    return None, multiply(dy, polygamma(Tensor(a._value + a._value.dtype.type(1)), x))


_polygamma_op = defop("Polygamma", _polygamma_kernel, _polygamma_grad,
                      dtypes=("float", "double"), kind="call")


def polygamma(a, x, name=None):
    """Returns the ``a``-th derivative of digamma at ``x`` (``a`` a whole number >= 0).

    nan where ``a`` is negative or fractional and at the poles x = 0, -1, -2, ...
    """
    x = x if isinstance(x, Tensor) else convert_to_tensor(x)
    x, a = binary_inputs("Polygamma", x, a)
    return _polygamma_op(a, x)


__all__ = []
