"""Metrics over confusion counts at thresholds: ``Precision``, ``Recall``, ``AUC``, counts."""
import numpy as np

from tapeflow.framework.tensor import Tensor
from tapeflow.framework.variable import array_of
from tapeflow.keras.metrics.metric import Metric, add_to, same_rank, to_array

_EPS = 1e-7


def _thresholds(thresholds, default=0.5):
    if thresholds is None:
        return [default], True
    if isinstance(thresholds, (list, tuple)):
        return list(thresholds), False
    return [thresholds], True


def confusion_counts(y_true, y_pred, thresholds, top_k=None, class_id=None,
                     sample_weight=None, multi_label=False, label_weights=None):
    """Returns ``{"tp", "fp", "tn", "fn"}`` counts (float64 arrays, one per threshold, or
    ``(thresholds, labels)`` with ``multi_label``).

    A prediction is positive when ``y_pred > threshold``; labels are positive when nonzero.
    ``label_weights`` weigh the last (class) axis.
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
    if label_weights is not None:
        w = w * np.asarray(label_weights, np.float64)
    thr = np.asarray(thresholds, np.float32)
    if multi_label:   # one column of counts per label (the last axis)
        n_labels = y_pred.shape[-1]
        pred = y_pred.reshape(-1, n_labels)
        lab = label.reshape(-1, n_labels)
        w = np.broadcast_to(w, y_pred.shape).reshape(-1, n_labels).astype(np.float64)
        above = (pred[None] > thr[:, None, None]).astype(np.float64)
        pos_w, neg_w = w * lab, w * ~lab
        tp = np.einsum("tnl,nl->tl", above, pos_w)
        fp = np.einsum("tnl,nl->tl", above, neg_w)
        return {"tp": tp, "fp": fp, "fn": pos_w.sum(0) - tp, "tn": neg_w.sum(0) - fp}
    pred, lab, w = y_pred.ravel(), label.ravel(), np.asarray(w, np.float64).ravel()
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
        tp = array_of(self.true_positives)
        return self._out(_div(tp, tp + array_of(self.false_positives)))


class Recall(_ConfusionMetric):
    """``tp / (tp + fn)`` at ``thresholds`` (0.5 by default); arguments as ``Precision``."""

    _counts = ("tp", "fn")

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self._setup(thresholds, top_k, class_id, default=-1e30 if top_k else 0.5)

    def result(self):
        """Returns the recall (a scalar, or one per threshold)."""
        tp = array_of(self.true_positives)
        return self._out(_div(tp, tp + array_of(self.false_negatives)))


def _count_class(key, attr, doc):
    class _Count(_ConfusionMetric):
        _counts = (key,)

        def __init__(self, thresholds=None, name=None, dtype=None):
            super().__init__(name=name, dtype=dtype)
            self._setup(thresholds, None, None)

        def result(self):
            return self._out(array_of(getattr(self, attr)))

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
        if num_labels and not multi_label:
            raise ValueError("`num_labels` is needed only when `multi_label` is True.")
        self.curve = curve
        self.summation_method = summation_method
        self.multi_label = multi_label
        self.num_labels = num_labels
        self.label_weights = None if label_weights is None else \
            np.asarray(label_weights, self._dtype.as_numpy_dtype)
        self._label_weights_arg = label_weights
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
        self._built = False
        if not multi_label:
            self._build(())
        elif num_labels:
            self._build((num_labels,))

    def _build(self, label_shape):
        """Creates the count variables: ``(num_thresholds,) + label_shape``."""
        shape = (self.num_thresholds,) + tuple(label_shape)
        for name in ("true_positives", "false_positives", "true_negatives",
                     "false_negatives"):
            setattr(self, name, self.add_variable(shape, "zeros", name=name))
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Adds the counts of this batch at every threshold (per label with ``multi_label``).

        Raises:
          ValueError: with ``multi_label``, for a ``y_pred`` not of rank 2.
        """
        y_pred = to_array(y_pred, np.float32)
        if self._from_logits:
            y_pred = 1.0 / (1.0 + np.exp(-y_pred))
        if self.multi_label and not self._built:
            if y_pred.ndim != 2:
                raise ValueError("`y_pred` must have rank 2 when `multi_label=True`. Found "
                                 f"rank {y_pred.ndim}. Full shape received for `y_pred`: "
                                 f"{y_pred.shape}")
            self._build((y_pred.shape[1],))
        counts = confusion_counts(y_true, y_pred, self.thresholds, None, None, sample_weight,
                                  multi_label=self.multi_label,
                                  label_weights=None if self.multi_label else
                                  self.label_weights)
        add_to(self.true_positives, counts["tp"])
        add_to(self.false_positives, counts["fp"])
        add_to(self.true_negatives, counts["tn"])
        add_to(self.false_negatives, counts["fn"])

    def _average(self, by_label):
        """The mean of per-label AUCs (weighted by ``label_weights`` if given)."""
        if not self.multi_label:
            return np.float32(by_label)
        if self.label_weights is None:
            return np.float32(np.mean(by_label))
        lw = self.label_weights.astype(np.float64)
        return np.float32(_div(np.sum(by_label * lw), np.sum(lw)))

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
        return np.sum(inc, axis=0)

    def result(self):
        """Returns the area under the curve as a float32 scalar Tensor (the mean over labels
        with ``multi_label``; 0 before the first update)."""
        if not self._built:
            return Tensor(np.float32(0.0))
        tp = array_of(self.true_positives).astype(np.float64)
        fp = array_of(self.false_positives).astype(np.float64)
        tn = array_of(self.true_negatives).astype(np.float64)
        fn = array_of(self.false_negatives).astype(np.float64)
        n = self.num_thresholds
        if self.curve == "PR" and self.summation_method == "interpolation":
            return Tensor(self._average(self._interpolate_pr_auc(tp, fp, fn)))
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
        return Tensor(self._average(np.sum((x[:n - 1] - x[1:]) * heights, axis=0)))

    def get_config(self):
        config = {"name": self.name, "dtype": self.dtype, "num_thresholds": self.num_thresholds,
                  "curve": self.curve, "summation_method": self.summation_method,
                  "multi_label": self.multi_label, "num_labels": self.num_labels,
                  "label_weights": self._label_weights_arg, "from_logits": self._from_logits}
        if self._init_thresholds is not None:
            config["thresholds"] = self.thresholds[1:-1]
        return config
