"""Reductions (sum, mean, max, min, prod, logsumexp, variance ...), arg-reductions and
cumulative sums and products: kernel and gradient per op.

``math_ops`` re-exports ``reduce_sum`` and ``reduce_mean``, which many gradients use.
"""
import math

from tapeflow.backend import xp as np  # the array namespace kernels use (DESIGN: backend)

from tapeflow.framework import dtypes
from tapeflow.framework import primitive as prim
from tapeflow.framework.errors import InvalidArgumentError
from tapeflow.framework.op_def import (
    ANY, REDUCE_NUMBER, REDUCE_REAL, defop, exported, reduction_axes)
from tapeflow.framework.tensor import Tensor, convert_to_tensor
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

def _norm_axis(axis, ndim, op_name="Sum"):
    """``axis`` as a tuple of axes in ``[0, ndim)`` (None stays None), with TensorFlow's
    checks (see ``op_def.reduction_axes``)."""
    if axis is None:
        return None
    return reduction_axes(axis, ndim, op_name)


_add_reduce = np.add.reduce  # np.sum minus its Python wrapper


def _sum(x, axis, keepdims):
    """The sum in the input's dtype (integers wrap, as in TensorFlow)."""
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


def _sum_grad(op, dy):
    """Broadcasts dy back over the reduced axes."""
    return _spread(dy, op.inputs[0]._value.shape, op.attrs["axis"], op.attrs["keepdims"])


reduce_sum = defop("Sum", _sum, _sum_grad, kind="reduce", dtypes=REDUCE_NUMBER,
                   export="reduce_sum",
                   test=dict(ref=np.sum))
reduce_sum.__doc__ = "Returns the sum over ``axis`` (all axes when None)."
_sum_kernel = reduce_sum.op_def.op


def _count(shape, axis):
    n = 1
    for a in axis:
        n *= shape[a]
    return n


def _mean(x, axis, keepdims):
    """The mean; integers give the truncated integer mean, float16 sums in float32."""
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


def _mean_grad(op, dy):
    """dy broadcast back, divided by the number of reduced elements."""
    shape = op.inputs[0]._value.shape
    axis = op.attrs["axis"]
    n = max(math.prod(shape) if axis is None else _count(shape, axis), 1)
    return _spread(dy, shape, axis, op.attrs["keepdims"], n)


reduce_mean = defop("Mean", _mean, _mean_grad, kind="reduce", dtypes=REDUCE_NUMBER,
                    export="reduce_mean",
                    test=dict(ref=np.mean))
reduce_mean.__doc__ = "Returns the mean over ``axis`` (integer inputs give a truncated " \
    "integer mean)."
_mean_kernel = reduce_mean.op_def.op


# -- max / min ------------------------------------------------------------------------------

def _lowest(dt, largest):
    if dt.kind == "f":
        return -np.inf if largest else np.inf
    if dt.kind == "b":
        return not largest
    info = np.iinfo(dt)
    return info.min if largest else info.max


def _minmax_kernel(fn, largest):
    def kernel(x, axis, keepdims):
        if x.size == 0:  # an empty reduction gives the identity (-inf for max), as in TF
            return fn(x, axis=axis, keepdims=keepdims, initial=_lowest(x.dtype, largest))
        return fn(x, axis=axis, keepdims=keepdims)
    return kernel


def _minmax_grad(op, dy):
    """dy goes to the elements equal to the result, split evenly among ties."""
    x = op.inputs[0]
    shape = x._value.shape
    axis, keepdims = op.attrs["axis"], op.attrs["keepdims"]
    y = _expand_reduced(op.outputs[0], shape, axis, keepdims)
    picked = cast(equal(y, x), x.dtype)
    count = reduce_sum(picked, axis=axis, keepdims=True)
    return multiply(divide(picked, count), _expand_reduced(dy, shape, axis, keepdims))


reduce_max = defop("Max", _minmax_kernel(np.maximum.reduce, True), _minmax_grad, kind="reduce",
                   dtypes=REDUCE_REAL, export="reduce_max",
                   test=dict(ref=np.max, domain="distinct"))
reduce_max.__doc__ = "Returns the maximum over ``axis`` (all axes when None); ``-inf`` for " \
    "empty floats. The gradient is split evenly among tied maxima."
reduce_min = defop("Min", _minmax_kernel(np.minimum.reduce, False), _minmax_grad,
                   kind="reduce", dtypes=REDUCE_REAL, export="reduce_min",
                   test=dict(ref=np.min, domain="distinct"))
reduce_min.__doc__ = "Returns the minimum over ``axis`` (all axes when None); ``inf`` for " \
    "empty floats."
_max_op, _min_op = reduce_max.op_def.op, reduce_min.op_def.op


def _reduce(op, input_tensor, axis, keepdims):
    x = _t(input_tensor)
    return op(x, axis=_norm_axis(axis, x._value.ndim, op.op_def.name), keepdims=bool(keepdims))


# -- prod ---------------------------------------------------------------------------------------

def _prod(x, axis, keepdims):
    return np.prod(x, axis=axis, keepdims=keepdims, dtype=x.dtype)


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


reduce_prod = defop("Prod", _prod, _prod_grad, kind="reduce", dtypes=REDUCE_NUMBER,
                    export="reduce_prod",
                    test=dict(ref=np.prod, domain="nonzero"))
reduce_prod.__doc__ = "Returns the product over ``axis`` (all axes when None)."
_prod_op = reduce_prod.op_def.op


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
    kind = x._value.dtype.kind
    if kind in "bOSU":    # TensorFlow's first op here, Mean, refuses them
        raise reduce_mean.op_def.dtype_error(x._value.dtype)
    if kind not in "fc":
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
    dev = subtract(x, mean)
    if x._value.dtype.kind == "c":   # |x - mean|^2: a real variance, as in TensorFlow
        from tapeflow.ops.math_ops import abs as _abs
        dev = _abs(dev)
    return reduce_mean(square(dev), axis=axis, keepdims=keepdims)


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
    # not differentiable (no rule); the kernel refuses a non-bool input with TensorFlow's words
    return defop(name, kernel, dtypes=ANY, kind="call")


_any_op = _logical_reduce("Any", np.any)
_all_op = _logical_reduce("All", np.all)


def _bool_input(x):
    # a Python or NumPy value is converted to bool (TypeError for numbers, as TensorFlow)
    return x if isinstance(x, Tensor) else convert_to_tensor(x, dtypes.bool)


def reduce_any(input_tensor, axis=None, keepdims=False, name=None):
    """Returns the logical or over ``axis`` of a bool tensor."""
    if type(input_tensor) is not Tensor and hasattr(type(input_tensor), "__tf_dispatch__"):
        return input_tensor.__tf_dispatch__(reduce_any, (input_tensor,),
                                            {"axis": axis, "keepdims": keepdims})
    return _reduce(_any_op, _bool_input(input_tensor), axis, keepdims)


def reduce_all(input_tensor, axis=None, keepdims=False, name=None):
    """Returns the logical and over ``axis`` of a bool tensor."""
    if type(input_tensor) is not Tensor and hasattr(type(input_tensor), "__tf_dispatch__"):
        return input_tensor.__tf_dispatch__(reduce_all, (input_tensor,),
                                            {"axis": axis, "keepdims": keepdims})
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
        if x.dtype.kind == "f":   # TensorFlow's kernels skip NaN (unless all are NaN)
            nan = np.isnan(x)
            if nan.any():
                x = np.where(nan, -np.inf if fn is np.argmax else np.inf, x)
        return np.asarray(fn(x, axis=axis)).astype(output_type)[()]
    return kernel


_argmax = defop("ArgMax", _arg_kernel(np.argmax, "ArgMax"), kind="arg",
                dtypes=REDUCE_REAL + ("bool",))
argmin = defop("ArgMin", _arg_kernel(np.argmin, "ArgMin"), kind="arg",
               dtypes=REDUCE_REAL + ("bool",), export="argmin")
argmin.__doc__ = ("Returns the index of the smallest value along ``axis`` (0 when None), "
                  "int64 by default.")
_argmax_op, _argmin_op = _argmax.op_def.op, argmin.op_def.op


def argmax(input, axis=None, output_type=dtypes.int64, name=None):  # noqa: A002
    """Returns the index of the largest value along ``axis`` (0 when None), int64 by default.

    Ties give the first index; NaN is skipped, as in TensorFlow.
    """
    if axis is not None and type(axis) is not int and not isinstance(axis, bool):
        # TensorFlow's Python wrapper accepts only a Python int or an integer Tensor here
        if not isinstance(axis, Tensor):
            if isinstance(axis, np.generic):
                raise TypeError(f"axis tensor dtypes {axis.dtype} is not supported")
            raise TypeError("axis must be int or Tensor with integer datatype")
        if axis.dtype not in (dtypes.int32, dtypes.int64):
            raise TypeError(f"axis tensor dtypes {axis.dtype!r} is not supported")
    return _argmax(input, axis, output_type)


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


def _cumsum_grad(op, dy):
    """The cumulative sum of dy in the opposite direction."""
    a = op.attrs
    return cumsum(dy, axis=a["axis"], exclusive=a["exclusive"], reverse=not a["reverse"])


def _cumprod_grad(op, dy):
    """cumsum(y dy, reversed) / x (as in TensorFlow, exact only where x has no zeros)."""
    a = op.attrs
    x, y = op.inputs[0], op.outputs[0]
    s = cumsum(multiply(y, dy), axis=a["axis"], exclusive=a["exclusive"],
               reverse=not a["reverse"])
    return divide_no_nan(s, x)


cumsum = defop("Cumsum", _cum_kernel(np.cumsum, 0), _cumsum_grad, kind="scan", quiet=True,
               dtypes=REDUCE_NUMBER, export="cumsum")
cumsum.__doc__ = """Returns the cumulative sum along ``axis`` (``exclusive`` skips the element
    itself).

    >>> cumsum(constant([1, 2, 3]), exclusive=True).numpy()
    array([0, 1, 3], dtype=int32)
    """
cumprod = defop("Cumprod", _cum_kernel(np.cumprod, 1), _cumprod_grad, kind="scan", quiet=True,
                dtypes=REDUCE_NUMBER)
cumprod.__doc__ = "Returns the cumulative product along ``axis``."
_cumsum_op, _cumprod_op = cumsum.op_def.op, cumprod.op_def.op


__all__ = exported(globals()) + ["reduce_logsumexp", "reduce_any", "reduce_all", "argmax"]
