"""``PrecisionAtRecall``, ``RecallAtPrecision``, ``SensitivityAtSpecificity`` and
``SpecificityAtSensitivity`` (Keras 3): the best value of one rate among the
``num_thresholds`` evenly spaced thresholds where another rate reaches a target."""
from tapeflow.framework.variable import array_of
import numpy as np

from tapeflow.framework.tensor import Tensor
from tapeflow.keras.metrics.confusion_metrics import _ConfusionMetric, _div


class _AtConstraint(_ConfusionMetric):
    _counts = ("tp", "fp", "tn", "fn")
    _target = "value"

    def __init__(self, value, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        if not 0 <= value <= 1:
            raise ValueError(f"Argument `{self._target}` must be in the range [0, 1]. "
                             f"Received: {self._target}={value}")
        if num_thresholds <= 0:
            raise ValueError(f"Argument `num_thresholds` must be an integer > 0. Received: "
                             f"num_thresholds={num_thresholds}")
        self.value = value
        self.num_thresholds = num_thresholds
        if num_thresholds == 1:
            thresholds = [0.5]
        else:
            thresholds = [0.0] + [(i + 1) * 1.0 / (num_thresholds - 1)
                                  for i in range(num_thresholds - 2)] + [1.0]
        self._setup(thresholds, None, class_id)

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Adds this batch's confusion counts at every threshold (predictions in [0, 1])."""
        from tapeflow.keras.metrics.metric import to_array
        y_pred = np.clip(to_array(y_pred, np.float32), 0.0, 1.0)
        return super().update_state(y_true, y_pred, sample_weight)

    def _rates(self):
        c = {k: array_of(getattr(self, n)).astype(np.float64) for k, n in (
            ("tp", "true_positives"), ("fp", "false_positives"), ("tn", "true_negatives"),
            ("fn", "false_negatives"))}
        return {"sensitivity": _div(c["tp"], c["tp"] + c["fn"]),
                "specificity": _div(c["tn"], c["tn"] + c["fp"]),
                "precision": _div(c["tp"], c["tp"] + c["fp"])}

    def result(self):
        """Returns the best dependent rate where the constrained one is ``>= value``."""
        r = self._rates()
        constrained, dependent = r[self._constrained], r[self._dependent]
        feasible = constrained >= self.value
        return Tensor(np.float32(np.max(np.where(feasible, dependent, 0.0))))

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "class_id": self.class_id,
                "num_thresholds": self.num_thresholds, self._target: self.value}


class SensitivityAtSpecificity(_AtConstraint):
    """Best sensitivity (recall) where specificity ``>= specificity``."""

    _target, _constrained, _dependent = "specificity", "specificity", "sensitivity"

    def __init__(self, specificity, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(specificity, num_thresholds, class_id, name, dtype)


class SpecificityAtSensitivity(_AtConstraint):
    """Best specificity where sensitivity (recall) ``>= sensitivity``."""

    _target, _constrained, _dependent = "sensitivity", "sensitivity", "specificity"

    def __init__(self, sensitivity, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(sensitivity, num_thresholds, class_id, name, dtype)


class PrecisionAtRecall(_AtConstraint):
    """Best precision where recall ``>= recall``."""

    _target, _constrained, _dependent = "recall", "sensitivity", "precision"

    def __init__(self, recall, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(recall, num_thresholds, class_id, name, dtype)


class RecallAtPrecision(_AtConstraint):
    """Best recall where precision ``>= precision`` (0 when no threshold reaches it)."""

    _target, _constrained, _dependent = "precision", "precision", "sensitivity"

    def __init__(self, precision, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(precision, num_thresholds, class_id, name, dtype)


__all__ = ["SensitivityAtSpecificity", "SpecificityAtSensitivity", "PrecisionAtRecall",
           "RecallAtPrecision"]
