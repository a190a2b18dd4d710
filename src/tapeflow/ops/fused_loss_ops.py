"""Keras's cross-entropies from probabilities as single primitives (the ``fit`` hot path).

Used by ``keras.losses``; kept in ``ops/`` because only the op layer defines primitives.

Keras computes sparse categorical cross-entropy from probabilities as
``sparse_softmax_cross_entropy_with_logits(labels, log(clip(p, 1e-7, 1 - 1e-7)))``
and categorical cross-entropy as ``-sum(y * log(clip(p / sum(p))))``. Those
composites cost several forward ops and a dozen or more backward ops on a small
``[batch, classes]`` array. Each primitive here runs the composite's own NumPy
kernels in one call (values are bit-identical) and, when no tape records the
backward pass, computes the composite's gradient array by array (bit-identical
too). When an outer tape is recording (second order), the gradient is built
from tapeflow ops instead, so it can be differentiated again.
"""
from tapeflow.backend import xp as np  # the array namespace kernels use (DESIGN: backend)

from tapeflow.framework import primitive as prim
from tapeflow.framework.op_def import defop
from tapeflow.framework.tensor import Tensor
from tapeflow.ops import array_ops, clip_ops, math_ops as m, nn_ops
from tapeflow.ops.reduction_ops import _sum_kernel

_SUM, _DIV, _MUL = _sum_kernel.forward, m._div_kernel.forward, m._mul_kernel.forward

EPSILON = 1e-7


def _bounds(dtype):
    """``(lo, hi)`` as NumPy scalars of ``dtype``, as ``clip_by_value`` converts them."""
    return dtype.type(EPSILON), dtype.type(1.0 - EPSILON)


def _clipped(p):
    lo, hi = _bounds(p.dtype)
    return np.maximum(np.minimum(p, hi), lo), lo, hi


def _rows(labels, n):
    """``(row index, flat labels)`` that pick ``x.reshape(-1, n)[rows, labels]``."""
    flat = labels.reshape(-1)
    if flat.dtype != np.intp:
        flat = flat.astype(np.intp)
    return np.arange(flat.size), flat


def _sparse_cce_probs_forward(p, labels):
    n = p.shape[-1]
    if p.size == 0 or labels.size == 0 or labels.min() < 0 or labels.max() >= n or \
            p.dtype == np.float16:
        # empty, or a bad label: the xent kernel raises TF's error; half precision: the
        # xent kernel computes it in float32, as TensorFlow does
        c, _, _ = _clipped(p)
        return nn_ops._sparse_xent_kernel(labels, np.log(c))
    c, _, _ = _clipped(p)
    shifted = nn_ops._shift(np.log(c), -1)
    rows, flat = _rows(labels, n)
    picked = shifted.reshape(-1, n)[rows, flat].reshape(labels.shape)
    # log(c) lies in [log(1e-7), 0] or is NaN: the sum is >= 1 or NaN, nothing can warn
    return np.log(np.exp(shifted).sum(axis=-1)) - picked


def _sparse_cce_probs_grad(op, dy):
    """The composite's gradient: where lo <= p <= hi, dy * (softmax(log c) - onehot) / c."""
    p, labels = op.inputs
    if prim.recording():
        return _composite_grad(labels, p, dy), None
    pv, dyv = np.ascontiguousarray(p._value), dy._value  # s is written through a view
    if pv.size == 0:
        return Tensor(np.zeros_like(pv)), None
    n = pv.shape[-1]
    c, lo, hi = _clipped(pv)
    logc = np.log(c)
    half = logc.dtype == np.float16   # the xent's gradient runs in float32 for half
    s = np.exp(nn_ops._shift(logc.astype(np.float32) if half else logc, -1))
    s /= s.sum(axis=-1, keepdims=True)  # as the Softmax kernel; the sum is >= 1 or NaN
    rows, flat = _rows(labels._value, n)
    s.reshape(-1, n)[rows, flat] -= s.dtype.type(1)  # softmax - one_hot, element by element
    with np.errstate(all="ignore"):  # float16 can overflow dividing by 1e-7, as RealDiv does
        dc = np.multiply(dyv.astype(np.float32)[..., None] if half else dyv[..., None], s)
        if half:
            dc = dc.astype(np.float16)
        dc /= c
    dc[(pv < lo) | (pv > hi)] = 0
    return Tensor(dc), None


# not a TensorFlow op (Keras's composite, fused): inputs (probs, labels), floats only
_sparse_cce_probs_op = defop("SparseCategoricalCrossentropyFromProbs",
                             _sparse_cce_probs_forward, _sparse_cce_probs_grad,
                             dtypes=nn_ops.NN_FLOAT, kind="call")


def _composite_grad(labels, p, dy):
    """The same gradient built from tapeflow ops (recorded, so differentiable again)."""
    lo, hi = _bounds(p._value.dtype)
    c = clip_ops.clip_by_value(p, lo, hi)
    logits = m.log(c)
    onehot = array_ops.one_hot(labels, p._value.shape[-1], dtype=p.dtype)
    dlogits = m.multiply(array_ops.expand_dims(dy, -1),
                         m.subtract(nn_ops.softmax(logits), onehot))
    dc = m.divide(dlogits, c)
    outside = m.logical_or(m.less(p, Tensor(lo)), m.greater(p, Tensor(hi)))
    return m.where_(outside, m.zeros_like_(dc), dc)


def sparse_cce_from_probs(labels, probs):
    """Returns ``-log_softmax(log(clip(probs)))[labels]`` per example (Keras's formula).

    Args:
      labels: an int64 Tensor of class indices, shape ``probs.shape[:-1]``.
      probs: a float Tensor ``[..., num_classes]`` of probabilities.

    Returns:
      A Tensor of ``labels``' shape and ``probs``' dtype.
    """
    return _sparse_cce_probs_op(probs, labels)


# -- categorical cross-entropy from probabilities ---------------------------------------------

def _cce_parts(p, axis):
    """The composite's forward arrays: ``(s, o, c, log c)`` with ``o = p / sum(p)``."""
    s = _SUM(p, axis=(axis,), keepdims=True)
    o = _DIV(p, s)
    c, _, _ = _clipped(o)
    with np.errstate(all="ignore"):
        return s, o, c, np.log(c)


def _cce_probs_forward(t, p, axis):
    logc = _cce_parts(p, axis)[3]
    return np.negative(_SUM(_MUL(t, logc), axis=(axis,), keepdims=False))


def _cce_probs_grad(op, dy):
    """The composite's gradients, array by array (a tape over the composite when recording)."""
    t, p = op.inputs
    axis = op.attrs["axis"]
    if prim.recording():
        return _cce_composite_grads(t, p, dy, axis)
    tv, pv = t._value, p._value
    skip = op.skip_input_indices
    s, o, c, logc = _cce_parts(pv, axis)
    dt = np.expand_dims(np.negative(dy._value), axis)       # Neg, then Sum's broadcast
    dlogc = _MUL(dt, tv)
    dc = _DIV(dlogc, c)
    lo, hi = _bounds(o.dtype)
    do = np.where((o < lo) | (o > hi), np.zeros_like(dc), dc)
    dp = _DIV(do, s)                                         # RealDiv's dx
    ds = np.negative(_MUL(do, _DIV(_DIV(pv, s), s)))         # RealDiv's dy, before the sum
    ds = np.add.reduce(ds, axis=(axis,), keepdims=True)
    dp = dp + np.broadcast_to(ds, pv.shape)                  # Sum's broadcast, accumulated
    d_true = None if 0 in skip else Tensor(_MUL(np.broadcast_to(dt, tv.shape), logc))
    return d_true, Tensor(dp)


_cce_probs_op = defop("CategoricalCrossentropyFromProbs", _cce_probs_forward, _cce_probs_grad,
                      dtypes=nn_ops.NN_FLOAT, kind="call")


def _cce_composite(t, p, axis):
    output = m.divide(p, m.reduce_sum(p, axis=axis, keepdims=True))
    lo, hi = _bounds(p._value.dtype)
    output = clip_ops.clip_by_value(output, lo, hi)
    return m.negative(m.reduce_sum(m.multiply(t, m.log(output)), axis=axis))


def _cce_composite_grads(t, p, dy, axis):
    """Differentiates the composite with a tape (recorded by the outer tapes)."""
    from tapeflow.framework.tape import GradientTape
    with GradientTape() as tape:
        tape.watch(t)
        tape.watch(p)
        out = _cce_composite(t, p, axis)
    return tuple(tape.gradient(out, [t, p], output_gradients=dy))


def categorical_cce_from_probs(y_true, probs, axis):
    """Returns ``-sum(y_true * log(clip(probs / sum(probs, axis))), axis)`` (Keras's formula).

    Args:
      y_true: a float Tensor of ``probs``' shape and dtype (one-hot or soft labels).
      probs: a float Tensor of probabilities.
      axis: the class axis (a non-negative int).

    Returns:
      A Tensor of ``probs``' shape without ``axis``.
    """
    return _cce_probs_op(y_true, probs, axis=axis)


__all__ = []
