"""``keras.ops`` elementwise functions: arithmetic, comparisons, logic, float maths.

Each promotes its operands with Keras 3's rules (``promotion.result_type``) and runs the
matching ``tf.*`` op, which carries the gradient. The common case, Tensors of one dtype, goes
straight to the ``tf.*`` op; a KerasTensor operand builds an op layer instead.
"""
import math as _math

import numpy as np

import tapeflow as tf
from tapeflow.framework.errors import InvalidArgumentError
from tapeflow.framework.tensor import Tensor
from tapeflow.keras import backend
from tapeflow.keras.keras_tensor import KerasTensor
from tapeflow.keras.ops.operation import symbolic_op
from tapeflow.keras.ops.promotion import dtype_of, is_float, result_type, to_tensor

_PY = (int, float, bool)


def _binary(name, tf_fn, doc, weak=True):
    """A binary op on Keras's promoted dtype."""
    kind = dtype_of if weak else _strong

    def op(x1, x2):
        if type(x1) is Tensor and type(x2) is Tensor:
            try:
                return tf_fn(x1, x2)   # one dtype: TensorFlow's op as is
            except InvalidArgumentError:
                if x1.dtype is x2.dtype:
                    raise
        if type(x1) is KerasTensor or type(x2) is KerasTensor:
            return symbolic_op(name, (x1, x2), {})
        d = result_type(kind(x1), kind(x2))
        if d == "bool" and name in ("mod", "fmod"):
            d = "int32"
        return tf_fn(to_tensor(x1, d), to_tensor(x2, d))
    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"Returns {doc}, elementwise, in the operands' promoted dtype."
    return op


def _strong(x):
    """The dtype of an operand with Python scalars converted first (int32 / floatx), as
    Keras converts the operands of these ops before promoting."""
    t = type(x)
    if t is float:
        return backend.floatx()
    if t is int:
        return "int32"
    return dtype_of(x)


def _binary_float(name, tf_fn, doc, weak=False, int64_to_float64=False):
    """A binary op whose result is a float (integers promote to ``floatx()``); Python scalars
    are weak (take the other operand's float dtype) only where Keras makes them so."""
    kind = dtype_of if weak else _strong

    def op(x1, x2):
        if type(x1) is Tensor and type(x2) is Tensor:
            d = x1.dtype
            if d is x2.dtype and d.is_floating:
                return tf_fn(x1, x2)
        if type(x1) is KerasTensor or type(x2) is KerasTensor:
            return symbolic_op(name, (x1, x2), {})
        d = result_type(kind(x1), kind(x2))
        if not is_float(d):
            d = "float64" if int64_to_float64 and d == "int64" else backend.floatx()
        return tf_fn(to_tensor(x1, d), to_tensor(x2, d))
    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"Returns {doc}, elementwise, as floats."
    return op


def _compare(name, tf_fn, doc):
    """A comparison: operands promoted, a bool result."""
    def op(x1, x2):
        if type(x1) is Tensor and type(x2) is Tensor and x1.dtype is x2.dtype:
            return tf_fn(x1, x2)
        if type(x1) is KerasTensor or type(x2) is KerasTensor:
            return symbolic_op(name, (x1, x2), {})
        d = result_type(dtype_of(x1), dtype_of(x2))
        return tf_fn(to_tensor(x1, d), to_tensor(x2, d))
    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"Returns {doc}, elementwise, as a bool tensor."
    return op


def _unary_float(name, tf_fn, doc, int64_to_float64=False):
    """A unary op computed in float: integer and bool inputs become ``floatx()`` (int64
    becomes float64 where Keras says so)."""
    def op(x):
        if type(x) is Tensor and x.dtype.is_floating:
            return tf_fn(x)
        if type(x) is KerasTensor:
            return symbolic_op(name, (x,), {})
        d = dtype_of(x)
        if int64_to_float64 and d == "int64":
            d = "float64"
        d = d if isinstance(d, str) and is_float(d) else backend.floatx()
        return tf_fn(to_tensor(x, d))
    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"Returns {doc}, elementwise (a float tensor)."
    return op


def _unary(name, tf_fn, doc):
    """A unary op that keeps the input's dtype."""
    def op(x):
        if type(x) is Tensor:
            return tf_fn(x)
        if type(x) is KerasTensor:
            return symbolic_op(name, (x,), {})
        return tf_fn(to_tensor(x))
    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"Returns {doc}, elementwise, in the input's dtype."
    return op


def _numpy_unary(name, np_fn, doc, out=None):
    """A non-differentiable unary op computed by NumPy (predicates, bit operations)."""
    def op(x):
        if type(x) is KerasTensor:
            return symbolic_op(name, (x,), {})
        a = to_tensor(x).numpy()
        r = np.asarray(np_fn(a))
        return Tensor(r.astype(out) if out else r)
    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"Returns {doc}, elementwise (not differentiable)."
    return op


def _numpy_binary(name, np_fn, doc, out=None, weak=False):
    """A non-differentiable binary op computed by NumPy on the promoted operands."""
    kind = dtype_of if weak else _strong

    def op(x1, x2):
        if type(x1) is KerasTensor or type(x2) is KerasTensor:
            return symbolic_op(name, (x1, x2), {})
        d = result_type(kind(x1), kind(x2))
        a, b = to_tensor(x1, d).numpy(), to_tensor(x2, d).numpy()
        r = np.asarray(np_fn(a, b))
        return Tensor(r.astype(out or d))
    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"Returns {doc}, elementwise (not differentiable)."
    return op


# -- arithmetic -------------------------------------------------------------------------

add = _binary("add", tf.add, "x1 + x2")
subtract = _binary("subtract", tf.subtract, "x1 - x2")
multiply = _binary("multiply", tf.multiply, "x1 * x2")
maximum = _binary("maximum", tf.maximum, "the larger of x1 and x2")
minimum = _binary("minimum", tf.minimum, "the smaller of x1 and x2")
floor_divide = _binary("floor_divide", tf.math.floordiv, "x1 // x2")
mod = _binary("mod", tf.math.floormod, "x1 mod x2 (the sign of x2)", weak=False)
divide = _binary_float("divide", tf.divide, "x1 / x2", weak=True)
true_divide = _binary_float("true_divide", tf.divide, "x1 / x2", weak=True)
divide_no_nan = _binary_float("divide_no_nan", tf.math.divide_no_nan,
                              "x1 / x2, 0 where x2 is 0", weak=True)
arctan2 = _binary_float("arctan2", tf.math.atan2, "the angle of the point (x2, x1)")


def _power(x1, x2):
    d = x1.dtype
    if d.is_unsigned or d.is_bool:  # TensorFlow's Pow has no unsigned kernel: go through int64
        return tf.cast(tf.pow(tf.cast(x1, "int64"), tf.cast(x2, "int64")), d)
    return tf.pow(x1, x2)


power = _binary("power", _power, "x1 ** x2")


def _hypot(x1, x2):
    return tf.sqrt(x1 * x1 + x2 * x2)


hypot = _binary_float("hypot", _hypot, "sqrt(x1**2 + x2**2)", int64_to_float64=True)


def _logaddexp(x1, x2):
    m = tf.maximum(x1, x2)
    m = tf.stop_gradient(tf.where(tf.math.is_finite(m), m, tf.zeros_like(m)))
    return m + tf.math.log(tf.exp(x1 - m) + tf.exp(x2 - m))


logaddexp = _binary_float("logaddexp", _logaddexp, "log(exp(x1) + exp(x2))")


def _logaddexp2(x1, x2):
    ln2 = np.asarray(_math.log(2.0), x1.dtype.as_numpy_dtype)
    return _logaddexp(x1 * ln2, x2 * ln2) / ln2


logaddexp2 = _binary_float("logaddexp2", _logaddexp2, "log2(2**x1 + 2**x2)")


def _fmod(x1, x2):
    if not x1.dtype.is_floating:
        return tf.math.truncatemod(x1, x2)
    q = tf.stop_gradient(x1 / x2)   # the truncated quotient is piecewise constant
    q = tf.where(q < 0, tf.math.ceil(q), tf.floor(q))
    return x1 - x2 * q


fmod = _binary("fmod", _fmod, "x1 mod x2 with the sign of x1", weak=False)


def _fmax(x1, x2):
    if not x1.dtype.is_floating:
        return tf.maximum(x1, x2)
    return tf.where(tf.math.is_nan(x1), x2, tf.where(tf.math.is_nan(x2), x1,
                                                    tf.maximum(x1, x2)))


def _fmin(x1, x2):
    if not x1.dtype.is_floating:
        return tf.minimum(x1, x2)
    return tf.where(tf.math.is_nan(x1), x2, tf.where(tf.math.is_nan(x2), x1,
                                                    tf.minimum(x1, x2)))


fmax = _binary("fmax", _fmax, "the larger of x1 and x2, ignoring NaN")
fmin = _binary("fmin", _fmin, "the smaller of x1 and x2, ignoring NaN")


def _heaviside(x1, x2):
    one, zero = tf.ones_like(x1), tf.zeros_like(x1)
    return tf.where(x1 < zero, zero, tf.where(x1 > zero, one, x2 + zero))


heaviside = _binary_float("heaviside", _heaviside, "the Heaviside step of x1 (x2 where x1 == 0)")
nextafter = _numpy_binary("nextafter", np.nextafter, "the next float after x1 towards x2")
gcd = _numpy_binary("gcd", np.gcd, "the greatest common divisor")
lcm = _numpy_binary("lcm", np.lcm, "the least common multiple")
bitwise_and = _numpy_binary("bitwise_and", np.bitwise_and, "x1 & x2")
bitwise_or = _numpy_binary("bitwise_or", np.bitwise_or, "x1 | x2")
bitwise_xor = _numpy_binary("bitwise_xor", np.bitwise_xor, "x1 ^ x2")
bitwise_left_shift = _numpy_binary("bitwise_left_shift", np.left_shift, "x1 << x2", weak=True)
bitwise_right_shift = _numpy_binary("bitwise_right_shift", np.right_shift, "x1 >> x2", weak=True)
left_shift = _numpy_binary("left_shift", np.left_shift, "x1 << x2", weak=True)
right_shift = _numpy_binary("right_shift", np.right_shift, "x1 >> x2", weak=True)
bitwise_invert = _numpy_unary("bitwise_invert", np.invert, "~x")
bitwise_not = _numpy_unary("bitwise_not", np.invert, "~x")


def ldexp(x1, x2):
    """Returns x1 * 2**x2, elementwise (x2 integer)."""
    if type(x1) is KerasTensor or type(x2) is KerasTensor:
        return symbolic_op("ldexp", (x1, x2), {})
    d = result_type(dtype_of(x1), float)
    x2 = to_tensor(x2)
    if x2.dtype.is_floating:
        raise TypeError(f"ldexp exponent must be an integer type. Received: x2={x2.dtype.name}")
    return tf.multiply(to_tensor(x1, d), tf.pow(tf.constant(2.0, d), tf.cast(x2, d)))


# -- comparisons and logic ----------------------------------------------------------------

equal = _compare("equal", tf.equal, "x1 == x2")
not_equal = _compare("not_equal", tf.not_equal, "x1 != x2")
greater = _compare("greater", tf.greater, "x1 > x2")
greater_equal = _compare("greater_equal", tf.greater_equal, "x1 >= x2")
less = _compare("less", tf.less, "x1 < x2")
less_equal = _compare("less_equal", tf.less_equal, "x1 <= x2")


def _logical(name, tf_fn):
    def op(x1, x2):
        if type(x1) is KerasTensor or type(x2) is KerasTensor:
            return symbolic_op(name, (x1, x2), {})
        return tf_fn(_as_bool(x1), _as_bool(x2))
    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"Returns the {name.split('_')[1]} of the operands' truth values (bool)."
    return op


def _as_bool(x):
    x = to_tensor(x)
    return x if x.dtype.is_bool else tf.not_equal(x, tf.zeros_like(x))


logical_and = _logical("logical_and", tf.logical_and)
logical_or = _logical("logical_or", tf.logical_or)
logical_xor = _logical("logical_xor", tf.math.logical_xor)


def logical_not(x):
    """Returns the negation of x's truth values (bool)."""
    if type(x) is KerasTensor:
        return symbolic_op("logical_not", (x,), {})
    return tf.logical_not(_as_bool(x))


isnan = _numpy_unary("isnan", np.isnan, "whether x is NaN")
isinf = _numpy_unary("isinf", np.isinf, "whether x is infinite")
isfinite = _numpy_unary("isfinite", np.isfinite, "whether x is finite")
isneginf = _numpy_unary("isneginf", lambda a: np.isneginf(a) if a.dtype.kind in "fc"
                        else np.zeros(a.shape, bool), "whether x is -inf")
isposinf = _numpy_unary("isposinf", lambda a: np.isposinf(a) if a.dtype.kind in "fc"
                        else np.zeros(a.shape, bool), "whether x is +inf")
isreal = _numpy_unary("isreal", np.isreal, "whether x has no imaginary part")
signbit = _numpy_unary("signbit", np.signbit, "whether x's sign bit is set")


def isclose(x1, x2, rtol=1e-5, atol=1e-8, equal_nan=False):
    """Returns whether x1 and x2 are equal within tolerance, elementwise (bool)."""
    if type(x1) is KerasTensor or type(x2) is KerasTensor:
        return symbolic_op("isclose", (x1, x2), {"rtol": rtol, "atol": atol,
                                                 "equal_nan": equal_nan})
    d = result_type(dtype_of(x1), dtype_of(x2))
    return Tensor(np.isclose(to_tensor(x1, d).numpy(), to_tensor(x2, d).numpy(), rtol, atol,
                             equal_nan))


def allclose(x1, x2, rtol=1e-5, atol=1e-8, equal_nan=False):
    """Returns whether all of x1 and x2 are equal within tolerance (a bool scalar)."""
    if type(x1) is KerasTensor or type(x2) is KerasTensor:
        return symbolic_op("allclose", (x1, x2), {"rtol": rtol, "atol": atol,
                                                  "equal_nan": equal_nan})
    return Tensor(np.asarray(bool(np.all(isclose(x1, x2, rtol, atol, equal_nan).numpy()))))


# -- unary maths ----------------------------------------------------------------------------

exp = _unary_float("exp", tf.exp, "e**x")
expm1 = _unary_float("expm1", tf.math.expm1, "e**x - 1")
log = _unary_float("log", tf.math.log, "the natural logarithm")
log1p = _unary_float("log1p", tf.math.log1p, "log(1 + x)")
sqrt = _unary_float("sqrt", tf.sqrt, "the square root")
sin = _unary_float("sin", tf.sin, "the sine")
cos = _unary_float("cos", tf.cos, "the cosine")
tan = _unary_float("tan", tf.tan, "the tangent")
sinh = _unary_float("sinh", tf.sinh, "the hyperbolic sine")
cosh = _unary_float("cosh", tf.cosh, "the hyperbolic cosine")
tanh = _unary_float("tanh", tf.tanh, "the hyperbolic tangent")
arcsin = _unary_float("arcsin", tf.asin, "the inverse sine")
arccos = _unary_float("arccos", tf.acos, "the inverse cosine")
arctan = _unary_float("arctan", tf.atan, "the inverse tangent")
arcsinh = _unary_float("arcsinh", tf.asinh, "the inverse hyperbolic sine")
arccosh = _unary_float("arccosh", tf.acosh, "the inverse hyperbolic cosine")
arctanh = _unary_float("arctanh", tf.atanh, "the inverse hyperbolic tangent")
reciprocal = _unary_float("reciprocal", tf.math.reciprocal, "1 / x")


def _scaled(fn, factor):
    def run(x):
        return fn(x) * np.asarray(factor, x.dtype.as_numpy_dtype)
    return run


log2 = _unary_float("log2", _scaled(tf.math.log, 1 / _math.log(2.0)), "the base-2 logarithm")
log10 = _unary_float("log10", _scaled(tf.math.log, 1 / _math.log(10.0)),
                     "the base-10 logarithm")


def _exp2(x):
    return tf.exp(x * np.asarray(_math.log(2.0), x.dtype.as_numpy_dtype))


exp2 = _unary_float("exp2", _exp2, "2**x")
deg2rad = _unary_float("deg2rad", lambda x: x * np.asarray(np.pi / 180, x.dtype.as_numpy_dtype),
                       "x converted from degrees to radians", int64_to_float64=True)
rad2deg = _unary_float("rad2deg", lambda x: x * np.asarray(180 / np.pi, x.dtype.as_numpy_dtype),
                       "x converted from radians to degrees", int64_to_float64=True)


def _cbrt(x):
    return tf.sign(x) * tf.pow(tf.abs(x), np.asarray(1 / 3, x.dtype.as_numpy_dtype))


cbrt = _unary_float("cbrt", _cbrt, "the cube root", int64_to_float64=True)


def _sinc(x):
    pix = x * np.asarray(np.pi, x.dtype.as_numpy_dtype)
    zero = tf.equal(x, tf.zeros_like(x))
    safe = tf.where(zero, tf.ones_like(pix), pix)
    return tf.where(zero, tf.ones_like(x), tf.sin(safe) / safe)


sinc = _unary_float("sinc", _sinc, "sin(pi x) / (pi x)")
i0 = _numpy_unary("i0", lambda a: np.i0(a if a.dtype.kind == "f" else
                                        a.astype(backend.floatx())),
                  "the modified Bessel function of order 0")

def _abs(x):
    d = x.dtype
    return x if d.is_unsigned or d.is_bool else tf.abs(x)  # already non-negative


def _sign(x):
    d = x.dtype
    if d.is_unsigned or d.is_bool:
        return tf.cast(tf.not_equal(x, tf.zeros_like(x)), d)
    return tf.sign(x)


abs = _unary("abs", _abs, "the absolute value")  # noqa: A001 (Keras's name)
absolute = _unary("absolute", _abs, "the absolute value")
negative = _unary("negative", tf.negative, "-x")
square = _unary("square", lambda x: tf.square(tf.cast(x, "int32") if x.dtype.is_bool else x),
                "x * x")
sign = _unary("sign", _sign, "the sign (-1, 0 or 1)")


def fabs(x):
    """Returns the absolute value, elementwise, as floats."""
    return abs(_to_float(x)) if type(x) is not KerasTensor else symbolic_op("fabs", (x,), {})


def _to_float(x):
    x = to_tensor(x)
    return x if x.dtype.is_floating else tf.cast(x, backend.floatx())


def _rounding(name, tf_fn, doc):
    def op(x):
        if type(x) is KerasTensor:
            return symbolic_op(name, (x,), {})
        x = to_tensor(x)
        if not x.dtype.is_floating:
            x = tf.cast(x, backend.floatx())
        return tf_fn(x)
    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"Returns {doc}, elementwise (a float tensor)."
    return op


floor = _rounding("floor", tf.floor, "the largest integer <= x")
ceil = _rounding("ceil", tf.math.ceil, "the smallest integer >= x")


def trunc(x):
    """Returns x rounded towards zero, elementwise, in x's dtype."""
    if type(x) is KerasTensor:
        return symbolic_op("trunc", (x,), {})
    x = to_tensor(x)
    if not x.dtype.is_floating:
        return x
    return tf.where(x < 0, tf.math.ceil(x), tf.floor(x))


def round(x, decimals=0):  # noqa: A001 (Keras's name)
    """Returns x rounded half to even at ``decimals`` decimal places, in x's dtype."""
    if type(x) is KerasTensor:
        return symbolic_op("round", (x,), {"decimals": decimals})
    x = to_tensor(x)
    if not x.dtype.is_floating:
        if decimals >= 0:
            return x
        f = 10 ** -decimals
        return tf.cast(tf.round(tf.cast(x, "float32") / f) * f, x.dtype)
    if decimals == 0:
        return tf.round(x)
    f = np.asarray(10.0 ** decimals, x.dtype.as_numpy_dtype)
    return tf.round(x * f) / f


def clip(x, x_min, x_max):
    """Returns x limited to [x_min, x_max], elementwise (bool inputs become int32)."""
    if type(x) is KerasTensor:
        return symbolic_op("clip", (x, x_min, x_max), {})
    x = to_tensor(x)
    if x.dtype.is_bool:
        x = tf.cast(x, "int32")
    d = x.dtype.name
    return tf.clip_by_value(x, to_tensor(x_min, d), to_tensor(x_max, d))


def nan_to_num(x, nan=0.0, posinf=None, neginf=None):
    """Returns x with NaN, +inf and -inf replaced by finite numbers."""
    if type(x) is KerasTensor:
        return symbolic_op("nan_to_num", (x,), {"nan": nan, "posinf": posinf,
                                                "neginf": neginf})
    x = to_tensor(x)
    if not x.dtype.is_floating:
        return x
    info = np.finfo(x.dtype.as_numpy_dtype)
    npd = x.dtype.as_numpy_dtype
    x = tf.where(tf.math.is_nan(x), tf.fill(tf.shape(x), npd(nan)), x)
    big = tf.fill(tf.shape(x), npd(info.max if posinf is None else posinf))
    small = tf.fill(tf.shape(x), npd(info.min if neginf is None else neginf))
    inf = tf.math.is_inf(x)
    return tf.where(inf & (x > 0), big, tf.where(inf & (x < 0), small, x))


def real(x):
    """Returns the real part (x itself for a real tensor)."""
    return to_tensor(x) if type(x) is not KerasTensor else symbolic_op("real", (x,), {})


def imag(x):
    """Returns the imaginary part (zeros for a real tensor)."""
    if type(x) is KerasTensor:
        return symbolic_op("imag", (x,), {})
    x = to_tensor(x)
    return tf.math.imag(x) if x.dtype.is_complex else tf.zeros_like(x)


def conjugate(x):
    """Returns the complex conjugate (x itself for a real tensor)."""
    if type(x) is KerasTensor:
        return symbolic_op("conjugate", (x,), {})
    x = to_tensor(x)
    return tf.math.conj(x) if x.dtype.is_complex else x


def conj(x):
    """Returns the complex conjugate (x itself for a real tensor)."""
    return conjugate(x) if type(x) is not KerasTensor else symbolic_op("conj", (x,), {})


def angle(x):
    """Returns the angle of each complex number (0 or pi for reals), as floats."""
    if type(x) is KerasTensor:
        return symbolic_op("angle", (x,), {})
    x = _to_float(x)
    return tf.where(x < 0, tf.fill(tf.shape(x), x.dtype.as_numpy_dtype(np.pi)),
                    tf.zeros_like(x))
