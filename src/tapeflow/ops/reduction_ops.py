"""Reductions (max, min, prod, logsumexp, variance ...), arg-reductions, cumulative
sums and products, sorting and top-k: kernel and gradient per op.

``reduce_sum`` and ``reduce_mean`` live in ``math_ops`` (other ops' gradients use them).
"""
from collections import namedtuple

import numpy as np

from tapeflow.framework import dtypes
from tapeflow.framework.errors import InvalidArgumentError
from tapeflow.framework.primitive import primitive
from tapeflow.framework.tensor import Tensor, convert_to_tensor
from tapeflow.ops.math_ops import (
    _expand_reduced, _norm_axis, _quiet, add, cast, divide, divide_no_nan, equal, exp, log,
    multiply, not_equal, reduce_mean, reduce_sum, sqrt, square, subtract, where_)


def _t(x):
    return x if type(x) is Tensor else convert_to_tensor(x)


def _array_ops():
    from tapeflow.ops import array_ops
    return array_ops


def _dtype_error(op_name, x, allowed):
    return InvalidArgumentError(
        None, op_name, f"cannot compute {op_name} as input #0(zero-based) was expected to be a "
        f"{allowed} tensor but is a {dtypes.as_dtype(x.dtype).name} tensor [Op:{op_name}]")


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
        if x.size == 0:  # an empty reduction gives the identity (-inf for max), as in TF
            return fn(x, axis=axis, keepdims=keepdims, initial=_lowest(x.dtype, largest))
        return fn(x, axis=axis, keepdims=keepdims)
    return kernel


_max_op = primitive("Max")(_minmax_kernel(np.max, True))
_min_op = primitive("Min")(_minmax_kernel(np.min, False))


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
    return np.prod(x, axis=axis, keepdims=keepdims, dtype=x.dtype if x.dtype.kind != "b"
                   else np.int64)


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
    finite = Tensor(np.isfinite(raw_max._value))
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


def reduce_any(input_tensor, axis=None, keepdims=False, name=None):
    """Returns the logical or over ``axis`` of a bool tensor."""
    return _reduce(_any_op, input_tensor, axis, keepdims)


def reduce_all(input_tensor, axis=None, keepdims=False, name=None):
    """Returns the logical and over ``axis`` of a bool tensor."""
    return _reduce(_all_op, input_tensor, axis, keepdims)


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
    axis = 0 if axis is None else int(_t(axis)._value)
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
    axis = int(_t(axis)._value)
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


# -- sorting and top-k ----------------------------------------------------------------------
# Values are picked with TakeAlongAxis, whose gradient scatters dy back (indices are
# unique along the axis), so sort and top_k need no gradient rule of their own.

@primitive("TakeAlongAxis")
def _take_op(x, indices, axis):
    return np.take_along_axis(x, indices, axis=axis)


@_take_op.def_grad
def _take_grad(op, dy):
    """Scatters dy back to the positions it was taken from."""
    x, idx = op.inputs
    return _put_op(dy, idx, axis=op.attrs["axis"], shape=x._value.shape), None


@primitive("PutAlongAxis")
def _put_op(values, indices, axis, shape):
    out = np.zeros(shape, values.dtype)
    np.put_along_axis(out, indices, values, axis=axis)
    return out


@_put_op.def_grad
def _put_grad(op, dy):
    """Takes dy back from the positions written."""
    return _take_op(dy, op.inputs[1], axis=op.attrs["axis"]), None


def _sort_key(v, descending):
    if not descending:
        return v
    if v.dtype.kind == "f":
        return -v
    return -v.astype(np.int64)


def _check_direction(direction):
    if direction not in ("ASCENDING", "DESCENDING"):
        raise ValueError(f"`direction` should be one of {{'ASCENDING', 'DESCENDING'}}. "
                         f"Received: direction={direction}")
    return direction == "DESCENDING"


def _argsort_np(v, axis, descending):
    return np.argsort(_sort_key(v, descending), axis=axis, kind="stable")


def argsort(values, axis=-1, direction="ASCENDING", stable=False, name=None):
    """Returns the int32 indices that sort ``values`` along ``axis`` (ties keep their order)."""
    descending = _check_direction(direction)
    x = _t(values)
    return Tensor(_argsort_np(x._value, int(axis), descending).astype(np.int32))


def sort(values, axis=-1, direction="ASCENDING", name=None):
    """Returns ``values`` sorted along ``axis`` (``direction`` 'ASCENDING' or 'DESCENDING')."""
    descending = _check_direction(direction)
    x = _t(values)
    if x._value.ndim == 0:
        raise ValueError("Input must be at least rank 1, got rank 0.")
    axis = int(axis) % x._value.ndim
    idx = Tensor(_argsort_np(x._value, axis, descending))
    return _take_op(x, idx, axis=axis)


TopKV2 = namedtuple("TopKV2", ["values", "indices"])


def top_k(input, k=1, sorted=True, index_type=dtypes.int32, name=None):  # noqa: A002
    """Returns the ``k`` largest entries along the last axis and their indices.

    Returns:
      ``TopKV2(values, indices)``; ties give the lower index first; indices are int32.

    Raises:
      InvalidArgumentError: if the last axis is shorter than ``k``.
    """
    x = _t(input)
    v = x._value
    k = int(_t(k)._value)
    if v.ndim == 0 or v.shape[-1] < k or k < 0:
        n = v.shape[-1] if v.ndim else 0
        raise InvalidArgumentError(None, "TopKV2", f"input must have at least k columns. Had "
                                   f"{n}, needed {k} [Op:TopKV2]")
    idx = _argsort_np(v, -1, True)[..., :k]
    values = _take_op(x, Tensor(idx), axis=v.ndim - 1)
    return TopKV2(values, Tensor(idx.astype(dtypes.as_dtype(index_type)._np)))


def in_top_k(targets, predictions, k, name=None):
    """Returns bool ``[batch]``: whether each target's prediction is among the ``k`` largest.

    Ties at the boundary count as in the top k; non-finite predictions never do.
    """
    p = np.asarray(_t(predictions)._value)
    t = np.asarray(_t(targets)._value).astype(np.int64)
    n = p.shape[1]
    valid = (t >= 0) & (t < n)
    picked = p[np.arange(p.shape[0]), np.where(valid, t, 0)]
    with _quiet():
        greater = np.sum(p > picked[:, None], axis=1)
    return Tensor(valid & np.isfinite(picked) & (greater < int(k)))


# -- counting -----------------------------------------------------------------------------------

def bincount(arr, weights=None, minlength=None, maxlength=None, dtype=dtypes.int32, name=None,
             axis=None, binary_output=False):
    """Returns the counts (or summed ``weights``) of each value in the int tensor ``arr``.

    The length is ``max(arr) + 1``, raised to ``minlength`` and cut to ``maxlength``.
    ``axis=None`` counts over all elements; ``axis=-1`` counts each row of a 2-D ``arr``.

    Raises:
      InvalidArgumentError: if ``arr`` has negative values.
    """
    a = np.asarray(_t(arr)._value)
    if a.size and a.min() < 0:
        raise InvalidArgumentError(None, "Bincount", "Input arr must be non-negative! "
                                   "[Op:Bincount]")
    size = int(a.max()) + 1 if a.size else 0
    if minlength is not None:
        size = max(size, int(minlength))
    if maxlength is not None:
        size = min(size, int(maxlength))
    w = None
    out_dt = dtypes.as_dtype(dtype)._np
    if weights is not None:
        w = np.broadcast_to(np.asarray(_t(weights)._value), a.shape)
        out_dt = w.dtype
    keep = a < size
    if axis is None:
        flat, rows = a[keep], 1
        ww = None if w is None else w[keep]
    elif axis in (-1, a.ndim - 1) and a.ndim == 2:
        rows = a.shape[0]
        flat = (a + size * np.arange(rows)[:, None])[keep]
        ww = None if w is None else w[keep]
    else:
        raise ValueError(f"Unsupported axis value {axis}. Only 0 and -1 are currently "
                         f"supported.")
    if binary_output:
        ww = None
    counts = np.bincount(flat, ww, minlength=rows * size)
    if binary_output:
        counts = counts > 0
    counts = counts.astype(out_dt)
    return Tensor(counts if axis is None else counts.reshape(rows, size))


def confusion_matrix(labels, predictions, num_classes=None, weights=None, dtype=dtypes.int32,
                     name=None):
    """Returns the ``[num_classes, num_classes]`` matrix counting (label, prediction) pairs.

    Rows are labels, columns predictions; ``num_classes`` defaults to the largest
    value plus one.

    Raises:
      InvalidArgumentError: for negative or out-of-range labels or predictions.
    """
    lab = np.asarray(_t(labels)._value).astype(np.int64).ravel()
    pred = np.asarray(_t(predictions)._value).astype(np.int64).ravel()
    if lab.shape != pred.shape:
        raise ValueError(f"Dimensions of labels {lab.shape} and predictions {pred.shape} "
                         f"must match.")
    for what, v in (("labels", lab), ("predictions", pred)):
        if v.size and v.min() < 0:
            raise InvalidArgumentError(None, "ConfusionMatrix", f"`{what}` contains negative "
                                       f"values. Condition x >= 0 did not hold.")
    if num_classes is None:
        n = int(max(lab.max(initial=-1), pred.max(initial=-1))) + 1
    else:
        n = int(_t(num_classes)._value)
        for what, v in (("labels", lab), ("predictions", pred)):
            if v.size and v.max() >= n:
                raise InvalidArgumentError(None, "ConfusionMatrix", f"`{what}` out of bound. "
                                           f"Condition x < y did not hold.")
    w = None if weights is None else np.asarray(_t(weights)._value).ravel()
    counts = np.bincount(lab * n + pred, w, minlength=n * n)
    return Tensor(counts.astype(dtypes.as_dtype(dtype)._np).reshape(n, n))


def segment_sum(data, segment_ids, name=None):
    """Returns the sums of ``data``'s rows per (sorted) segment id; ``max(id) + 1`` rows."""
    from tapeflow.ops.indexing_ops import unsorted_segment_sum
    ids = _t(segment_ids)
    n = int(ids._value.max()) + 1 if ids._value.size else 0
    return unsorted_segment_sum(data, ids, n)


__all__ = ["reduce_max", "reduce_min", "reduce_prod", "reduce_logsumexp", "reduce_any",
           "reduce_all", "argmax", "argmin", "cumsum", "sort", "argsort"]
