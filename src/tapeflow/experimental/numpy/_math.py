"""Elementwise functions of ``tf.experimental.numpy``: NumPy's promotion, TensorFlow's ops.

Unary functions that are only defined on reals (``sqrt``, ``exp``, ``sin``, ...) promote
integer and bool inputs to the default float type (float64), as NumPy does; binary functions
first bring both operands to NumPy's common dtype. All are differentiable wherever the
underlying TensorFlow op is.
"""
import numpy as np

import tapeflow as tf
from tapeflow import bitwise as _bitwise
from tapeflow.experimental.numpy import _dtypes as D
from tapeflow.experimental.numpy._core import asarray, promote


def _float(x):
    """``x`` as a Tensor, promoted to the default float type unless already inexact."""
    x = asarray(x)
    return x if D.is_inexact(x.dtype) else tf.cast(x, D.default_float_type())


def _unary_float(fn, doc):
    def f(x):
        return fn(_float(x))
    f.__doc__ = doc
    return f


def _log_base(base):
    def fn(x):
        return tf.math.log(x) / tf.math.log(tf.constant(base, x.dtype))
    return fn


sqrt = _unary_float(tf.sqrt, "Returns the elementwise square root.")
exp = _unary_float(tf.exp, "Returns ``e ** x`` elementwise.")
expm1 = _unary_float(tf.math.expm1, "Returns ``exp(x) - 1`` elementwise.")
log = _unary_float(tf.math.log, "Returns the natural logarithm elementwise.")
log1p = _unary_float(tf.math.log1p, "Returns ``log(1 + x)`` elementwise.")
log2 = _unary_float(_log_base(2.0), "Returns the base-2 logarithm elementwise.")
log10 = _unary_float(_log_base(10.0), "Returns the base-10 logarithm elementwise.")
exp2 = _unary_float(lambda x: tf.pow(tf.constant(2.0, x.dtype), x), "Returns ``2 ** x``.")
sin = _unary_float(tf.sin, "Returns the elementwise sine.")
cos = _unary_float(tf.cos, "Returns the elementwise cosine.")
tan = _unary_float(tf.tan, "Returns the elementwise tangent.")
arcsin = _unary_float(tf.asin, "Returns the elementwise inverse sine.")
arccos = _unary_float(tf.acos, "Returns the elementwise inverse cosine.")
arctan = _unary_float(tf.atan, "Returns the elementwise inverse tangent.")
sinh = _unary_float(tf.sinh, "Returns the elementwise hyperbolic sine.")
cosh = _unary_float(tf.cosh, "Returns the elementwise hyperbolic cosine.")
tanh = _unary_float(tf.tanh, "Returns the elementwise hyperbolic tangent.")
arcsinh = _unary_float(tf.asinh, "Returns the elementwise inverse hyperbolic sine.")
arccosh = _unary_float(tf.acosh, "Returns the elementwise inverse hyperbolic cosine.")
arctanh = _unary_float(tf.atanh, "Returns the elementwise inverse hyperbolic tangent.")
deg2rad = _unary_float(lambda x: x * (np.pi / 180.0), "Returns degrees as radians.")
rad2deg = _unary_float(lambda x: x * (180.0 / np.pi), "Returns radians as degrees.")
cbrt = _unary_float(lambda x: tf.sign(x) * tf.pow(tf.abs(x), 1.0 / 3.0),
                    "Returns the elementwise cube root.")


ceil = _unary_float(tf.math.ceil, "Returns the ceiling of each element (ints become floats).")
floor = _unary_float(tf.math.floor, "Returns the floor of each element (ints become floats).")
fix = _unary_float(lambda x: tf.where(x < 0, tf.math.ceil(x), tf.math.floor(x)),
                   "Returns each element rounded toward zero (ints become floats).")


def around(a, decimals=0):
    """Returns ``a`` rounded to ``decimals`` places, half to even (integers unchanged)."""
    a = asarray(a)
    if not D.is_inexact(a.dtype):
        return a
    if decimals == 0:
        return tf.math.rint(a)
    scale = tf.constant(10.0 ** decimals, a.dtype)
    return tf.math.rint(a * scale) / scale


round = around   # noqa: A001 - NumPy's name


def sinc(x):
    """Returns ``sin(pi x) / (pi x)``, 1 at 0."""
    x = _float(x)
    px = x * np.pi
    safe = tf.where(tf.equal(x, 0), tf.ones_like(px), px)
    return tf.where(tf.equal(x, 0), tf.ones_like(px), tf.sin(safe) / safe)


def absolute(x):
    """Returns the elementwise absolute value (int stays int, complex gives real)."""
    return tf.abs(asarray(x))


abs = absolute   # noqa: A001 - NumPy's name


def fabs(x):
    """Returns the elementwise absolute value (in the input's dtype, as TensorFlow's)."""
    return tf.abs(asarray(x))


def negative(x):
    """Returns ``-x``."""
    return tf.negative(asarray(x))


def positive(x):
    """Returns ``x`` (as a Tensor)."""
    return asarray(x)


def sign(x, out=None, where=None, **kwargs):
    """Returns -1, 0 or 1 by the sign of each element (``out``/``where`` not supported)."""
    if out is not None:
        raise ValueError("tf.numpy doesnt support setting out.")
    if where is not None:
        raise ValueError("tf.numpy doesnt support setting where.")
    if kwargs:
        raise ValueError(f"tf.numpy doesnt support setting {kwargs.keys()}")
    return tf.sign(asarray(x))


def square(x):
    """Returns ``x * x``."""
    return tf.square(asarray(x))


def reciprocal(x):
    """Returns ``1 / x`` in ``x``'s dtype."""
    x = asarray(x)
    if D.is_inexact(x.dtype):
        return tf.math.reciprocal(x)
    return tf.math.floordiv(tf.ones_like(x), x)


def conjugate(x):
    """Returns the complex conjugate (reals unchanged)."""
    x = asarray(x)
    return tf.math.conj(x) if x.dtype.is_complex else x


conj = conjugate


def real(val):
    """Returns the real part (reals unchanged)."""
    x = asarray(val)
    return tf.math.real(x) if x.dtype.is_complex else x


def imag(val):
    """Returns the imaginary part (zeros for reals)."""
    x = asarray(val)
    return tf.math.imag(x) if x.dtype.is_complex else tf.zeros_like(x)


def angle(z, deg=False):
    """Returns the angle of each complex element (0 or pi for reals)."""
    x = _float(z)
    if x.dtype.is_complex:
        out = tf.math.angle(x)
    else:
        out = tf.where(x < 0, tf.constant(np.pi, x.dtype), tf.zeros_like(x))
    return out * (180.0 / np.pi) if deg else out


def _predicate(fn_float, other):
    def f(x):
        x = asarray(x)
        if D.is_inexact(x.dtype) and not x.dtype.is_complex:
            return fn_float(x)
        return tf.fill(x.shape.as_list(), other) if other is not None else fn_float(x)
    return f


isfinite = _predicate(tf.math.is_finite, True)
isfinite.__doc__ = "Returns where elements are finite (all of an integer tensor)."
isinf = _predicate(tf.math.is_inf, False)
isinf.__doc__ = "Returns where elements are +inf or -inf."
isnan = _predicate(tf.math.is_nan, False)
isnan.__doc__ = "Returns where elements are NaN."
isposinf = _predicate(lambda x: tf.logical_and(tf.math.is_inf(x), x > 0), False)
isposinf.__doc__ = "Returns where elements are +inf."
isneginf = _predicate(lambda x: tf.logical_and(tf.math.is_inf(x), x < 0), False)
isneginf.__doc__ = "Returns where elements are -inf."


def signbit(x):
    """Returns where the sign bit is set (negative values and -0.0)."""
    x = asarray(x)
    if x.dtype == tf.bool or x.dtype.is_unsigned:
        return tf.fill(x.shape.as_list(), False)
    return tf.constant(np.signbit(x.numpy()))


def iscomplex(x):
    """Returns where elements have a non-zero imaginary part."""
    return tf.not_equal(imag(x), 0)


def isreal(x):
    """Returns where elements have a zero imaginary part."""
    return tf.equal(imag(x), 0)


def logical_not(x):
    """Returns the elementwise logical not."""
    return tf.logical_not(tf.cast(asarray(x), tf.bool))


def bitwise_not(x):
    """Returns the bitwise inversion (logical not for bools)."""
    x = asarray(x)
    return tf.logical_not(x) if x.dtype == tf.bool else _bitwise.invert(x)


# ---------------------------------------------------------------- binary


def _binary(fn, doc):
    def f(x1, x2):
        a, b = promote(x1, x2)
        return fn(a, b)
    f.__doc__ = doc
    return f


def _binary_float(fn, doc):
    def f(x1, x2):
        a, b = promote(x1, x2)
        if not D.is_inexact(a.dtype):
            a, b = tf.cast(a, D.default_float_type()), tf.cast(b, D.default_float_type())
        return fn(a, b)
    f.__doc__ = doc
    return f


add = _binary(lambda a, b: tf.logical_or(a, b) if a.dtype == tf.bool else tf.add(a, b),
              "Returns ``x1 + x2`` in NumPy's promoted dtype.")
subtract = _binary(tf.subtract, "Returns ``x1 - x2`` in NumPy's promoted dtype.")
multiply = _binary(lambda a, b: tf.logical_and(a, b) if a.dtype == tf.bool
                   else tf.multiply(a, b), "Returns ``x1 * x2`` in NumPy's promoted dtype.")
maximum = _binary(lambda a, b: tf.logical_or(a, b) if a.dtype == tf.bool
                  else tf.maximum(a, b), "Returns the elementwise maximum.")
minimum = _binary(lambda a, b: tf.logical_and(a, b) if a.dtype == tf.bool
                  else tf.minimum(a, b), "Returns the elementwise minimum.")
def _bool_as_int8(fn):
    def f(a, b):   # TensorFlow's tnp divides bools as int8
        if a.dtype == tf.bool:
            a, b = tf.cast(a, tf.int8), tf.cast(b, tf.int8)
        return fn(a, b)
    return f


floor_divide = _binary(_bool_as_int8(tf.math.floordiv),
                       "Returns ``x1 // x2`` (rounded toward -inf; bools as int8).")
mod = _binary(_bool_as_int8(tf.math.floormod),
              "Returns ``x1 % x2`` with the sign of ``x2`` (bools as int8).")
remainder = mod
power = _binary(tf.pow, "Returns ``x1 ** x2`` in NumPy's promoted dtype.")
float_power = power   # TensorFlow's float_power keeps integer dtypes too
arctan2 = _binary_float(tf.atan2, "Returns the angle of ``(x2, x1)``, quadrant-aware.")
hypot = _binary_float(lambda a, b: tf.sqrt(a * a + b * b), "Returns ``sqrt(x1**2 + x2**2)``.")


def true_divide(x1, x2):
    """Returns ``x1 / x2``; integers divide as floats (TensorFlow's ``truediv``)."""
    a, b = promote(x1, x2)
    if a.dtype == tf.bool:
        a, b = tf.cast(a, D.default_float_type()), tf.cast(b, D.default_float_type())
    return tf.truediv(a, b)


divide = true_divide


def divmod(x1, x2):   # noqa: A001 - NumPy's name
    """Returns ``(floor_divide(x1, x2), mod(x1, x2))``."""
    return floor_divide(x1, x2), mod(x1, x2)


def _logaddexp(a, b):
    m = tf.maximum(a, b)
    return m + tf.math.log1p(tf.exp(-tf.abs(a - b)))


logaddexp = _binary_float(_logaddexp, "Returns ``log(exp(x1) + exp(x2))``, stably.")
logaddexp2 = _binary_float(
    lambda a, b: _logaddexp(a * np.log(2.0), b * np.log(2.0)) / np.log(2.0),
    "Returns ``log2(2**x1 + 2**x2)``, stably.")


def heaviside(x1, x2):
    """Returns 0 where ``x1 < 0``, ``x2`` where ``x1 == 0``, 1 where ``x1 > 0``."""
    a, b = promote(x1, x2)
    a, b = tf.broadcast_to(a, _bshape(a, b)), tf.broadcast_to(b, _bshape(a, b))
    return tf.where(a < 0, tf.zeros_like(a), tf.where(a > 0, tf.ones_like(a), b))


def _bshape(a, b):
    return tf.broadcast_static_shape(a.shape, b.shape).as_list()


def _numpy_binary(fn, doc):
    def f(x1, x2):
        a, b = promote(x1, x2)
        return tf.constant(np.asarray(fn(a.numpy(), b.numpy())))
    f.__doc__ = doc + " (no gradient)"
    return f


def _integers_only(fn):
    def f(a, b):
        if a.dtype.kind not in "iu" or b.dtype.kind not in "iu":
            raise ValueError("Arguments to gcd must be integers.")   # TensorFlow's message
        return fn(a, b)
    return f


nextafter = _numpy_binary(np.nextafter, "Returns the next float after ``x1`` toward ``x2``.")
gcd = _numpy_binary(_integers_only(np.gcd), "Returns the greatest common divisor.")
lcm = _numpy_binary(_integers_only(np.lcm), "Returns the least common multiple.")


def _compare(fn, doc):
    def f(x1, x2):
        a, b = promote(x1, x2)
        if a.dtype == tf.bool and fn not in (tf.equal, tf.not_equal):   # False < True
            a, b = tf.cast(a, tf.int8), tf.cast(b, tf.int8)
        return fn(a, b)
    f.__doc__ = doc
    return f


equal = _compare(tf.equal, "Returns where ``x1 == x2``.")
not_equal = _compare(tf.not_equal, "Returns where ``x1 != x2``.")
greater = _compare(tf.greater, "Returns where ``x1 > x2``.")
greater_equal = _compare(tf.greater_equal, "Returns where ``x1 >= x2``.")
less = _compare(tf.less, "Returns where ``x1 < x2``.")
less_equal = _compare(tf.less_equal, "Returns where ``x1 <= x2``.")


def _logical(fn, doc):
    def f(x1, x2):
        return fn(tf.cast(asarray(x1), tf.bool), tf.cast(asarray(x2), tf.bool))
    f.__doc__ = doc
    return f


logical_and = _logical(tf.logical_and, "Returns the elementwise logical and.")
logical_or = _logical(tf.logical_or, "Returns the elementwise logical or.")
logical_xor = _logical(tf.math.logical_xor, "Returns the elementwise logical xor.")


def _bitwise_op(int_fn, bool_fn, doc):
    def f(x1, x2):
        a, b = promote(x1, x2)
        return bool_fn(a, b) if a.dtype == tf.bool else int_fn(a, b)
    f.__doc__ = doc
    return f


bitwise_and = _bitwise_op(_bitwise.bitwise_and, tf.logical_and, "Returns ``x1 & x2``.")
bitwise_or = _bitwise_op(_bitwise.bitwise_or, tf.logical_or, "Returns ``x1 | x2``.")
bitwise_xor = _bitwise_op(_bitwise.bitwise_xor, tf.math.logical_xor, "Returns ``x1 ^ x2``.")


def clip(a, a_min, a_max):
    """Returns ``a`` with values limited to ``[a_min, a_max]`` (either may be None)."""
    if a_min is None and a_max is None:
        raise ValueError("Not more than one of `a_min` and `a_max` may be `None`.")
    if a_min is None:
        return minimum(a, a_max)
    if a_max is None:
        return maximum(a, a_min)
    t, lo, hi = promote(a, a_min, a_max)
    return tf.minimum(tf.maximum(t, lo), hi)
