"""Accuracy metrics: functions (one value per sample) and ``MeanMetricWrapper`` classes."""
import numpy as np

from tapeflow.framework.tensor import Tensor
from tapeflow.keras.metrics.metric import same_rank, to_array
from tapeflow.keras.metrics.reduction_metrics import MeanMetricWrapper

_F32 = np.float32


def _pred_true(y_true, y_pred):
    y_pred = to_array(y_pred)
    if y_pred.dtype.kind not in "fiub":
        y_pred = y_pred.astype(_F32)
    y_true = to_array(y_true, y_pred.dtype)
    return y_true, y_pred


def accuracy(y_true, y_pred):
    """Returns 1.0 where ``y_true == y_pred``, elementwise (float32), as Keras 3 does."""
    y_true, y_pred = _pred_true(y_true, y_pred)
    y_true, y_pred = same_rank(y_true, y_pred)
    return Tensor(np.equal(y_true, y_pred).astype(_F32))


def binary_accuracy(y_true, y_pred, threshold=0.5):
    """Returns 1.0 where ``(y_pred > threshold) == y_true``, elementwise (float32).

    Keras 3 does not average over the last axis here: the result has the inputs' shape.
    """
    y_true, y_pred = _pred_true(y_true, y_pred)
    y_true, y_pred = same_rank(y_true, y_pred)
    pred = (y_pred > y_pred.dtype.type(threshold)).astype(y_true.dtype)
    return Tensor(np.equal(y_true, pred).astype(_F32))


def _argmax_matches(labels, y_pred):
    """``labels`` (class ids) vs ``argmax(y_pred)``; squeezes a trailing 1 like Keras."""
    reshape = None
    if labels.ndim == y_pred.ndim and labels.shape[-1:] == (1,):
        reshape = labels.shape
        labels = labels[..., 0]
    pred = np.argmax(y_pred, axis=-1)
    matches = np.equal(labels, pred.astype(labels.dtype)).astype(_F32)
    if reshape is not None:
        matches = matches.reshape(reshape)
    if matches.ndim > 1 and matches.shape[-1] == 1:
        matches = matches[..., 0]
    return Tensor(matches)


def categorical_accuracy(y_true, y_pred):
    """Returns 1.0 where ``argmax(y_true) == argmax(y_pred)`` (one-hot labels)."""
    y_true, y_pred = _pred_true(y_true, y_pred)
    return _argmax_matches(np.argmax(y_true, axis=-1), y_pred)


def sparse_categorical_accuracy(y_true, y_pred):
    """Returns 1.0 where ``y_true == argmax(y_pred)`` (integer labels)."""
    y_true, y_pred = _pred_true(y_true, y_pred)
    return _argmax_matches(y_true, y_pred)


def _in_top_k(labels, y_pred, k):
    """True where the label's score is among the ``k`` largest (ties count as in)."""
    y_pred = y_pred.reshape(-1, y_pred.shape[-1])
    labels = labels.reshape(-1).astype(np.int64)
    n = y_pred.shape[-1]
    ok = (labels >= 0) & (labels < n)
    target = y_pred[np.arange(len(labels)), np.where(ok, labels, 0)]
    with np.errstate(invalid="ignore"):
        higher = np.sum(y_pred > target[:, None], axis=-1)
    return ok & (higher < k) & np.isfinite(target)


def top_k_categorical_accuracy(y_true, y_pred, k=5):
    """Returns 1.0 where the true class (one-hot) is in the top ``k`` predictions."""
    y_true, y_pred = _pred_true(y_true, y_pred)
    labels = np.argmax(y_true, axis=-1)
    shape = labels.shape
    return Tensor(_in_top_k(labels, y_pred, k).astype(_F32).reshape(shape))


def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5):
    """Returns 1.0 where the integer label is in the top ``k`` predictions."""
    y_true, y_pred = _pred_true(y_true, y_pred)
    if y_true.ndim == y_pred.ndim and y_true.shape[-1:] == (1,):
        y_true = y_true[..., 0]
    shape = y_true.shape
    return Tensor(_in_top_k(y_true, y_pred, k).astype(_F32).reshape(shape))


class Accuracy(MeanMetricWrapper):
    """How often predictions equal labels."""

    _direction = "up"

    def __init__(self, name="accuracy", dtype=None):
        super().__init__(fn=accuracy, name=name, dtype=dtype)

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}


class BinaryAccuracy(MeanMetricWrapper):
    """How often ``y_pred > threshold`` matches binary labels (threshold 0.5)."""

    _direction = "up"

    def __init__(self, name="binary_accuracy", dtype=None, threshold=0.5):
        if threshold is not None and (threshold <= 0 or threshold >= 1):
            raise ValueError("Invalid value for argument `threshold`. Expected a value in "
                             f"interval (0, 1). Received: threshold={threshold}")
        super().__init__(fn=binary_accuracy, name=name, dtype=dtype, threshold=threshold)
        self.threshold = threshold


class CategoricalAccuracy(MeanMetricWrapper):
    """How often ``argmax(y_pred)`` matches one-hot labels."""

    _direction = "up"

    def __init__(self, name="categorical_accuracy", dtype=None):
        super().__init__(fn=categorical_accuracy, name=name, dtype=dtype)


class SparseCategoricalAccuracy(MeanMetricWrapper):
    """How often ``argmax(y_pred)`` matches integer labels."""

    _direction = "up"

    def __init__(self, name="sparse_categorical_accuracy", dtype=None):
        super().__init__(fn=sparse_categorical_accuracy, name=name, dtype=dtype)


class TopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the one-hot target is in the top ``k`` predictions."""

    _direction = "up"

    def __init__(self, k=5, name="top_k_categorical_accuracy", dtype=None):
        super().__init__(fn=top_k_categorical_accuracy, name=name, dtype=dtype, k=k)
        self.k = k


class SparseTopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the integer target is in the top ``k`` predictions."""

    _direction = "up"

    def __init__(self, k=5, name="sparse_top_k_categorical_accuracy", dtype=None):
        super().__init__(fn=sparse_top_k_categorical_accuracy, name=name, dtype=dtype, k=k)
        self.k = k
