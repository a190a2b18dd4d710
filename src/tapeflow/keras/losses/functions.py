"""Keras 3's loss functions: one value per sample, reduced over the last axis.

Each is written with tapeflow ops, so losses are differentiable (to any order).
They compute in ``y_pred``'s dtype and cast ``y_true`` to it, as Keras does.
"""
import warnings

import numpy as np

from tapeflow.framework.tensor import Tensor, convert_to_tensor
from tapeflow.ops import array_ops, clip_ops, math_ops as m, nn_ops, reduction_ops
from tapeflow.ops import fused_loss_ops as fused

EPSILON = 1e-7


def _pred(y_pred):
    """``y_pred`` as a Tensor (Python floats become float32)."""
    if type(y_pred) is Tensor:
        return y_pred
    return convert_to_tensor(y_pred)


def cast_to(x, dtype):
    """Returns ``x`` as a Tensor of ``dtype`` (a differentiable cast for Tensors)."""
    if type(x) is not Tensor:
        if hasattr(type(x), "__tf_tensor__"):
            x = convert_to_tensor(x)
        else:
            arr = np.asarray(x.array if isinstance(x, Tensor) else x)
            np_dtype = getattr(dtype, "as_numpy_dtype", dtype)
            return Tensor(arr.astype(np_dtype, copy=False))
    if x.dtype is dtype:
        return x
    return m.cast(x, dtype)


def squeeze_or_expand_to_same_rank(x1, x2, expand_rank_1=True):
    """Squeezes or expands a trailing size-1 axis so that ``x1`` and ``x2`` have equal rank.

    Returns:
      ``(x1, x2)``.
    """
    r1, r2 = x1.ndim, x2.ndim
    if r1 == r2:
        return x1, x2
    if r1 == r2 + 1 and x1.shape[-1] == 1:
        if r2 == 1 and expand_rank_1:
            x2 = array_ops.expand_dims(x2, -1)
        else:
            x1 = array_ops.squeeze(x1, -1)
    if r2 == r1 + 1 and x2.shape[-1] == 1:
        if r1 == 1 and expand_rank_1:
            x1 = array_ops.expand_dims(x1, -1)
        else:
            x2 = array_ops.squeeze(x2, -1)
    return x1, x2


def _prep(y_true, y_pred):
    y_pred = _pred(y_pred)
    y_true = cast_to(y_true, y_pred.dtype)
    return squeeze_or_expand_to_same_rank(y_true, y_pred)


def _clip(x, lo, hi):
    return clip_ops.clip_by_value(x, lo, hi)


def _softplus(x):
    return nn_ops.softplus(x)


# -- regression -----------------------------------------------------------------------------

def mean_squared_error(y_true, y_pred):
    """Returns ``mean(square(y_true - y_pred), axis=-1)``, one value per sample."""
    y_true, y_pred = _prep(y_true, y_pred)
    return m.reduce_mean(m.square(y_true - y_pred), axis=-1)


def mean_absolute_error(y_true, y_pred):
    """Returns ``mean(abs(y_true - y_pred), axis=-1)``, one value per sample."""
    y_true, y_pred = _prep(y_true, y_pred)
    return m.reduce_mean(m.abs(y_true - y_pred), axis=-1)


def mean_absolute_percentage_error(y_true, y_pred):
    """Returns ``100 * mean(abs((y_true - y_pred) / max(abs(y_true), eps)), axis=-1)``."""
    y_true, y_pred = _prep(y_true, y_pred)
    diff = m.abs((y_true - y_pred) / m.maximum(m.abs(y_true), EPSILON))
    return 100.0 * m.reduce_mean(diff, axis=-1)


def mean_squared_logarithmic_error(y_true, y_pred):
    """Returns ``mean(square(log(max(y_pred, eps) + 1) - log(max(y_true, eps) + 1)), -1)``."""
    y_true, y_pred = _prep(y_true, y_pred)
    first = m.log(m.maximum(y_pred, EPSILON) + 1.0)
    second = m.log(m.maximum(y_true, EPSILON) + 1.0)
    return m.reduce_mean(m.square(first - second), axis=-1)


def _l2_normalize(x, axis):
    return x * m.rsqrt(m.maximum(m.reduce_sum(m.square(x), axis=axis, keepdims=True), 1e-12))


def cosine_similarity(y_true, y_pred, axis=-1):
    """Returns ``-sum(l2_normalize(y_true) * l2_normalize(y_pred), axis)`` (between -1 and 1)."""
    y_true, y_pred = _prep(y_true, y_pred)
    return -m.reduce_sum(_l2_normalize(y_true, axis) * _l2_normalize(y_pred, axis), axis=axis)


def huber(y_true, y_pred, delta=1.0):
    """Returns the mean Huber loss (``0.5 e^2`` near 0, ``delta (|e| - delta/2)`` beyond)."""
    y_true, y_pred = _prep(y_true, y_pred)
    abs_error = m.abs(y_pred - y_true)
    small = m.minimum(abs_error, delta)
    # 0.5*small^2 + delta*(|e| - small) equals both branches of Keras's where().
    return m.reduce_mean(0.5 * m.square(small) + delta * (abs_error - small), axis=-1)


def log_cosh(y_true, y_pred):
    """Returns ``mean(log(cosh(y_pred - y_true)), axis=-1)``, computed without overflow."""
    y_true, y_pred = _prep(y_true, y_pred)
    x = y_pred - y_true
    return m.reduce_mean(x + _softplus(x * -2.0) - float(np.log(2.0)), axis=-1)


# -- probabilistic --------------------------------------------------------------------------

def kl_divergence(y_true, y_pred):
    """Returns ``sum(y_true * log(y_true / y_pred), axis=-1)`` with both clipped to [eps, 1]."""
    y_true, y_pred = _prep(y_true, y_pred)
    y_true = _clip(y_true, EPSILON, 1.0)
    y_pred = _clip(y_pred, EPSILON, 1.0)
    return m.reduce_sum(y_true * m.log(y_true / y_pred), axis=-1)


def poisson(y_true, y_pred):
    """Returns ``mean(y_pred - y_true * log(y_pred + eps), axis=-1)``."""
    y_true, y_pred = _prep(y_true, y_pred)
    return m.reduce_mean(y_pred - y_true * m.log(y_pred + EPSILON), axis=-1)


def _check_same_shape(target, output):
    if target.ndim != output.ndim:
        raise ValueError("Arguments `target` and `output` must have the same rank (ndim). "
                         f"Received: target.shape={tuple(target.array.shape)}, "
                         f"output.shape={tuple(output.array.shape)}")
    if target.array.shape != output.array.shape:
        raise ValueError("Arguments `target` and `output` must have the same shape. "
                         f"Received: target.shape={tuple(target.array.shape)}, "
                         f"output.shape={tuple(output.array.shape)}")


def _binary_crossentropy_elementwise(target, output, from_logits):
    _check_same_shape(target, output)
    if from_logits:
        return nn_ops.sigmoid_cross_entropy_with_logits(labels=target, logits=output)
    output = _clip(output, EPSILON, 1.0 - EPSILON)
    return -(target * m.log(output) + (1.0 - target) * m.log(1.0 - output))


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Returns the binary cross-entropy averaged over ``axis`` (one value per sample).

    Probabilities are clipped to ``[1e-7, 1 - 1e-7]``, so a perfect prediction
    gives about 1.19e-7 rather than 0, and never NaN.
    """
    y_pred = _pred(y_pred)
    y_true = cast_to(y_true, y_pred.dtype)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    return m.reduce_mean(_binary_crossentropy_elementwise(y_true, y_pred, from_logits),
                         axis=axis)


def binary_focal_crossentropy(y_true, y_pred, apply_class_balancing=False, alpha=0.25,
                              gamma=2.0, from_logits=False, label_smoothing=0.0, axis=-1):
    """Returns the focal cross-entropy ``(1 - p_t)^gamma * bce`` averaged over ``axis``."""
    y_pred = _pred(y_pred)
    y_true = cast_to(y_true, y_pred.dtype)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    probs = m.sigmoid(y_pred) if from_logits else y_pred
    bce = _binary_crossentropy_elementwise(y_true, y_pred, from_logits)
    p_t = y_true * probs + (1.0 - y_true) * (1.0 - probs)
    focal = m.pow(1.0 - p_t, gamma) * bce
    if apply_class_balancing:
        focal = (y_true * alpha + (1.0 - y_true) * (1.0 - alpha)) * focal
    return m.reduce_mean(focal, axis=axis)


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Returns ``-sum(y_true * log(y_pred), axis)`` (softmax cross-entropy with ``from_logits``).

    Probabilities are renormalised to sum to 1 and clipped to ``[1e-7, 1 - 1e-7]``.
    """
    if isinstance(axis, bool):
        raise ValueError("`axis` must be of type `int`. Received: axis={axis} of type "
                         f"{type(axis)}")
    y_pred = _pred(y_pred)
    y_true = cast_to(y_true, y_pred.dtype)
    if y_pred.ndim and y_pred.array.shape[-1] == 1:
        warnings.warn("In loss categorical_crossentropy, expected y_pred.shape to be "
                      "(batch_size, num_classes) with num_classes > 1. Received: "
                      f"y_pred.shape={tuple(y_pred.array.shape)}. Consider using "
                      "'binary_crossentropy' if you only have 2 classes.", SyntaxWarning,
                      stacklevel=2)
    if label_smoothing:
        n = float(y_true.array.shape[-1])
        y_true = y_true * (1.0 - label_smoothing) + (label_smoothing / n)
    if y_true.ndim < 1:
        raise ValueError("Arguments `target` and `output` must be at least rank 1. "
                         f"Received: target.shape={tuple(y_true.array.shape)}, "
                         f"output.shape={tuple(y_pred.array.shape)}")
    _check_same_shape(y_true, y_pred)
    if from_logits:
        return nn_ops.softmax_cross_entropy_with_logits(labels=y_true, logits=y_pred,
                                                        axis=axis)
    nd = y_pred.ndim
    if y_pred.array.dtype.kind == "f" and type(axis) is int and -nd <= axis < nd:
        # One primitive with the composite's values and gradients (the fit hot path).
        return fused.categorical_cce_from_probs(y_true, y_pred, axis % nd)
    output = y_pred / m.reduce_sum(y_pred, axis=axis, keepdims=True)
    output = _clip(output, EPSILON, 1.0 - EPSILON)
    return -m.reduce_sum(y_true * m.log(output), axis=axis)


def _sparse_cce(y_true, y_pred, from_logits, axis):
    if axis != -1 and axis != y_pred.ndim - 1:
        raise ValueError("Only axis=-1 is currently supported. Received: axis={axis}")
    labels = np.asarray(y_true.array)
    if labels.dtype != np.int64:
        labels = labels.astype(np.int64)
    if labels.ndim == y_pred.ndim and labels.shape[-1:] == (1,):
        labels = labels[..., 0]
    if y_pred.ndim < 1:
        raise ValueError("Argument `output` must be at least rank 1. Received: "
                         f"output.shape={tuple(y_pred.array.shape)}")
    if labels.ndim != y_pred.ndim - 1:
        raise ValueError("Argument `output` must have rank (ndim) `target.ndim - 1`. "
                         f"Received: target.shape={tuple(y_true.array.shape)}, "
                         f"output.shape={tuple(y_pred.array.shape)}")
    if labels.shape != y_pred.array.shape[:-1]:
        raise ValueError("Arguments `target` and `output` must have the same shape up until "
                         f"the last dimension: target.shape={tuple(y_true.array.shape)}, "
                         f"output.shape={tuple(y_pred.array.shape)}")
    # The labels as ops on y_true (not an array made from its value), so that a tf.function
    # trace keeps them an input of the graph.
    lt = y_true if y_true.dtype.name == "int64" else m.cast(y_true, "int64")
    if tuple(lt.shape) != labels.shape:
        lt = array_ops.reshape(lt, labels.shape)
    if not from_logits:
        if y_pred.array.dtype.kind == "f":
            # One primitive with the composite's values and gradient (the fit hot path).
            return fused.sparse_cce_from_probs(lt, y_pred)
        y_pred = m.log(_clip(y_pred, EPSILON, 1.0 - EPSILON))
    return nn_ops.sparse_softmax_cross_entropy_with_logits(labels=lt, logits=y_pred)


def _sparse_with_mask(y_true, y_pred, from_logits=False, ignore_class=None, axis=-1):
    """Returns ``(per-sample loss, valid mask or None)`` for sparse categorical cross-entropy."""
    y_pred = _pred(y_pred)
    y_true = y_true if isinstance(y_true, Tensor) else convert_to_tensor(y_true)
    if ignore_class is None:
        return _sparse_cce(y_true, y_pred, from_logits, axis), None
    res_shape = y_pred.array.shape[:-1]
    labels = np.asarray(y_true.array)
    valid = labels != ignore_class
    if valid.size == int(np.prod(res_shape)):
        valid = valid.reshape(res_shape)
    safe_true = Tensor(np.where(valid, labels.reshape(valid.shape), 0))
    y_pred = y_pred * Tensor(valid[..., None].astype(y_pred.array.dtype))
    res = _sparse_cce(safe_true, y_pred, from_logits, axis)
    res = m.where_(Tensor(valid), res, Tensor(np.zeros_like(res.array)))
    return res, valid


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, ignore_class=None,
                                    axis=-1):
    """Returns ``-log(y_pred[y_true])`` per sample (integer labels).

    With ``ignore_class`` the entries whose label equals it give 0.
    Probabilities are clipped to ``[1e-7, 1 - 1e-7]``.
    """
    return _sparse_with_mask(y_true, y_pred, from_logits, ignore_class, axis)[0]


# -- hinge ----------------------------------------------------------------------------------

def _to_hinge_labels(y_true):
    v = y_true.array
    if np.all((v == 0) | (v == 1)):
        return 2.0 * y_true - 1.0
    return y_true


def hinge(y_true, y_pred):
    """Returns ``mean(max(1 - y_true * y_pred, 0), axis=-1)`` (0/1 labels become -1/1)."""
    y_true, y_pred = _prep(y_true, y_pred)
    y_true = _to_hinge_labels(y_true)
    return m.reduce_mean(m.maximum(1.0 - y_true * y_pred, 0.0), axis=-1)


def squared_hinge(y_true, y_pred):
    """Returns ``mean(square(max(1 - y_true * y_pred, 0)), axis=-1)`` (0/1 labels become -1/1)."""
    y_true, y_pred = _prep(y_true, y_pred)
    y_true = _to_hinge_labels(y_true)
    return m.reduce_mean(m.square(m.maximum(1.0 - y_true * y_pred, 0.0)), axis=-1)


def categorical_hinge(y_true, y_pred):
    """Returns ``max(max((1 - y_true) * y_pred) - sum(y_true * y_pred) + 1, 0)`` per sample."""
    y_true, y_pred = _prep(y_true, y_pred)
    pos = m.reduce_sum(y_true * y_pred, axis=-1)
    neg = reduction_ops.reduce_max((1.0 - y_true) * y_pred, axis=-1)
    return m.maximum(neg - pos + 1.0, 0.0)
