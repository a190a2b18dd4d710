"""Clipping and summing lists of tensors: clip_by_value, clip_by_norm,
clip_by_global_norm, global_norm, add_n, scalar_mul.
"""
from tapeflow.backend import xp as np  # the array namespace kernels use (DESIGN: backend)

from tapeflow.framework.errors import InvalidArgumentError
from tapeflow.framework.indexed_slices import IndexedSlices
from tapeflow.framework.op_def import FLOAT, INT, REDUCE_NUMBER, defop, exported
from tapeflow.framework.primitive import binary_inputs
from tapeflow.framework.tensor import Tensor, convert_to_tensor
from tapeflow.ops.math_ops import (
    add, cast, divide, greater, less, logical_or, maximum, minimum, multiply, reduce_sum,
    sqrt, square, unbroadcast, where_, zeros_like_)
from tapeflow.ops.special_math_ops import is_finite


def _t(x):
    return x if type(x) is Tensor else convert_to_tensor(x)


# -- clip_by_value ------------------------------------------------------------------------

def _clip_np(t, lo, hi):
    # TensorFlow clips from above first, then from below (lo wins when lo > hi).
    return np.maximum(np.minimum(t, hi), lo)


def _clip_grad(op, dy):
    """dy passes to t where lo <= t <= hi (both bounds included); elsewhere to the bound."""
    t, lo, hi = op.inputs
    below = less(t, lo)
    above = greater(t, hi)
    zeros = zeros_like_(dy)
    return (where_(logical_or(below, above), zeros, dy),
            unbroadcast(where_(below, dy, zeros), lo._value.shape),
            unbroadcast(where_(above, dy, zeros), hi._value.shape))


def _clip_args(t, clip_value_min, clip_value_max, name=None):
    """Returns ``t`` with values below ``clip_value_min`` or above ``clip_value_max`` replaced.

    The gradient wrt ``t`` is 1 where ``clip_value_min <= t <= clip_value_max``
    (bounds included) and 0 elsewhere.

    >>> clip_by_value(constant([-2.0, 0.5, 3.0]), -1.0, 1.0).numpy()
    array([-1. ,  0.5,  1. ], dtype=float32)

    Raises:
      ValueError: if the clip values would broadcast ``t`` to a larger shape.
      InvalidArgumentError: if the dtypes differ.
    """
    if isinstance(t, IndexedSlices):
        return IndexedSlices(clip_by_value(t.values, clip_value_min, clip_value_max),
                             t.indices, t.dense_shape)
    t, lo = binary_inputs("ClipByValue", t, clip_value_min)
    t, hi = binary_inputs("ClipByValue", t, clip_value_max)
    shape = t._value.shape
    full = np.broadcast_shapes(shape, lo._value.shape, hi._value.shape)
    if full != shape:
        raise ValueError(f"Shapes {t.shape} and {tuple(full)} are incompatible")
    if t._value.dtype in _MINMAX_ONLY:   # no ClipByValue kernel: TensorFlow's Python layer
        return maximum(minimum(t, hi), lo)   # clips with Minimum and Maximum
    return (t, lo, hi), {}


_MINMAX_ONLY = (np.dtype(np.uint32), np.dtype(np.uint64))


# TensorFlow's clip_by_value: the real number types (Minimum/Maximum refuse complex); its
# ClipByValue op has CPU kernels for all but uint32/uint64
clip_by_value = defop("ClipByValue", _clip_np, _clip_grad, args=_clip_args,
                      dtypes=("bfloat16", "half", "float", "double", "int8", "uint8",
                              "int16", "uint16", "int32", "uint32", "int64", "uint64"),
                      kernels=FLOAT + INT + ("uint8", "uint16"), export="clip_by_value")
_clip_kernel = clip_by_value.op_def.op


# -- norms -----------------------------------------------------------------------------------

def clip_by_norm(t, clip_norm, axes=None, name=None):
    """Returns ``t * clip_norm / max(l2norm(t, axes), clip_norm)``.

    Tensors whose L2 norm (over ``axes``, all axes by default) is at most
    ``clip_norm`` come back unchanged; a zero tensor stays zero.
    """
    if isinstance(t, IndexedSlices):
        return IndexedSlices(clip_by_norm(t.values, clip_norm, axes), t.indices, t.dense_shape)
    t = _t(t)
    l2sum = reduce_sum(square(t), axis=axes, keepdims=True)
    positive = greater(l2sum, 0)
    # sqrt only where the sum is positive, so the gradient at a zero tensor stays finite
    safe = where_(positive, l2sum, Tensor(np.ones_like(l2sum._value)))
    l2norm = where_(positive, sqrt(safe), l2sum)
    t, clip = binary_inputs("ClipByNorm", t, clip_norm)
    return divide(multiply(t, clip), maximum(l2norm, clip))


def global_norm(t_list, name=None):
    """Returns ``sqrt(sum of sum(t ** 2))`` over the tensors of ``t_list`` (None skipped).

    Raises:
      TypeError: if ``t_list`` is not a sequence.
    """
    if not isinstance(t_list, (list, tuple)):
        raise TypeError(f"`t_list` should be a sequence of tensors. Received {type(t_list)}.")
    total = None
    for t in t_list:
        if t is None:
            continue
        if isinstance(t, IndexedSlices):
            t = t.values
        s = reduce_sum(square(_t(t)))
        total = s if total is None else add(total, s)
    if total is None:
        return Tensor(np.float32(0))
    return sqrt(total)


def clip_by_global_norm(t_list, clip_norm, use_norm=None, name=None):
    """Scales the tensors of ``t_list`` so that their global norm is at most ``clip_norm``.

    Returns:
      ``(list_clipped, global_norm)``: the scaled tensors (None entries stay None)
      and the global norm used. If the norm is inf or nan, every entry is nan.
    """
    if not isinstance(t_list, (list, tuple)):
        raise TypeError(f"`t_list` should be a sequence of tensors. Received {type(t_list)}.")
    if use_norm is None:
        use_norm = global_norm(t_list)
    use_norm = _t(use_norm)
    use_norm, clip = binary_inputs("ClipByGlobalNorm", use_norm, clip_norm)
    # clip * min(1/norm, 1/clip); an inf or nan norm makes every entry nan
    scale = multiply(clip, minimum(divide(1, use_norm), divide(1, clip)))
    scale = where_(is_finite(use_norm), scale, Tensor(np.full_like(scale._value, np.nan)))
    out = []
    for t in t_list:
        if t is None:
            out.append(None)
        elif isinstance(t, IndexedSlices):
            out.append(IndexedSlices(multiply(t.values, cast(scale, t.values.dtype)),
                                     t.indices, t.dense_shape))
        else:
            t = _t(t)
            out.append(multiply(t, cast(scale, t.dtype)))
    return out, use_norm


# -- add_n, scalar_mul --------------------------------------------------------------------

def _add_n_np(*xs):
    out = xs[0].copy() if isinstance(xs[0], np.ndarray) else xs[0]
    for x in xs[1:]:
        out = out + x
    return out


def _add_n_grad(op, dy):
    """d(x1 + ... + xn) = (dy, ..., dy)."""
    return tuple(dy for _ in op.inputs)


def _add_n_args(inputs, name=None):
    """Returns the elementwise sum of a list of tensors of the same shape and dtype.

    Raises:
      ValueError: if ``inputs`` is empty.
      InvalidArgumentError: if the shapes or dtypes differ.
    """
    if not isinstance(inputs, (list, tuple)) or not inputs:
        raise ValueError("inputs must be an iterable of at least one Tensor/IndexedSlices "
                         "with the same dtype and shape")
    ts = [_t(x.dense() if isinstance(x, IndexedSlices) else x) for x in inputs]
    first = ts[0]._value
    for t in ts[1:]:
        v = t._value
        if v.dtype != first.dtype:
            raise InvalidArgumentError(
                None, "AddN", f"cannot compute AddN as input #1(zero-based) was expected to be "
                f"a {ts[0].dtype.name} tensor but is a {t.dtype.name} tensor [Op:AddN]")
        if v.shape != first.shape:
            raise InvalidArgumentError(
                None, "AddN", f"Inputs to operation AddN of type AddN must have the same size "
                f"and shape.  Input 0: {list(first.shape)} != input: {list(v.shape)} [Op:AddN]")
    if len(ts) == 1 and ts[0]._value.dtype in add_n.op_def.ok:
        from tapeflow.ops import array_ops
        return array_ops.identity(ts[0])
    return tuple(ts), {}


add_n = defop("AddN", _add_n_np, _add_n_grad, dtypes=REDUCE_NUMBER + ("variant",),
              args=_add_n_args, export="add_n")


def scalar_mul(scalar, x, name=None):
    """Returns ``scalar * x`` for a 0-d ``scalar``.

    Raises:
      ValueError: if ``scalar`` is not 0-d.
    """
    shape = np.shape(scalar._value if isinstance(scalar, Tensor) else scalar)
    if shape != ():
        raise ValueError(f"Only scalar multiply works, got shape {tuple(shape)}.")
    if isinstance(x, IndexedSlices):
        return IndexedSlices(multiply(scalar, x.values), x.indices, x.dense_shape)
    return multiply(scalar, x)


__all__ = exported(globals()) + ["clip_by_norm", "clip_by_global_norm", "scalar_mul"]
