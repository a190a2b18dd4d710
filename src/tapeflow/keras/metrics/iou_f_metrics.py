"""``MeanIoU``, ``F1Score`` and ``FBetaScore`` (Keras 3)."""
import warnings

import numpy as np

from tapeflow.framework.tensor import Tensor
from tapeflow.keras.metrics.metric import Metric, add_to, to_array
from tapeflow.framework.variable import array_of

_EPS = 1e-7


class MeanIoU(Metric):
    """Mean intersection-over-union over classes, from an accumulated confusion matrix.

    Args:
      num_classes: number of classes.
      name: as ``Metric``.
      dtype: the dtype of the confusion matrix: ``"int64"`` by default, as in Keras 3, so
        float sample weights are truncated to integers (with a warning); pass
        ``dtype="float32"`` for fractional weights.
      ignore_class: a label value left out of the counts.
      sparse_y_true: labels are class ids (else one-hot/probabilities, argmax taken).
      sparse_y_pred: predictions are class ids (else scores, argmax taken).
      axis: the class axis for the argmax.
    """

    _direction = "up"

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None,
                 sparse_y_true=True, sparse_y_pred=True, axis=-1):
        super().__init__(name=name, dtype=dtype or "int64")
        self.num_classes = num_classes
        self.ignore_class = ignore_class
        self.sparse_y_true = sparse_y_true
        self.sparse_y_pred = sparse_y_pred
        self.axis = axis
        self.total_cm = self.add_variable((num_classes, num_classes), "zeros",
                                          name="total_confusion_matrix")

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Adds this batch's (weighted) confusion matrix."""
        y_true = to_array(y_true)
        y_pred = to_array(y_pred)
        if not self.sparse_y_true:
            y_true = np.argmax(y_true, axis=self.axis)
        if not self.sparse_y_pred:
            y_pred = np.argmax(y_pred, axis=self.axis)
        y_true = y_true.reshape(-1).astype(np.int64)
        y_pred = y_pred.reshape(-1).astype(np.int64)
        w = None
        if sample_weight is not None:
            is_int = self._dtype.is_integer
            if is_int and "float" in str(getattr(sample_weight, "dtype", "")):
                warnings.warn("You are passing weight as `float`, but dtype is `int`. This "
                              "may result in an incorrect weight due to type casting "
                              "Consider using integer weights.", stacklevel=2)
            w = to_array(sample_weight, self._dtype.as_numpy_dtype)
            w = np.broadcast_to(w.reshape(-1) if w.ndim > 1 else w, y_true.shape)
        keep = np.ones(y_true.shape, bool)
        if self.ignore_class is not None:
            keep &= y_true != self.ignore_class
        n = self.num_classes
        keep &= (y_true >= 0) & (y_true < n) & (y_pred >= 0) & (y_pred < n)
        idx = y_true[keep] * n + y_pred[keep]
        cm = np.bincount(idx, weights=None if w is None else w[keep].astype(np.float64),
                         minlength=n * n)
        add_to(self.total_cm, cm.reshape(n, n).astype(self._dtype.as_numpy_dtype))

    def result(self):
        """Returns the mean IoU over the classes that occur (float32 scalar)."""
        cm = array_of(self.total_cm).astype(np.float64)
        rows, cols = cm.sum(axis=0), cm.sum(axis=1)
        tp = np.diag(cm)
        denom = rows + cols - tp
        valid = np.sum(denom > 1e-9)
        with np.errstate(all="ignore"):
            iou = np.where(denom != 0, tp / np.where(denom != 0, denom, 1), 0)
            r = np.sum(iou) / valid if valid else 0.0
        return Tensor(np.float32(r))

    def get_config(self):
        return {"num_classes": self.num_classes, "name": self.name, "dtype": self.dtype,
                "ignore_class": self.ignore_class, "sparse_y_true": self.sparse_y_true,
                "sparse_y_pred": self.sparse_y_pred, "axis": self.axis}


class FBetaScore(Metric):
    """F-beta score per class (or averaged: ``"micro"``, ``"macro"``, ``"weighted"``).

    Args:
      average: None (one score per class), ``"micro"``, ``"macro"`` or ``"weighted"``.
      beta: weight of recall relative to precision.
      threshold: predictions above it are positive; None takes each row's maximum.
      name, dtype: as ``Metric``.
    """

    _direction = "up"

    def __init__(self, average=None, beta=1.0, threshold=None, name="fbeta_score", dtype=None):
        super().__init__(name=name, dtype=dtype)
        if average not in (None, "micro", "macro", "weighted"):
            raise ValueError("Invalid `average` argument value. Expected one of: "
                             "{None, 'micro', 'macro', 'weighted'}. "
                             f"Received: average={average}")
        if not isinstance(beta, float):
            raise ValueError("Invalid `beta` argument value. It should be a Python float. "
                             f"Received: beta={beta} of type '{type(beta)}'")
        if beta <= 0.0:
            raise ValueError("Invalid `beta` argument value. It should be > 0. "
                             f"Received: beta={beta}")
        if threshold is not None and (not isinstance(threshold, float) or
                                      threshold > 1.0 or threshold <= 0.0):
            raise ValueError("Invalid `threshold` argument value. It should be a Python float "
                             f"in the range ]0, 1]. Received: threshold={threshold}")
        self.average = average
        self.beta = beta
        self.threshold = threshold
        self.axis = None if average == "micro" else 0
        self._built = False

    def _build(self, num_classes):
        shape = () if self.average == "micro" else (num_classes,)
        self.true_positives = self.add_variable(shape, "zeros", name="true_positives")
        self.false_positives = self.add_variable(shape, "zeros", name="false_positives")
        self.false_negatives = self.add_variable(shape, "zeros", name="false_negatives")
        self.intermediate_weights = self.add_variable(shape, "zeros",
                                                      name="intermediate_weights")
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Adds this batch's per-class counts."""
        dt = self._dtype.as_numpy_dtype
        y_true = to_array(y_true, dt)
        y_pred = to_array(y_pred, dt)
        if y_pred.ndim != 2 or y_true.ndim != 2:
            raise ValueError("FBetaScore expects 2D inputs with shape (batch_size, "
                             f"output_dim). Received input shapes: y_pred.shape={y_pred.shape}"
                             f" and y_true.shape={y_true.shape}.")
        if not self._built:
            self._build(y_pred.shape[-1])
        if self.threshold is None:
            top = np.max(y_pred, axis=-1, keepdims=True)
            pred = (y_pred >= top) & (np.abs(y_pred) > 1e-9)
        else:
            pred = y_pred > self.threshold
        pred = pred.astype(dt)
        w = None if sample_weight is None else to_array(sample_weight, dt).reshape(-1, 1)

        def wsum(v):
            if w is not None:
                v = v * w
            return np.sum(v, axis=self.axis)
        add_to(self.true_positives, wsum(pred * y_true))
        add_to(self.false_positives, wsum(pred * (1 - y_true)))
        add_to(self.false_negatives, wsum((1 - pred) * y_true))
        add_to(self.intermediate_weights, wsum(y_true))

    def result(self):
        """Returns the F-beta score(s) as a float32 Tensor."""
        if not self._built:
            return Tensor(np.float32(0.0))
        tp = array_of(self.true_positives)
        fp = array_of(self.false_positives)
        fn = array_of(self.false_negatives)
        eps = np.float32(_EPS)
        b2 = np.float32(self.beta ** 2)
        precision = tp / (tp + fp + eps)
        recall = tp / (tp + fn + eps)
        f = precision * recall / (b2 * precision + recall + eps) * (1 + b2)
        if self.average == "weighted":
            iw = array_of(self.intermediate_weights)
            f = np.sum(f * (iw / (np.sum(iw) + eps)))
        elif self.average is not None:
            f = np.mean(f)
        return Tensor(np.asarray(f, np.float32))

    def reset_state(self):
        """Sets the counts back to zeros."""
        super().reset_state()

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "beta": self.beta,
                "average": self.average, "threshold": self.threshold}


class F1Score(FBetaScore):
    """F1 score (``FBetaScore`` with ``beta=1``); arguments as ``FBetaScore``."""

    def __init__(self, average=None, threshold=None, name="f1_score", dtype=None):
        super().__init__(average=average, beta=1.0, threshold=threshold, name=name,
                         dtype=dtype)

    def get_config(self):
        config = super().get_config()
        del config["beta"]
        return config
