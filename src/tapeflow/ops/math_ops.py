"""Elementwise arithmetic (and, re-exported, matmul, casts and reductions).

Gradients are written with tapeflow ops, so they can be differentiated again.
Broadcasting is undone by ``unbroadcast`` only when shapes differ.
"""
import operator
import sys

from tapeflow.backend import xp as np  # the array namespace kernels use (DESIGN: backend)

from tapeflow.backend import xp
from tapeflow.framework import dtypes
from tapeflow.framework import primitive as prim
from tapeflow.framework.errors import InvalidArgumentError
from tapeflow.framework.op_def import (
    ANY, ARITH, COMPARE, COMPLEX, FLOAT, FLOAT_COMPLEX, INT, NUMBER, REAL, SIGNED, UINT, OpDef,
    defop, exported)
from tapeflow.framework.tensor import Tensor, convert_to_tensor


def _quiet():
    """An errstate that keeps NumPy from warning where TensorFlow returns inf/nan silently."""
    return xp.errstate(all="ignore")


# -- the broadcasting helper ------------------------------------------------------

def unbroadcast(dx, shape):
    """Sums ``dx`` over the axes that broadcasting added or stretched to reach ``shape``.

    Returns:
      ``dx`` unchanged when its shape already equals ``shape``.
    """
    if dx is None:
        return None
    v = dx._value
    dshape = v.shape
    if dshape == shape:
        return dx
    # Records Sum and Reshape directly: this runs in every broadcasting gradient.
    lead = len(dshape) - len(shape)
    axes = tuple(range(lead)) + tuple(
        i + lead for i, n in enumerate(shape) if n == 1 and dshape[i + lead] != 1)
    if axes:
        s = Tensor(np.add.reduce(v, axis=axes, keepdims=True))
        if prim.ACTIVE:
            prim.record(_sum_kernel, (dx,), (s,), {"axis": axes, "keepdims": True})
        dx = s
    out = Tensor(dx._value.reshape(shape))
    if prim.ACTIVE:
        if not _RESHAPE:
            from tapeflow.ops.array_ops import _reshape_kernel
            _RESHAPE.append(_reshape_kernel)
        prim.record(_RESHAPE[0], (dx,), (out,), {"shape": tuple(shape)})
    return out


_RESHAPE = []  # array_ops' Reshape op, fetched on first use (array_ops imports this module)


def _shape(t):
    return t._value.shape


# -- binary arithmetic ------------------------------------------------------------
# Each op is one ``defop`` declaration (framework/op_def.py, docs/engine.md): TensorFlow's
# name, the NumPy kernel, the gradient rule, the dtypes TensorFlow registers it for. Rules
# return gradients of the broadcast shape: the engine sums them back to each input's shape.
# Kernels use Python's operators where they can: on 0-d values (NumPy scalars) they take
# NumPy's scalar fast path, where a ufunc call costs about 1 us more.

def _not_allowed(name, dtype, allowed="bfloat16, half, float, double, uint8, uint16, uint32, "
                 "uint64, int8, int16, int32, int64, complex64, complex128"):
    """TensorFlow's error for an op given a dtype its kernel does not take."""
    return InvalidArgumentError(
        None, name, f"Value for attr 'T' of {dtypes.as_dtype(dtype).name} is not in the list "
        f"of allowed values: {allowed} [Op:{name}]")


def _string_add(x, y):
    """``tf.add`` of strings is TensorFlow's ``Add`` op (concatenation)."""
    if x._value.dtype.kind not in "OSU":
        return NotImplemented
    return _string_add_op(x, y)


def _concat_strings(a, b):
    """Elementwise bytes concatenation; 0-d operands would give a bare ``bytes``."""
    return np.asarray(a + b, dtype=object)


_string_add_op = defop("Add", _concat_strings, dtypes=("string",), kind="binary")


def _add_grad(op, dy):
    """d(x+y) = (dy, dy)."""
    return dy, dy


add = defop("AddV2", operator.add, _add_grad, kind="binary", fallback=_string_add, export="add",
            dtypes=FLOAT + UINT + INT + COMPLEX)


def _sub_grad(op, dy):
    """d(x-y) = (dy, -dy)."""
    if 1 in op.skip_input_indices:
        return dy, None
    return dy, (Tensor(np.negative(dy._value)) if not prim.recording() else negative(dy))


subtract = defop("Sub", operator.sub, _sub_grad, kind="binary", dtypes=ARITH, export="subtract")


def _mul_grad(op, dy):
    """d(x*y) = (dy*y, dy*x)."""
    x, y = op.inputs
    skip = op.skip_input_indices  # inputs no source depends on: their gradient is unused
    return (None if 0 in skip else multiply(dy, y), None if 1 in skip else multiply(dy, x))


multiply = defop("Mul", operator.mul, _mul_grad, kind="binary", dtypes=ARITH, export="multiply")


def _div_kernel_fn(x, y):
    if x.dtype.kind in "iu":
        # TensorFlow's truediv: 8- and 16-bit integers divide in float32, wider in float64
        return np.true_divide(x, y, dtype=np.float32 if x.dtype.itemsize <= 2 else None)
    return x / y


def _int_divide(x, y):
    """Integer operands: TensorFlow's ``truediv`` casts them to a float type first."""
    if x._value.dtype.kind not in "iu":
        raise TypeError(
            f"Invalid dtype tf.{x.dtype.name} in __truediv__. Expected one of {{tf.uint8, "
            f"tf.int8, tf.uint16, tf.int16, tf.uint32, tf.int32, tf.uint64, tf.int64, "
            f"tf.bfloat16, tf.float16, tf.float32, tf.float64, tf.complex64, tf.complex128}}.")
    return _realdiv_ints(x, y)


def _div_grad(op, dy):
    """d(x/y) = (dy/y, -dy*x/y^2)."""
    x, y = op.inputs
    return divide(dy, y), negative(multiply(dy, divide(divide(x, y), y)))


_realdiv = defop("RealDiv", _div_kernel_fn, _div_grad, kind="binary", quiet=True,
                 dtypes=ARITH, kernels=FLOAT_COMPLEX, fallback=_int_divide)
_realdiv_ints = defop("TrueDivInts", _div_kernel_fn, kind="binary", quiet=True,
                      dtypes=INT + UINT)


def _check_int_zero(y, name):
    if y.dtype.kind in "iu" and not np.all(y):
        raise InvalidArgumentError(None, name, f"Integer division by zero [Op:{name}]")


def _floordiv_kernel_fn(x, y):
    _check_int_zero(y, "FloorDiv")
    if x.dtype.kind == "f":   # floor(x / y): inf // 2 is inf, as in TensorFlow
        return np.floor(np.true_divide(x, y))
    return np.floor_divide(x, y)


floordiv = defop("FloorDiv", _floordiv_kernel_fn, kind="binary", quiet=True, dtypes=ARITH,
                 kernels=FLOAT + INT + UINT, export="floordiv")


def _mod_kernel_fn(x, y):
    _check_int_zero(y, "FloorMod")
    return np.mod(x, y)


def _mod_grad(op, dy):
    """d(x mod y) = (dy, -dy*floor(x/y))."""
    x, y = op.inputs
    return dy, negative(multiply(dy, floor(divide(x, y))))


floormod = defop("FloorMod", _mod_kernel_fn, _mod_grad, kind="binary", quiet=True,
                 dtypes=INT + UINT + FLOAT, export="floormod",
                 test=dict(ref=np.mod, domain=("frac", "gt1")))


def _pow_kernel_fn(x, y):
    if x.dtype.kind in "iu" and np.any(np.asarray(y) < 0):
        raise InvalidArgumentError(None, "Pow",
                                   "Integers to negative integer powers are not allowed")
    return np.power(x, y)


def _pow_grad(op, dy):
    """d(x^y) = (dy*y*x^(y-1), dy*x^y*log(x)) with log taken as 0 where x <= 0."""
    x, y = op.inputs
    (z,) = op.outputs
    dx = multiply(dy, multiply(y, pow(x, subtract(y, 1))))
    safe_log = where_(greater(x, 0), log(where_(greater(x, 0), x, ones_like_(x))),
                      zeros_like_(x))
    return dx, multiply(dy, multiply(z, safe_log))


pow = defop("Pow", _pow_kernel_fn, _pow_grad, kind="binary", quiet=True,  # noqa: A001
            dtypes=("bfloat16", "float", "half", "double") + INT + COMPLEX, export="pow",
            test=dict(ref=np.power, domain=("pos", "any")))


def _maximum_grad(op, dy):
    """The whole gradient goes to x where x >= y (ties go to the first argument)."""
    x, y = op.inputs
    mask = greater_equal(x, y)
    zeros = zeros_like_(dy)
    return where_(mask, dy, zeros), where_(mask, zeros, dy)


def _minimum_grad(op, dy):
    """The whole gradient goes to x where x <= y (ties go to the first argument)."""
    x, y = op.inputs
    mask = less_equal(x, y)
    zeros = zeros_like_(dy)
    return where_(mask, dy, zeros), where_(mask, zeros, dy)


maximum = defop("Maximum", np.maximum, _maximum_grad, kind="binary", dtypes=REAL,
                export="maximum",
                test=dict(ref=np.maximum))
minimum = defop("Minimum", np.minimum, _minimum_grad, kind="binary", dtypes=REAL,
                export="minimum",
                test=dict(ref=np.minimum, shapes=[(2, 1), (1, 3)]))


def _sqdiff_kernel_fn(x, y):
    d = x - y
    return d * np.conj(d) if d.dtype.kind == "c" else d * d


def _sqdiff_grad(op, dy):
    """d((x-y)^2) = (2 dy (x-y), -2 dy (x-y))."""
    x, y = op.inputs
    g = multiply(dy, multiply(subtract(x, y), 2))
    return g, negative(g)


squared_difference = defop("SquaredDifference", _sqdiff_kernel_fn, _sqdiff_grad,
                           kind="binary", quiet=True, export="squared_difference",
                           dtypes=FLOAT + ("int32", "int64") + COMPLEX,
                           test=dict(ref=lambda x, y: (x - y) ** 2))

# The primitives, by the names other modules use for them.
_add_kernel, _sub_kernel, _mul_kernel = add.op_def.op, subtract.op_def.op, multiply.op_def.op
_div_kernel, _floordiv_kernel, _mod_kernel = (
    _realdiv.op_def.op, floordiv.op_def.op, floormod.op_def.op)
_pow_kernel, _sqdiff_kernel = pow.op_def.op, squared_difference.op_def.op
_maximum_kernel, _minimum_kernel = maximum.op_def.op, minimum.op_def.op
mod = floormod


def divide(x, y, name=None):
    """Returns ``x / y`` elementwise.

    Integer inputs give float64 (float32 for 8- and 16-bit integers), as in TensorFlow.

    Raises:
      TypeError: if ``x`` and ``y`` have different dtypes (a Python operand takes the
        other's dtype when it can).
    """
    try:
        return _realdiv(x, y)
    except (TypeError, InvalidArgumentError):
        xd = x.dtype if hasattr(x, "dtype") else convert_to_tensor(x).dtype
        try:
            yd = convert_to_tensor(y, dtype_hint=xd).dtype
        except (TypeError, ValueError):
            raise TypeError(f"Cannot convert {y!r} to EagerTensor of dtype {xd.name}") from None
        if yd != xd:
            raise TypeError(f"`x` and `y` must have the same dtype, got {xd!r} != {yd!r}.") \
                from None
        raise


truediv = divide
realdiv = divide
floor_div = floordiv


def divide_no_nan(x, y, name=None):
    """Returns ``x / y``, with 0 where ``y`` is 0."""
    x, y = _bin(x, y)
    safe = where_(equal(y, 0), ones_like_(y), y)
    return where_(equal(y, 0), zeros_like_(divide(x, safe)), divide(x, safe))


def _bin(x, y):
    from tapeflow.framework.primitive import binary_inputs
    return binary_inputs("Op", x, y)


# -- comparisons and logic (no gradient) -------------------------------------------

equal = defop("Equal", np.equal, kind="binary", dtypes=ANY, export="equal")
not_equal = defop("NotEqual", np.not_equal, kind="binary", dtypes=ANY, export="not_equal")
less = defop("Less", np.less, kind="binary", dtypes=COMPARE, export="less")
less_equal = defop("LessEqual", np.less_equal, kind="binary", dtypes=COMPARE,
                   export="less_equal")
greater = defop("Greater", np.greater, kind="binary", dtypes=COMPARE, export="greater")
greater_equal = defop("GreaterEqual", np.greater_equal, kind="binary", dtypes=COMPARE,
                      export="greater_equal")
logical_and = defop("LogicalAnd", np.logical_and, kind="binary", dtypes=("bool",),
                    fixed=True, export="logical_and")
logical_or = defop("LogicalOr", np.logical_or, kind="binary", dtypes=("bool",), fixed=True,
                   export="logical_or")
logical_not = defop("LogicalNot", np.logical_not, dtypes=("bool",), fixed=True,
                    export="logical_not")
_logical_not_kernel = logical_not.op_def.op


def logical_xor(x, y, name="LogicalXor"):
    """Returns ``x XOR y`` for bool tensors: ``(x | y) & ~(x & y)``, as TensorFlow builds it."""
    return logical_and(logical_or(x, y), logical_not(logical_and(x, y)))


# -- where (used by many gradients) ------------------------------------------------

def _select_np(c, x, y):
    """Returns ``x`` where ``c`` holds and ``y`` elsewhere (all three broadcast)."""
    return np.where(c, x, y)


def _select_grad(op, dy):
    """Routes dy to x where the condition holds and to y elsewhere."""
    c, x, y = op.inputs
    zeros = zeros_like_(dy)
    return (None, unbroadcast(where_(c, dy, zeros), _shape(x)),
            unbroadcast(where_(c, zeros, dy), _shape(y)))


# ``op(condition, x, y)``; ``typed=1``: TensorFlow's ``T`` is x's (and y's) dtype
_select_kernel = defop("SelectV2", _select_np, _select_grad, dtypes=ANY, kind="call", typed=1)


def where_(condition, x, y):
    """``tf.where(condition, x, y)`` for Tensors of matching dtype (internal fast form)."""
    return _select_kernel(condition, x, y)


def zeros_like_(t):
    """Returns zeros of ``t``'s shape and dtype (internal, no conversion)."""
    return Tensor(np.zeros_like(t._value))


def ones_like_(t):
    """Returns ones of ``t``'s shape and dtype (internal, no conversion)."""
    return Tensor(np.ones_like(t._value))


# -- unary ops -----------------------------------------------------------------------

def _unary(name, kernel, grad=None, *, dtypes=FLOAT_COMPLEX, quiet=True, **kw):
    """Declares an elementwise one-input op exported as ``tf.<snake name>`` (see defop)."""
    kw.setdefault("module", sys._getframe(1).f_globals["__name__"])
    return defop(name, kernel, grad, dtypes=dtypes, quiet=quiet, **kw)


negative = _unary("Neg", np.negative, lambda op, dy: negative(dy), dtypes=SIGNED,
                  quiet=False, export="negative",
                  test=dict(ref=np.negative))
neg = negative


def _abs_grad(op, dy):
    """d|x| = dy*sign(x) (0 at 0)."""
    return multiply(dy, sign(op.inputs[0]))


def _complex_abs(x):
    """``tf.abs`` of a complex tensor is TensorFlow's ``ComplexAbs`` (a real result)."""
    return _complex_abs_op(x) if x._value.dtype.kind == "c" else NotImplemented


_complex_abs_op = _unary("ComplexAbs", np.abs, dtypes=COMPLEX, quiet=False)
abs = _unary("Abs", np.abs, _abs_grad, dtypes=FLOAT + INT, quiet=False,  # noqa: A001
             fallback=_complex_abs, export="abs",
             test=dict(ref=np.abs, domain="nonzero"))
sign = _unary("Sign", np.sign, lambda op, dy: zeros_like_(dy), dtypes=SIGNED, quiet=False,
              export="sign",
              test=dict(ref=np.sign, domain="nonzero"))


def _square_grad(op, dy):
    """d(x^2) = 2 x dy."""
    if not prim.recording():  # first order only: one NumPy temporary instead of two ops
        g = dy._value * op.inputs[0]._value
        g *= 2
        return Tensor(g)
    return multiply(dy, multiply(op.inputs[0], 2))


square = _unary("Square", np.square, _square_grad, dtypes=NUMBER, quiet=False,
                export="square",
                test=dict(ref=np.square))


def _sqrt_grad(op, dy):
    """d sqrt(x) = dy / (2 sqrt(x))."""
    return divide(dy, multiply(op.outputs[0], 2))


sqrt = _unary("Sqrt", np.sqrt, _sqrt_grad, export="sqrt",
              test=dict(ref=np.sqrt, domain="pos"))


def _rsqrt_grad(op, dy):
    """d x^-1/2 = -dy y^3 / 2."""
    y = op.outputs[0]
    return multiply(dy, multiply(multiply(y, multiply(y, y)), -0.5))


def _rsqrt_kernel(x):
    return np.reciprocal(np.sqrt(x))


rsqrt = _unary("Rsqrt", _rsqrt_kernel, _rsqrt_grad, export="rsqrt",
               test=dict(ref=lambda x: 1 / np.sqrt(x), domain="pos"))


def _exp_grad(op, dy):
    """d e^x = dy e^x."""
    return multiply(dy, op.outputs[0])


exp = _unary("Exp", np.exp, _exp_grad, export="exp",
             test=dict(ref=np.exp))


def _log_grad(op, dy):
    """d log x = dy / x."""
    return divide(dy, op.inputs[0])


log = _unary("Log", np.log, _log_grad, export="log",
             test=dict(ref=np.log, domain="pos"))


def _log1p_grad(op, dy):
    """d log(1+x) = dy / (1+x)."""
    return divide(dy, add(op.inputs[0], 1))


log1p = _unary("Log1p", np.log1p, _log1p_grad, export="log1p",
               test=dict(ref=np.log1p, domain="pos"))


def _expm1_grad(op, dy):
    """d (e^x - 1) = dy e^x."""
    return multiply(dy, exp(op.inputs[0]))


expm1 = _unary("Expm1", np.expm1, _expm1_grad, export="expm1",
               test=dict(ref=np.expm1))


def _reciprocal_grad(op, dy):
    """d (1/x) = -dy / x^2."""
    y = op.outputs[0]
    return negative(multiply(dy, multiply(y, y)))


reciprocal = _unary("Reciprocal", np.reciprocal, _reciprocal_grad, dtypes=SIGNED,
                    kernels=FLOAT_COMPLEX, export="reciprocal",
                    test=dict(ref=lambda x: 1 / x, domain="nonzero"))


def _sin_grad(op, dy):
    """d sin x = dy cos x."""
    return multiply(dy, cos(op.inputs[0]))


def _cos_grad(op, dy):
    """d cos x = -dy sin x."""
    return negative(multiply(dy, sin(op.inputs[0])))


sin = _unary("Sin", np.sin, _sin_grad, export="sin",
             test=dict(ref=np.sin))
cos = _unary("Cos", np.cos, _cos_grad, export="cos",
             test=dict(ref=np.cos))


def _tanh_grad(op, dy):
    """d tanh x = dy (1 - y^2)."""
    y = op.outputs[0]
    return multiply(dy, subtract(1, multiply(y, y)))


tanh = _unary("Tanh", np.tanh, _tanh_grad, export="tanh",
              test=dict(ref=np.tanh))


def _sigmoid_kernel(x):
    half = x.dtype.type(0.5)
    return half * (np.tanh(half * x) + x.dtype.type(1))


def _sigmoid_grad(op, dy):
    """d sigmoid x = dy y (1 - y)."""
    y = op.outputs[0]
    return multiply(dy, multiply(y, subtract(1, y)))


sigmoid = _unary("Sigmoid", _sigmoid_kernel, _sigmoid_grad, export="sigmoid",
                 test=dict(ref=lambda x: 1 / (1 + np.exp(-x))))
floor = _unary("Floor", np.floor, dtypes=FLOAT, quiet=False, export="floor")
ceil = _unary("Ceil", np.ceil, dtypes=FLOAT, quiet=False, export="ceil")


def _round_ints(x):
    """``tf.round`` returns an integer tensor unchanged (TensorFlow's Python layer)."""
    return x if x._value.dtype.kind in "iu" else NotImplemented


# half to even, like TensorFlow
round = _unary("Round", np.round, dtypes=SIGNED, kernels=FLOAT,  # noqa: A001
               quiet=False, fallback=_round_ints, export="round")


def l2_normalize(x, axis=None, epsilon=1e-12, name=None, dim=None):
    """Returns ``x / sqrt(max(sum(x ** 2, axis), epsilon))`` (``dim`` is the old name of ``axis``).

    >>> l2_normalize(constant([3.0, 4.0])).numpy()
    array([0.6, 0.8], dtype=float32)
    """
    if axis is None:
        axis = dim
    x = x if type(x) is Tensor else convert_to_tensor(x)
    sq = reduce_sum(square(x), axis=axis, keepdims=True)
    return multiply(x, rsqrt(maximum(sq, epsilon)))


# tf.matmul lives in matmul_ops; re-exported here for the modules that import it from here.
from tapeflow.ops.matmul_ops import _matmul_kernel, matmul  # noqa: E402,F401

# Casts live in cast_ops; re-exported here for the modules that import them from math_ops.
from tapeflow.ops.cast_ops import cast, saturate_cast  # noqa: E402,F401

# The reductions live in reduction_ops; re-exported here for the modules that import them
# from math_ops. Imported last because reduction_ops builds on the ops above.
from tapeflow.ops.reduction_ops import (  # noqa: E402,F401
    _expand_reduced, _mean_kernel, _norm_axis, _sum_kernel, reduce_mean, reduce_sum)


__all__ = exported(globals()) + [
    "divide", "truediv", "realdiv", "floor_div", "mod", "divide_no_nan", "logical_xor", "neg",
    "cast", "matmul", "reduce_sum", "reduce_mean", "saturate_cast"]
# l2_normalize is tf.math.l2_normalize / tf.linalg.l2_normalize / tf.nn.l2_normalize only
