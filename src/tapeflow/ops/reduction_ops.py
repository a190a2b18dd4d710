"""Reductions (sum, mean, max, min, prod, logsumexp, variance ...), arg-reductions and
cumulative sums and products: kernel and gradient per op.

``math_ops`` re-exports ``reduce_sum`` and ``reduce_mean``, which many gradients use.
"""
import math

from tapeflow.backend import xp as np  # the array namespace kernels use (DESIGN: backend)

from tapeflow.framework import dtypes
from tapeflow.framework import primitive as prim
from tapeflow.framework.errors import InvalidArgumentError
from tapeflow.framework.primitive import primitive
from tapeflow.framework.tensor import Tensor, convert_to_tensor
from tapeflow.framework.graph import func_graph as _func_graph
from tapeflow.ops.math_ops import (
    _quiet, add, cast, divide, divide_no_nan, equal, exp, log, multiply, not_equal, sqrt,
    square, subtract, where_)


def _t(x):
    return x if type(x) is Tensor else convert_to_tensor(x)


def _array_ops():
    from tapeflow.ops import array_ops
    return array_ops


def _not_allowed(op_name, x):
    """TensorFlow's error for a numeric reduction of a bool or string tensor."""
    name = dtypes.as_dtype(x.dtype).name
    return InvalidArgumentError(
        None, op_name, f"Value for attr 'T' of {name} is not in the list of allowed values: "
        f"float, double, int32, uint8, int16, int8, complex64, int64, bfloat16, uint16, "
        f"complex128, half, uint32, uint64 [Op:{op_name}]")


def _dtype_error(op_name, x, allowed):
    return InvalidArgumentError(
        None, op_name, f"cannot compute {op_name} as input #0(zero-based) was expected to be a "
        f"{allowed} tensor but is a {dtypes.as_dtype(x.dtype).name} tensor [Op:{op_name}]")


# -- reductions ---------------------------------------------------------------------------

def _norm_axis(axis, ndim):
    if axis is None:
        return None
    if type(axis) is int and -ndim <= axis < ndim:  # the common case, fast
        return (axis % ndim,)
    if isinstance(axis, Tensor):
        axis = _func_graph.value_of(axis).tolist()
    if isinstance(axis, (list, tuple)):
        axes = tuple(int(a) for a in axis)
    else:
        axes = (int(axis),)
    if len(axes) > 1 and len({a % max(ndim, 1) for a in axes}) < len(axes):
        raise InvalidArgumentError(
            None, "Reduce", f"Invalid reduction arguments: Axes contains duplicate dimension: "
            f"{[a for a in axes if axes.count(a) > 1][0]} [Op:Sum]")
    for a in axes:
        if not -max(ndim, 1) <= a < max(ndim, 1):
            raise InvalidArgumentError(
                None, "Reduce", f"Invalid reduction dimension {a} for input with {ndim} "
                f"dimensions.")
    return tuple(a % ndim for a in axes) if ndim else ()


_add_reduce = np.add.reduce  # np.sum minus its Python wrapper


@primitive("Sum")
def _sum_kernel(x, axis=None, keepdims=False):
    if x.dtype.kind in "bOSU":
        raise _not_allowed("Sum", x)
    return _add_reduce(x, axis=axis, keepdims=keepdims, dtype=x.dtype)


def _expand_reduced(dy, shape, axis, keepdims):
    """Reshapes a reduced gradient back to broadcast against the input's shape."""
    from tapeflow.ops.array_ops import reshape
    if keepdims:
        return dy
    if axis is None:
        return reshape(dy, [1] * len(shape))
    kept = [1 if i in axis else n for i, n in enumerate(shape)]
    return reshape(dy, kept)


def _kept_shape(shape, axis):
    """The reduced shape with the reduced axes kept as size 1."""
    if axis is None:
        return (1,) * len(shape)
    return tuple(1 if i in axis else n for i, n in enumerate(shape))


def _spread(dy, shape, axis, keepdims, n=None):
    """dy (divided by ``n`` if given) broadcast back over the reduced axes of ``shape``."""
    if not prim.recording():
        # No tape records the backward pass: compute it directly (a first-order gradient).
        v = dy._value
        if n is not None:
            v = v / v.dtype.type(n)
        if v.size == 1:  # a full reduction: filling is cheaper than np.broadcast_to
            return Tensor(np.full(shape, v.reshape(()), dtype=v.dtype))
        if not keepdims:
            v = np.reshape(v, _kept_shape(shape, axis))
        return Tensor(np.broadcast_to(v, shape))
    from tapeflow.ops.array_ops import broadcast_to
    if n is not None:
        dy = divide(dy, n)
    return broadcast_to(_expand_reduced(dy, shape, axis, keepdims), shape)


@_sum_kernel.def_grad
def _sum_grad(op, dy):
    """Broadcasts dy back over the reduced axes."""
    return _spread(dy, op.inputs[0]._value.shape, op.attrs["axis"], op.attrs["keepdims"])


def reduce_sum(input_tensor, axis=None, keepdims=False, name=None):
    """Returns the sum over ``axis`` (all axes when None)."""
    x = input_tensor if type(input_tensor) is Tensor else convert_to_tensor(input_tensor)
    v = x._value
    ax = None if axis is None else _norm_axis(axis, v.ndim)
    keepdims = bool(keepdims)
    if v.dtype.kind not in "fiu":
        return _sum_kernel(x, axis=ax, keepdims=keepdims)
    # the hot path: the kernel and the record inline, as in matmul
    out = Tensor(_add_reduce(v, axis=ax, keepdims=keepdims, dtype=v.dtype))
    if prim._tapes:
        prim.record(_sum_kernel, (x,), (out,), {"axis": ax, "keepdims": keepdims})
    return out


def _count(shape, axis):
    n = 1
    for a in axis:
        n *= shape[a]
    return n


@primitive("Mean")
def _mean_kernel(x, axis=None, keepdims=False):
    if x.dtype.kind in "bOSU":
        raise _not_allowed("Mean", x)
    if x.dtype.kind in "iu":
        s = np.sum(x, axis=axis, keepdims=keepdims, dtype=np.int64)
        n = x.size if axis is None else int(np.prod([x.shape[a] for a in axis]))
        if n == 0:
            return np.zeros_like(s, dtype=x.dtype)
        return (np.trunc(s / n)).astype(x.dtype)
    n = x.size if axis is None else _count(x.shape, axis)
    acc = x.dtype.type if x.dtype.itemsize >= 4 else np.float32  # float16 sums in float32
    if n:
        out = _add_reduce(x, axis=axis, keepdims=keepdims, dtype=acc) / acc(n)
    else:
        with _quiet():  # an empty mean is 0/0 = nan, silently
            out = _add_reduce(x, axis=axis, keepdims=keepdims, dtype=acc) / acc(0)
    return out if acc is x.dtype.type else np.asarray(out).astype(x.dtype)[()]


@_mean_kernel.def_grad
def _mean_grad(op, dy):
    """dy broadcast back, divided by the number of reduced elements."""
    shape = op.inputs[0]._value.shape
    axis = op.attrs["axis"]
    n = max(math.prod(shape) if axis is None else _count(shape, axis), 1)
    return _spread(dy, shape, axis, op.attrs["keepdims"], n)


def reduce_mean(input_tensor, axis=None, keepdims=False, name=None):
    """Returns the mean over ``axis`` (integer inputs give a truncated integer mean)."""
    x = input_tensor if type(input_tensor) is Tensor else convert_to_tensor(input_tensor)
    v = x._value
    ax = None if axis is None else _norm_axis(axis, v.ndim)
    keepdims = bool(keepdims)
    if v.dtype.kind != "f" or v.dtype.itemsize < 4 or not v.size:
        return _mean_kernel(x, axis=ax, keepdims=keepdims)
    # the hot path (float32/float64, non-empty): kernel and record inline
    out = Tensor(_mean_kernel.forward(v, ax, keepdims))
    if prim._tapes:
        prim.record(_mean_kernel, (x,), (out,), {"axis": ax, "keepdims": keepdims})
    return out


# -- max / min ------------------------------------------------------------------------------

def _lowest(dt, largest):
    if dt.kind == "f":
        return -np.inf if largest else np.inf
    if dt.kind == "b":
        return not largest
    info = np.iinfo(dt)
    return info.min if largest else info.max


def _minmax_kernel(fn, largest):
    def kernel(x, axis=None, keepdims=False):
        if x.dtype.kind in "bOSU":
            raise _not_allowed("Max" if largest else "Min", x)
        if x.size == 0:  # an empty reduction gives the identity (-inf for max), as in TF
            return fn(x, axis=axis, keepdims=keepdims, initial=_lowest(x.dtype, largest))
        return fn(x, axis=axis, keepdims=keepdims)
    return kernel


_max_op = primitive("Max")(_minmax_kernel(np.maximum.reduce, True))
_min_op = primitive("Min")(_minmax_kernel(np.minimum.reduce, False))


def _minmax_grad(op, dy):
    """dy goes to the elements equal to the result, split evenly among ties."""
    x = op.inputs[0]
    shape = x._value.shape
    axis, keepdims = op.attrs["axis"], op.attrs["keepdims"]
    y = _expand_reduced(op.outputs[0], shape, axis, keepdims)
    picked = cast(equal(y, x), x.dtype)
    count = reduce_sum(picked, axis=axis, keepdims=True)
    return multiply(divide(picked, count), _expand_reduced(dy, shape, axis, keepdims))


_max_op.def_grad(_minmax_grad)
_min_op.def_grad(_minmax_grad)


def _reduce(op, input_tensor, axis, keepdims):
    x = _t(input_tensor)
    return op(x, axis=_norm_axis(axis, x._value.ndim), keepdims=bool(keepdims))


def reduce_max(input_tensor, axis=None, keepdims=False, name=None):
    """Returns the maximum over ``axis`` (all axes when None); ``-inf`` for empty floats.

    The gradient is split evenly among tied maxima.
    """
    return _reduce(_max_op, input_tensor, axis, keepdims)


def reduce_min(input_tensor, axis=None, keepdims=False, name=None):
    """Returns the minimum over ``axis`` (all axes when None); ``inf`` for empty floats."""
    return _reduce(_min_op, input_tensor, axis, keepdims)


# -- prod ---------------------------------------------------------------------------------------

@primitive("Prod")
def _prod_op(x, axis=None, keepdims=False):
    if x.dtype.kind in "bOSU":
        raise _not_allowed("Prod", x)
    return np.prod(x, axis=axis, keepdims=keepdims, dtype=x.dtype)


@_prod_op.def_grad
def _prod_grad(op, dy):
    """dy times the product of the other reduced elements (exact where x has zeros)."""
    A = _array_ops()
    x = op.inputs[0]
    shape = x._value.shape
    nd = len(shape)
    axis, keepdims = op.attrs["axis"], op.attrs["keepdims"]
    dy_full = _expand_reduced(dy, shape, axis, keepdims)
    if nd == 0:
        return dy_full
    red = list(range(nd)) if axis is None else list(axis)
    kept = [i for i in range(nd) if i not in red]
    perm = kept + red
    moved = A.transpose(x, perm)
    rows = int(np.prod([shape[i] for i in kept]))
    flat = A.reshape(moved, [rows, -1])
    # product of the elements before times the product of the elements after each one
    others = multiply(cumprod(flat, axis=1, exclusive=True),
                      cumprod(flat, axis=1, exclusive=True, reverse=True))
    others = A.transpose(A.reshape(others, [shape[i] for i in perm]),
                         np.argsort(perm).tolist())
    return multiply(others, dy_full)


def reduce_prod(input_tensor, axis=None, keepdims=False, name=None):
    """Returns the product over ``axis`` (all axes when None)."""
    return _reduce(_prod_op, input_tensor, axis, keepdims)


# -- composites: logsumexp, variance, std, euclidean norm -------------------------------------

def reduce_logsumexp(input_tensor, axis=None, keepdims=False, name=None):
    """Returns ``log(sum(exp(x), axis))``, computed stably by shifting by the maximum."""
    A = _array_ops()
    x = _t(input_tensor)
    raw_max = reduce_max(x, axis=axis, keepdims=True)
    from tapeflow.ops.special_math_ops import is_finite   # an op: traced by tf.function
    finite = is_finite(raw_max) if raw_max._value.dtype.kind in "fc" else Tensor(
        np.isfinite(raw_max._value))
    shift = A.stop_gradient(where_(finite, raw_max, Tensor(np.zeros_like(raw_max._value))))
    out = add(log(reduce_sum(exp(subtract(x, shift)), axis=axis, keepdims=True)), shift)
    if not keepdims:
        out = reduce_sum(out, axis=axis)  # drops the kept size-1 axes
    return out


def _float_input(name, x):
    if x._value.dtype.kind not in "fc":
        raise TypeError(f"Input must be either real or complex. Received integer type "
                        f"{x.dtype.name}.")


def reduce_variance(input_tensor, axis=None, keepdims=False, name=None):
    """Returns the variance (mean squared deviation) over ``axis``.

    Raises:
      TypeError: for integer inputs.
    """
    x = _t(input_tensor)
    _float_input("reduce_variance", x)
    mean = reduce_mean(x, axis=axis, keepdims=True)
    return reduce_mean(square(subtract(x, mean)), axis=axis, keepdims=keepdims)


def reduce_std(input_tensor, axis=None, keepdims=False, name=None):
    """Returns the standard deviation over ``axis``.

    Raises:
      TypeError: for integer inputs.
    """
    return sqrt(reduce_variance(input_tensor, axis=axis, keepdims=keepdims))


def reduce_euclidean_norm(input_tensor, axis=None, keepdims=False, name=None):
    """Returns ``sqrt(sum(x ** 2, axis))`` (integer inputs give a truncated integer)."""
    x = _t(input_tensor)
    if x._value.dtype.kind in "iu":
        s = reduce_sum(multiply(x, x), axis=axis, keepdims=keepdims)._value
        return Tensor(np.asarray(np.sqrt(s)).astype(x._value.dtype)[()])
    return sqrt(reduce_sum(square(x), axis=axis, keepdims=keepdims))


# -- any / all (no gradient) ----------------------------------------------------------------

def _logical_reduce(name, fn):
    def kernel(x, axis=None, keepdims=False):
        if x.dtype != np.bool_:
            raise _dtype_error(name, x, "bool")
        return fn(x, axis=axis, keepdims=keepdims)
    return primitive(name, differentiable=False)(kernel)


_any_op = _logical_reduce("Any", np.any)
_all_op = _logical_reduce("All", np.all)


def _bool_input(x):
    # a Python or NumPy value is converted to bool (TypeError for numbers, as TensorFlow)
    return x if isinstance(x, Tensor) else convert_to_tensor(x, dtypes.bool)


def reduce_any(input_tensor, axis=None, keepdims=False, name=None):
    """Returns the logical or over ``axis`` of a bool tensor."""
    return _reduce(_any_op, _bool_input(input_tensor), axis, keepdims)


def reduce_all(input_tensor, axis=None, keepdims=False, name=None):
    """Returns the logical and over ``axis`` of a bool tensor."""
    return _reduce(_all_op, _bool_input(input_tensor), axis, keepdims)


def count_nonzero(input, axis=None, keepdims=None, dtype=dtypes.int64, name=None):  # noqa: A002
    """Returns the number of non-zero elements over ``axis``, as int64 by default."""
    x = _t(input)
    nz = not_equal(x, x._value.dtype.type(0))
    return cast(reduce_sum(cast(nz, dtypes.int64), axis=axis, keepdims=bool(keepdims)), dtype)


# -- argmax / argmin (no gradient) -----------------------------------------------------------

def _arg_kernel(fn, name):
    def kernel(x, axis, output_type):
        if x.shape[axis] == 0:
            raise InvalidArgumentError(None, name, f"Reduction axis {axis} is empty in shape "
                                       f"{list(x.shape)} [Op:{name}]")
        return np.asarray(fn(x, axis=axis)).astype(output_type)[()]
    return primitive(name, differentiable=False)(kernel)


_argmax_op = _arg_kernel(np.argmax, "ArgMax")
_argmin_op = _arg_kernel(np.argmin, "ArgMin")


def _arg(op, input, axis, output_type):  # noqa: A002
    x = _t(input)
    nd = x._value.ndim
    axis = 0 if axis is None else int(_func_graph.value_of(_t(axis)))
    if not -nd <= axis < nd:
        raise InvalidArgumentError(None, op.name, f"Expected dimension in the range [{-nd}, "
                                   f"{nd}), but got {axis} [Op:{op.name}]")
    return op(x, axis=axis % nd, output_type=dtypes.as_dtype(output_type)._np)


def argmax(input, axis=None, output_type=dtypes.int64, name=None):  # noqa: A002
    """Returns the index of the largest value along ``axis`` (0 when None), int64 by default.

    Ties give the first index.
    """
    return _arg(_argmax_op, input, axis, output_type)


def argmin(input, axis=None, output_type=dtypes.int64, name=None):  # noqa: A002
    """Returns the index of the smallest value along ``axis`` (0 when None), int64 by default."""
    return _arg(_argmin_op, input, axis, output_type)


# -- cumulative sum / product ---------------------------------------------------------------

def _cum_kernel(fn, identity):
    def kernel(x, axis=0, exclusive=False, reverse=False):
        if reverse:
            x = np.flip(x, axis)
        if exclusive:
            pad = np.full(x.shape[:axis] + (1,) + x.shape[axis + 1:], identity, x.dtype)
            x = np.concatenate([pad, np.delete(x, -1, axis=axis)], axis=axis) \
                if x.shape[axis] else x
        out = fn(x, axis=axis, dtype=x.dtype)
        return np.flip(out, axis) if reverse else out
    return kernel


_cumsum_op = primitive("Cumsum")(_cum_kernel(np.cumsum, 0))
_cumprod_op = primitive("Cumprod")(_cum_kernel(np.cumprod, 1))


@_cumsum_op.def_grad
def _cumsum_grad(op, dy):
    """The cumulative sum of dy in the opposite direction."""
    a = op.attrs
    return cumsum(dy, axis=a["axis"], exclusive=a["exclusive"], reverse=not a["reverse"])


@_cumprod_op.def_grad
def _cumprod_grad(op, dy):
    """cumsum(y dy, reversed) / x (as in TensorFlow, exact only where x has no zeros)."""
    a = op.attrs
    x, y = op.inputs[0], op.outputs[0]
    s = cumsum(multiply(y, dy), axis=a["axis"], exclusive=a["exclusive"],
               reverse=not a["reverse"])
    return divide_no_nan(s, x)


def _cum(op, x, axis, exclusive, reverse):
    x = _t(x)
    nd = x._value.ndim
    axis = int(_func_graph.value_of(_t(axis)))
    if nd == 0 or not -nd <= axis < nd:
        raise InvalidArgumentError(None, op.name, f"{op.name}: axis {axis} is out of range "
                                   f"for input of shape {list(x._value.shape)} [Op:{op.name}]")
    return op(x, axis=axis % nd, exclusive=bool(exclusive), reverse=bool(reverse))


def cumsum(x, axis=0, exclusive=False, reverse=False, name=None):
    """Returns the cumulative sum along ``axis`` (``exclusive`` skips the element itself).

    >>> cumsum(constant([1, 2, 3]), exclusive=True).numpy()
    array([0, 1, 3], dtype=int32)
    """
    return _cum(_cumsum_op, x, axis, exclusive, reverse)


def cumprod(x, axis=0, exclusive=False, reverse=False, name=None):
    """Returns the cumulative product along ``axis``."""
    return _cum(_cumprod_op, x, axis, exclusive, reverse)


__all__ = ["reduce_sum", "reduce_mean", "reduce_max", "reduce_min", "reduce_prod",
           "reduce_logsumexp", "reduce_any", "reduce_all", "argmax", "argmin", "cumsum"]
