"""Keras 3's newer losses as functions: ``ctc``, ``categorical_focal_crossentropy``,
``categorical_generalized_cross_entropy``, ``circle``, ``dice``, ``tversky``.

Written with tapeflow ops (differentiable to any order), computing in ``y_pred``'s dtype
with Keras's formulas and epsilon (1e-7).
"""
from tapeflow.framework.variable import array_of
import warnings

import numpy as np

from tapeflow.framework.tensor import Tensor
from tapeflow.keras.losses.functions import EPSILON, _pred, cast_to
from tapeflow.ops import array_ops, clip_ops, nn_ops, reduction_ops
from tapeflow.ops import math_ops as m


def ctc(y_true, y_pred):
    """Returns the CTC loss per sample: ``y_true`` int labels ``(batch, max_length)`` with 0
    as the blank/padding, ``y_pred`` logits ``(batch, time, classes)``.

    Raises:
      ValueError: for labels not of rank 2 or logits not of rank 3.
    """
    from tapeflow.ops.ctc_ops import ctc_loss
    y_pred = _pred(y_pred)
    labels = np.asarray(array_of(y_true) if isinstance(y_true, Tensor) else y_true)
    if labels.ndim != 2:
        raise ValueError("Targets `y_true` are expected to be a tensor of shape `(batch_size, "
                         f"max_length)` in integer format. Received: y_true.shape="
                         f"{labels.shape}")
    if y_pred.ndim != 3:
        raise ValueError("Logits `y_pred` are expected to be a tensor of shape `(batch_size, "
                         f"max_length, num_classes)`. Received: y_pred.shape={y_pred.shape}")
    labels = labels.astype(np.int32)
    b, t = y_pred.shape[0], y_pred.shape[1]
    label_length = np.sum(labels != 0, axis=-1).astype(np.int32)
    x = y_pred if y_pred.dtype.name in ("float32", "float64") else m.cast(y_pred, "float32")
    loss = ctc_loss(labels, x, label_length, np.full((b,), t, np.int32),
                    logits_time_major=False, blank_index=0)
    return loss if loss.dtype == y_pred.dtype else m.cast(loss, y_pred.dtype)


def categorical_focal_crossentropy(y_true, y_pred, alpha=0.25, gamma=2.0, from_logits=False,
                                   label_smoothing=0.0, axis=-1):
    """Returns ``sum(alpha * (1 - p)**gamma * -y_true * log(p), axis)`` per sample (``p`` the
    renormalized, clipped predictions).

    Raises:
      ValueError: if ``axis`` is a bool.
    """
    if isinstance(axis, bool):
        raise ValueError(f"`axis` must be of type `int`. Received: axis={axis} of type "
                         f"{type(axis)}")
    y_pred = _pred(y_pred)
    y_true = cast_to(y_true, y_pred.dtype)
    if y_pred.shape[-1] == 1:
        warnings.warn("In loss categorical_focal_crossentropy, expected y_pred.shape to be "
                      f"(batch_size, num_classes) with num_classes > 1. Received: "
                      f"y_pred.shape={y_pred.shape}. Consider using 'binary_crossentropy' if "
                      "you only have 2 classes.", SyntaxWarning, stacklevel=2)
    if label_smoothing:
        n = y_true.shape[-1]
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / n
    if from_logits:
        y_pred = nn_ops.softmax(y_pred, axis=axis)
    output = y_pred / reduction_ops.reduce_sum(y_pred, axis=axis, keepdims=True)
    output = clip_ops.clip_by_value(output, EPSILON, 1.0 - EPSILON)
    cce = -y_true * m.log(output)
    focal = m.pow(1.0 - output, gamma) * alpha * cce
    return reduction_ops.reduce_sum(focal, axis=axis)


def categorical_generalized_cross_entropy(y_true, y_pred, q):
    """Returns ``(1 - p**q) / q`` per sample, ``p`` the probability of the true class
    (``y_true`` integer class ids)."""
    y_pred = _pred(y_pred)
    ids = np.asarray(array_of(y_true) if isinstance(y_true, Tensor) else y_true).astype(np.int64)
    onehot = Tensor((ids[..., None] == np.arange(y_pred.shape[-1])).astype(
        y_pred.dtype.as_numpy_dtype))
    p = reduction_ops.reduce_sum(y_pred * onehot, axis=-1)
    return (1.0 - m.pow(p, q)) / q


def dice(y_true, y_pred, axis=None):
    """Returns ``1 - 2 * sum(y_true * y_pred) / (sum(y_true) + sum(y_pred) + eps)`` (over
    ``axis``; all axes when None)."""
    y_pred = _pred(y_pred)
    y_true = cast_to(y_true, y_pred.dtype)
    inter = reduction_ops.reduce_sum(y_true * y_pred, axis=axis)
    total = reduction_ops.reduce_sum(y_true, axis=axis) + reduction_ops.reduce_sum(
        y_pred, axis=axis)
    return 1.0 - (2.0 * inter) / (total + EPSILON)


def tversky(y_true, y_pred, alpha=0.5, beta=0.5, axis=None):
    """Returns ``1 - tp / (tp + alpha * fp + beta * fn + eps)`` with soft counts (as Keras 3.15
    computes them: ``fp = sum((1 - y_pred) * y_true)``, ``fn = sum(y_pred * (1 - y_true))``)."""
    y_pred = _pred(y_pred)
    y_true = cast_to(y_true, y_pred.dtype)
    tp = reduction_ops.reduce_sum(y_true * y_pred, axis=axis)
    fp = reduction_ops.reduce_sum((1.0 - y_pred) * y_true, axis=axis)
    fn = reduction_ops.reduce_sum(y_pred * (1.0 - y_true), axis=axis)
    return 1.0 - tp / (tp + fp * alpha + fn * beta + EPSILON)


def _pos_neg_masks(query, key, remove_diagonal):
    q = query.reshape(-1, 1)
    k = key.reshape(-1, 1)
    pos = q == k.T
    neg = ~pos
    if remove_diagonal:
        pos = pos & ~np.eye(q.size, k.size, dtype=bool)
    return pos, neg


def circle(y_true, y_pred, ref_labels=None, ref_embeddings=None, remove_diagonal=True,
           gamma=80, margin=0.4):
    """Returns the Circle loss of each embedding in ``y_pred`` (L2-normalized rows) against
    ``ref_embeddings`` (default: the batch itself), pairs labelled by ``y_true``.

    Samples whose loss is 0 are masked out of the mean, as in Keras.
    """
    y_pred = _pred(y_pred)
    labels = np.asarray(array_of(y_true) if isinstance(y_true, Tensor) else y_true).astype(
        np.int32)
    ref = y_pred if ref_embeddings is None else cast_to(ref_embeddings, y_pred.dtype)
    ref_lab = labels if ref_labels is None else np.asarray(
        array_of(ref_labels) if isinstance(ref_labels, Tensor) else ref_labels).astype(np.int32)
    dist = m.maximum(1.0 - m.matmul(y_pred, array_ops.transpose(ref)), 0.0)
    pos, neg = _pos_neg_masks(labels, ref_lab, remove_diagonal)
    dt = y_pred.dtype.as_numpy_dtype
    pos_t, neg_t = Tensor(pos.astype(dt)), Tensor(neg.astype(dt))
    pos_w = m.maximum((margin + dist) * pos_t, 0.0)
    neg_w = m.maximum((1.0 + margin - dist) * neg_t, 0.0)
    pos_wd = -1.0 * gamma * pos_w * (margin - dist)
    neg_wd = gamma * neg_w * ((1.0 - margin) - dist)
    minus_inf = Tensor(np.asarray(-np.inf, dt))
    p_loss = reduction_ops.reduce_logsumexp(m.where_(Tensor(pos), pos_wd, minus_inf), axis=1)
    n_loss = reduction_ops.reduce_logsumexp(m.where_(Tensor(neg), neg_wd, minus_inf), axis=1)
    return nn_ops.softplus(p_loss + n_loss)


__all__ = ["ctc", "categorical_focal_crossentropy", "categorical_generalized_cross_entropy",
           "circle", "dice", "tversky"]
