"""Metrics over confusion counts at thresholds: ``Precision``, ``Recall``, ``AUC``, counts."""
import numpy as np

from tapeflow.framework.tensor import Tensor
from tapeflow.keras.metrics.metric import Metric, add_to, same_rank, to_array

_EPS = 1e-7


def _thresholds(thresholds, default=0.5):
    if thresholds is None:
        return [default], True
    if isinstance(thresholds, (list, tuple)):
        return list(thresholds), False
    return [thresholds], True


def confusion_counts(y_true, y_pred, thresholds, top_k=None, class_id=None,
                     sample_weight=None):
    """Returns ``{"tp", "fp", "tn", "fn"}`` counts (float64 arrays, one per threshold).

    A prediction is positive when ``y_pred > threshold``; labels are positive when nonzero.
    """
    y_pred = to_array(y_pred, np.float32)
    y_true = to_array(y_true)
    y_pred, y_true = same_rank(y_pred, y_true)
    if top_k is not None:
        kth = -np.sort(-y_pred, axis=-1)[..., top_k - 1:top_k]
        y_pred = np.where(y_pred >= kth, y_pred, -np.inf)
    if class_id is not None:   # keeps a size-1 class axis, as Keras does
        y_true = y_true[..., class_id, None]
        y_pred = y_pred[..., class_id, None]
    label = y_true.astype(bool)
    if y_true.shape != y_pred.shape:
        label = np.broadcast_to(label, np.broadcast_shapes(label.shape, y_pred.shape))
    if sample_weight is None:
        w = np.ones(y_pred.shape, np.float64)
    else:
        # Keras adds a trailing axis to the weights, then squeezes it again where the
        # labels have one axis fewer: (batch,) weights apply to every class of a row.
        sw = to_array(sample_weight, np.float64)[..., None]
        if sw.ndim == y_true.ndim + 1 and sw.shape[-1] == 1:
            sw = sw[..., 0]
        w = np.broadcast_to(sw, y_pred.shape)
    pred, lab, w = y_pred.ravel(), label.ravel(), np.asarray(w, np.float64).ravel()
    thr = np.asarray(thresholds, np.float32)
    above = (pred[None, :] > thr[:, None]).astype(np.float64)
    pos_w = w * lab
    neg_w = w * ~lab
    tp = above @ pos_w
    fp = above @ neg_w
    return {"tp": tp, "fp": fp, "fn": pos_w.sum() - tp, "tn": neg_w.sum() - fp}


class _ConfusionMetric(Metric):
    """Accumulates some of tp/fp/tn/fn at thresholds."""

    _direction = "up"

    _counts = ()

    def _setup(self, thresholds, top_k, class_id, default=0.5):
        self.init_thresholds = thresholds
        self.top_k = top_k
        self.class_id = class_id
        self.thresholds, self._single = _thresholds(thresholds, default)
        n = len(self.thresholds)
        names = {"tp": "true_positives", "fp": "false_positives", "tn": "true_negatives",
                 "fn": "false_negatives"}
        for key in self._counts:
            setattr(self, names[key], self.add_variable((n,), "zeros", name=names[key]))

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Adds the counts of this batch (``y_pred > threshold`` is positive)."""
        counts = confusion_counts(y_true, y_pred, self.thresholds, self.top_k, self.class_id,
                                  sample_weight)
        names = {"tp": "true_positives", "fp": "false_positives", "tn": "true_negatives",
                 "fn": "false_negatives"}
        for key in self._counts:
            add_to(getattr(self, names[key]), counts[key])

    def _out(self, arr):
        arr = np.asarray(arr, np.float32)
        return Tensor(arr[0] if self._single else arr)

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "thresholds": self.init_thresholds,
                "top_k": self.top_k, "class_id": self.class_id}


def _div(a, b):
    with np.errstate(all="ignore"):
        return np.where(b != 0, a / np.where(b != 0, b, 1), 0)


class Precision(_ConfusionMetric):
    """``tp / (tp + fp)`` at ``thresholds`` (0.5 by default).

    Args:
      thresholds: a float or list of floats; a list gives one result per threshold.
      top_k: count only the ``top_k`` highest predictions per sample as positive.
      class_id: compute the metric for this class only.
      name, dtype: as ``Metric``.
    """

    _counts = ("tp", "fp")

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self._setup(thresholds, top_k, class_id, default=-1e30 if top_k else 0.5)

    def result(self):
        """Returns the precision (a scalar, or one per threshold)."""
        tp = self.true_positives._tensor._value
        return self._out(_div(tp, tp + self.false_positives._tensor._value))


class Recall(_ConfusionMetric):
    """``tp / (tp + fn)`` at ``thresholds`` (0.5 by default); arguments as ``Precision``."""

    _counts = ("tp", "fn")

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self._setup(thresholds, top_k, class_id, default=-1e30 if top_k else 0.5)

    def result(self):
        """Returns the recall (a scalar, or one per threshold)."""
        tp = self.true_positives._tensor._value
        return self._out(_div(tp, tp + self.false_negatives._tensor._value))


def _count_class(key, attr, doc):
    class _Count(_ConfusionMetric):
        _counts = (key,)

        def __init__(self, thresholds=None, name=None, dtype=None):
            super().__init__(name=name, dtype=dtype)
            self._setup(thresholds, None, None)

        def result(self):
            return self._out(getattr(self, attr)._tensor._value)

        def get_config(self):
            return {"name": self.name, "dtype": self.dtype,
                    "thresholds": self.init_thresholds}
    _Count.__doc__ = doc
    return _Count


class TruePositives(_count_class("tp", "true_positives", "Weighted count of true positives.")):
    """Weighted count of true positives at ``thresholds`` (0.5)."""


class FalsePositives(_count_class("fp", "false_positives", "")):
    """Weighted count of false positives at ``thresholds`` (0.5)."""


class TrueNegatives(_count_class("tn", "true_negatives", "")):
    """Weighted count of true negatives at ``thresholds`` (0.5)."""


class FalseNegatives(_count_class("fn", "false_negatives", "")):
    """Weighted count of false negatives at ``thresholds`` (0.5)."""


class AUC(_ConfusionMetric):
    """Area under the ROC or precision-recall curve, from counts at ``num_thresholds``.

    Args:
      num_thresholds: number of thresholds evenly spread over [0, 1] (200).
      curve: ``"ROC"`` or ``"PR"``.
      summation_method: ``"interpolation"``, ``"minoring"`` or ``"majoring"``.
      thresholds: explicit thresholds (0 - eps and 1 + eps are added).
      from_logits: apply a sigmoid to ``y_pred`` first.
      name, dtype: as ``Metric``.
    """

    _counts = ("tp", "fp", "tn", "fn")

    def __init__(self, num_thresholds=200, curve="ROC", summation_method="interpolation",
                 name=None, dtype=None, thresholds=None, multi_label=False, num_labels=None,
                 label_weights=None, from_logits=False):
        super().__init__(name=name, dtype=dtype)
        curve = str(curve).upper()
        if curve not in ("ROC", "PR"):
            raise ValueError(f'Invalid `curve` argument value "{curve}". Expected one of: '
                             '["ROC", "PR"]')
        if summation_method not in ("interpolation", "minoring", "majoring"):
            raise ValueError(f'Invalid `summation_method` argument value "{summation_method}". '
                             'Expected one of: ["interpolation", "minoring", "majoring"]')
        if multi_label:
            raise NotImplementedError("AUC(multi_label=True) is not supported by tapeflow yet.")
        self.curve = curve
        self.summation_method = summation_method
        self.multi_label = multi_label
        self.num_labels = num_labels
        self.label_weights = label_weights
        self._from_logits = from_logits
        if thresholds is not None:
            self.num_thresholds = len(thresholds) + 2
            inner = sorted(thresholds)
        else:
            if num_thresholds <= 1:
                raise ValueError("Argument `num_thresholds` must be an integer > 1. "
                                 f"Received: num_thresholds={num_thresholds}")
            self.num_thresholds = num_thresholds
            inner = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
        self._init_thresholds = thresholds
        self.thresholds = [0.0 - _EPS] + inner + [1.0 + _EPS]
        self._single = False
        self.top_k = None
        self.class_id = None
        n = self.num_thresholds
        self.true_positives = self.add_variable((n,), "zeros", name="true_positives")
        self.false_positives = self.add_variable((n,), "zeros", name="false_positives")
        self.true_negatives = self.add_variable((n,), "zeros", name="true_negatives")
        self.false_negatives = self.add_variable((n,), "zeros", name="false_negatives")

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Adds the counts of this batch at every threshold."""
        if self._from_logits:
            y_pred = 1.0 / (1.0 + np.exp(-to_array(y_pred, np.float32)))
        super().update_state(y_true, y_pred, sample_weight)

    def _interpolate_pr_auc(self, tp, fp, fn):
        n = self.num_thresholds
        with np.errstate(all="ignore"):
            dtp = tp[:n - 1] - tp[1:]
            p = tp + fp
            dp = p[:n - 1] - p[1:]
            prec_slope = _div(dtp, np.maximum(dp, 0))
            intercept = tp[1:] - prec_slope * p[1:]
            safe_p_ratio = np.where((p[:n - 1] > 0) & (p[1:] > 0),
                                    _div(p[:n - 1], np.maximum(p[1:], 0)), 1.0)
            inc = _div(prec_slope * (dtp + intercept * np.log(safe_p_ratio)),
                       np.maximum(tp[1:] + fn[1:], 0))
        return np.sum(inc)

    def result(self):
        """Returns the area under the curve as a float32 scalar Tensor."""
        tp = self.true_positives._tensor._value.astype(np.float64)
        fp = self.false_positives._tensor._value.astype(np.float64)
        tn = self.true_negatives._tensor._value.astype(np.float64)
        fn = self.false_negatives._tensor._value.astype(np.float64)
        n = self.num_thresholds
        if self.curve == "PR" and self.summation_method == "interpolation":
            return Tensor(np.float32(self._interpolate_pr_auc(tp, fp, fn)))
        recall = _div(tp, tp + fn)
        if self.curve == "ROC":
            x, y = _div(fp, fp + tn), recall
        else:
            x, y = recall, _div(tp, tp + fp)
        if self.summation_method == "interpolation":
            heights = (y[:n - 1] + y[1:]) / 2.0
        elif self.summation_method == "minoring":
            heights = np.minimum(y[:n - 1], y[1:])
        else:
            heights = np.maximum(y[:n - 1], y[1:])
        return Tensor(np.float32(np.sum((x[:n - 1] - x[1:]) * heights)))

    def get_config(self):
        config = {"name": self.name, "dtype": self.dtype, "num_thresholds": self.num_thresholds,
                  "curve": self.curve, "summation_method": self.summation_method,
                  "multi_label": self.multi_label, "num_labels": self.num_labels,
                  "label_weights": self.label_weights, "from_logits": self._from_logits}
        if self._init_thresholds is not None:
            config["thresholds"] = self.thresholds[1:-1]
        return config
