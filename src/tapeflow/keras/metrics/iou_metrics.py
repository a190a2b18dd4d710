"""``IoU``, ``BinaryIoU``, ``OneHotIoU`` and ``OneHotMeanIoU`` (Keras 3): intersection over
union of chosen classes, from an accumulated confusion matrix (int64 by default)."""
from tapeflow.framework.variable import array_of
import numpy as np

from tapeflow.framework.tensor import Tensor
from tapeflow.keras.metrics.iou_f_metrics import MeanIoU
from tapeflow.keras.metrics.metric import to_array


class IoU(MeanIoU):
    """Mean intersection-over-union over ``target_class_ids`` only.

    Args:
      num_classes: the number of classes (the confusion matrix is ``num_classes`` square).
      target_class_ids: the class ids whose IoU is averaged.
      name, dtype, ignore_class, sparse_y_true, sparse_y_pred, axis: as ``MeanIoU``.
    """

    def __init__(self, num_classes, target_class_ids, name=None, dtype=None, ignore_class=None,
                 sparse_y_true=True, sparse_y_pred=True, axis=-1):
        super().__init__(num_classes, name=name, dtype=dtype, ignore_class=ignore_class,
                         sparse_y_true=sparse_y_true, sparse_y_pred=sparse_y_pred, axis=axis)
        if max(target_class_ids) >= num_classes:
            raise ValueError(f"Target class id {max(target_class_ids)} is out of range, which "
                             f"is [0, {num_classes}).")
        self.target_class_ids = list(target_class_ids)

    def result(self):
        """Returns the mean IoU of the target classes that occur (float32 scalar)."""
        cm = array_of(self.total_cm).astype(np.float64)
        tp = np.diag(cm)
        denom = cm.sum(axis=0) + cm.sum(axis=1) - tp
        ids = np.asarray(self.target_class_ids, np.int64)
        tp, denom = tp[ids].astype(np.float32), denom[ids].astype(np.float32)
        valid = np.sum(denom > 1e-9, dtype=np.float32)
        with np.errstate(all="ignore"):
            iou = np.where(denom != 0, tp / np.where(denom != 0, denom, 1), 0)
            r = np.sum(iou, dtype=np.float32) / valid if valid else 0.0
        return Tensor(np.float32(r))

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "num_classes": self.num_classes,
                "target_class_ids": self.target_class_ids, "ignore_class": self.ignore_class,
                "sparse_y_true": self.sparse_y_true, "sparse_y_pred": self.sparse_y_pred,
                "axis": self.axis}


class BinaryIoU(IoU):
    """IoU of a binary task: predictions ``>= threshold`` are class 1.

    Args:
      target_class_ids: which of the classes 0 and 1 to average (default both).
      threshold: the decision threshold on the predictions (default 0.5).
    """

    def __init__(self, target_class_ids=(0, 1), threshold=0.5, name=None, dtype=None):
        super().__init__(num_classes=2, target_class_ids=target_class_ids, name=name,
                         dtype=dtype)
        self.threshold = threshold

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Thresholds the predictions, then adds this batch's confusion matrix."""
        y_true = to_array(y_true).astype(self._dtype.as_numpy_dtype)
        y_pred = (to_array(y_pred, np.float32) >= self.threshold).astype(self._dtype.as_numpy_dtype)
        return super().update_state(y_true, y_pred, sample_weight)

    def get_config(self):
        return {"target_class_ids": self.target_class_ids, "threshold": self.threshold,
                "name": self.name, "dtype": self.dtype}


class OneHotIoU(IoU):
    """IoU of ``target_class_ids`` for one-hot labels (and scores, argmax taken)."""

    def __init__(self, num_classes, target_class_ids, name=None, dtype=None, ignore_class=None,
                 sparse_y_pred=False, axis=-1):
        super().__init__(num_classes=num_classes, target_class_ids=target_class_ids,
                         name=name, dtype=dtype, ignore_class=ignore_class,
                         sparse_y_true=False, sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self):
        return {"num_classes": self.num_classes, "target_class_ids": self.target_class_ids,
                "name": self.name, "dtype": self.dtype, "ignore_class": self.ignore_class,
                "sparse_y_pred": self.sparse_y_pred, "axis": self.axis}


class OneHotMeanIoU(MeanIoU):
    """Mean IoU over all classes for one-hot labels (and scores, argmax taken)."""

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None,
                 sparse_y_pred=False, axis=-1):
        super().__init__(num_classes=num_classes, name=name, dtype=dtype,
                         ignore_class=ignore_class, sparse_y_true=False,
                         sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self):
        return {"num_classes": self.num_classes, "name": self.name, "dtype": self.dtype,
                "ignore_class": self.ignore_class, "sparse_y_pred": self.sparse_y_pred,
                "axis": self.axis}


__all__ = ["IoU", "BinaryIoU", "OneHotIoU", "OneHotMeanIoU"]
