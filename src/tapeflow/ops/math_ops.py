"""Elementwise arithmetic, matmul and reductions: kernel and gradient per op.

Gradients are written with tapeflow ops, so they can be differentiated again.
Broadcasting is undone by ``unbroadcast`` only when shapes differ.
"""
from tapeflow.backend import xp as np  # the array namespace kernels use (DESIGN: backend)

from tapeflow.backend import xp
from tapeflow.framework import dtypes
from tapeflow.framework import primitive as prim
from tapeflow.framework.errors import InvalidArgumentError
from tapeflow.framework.primitive import make_binary, make_unary, primitive
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
        if prim._tapes:
            prim.record(_sum_kernel, (dx,), (s,), {"axis": axes, "keepdims": True})
        dx = s
    out = Tensor(dx._value.reshape(shape))
    if prim._tapes:
        if not _RESHAPE:
            from tapeflow.ops.array_ops import _reshape_kernel
            _RESHAPE.append(_reshape_kernel)
        prim.record(_RESHAPE[0], (dx,), (out,), {"shape": tuple(shape)})
    return out


_RESHAPE = []  # array_ops' Reshape op, fetched on first use (array_ops imports this module)


def _shape(t):
    return t._value.shape


# -- binary arithmetic ------------------------------------------------------------

def _not_allowed(name, dtype, allowed="bfloat16, half, float, double, uint8, uint16, uint32, "
                 "uint64, int8, int16, int32, int64, complex64, complex128"):
    """TensorFlow's error for an op given a dtype its kernel does not take."""
    return InvalidArgumentError(
        None, name, f"Value for attr 'T' of {dtypes.as_dtype(dtype).name} is not in the list "
        f"of allowed values: {allowed} [Op:{name}]")


@primitive("AddV2")
def _add_kernel(x, y):
    out = x + y
    if out.dtype.kind == "b":   # NumPy's bool + is a logical or; TensorFlow refuses
        raise _not_allowed("AddV2", out.dtype)
    return out


@_add_kernel.def_grad
def _add_grad(op, dy):
    """d(x+y) = (dy, dy)."""
    x, y = op.inputs
    return unbroadcast(dy, _shape(x)), unbroadcast(dy, _shape(y))


@primitive("Sub")
def _sub_kernel(x, y):
    return x - y


@_sub_kernel.def_grad
def _sub_grad(op, dy):
    """d(x-y) = (dy, -dy)."""
    x, y = op.inputs
    skip = op.skip_input_indices
    if 1 in skip:
        return unbroadcast(dy, _shape(x)), None
    ny = Tensor(np.negative(dy._value)) if not prim.recording() else negative(dy)
    return (None if 0 in skip else unbroadcast(dy, _shape(x))), unbroadcast(ny, _shape(y))


@primitive("Mul")
def _mul_kernel(x, y):
    out = x * y
    if out.dtype.kind == "b":
        raise _not_allowed("Mul", out.dtype)
    return out


@_mul_kernel.def_grad
def _mul_grad(op, dy):
    """d(x*y) = (dy*y, dy*x)."""
    x, y = op.inputs
    skip = op.skip_input_indices  # inputs no source depends on: their gradient is unused
    return (None if 0 in skip else unbroadcast(multiply(dy, y), _shape(x)),
            None if 1 in skip else unbroadcast(multiply(dy, x), _shape(y)))


@primitive("RealDiv")
def _div_kernel(x, y):
    if x.dtype.kind in "iu":
        # TensorFlow: 8- and 16-bit integers divide in float32, wider ones in float64
        with _quiet():
            if x.dtype.itemsize <= 2:
                return np.true_divide(x, y, dtype=np.float32)
            return np.true_divide(x, y)
    with _quiet():
        return x / y


@_div_kernel.def_grad
def _div_grad(op, dy):
    """d(x/y) = (dy/y, -dy*x/y^2)."""
    x, y = op.inputs
    return (unbroadcast(divide(dy, y), _shape(x)),
            unbroadcast(negative(multiply(dy, divide(divide(x, y), y))), _shape(y)))


def _check_int_zero(y, name):
    if y.dtype.kind in "iu" and not np.all(y):
        raise InvalidArgumentError(None, name, f"Integer division by zero [Op:{name}]")


@primitive("FloorDiv", differentiable=False)
def _floordiv_kernel(x, y):
    _check_int_zero(y, "FloorDiv")
    with _quiet():
        return np.floor_divide(x, y)


@primitive("FloorMod")
def _mod_kernel(x, y):
    _check_int_zero(y, "FloorMod")
    with _quiet():
        return np.mod(x, y)


@_mod_kernel.def_grad
def _mod_grad(op, dy):
    """d(x mod y) = (dy, -dy*floor(x/y))."""
    x, y = op.inputs
    return (unbroadcast(dy, _shape(x)),
            unbroadcast(negative(multiply(dy, floor(divide(x, y)))), _shape(y)))


@primitive("Pow")
def _pow_kernel(x, y):
    if x.dtype.kind in "iu" and np.any(np.asarray(y) < 0):
        raise InvalidArgumentError(None, "Pow",
                                   "Integers to negative integer powers are not allowed")
    with _quiet():
        return np.power(x, y)


@_pow_kernel.def_grad
def _pow_grad(op, dy):
    """d(x^y) = (dy*y*x^(y-1), dy*x^y*log(x)) with log taken as 0 where x <= 0."""
    x, y = op.inputs
    (z,) = op.outputs
    dx = multiply(dy, multiply(y, pow(x, subtract(y, 1))))
    safe_log = where_(greater(x, 0), log(where_(greater(x, 0), x, ones_like_(x))),
                      zeros_like_(x))
    dyy = multiply(dy, multiply(z, safe_log))
    return unbroadcast(dx, _shape(x)), unbroadcast(dyy, _shape(y))


@primitive("Maximum")
def _maximum_kernel(x, y):
    return np.maximum(x, y)


@_maximum_kernel.def_grad
def _maximum_grad(op, dy):
    """The whole gradient goes to x where x >= y (ties go to the first argument)."""
    x, y = op.inputs
    mask = greater_equal(x, y)
    zeros = zeros_like_(dy)
    return (unbroadcast(where_(mask, dy, zeros), _shape(x)),
            unbroadcast(where_(mask, zeros, dy), _shape(y)))


@primitive("Minimum")
def _minimum_kernel(x, y):
    return np.minimum(x, y)


@_minimum_kernel.def_grad
def _minimum_grad(op, dy):
    """The whole gradient goes to x where x <= y (ties go to the first argument)."""
    x, y = op.inputs
    mask = less_equal(x, y)
    zeros = zeros_like_(dy)
    return (unbroadcast(where_(mask, dy, zeros), _shape(x)),
            unbroadcast(where_(mask, zeros, dy), _shape(y)))


@primitive("SquaredDifference")
def _sqdiff_kernel(x, y):
    d = x - y
    return d * d


@_sqdiff_kernel.def_grad
def _sqdiff_grad(op, dy):
    """d((x-y)^2) = (2 dy (x-y), -2 dy (x-y))."""
    x, y = op.inputs
    g = multiply(dy, multiply(subtract(x, y), 2))
    return unbroadcast(g, _shape(x)), unbroadcast(negative(g), _shape(y))


add = make_binary(_add_kernel)
subtract = make_binary(_sub_kernel)
multiply = make_binary(_mul_kernel)
_realdiv = make_binary(_div_kernel)
floordiv = make_binary(_floordiv_kernel)
floormod = make_binary(_mod_kernel)
mod = floormod
pow = make_binary(_pow_kernel)  # noqa: A001  (TensorFlow's name)
maximum = make_binary(_maximum_kernel)
minimum = make_binary(_minimum_kernel)
squared_difference = make_binary(_sqdiff_kernel)


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

def _cmp(name, fn):
    op = primitive(name, differentiable=False)(fn)
    return make_binary(op)


equal = _cmp("Equal", lambda x, y: np.equal(x, y))
not_equal = _cmp("NotEqual", lambda x, y: np.not_equal(x, y))
less = _cmp("Less", lambda x, y: np.less(x, y))
less_equal = _cmp("LessEqual", lambda x, y: np.less_equal(x, y))
greater = _cmp("Greater", lambda x, y: np.greater(x, y))
greater_equal = _cmp("GreaterEqual", lambda x, y: np.greater_equal(x, y))


def _bool_only(name, fn):
    def kernel(x, y):
        if x.dtype != np.bool_:
            raise InvalidArgumentError(None, name, f"{name} expects bool inputs, got "
                                       f"{dtypes.as_dtype(x.dtype).name}")
        return fn(x, y)
    return make_binary(primitive(name, differentiable=False)(kernel))


logical_and = _bool_only("LogicalAnd", np.logical_and)
logical_or = _bool_only("LogicalOr", np.logical_or)
logical_xor = _bool_only("LogicalXor", np.logical_xor)


@primitive("LogicalNot", differentiable=False)
def _logical_not_kernel(x):
    if x.dtype != np.bool_:
        raise InvalidArgumentError(None, "LogicalNot", "LogicalNot expects a bool input")
    return np.logical_not(x)


logical_not = make_unary(_logical_not_kernel)


# -- where (used by many gradients) ------------------------------------------------

@primitive("SelectV2")
def _select_kernel(c, x, y):
    return np.where(c, x, y)


@_select_kernel.def_grad
def _select_grad(op, dy):
    """Routes dy to x where the condition holds and to y elsewhere."""
    c, x, y = op.inputs
    zeros = zeros_like_(dy)
    return (None, unbroadcast(where_(c, dy, zeros), _shape(x)),
            unbroadcast(where_(c, zeros, dy), _shape(y)))


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

def _unary(name, kernel, grad=None, quiet=False, float_only=False):
    if quiet or float_only:
        inner = kernel

        def kernel(x):  # noqa: F811
            if float_only and x.dtype.kind not in "fc":
                raise InvalidArgumentError(
                    None, name, f"Value for attr 'T' of {dtypes.as_dtype(x.dtype).name} is not "
                    f"in the list of allowed values: bfloat16, half, float, double, complex64, "
                    f"complex128 [Op:{name}]")
            with _quiet():
                return inner(x)
    op = primitive(name, differentiable=grad is not None)(kernel)
    if grad is not None:
        op.def_grad(grad)
    return make_unary(op)


def _neg_kernel(x):
    if x.dtype.kind in "ub":
        raise _not_allowed("Neg", x.dtype, "bfloat16, half, float, double, int8, int16, int32, "
                           "int64, complex64, complex128")
    return np.negative(x)


negative = _unary("Neg", _neg_kernel, lambda op, dy: negative(dy))
neg = negative


def _abs_grad(op, dy):
    """d|x| = dy*sign(x) (0 at 0)."""
    return multiply(dy, sign(op.inputs[0]))


abs = _unary("Abs", np.abs, _abs_grad)  # noqa: A001
sign = _unary("Sign", np.sign, lambda op, dy: zeros_like_(dy))


def _square_grad(op, dy):
    """d(x^2) = 2 x dy."""
    if not prim.recording():  # first order only: one NumPy temporary instead of two ops
        g = dy._value * op.inputs[0]._value
        g *= 2
        return Tensor(g)
    return multiply(dy, multiply(op.inputs[0], 2))


square = _unary("Square", np.square, _square_grad)


def _sqrt_grad(op, dy):
    """d sqrt(x) = dy / (2 sqrt(x))."""
    return divide(dy, multiply(op.outputs[0], 2))


sqrt = _unary("Sqrt", np.sqrt, _sqrt_grad, float_only=True)


def _rsqrt_grad(op, dy):
    """d x^-1/2 = -dy y^3 / 2."""
    y = op.outputs[0]
    return multiply(dy, multiply(multiply(y, multiply(y, y)), -0.5))


rsqrt = _unary("Rsqrt", lambda x: 1 / np.sqrt(x), _rsqrt_grad, float_only=True)


def _exp_grad(op, dy):
    """d e^x = dy e^x."""
    return multiply(dy, op.outputs[0])


exp = _unary("Exp", np.exp, _exp_grad, float_only=True)


def _log_grad(op, dy):
    """d log x = dy / x."""
    return divide(dy, op.inputs[0])


log = _unary("Log", np.log, _log_grad, float_only=True)


def _log1p_grad(op, dy):
    """d log(1+x) = dy / (1+x)."""
    return divide(dy, add(op.inputs[0], 1))


log1p = _unary("Log1p", np.log1p, _log1p_grad, float_only=True)


def _expm1_grad(op, dy):
    """d (e^x - 1) = dy e^x."""
    return multiply(dy, exp(op.inputs[0]))


expm1 = _unary("Expm1", np.expm1, _expm1_grad, float_only=True)


def _reciprocal_grad(op, dy):
    """d (1/x) = -dy / x^2."""
    y = op.outputs[0]
    return negative(multiply(dy, multiply(y, y)))


reciprocal = _unary("Reciprocal", lambda x: 1 / x, _reciprocal_grad, float_only=True)


def _sin_grad(op, dy):
    """d sin x = dy cos x."""
    return multiply(dy, cos(op.inputs[0]))


def _cos_grad(op, dy):
    """d cos x = -dy sin x."""
    return negative(multiply(dy, sin(op.inputs[0])))


sin = _unary("Sin", np.sin, _sin_grad, float_only=True)
cos = _unary("Cos", np.cos, _cos_grad, float_only=True)


def _tanh_grad(op, dy):
    """d tanh x = dy (1 - y^2)."""
    y = op.outputs[0]
    return multiply(dy, subtract(1, multiply(y, y)))


tanh = _unary("Tanh", np.tanh, _tanh_grad, float_only=True)


def _sigmoid_kernel(x):
    return (0.5 * (np.tanh(0.5 * x) + 1)).astype(x.dtype, copy=False)


def _sigmoid_grad(op, dy):
    """d sigmoid x = dy y (1 - y)."""
    y = op.outputs[0]
    return multiply(dy, multiply(y, subtract(1, y)))


sigmoid = _unary("Sigmoid", _sigmoid_kernel, _sigmoid_grad, float_only=True)


def _floor_like(name, fn, floats_only=True):
    def kernel(x):
        if floats_only and x.dtype.kind != "f":
            raise _not_allowed(name, x.dtype, "bfloat16, half, float, double")
        return fn(x)
    return _unary(name, kernel, None)


floor = _floor_like("Floor", np.floor)
ceil = _floor_like("Ceil", np.ceil)
# half to even, like TensorFlow; ints pass through
round = _floor_like("Round", np.round, floats_only=False)  # noqa: A001


def _cast_kernel(x, dtype):
    if (x.dtype.kind == "O") != (dtype.kind == "O"):
        from tapeflow.framework.errors import UnimplementedError
        raise UnimplementedError(
            None, "Cast", f"Cast {dtypes.as_dtype(x.dtype).name} to "
            f"{dtypes.as_dtype(dtype).name} is not supported [Op:Cast]")
    if x.dtype.kind in "fc" and dtype.kind in "iu":
        with _quiet():
            return np.trunc(x).astype(dtype)
    return np.asarray(x).astype(dtype, copy=False) if x.dtype != dtype else x


_cast_op = primitive("Cast")(_cast_kernel)


@_cast_op.def_grad
def _cast_grad(op, dy):
    """The gradient is cast back to the input dtype (float to float only)."""
    x = op.inputs[0]
    if x._value.dtype.kind not in "fc":
        return None
    return cast(dy, x.dtype)


def cast(x, dtype, name=None):
    """Returns ``x`` converted to ``dtype`` (floats truncate toward zero; ints wrap).

    >>> cast(constant(300), uint8).numpy()
    np.uint8(44)
    """
    dtype = dtypes.as_dtype(dtype)
    if type(x) is not Tensor:
        from tapeflow.framework.indexed_slices import IndexedSlices
        if isinstance(x, IndexedSlices):
            return IndexedSlices(cast(x.values, dtype), x.indices, x.dense_shape)
        x = convert_to_tensor(x)
    if x._value.dtype == dtype._np:
        return x
    return _cast_op(x, dtype=dtype._np)


def saturate_cast(value, dtype, name=None):
    """Returns ``value`` cast to ``dtype``, clamped first to the range ``dtype`` can hold.

    The limits are taken in the input's dtype, rounded toward zero where that dtype cannot
    hold them exactly (float32 to int32 clamps at 2147483520, as TensorFlow). Complex inputs
    keep their real part for a real ``dtype``. Differentiable through the clamp (zero
    gradient where a value was clamped).

    >>> saturate_cast(constant([300, -5]), uint8).numpy()
    array([255,   0], dtype=uint8)

    Raises:
      TypeError: for a bool input or ``dtype`` (they have no range), as TensorFlow.
    """
    x = value if type(value) is Tensor else convert_to_tensor(value)
    dtype = dtypes.as_dtype(dtype)
    if x.dtype.is_complex and not dtype.is_complex:
        from tapeflow.ops.special_math_ops import real
        x = real(x)
    src = x.dtype
    if src is dtype or src.is_complex:
        return cast(x, dtype)
    lo, hi = max(src.min, dtype.min), min(src.max, dtype.max)
    t = src._np.type
    if lo > src.min:
        lim = t(lo)
        if src.is_floating and float(lim) < float(lo):
            lim = np.nextafter(lim, t(0))
        x = maximum(x, Tensor(np.asarray(lim, src._np)))
    if hi < src.max:
        lim = t(hi)
        if src.is_floating and float(lim) > float(hi):
            lim = np.nextafter(lim, t(0))
        x = minimum(x, Tensor(np.asarray(lim, src._np)))
    return cast(x, dtype)


# -- matmul ------------------------------------------------------------------------------

@primitive("BatchMatMulV2")
def _matmul_kernel(a, b, transpose_a=False, transpose_b=False):
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


@_matmul_kernel.def_grad
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


def matmul(a, b, transpose_a=False, transpose_b=False, adjoint_a=False, adjoint_b=False,
           a_is_sparse=False, b_is_sparse=False, output_type=None, name=None):
    """Returns the matrix product ``a @ b`` (batched over leading dims).

    Raises:
      InvalidArgumentError: if the inner dimensions or the dtypes differ.
    """
    if type(a) is not Tensor or type(b) is not Tensor or a._value.dtype != b._value.dtype:
        a, b = prim.binary_inputs("MatMul", a, b)
    ta = transpose_a or adjoint_a
    tb = transpose_b or adjoint_b
    attrs = {"transpose_a": True, "transpose_b": tb} if ta else (
        {"transpose_a": False, "transpose_b": True} if tb else _NO_T)
    av, bv = a._value, b._value
    a2 = (av.T if ta else av) if av.ndim == 2 else None  # the common 2-D case, transposed
    b2 = (bv.T if tb else bv) if bv.ndim == 2 else None  # as views (BLAS takes them as is)
    if a2 is not None and b2 is not None and a2.shape[1] == b2.shape[0]:
        out = Tensor(a2 @ b2)
    else:
        try:
            out = Tensor(_matmul_kernel.forward(av, bv, **attrs))
        except InvalidArgumentError:
            raise
        except (ValueError, TypeError) as e:
            raise prim.kernel_error(_matmul_kernel, [av, bv], e) from None
    if prim._tapes:
        prim.record(_matmul_kernel, (a, b), (out,), attrs)
    return out


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


# The reductions live in reduction_ops; re-exported here for the modules that import them
# from math_ops. Imported last because reduction_ops builds on the ops above.
from tapeflow.ops.reduction_ops import (  # noqa: E402,F401
    _expand_reduced, _mean_kernel, _norm_axis, _sum_kernel, reduce_mean, reduce_sum)


__all__ = [
    "saturate_cast",
    "add", "subtract", "multiply", "divide", "truediv", "realdiv", "floordiv", "floor_div",
    "floormod", "mod", "pow", "maximum", "minimum", "squared_difference", "divide_no_nan",
    "equal", "not_equal", "less", "less_equal", "greater", "greater_equal", "logical_and",
    "logical_or", "logical_xor", "logical_not", "negative", "neg", "abs", "sign", "square",
    "sqrt", "rsqrt", "exp", "log", "log1p", "expm1", "reciprocal", "sin", "cos", "tanh",
    "sigmoid", "floor", "ceil", "round", "cast", "matmul", "reduce_sum", "reduce_mean",
]
# l2_normalize is tf.math.l2_normalize / tf.linalg.l2_normalize / tf.nn.l2_normalize only
