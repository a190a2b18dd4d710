"""``R2Score``, ``PearsonCorrelation`` and ``ConcordanceCorrelation`` (Keras 3), with the
function forms ``pearson_correlation`` and ``concordance_correlation``."""
from tapeflow.framework.variable import array_of
import warnings

import numpy as np

from tapeflow.framework.tensor import Tensor
from tapeflow.keras.metrics.metric import Metric, add_to, same_rank, to_array
from tapeflow.keras.metrics.reduction_metrics import MeanMetricWrapper

_EPS = 1e-7


def _pair(y_true, y_pred):
    y_pred = to_array(y_pred)
    if y_pred.dtype.kind != "f":
        y_pred = y_pred.astype(np.float32)
    y_true = to_array(y_true, y_pred.dtype)
    return same_rank(y_true, y_pred)


def pearson_correlation(y_true, y_pred, axis=-1):
    """Returns the Pearson correlation of ``y_true`` and ``y_pred`` along ``axis``."""
    y_true, y_pred = _pair(y_true, y_pred)
    t = y_true - y_true.mean(axis=axis, keepdims=True)
    p = y_pred - y_pred.mean(axis=axis, keepdims=True)
    with np.errstate(all="ignore"):
        t = t / t.std(axis=axis, keepdims=True)
        p = p / p.std(axis=axis, keepdims=True)
    return Tensor(np.mean(t * p, axis=axis).astype(y_pred.dtype))


def concordance_correlation(y_true, y_pred, axis=-1):
    """Returns Lin's concordance correlation of ``y_true`` and ``y_pred`` along ``axis``
    (computed as Keras 3.15 does, centring both by the prediction mean in the covariance)."""
    y_true, y_pred = _pair(y_true, y_pred)
    t_mean = y_true.mean(axis=axis, keepdims=True)
    p_mean = y_pred.mean(axis=axis, keepdims=True)
    t_var = np.var(y_true - t_mean, axis=axis, keepdims=True)
    p_var = np.var(y_pred - p_mean, axis=axis, keepdims=True)
    covar = (y_true - p_mean) * (y_pred - p_mean)
    norm = t_var + p_var + np.square(t_mean - p_mean)
    out = np.mean(2 * covar / (norm + y_pred.dtype.type(_EPS)), axis=axis)
    return Tensor(out.astype(y_pred.dtype))


class PearsonCorrelation(MeanMetricWrapper):
    """The mean over batches of ``pearson_correlation`` (along ``axis``)."""

    _direction = "up"

    def __init__(self, name="pearson_correlation", dtype=None, axis=-1):
        super().__init__(fn=pearson_correlation, name=name, dtype=dtype, axis=axis)
        self.axis = axis

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "axis": self.axis}


class ConcordanceCorrelation(MeanMetricWrapper):
    """The mean over batches of ``concordance_correlation`` (along ``axis``)."""

    _direction = "up"

    def __init__(self, name="concordance_correlation", dtype=None, axis=-1):
        super().__init__(fn=concordance_correlation, name=name, dtype=dtype, axis=axis)
        self.axis = axis

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "axis": self.axis}


class R2Score(Metric):
    """Coefficient of determination, per output column then aggregated.

    Args:
      class_aggregation: ``"uniform_average"`` (default), ``"variance_weighted_average"`` or
        None (one score per column).
      num_regressors: > 0 gives the adjusted R2 for that many independent variables.
    """

    _direction = "up"

    def __init__(self, class_aggregation="uniform_average", num_regressors=0,
                 name="r2_score", dtype=None):
        super().__init__(name=name, dtype=dtype)
        allowed = (None, "uniform_average", "variance_weighted_average")
        if class_aggregation not in allowed:
            raise ValueError(f"Invalid value for argument `class_aggregation`. Expected one of "
                             f"{allowed}. Received: class_aggregation={class_aggregation}")
        if num_regressors < 0:
            raise ValueError(f"Invalid value for argument `num_regressors`. Expected a value "
                             f">= 0. Received: num_regressors={num_regressors}")
        self.class_aggregation = class_aggregation
        self.num_regressors = num_regressors
        self.num_samples = self.add_variable((), "zeros", name="num_samples")
        self._built = False

    def _build(self, true_shape, pred_shape):
        if len(pred_shape) != 2 or len(true_shape) != 2:
            raise ValueError(f"R2Score expects 2D inputs with shape (batch_size, output_dim). "
                             f"Received input shapes: y_pred.shape={pred_shape} and "
                             f"y_true.shape={true_shape}.")
        n = pred_shape[-1]
        self.squared_sum = self.add_variable((n,), "zeros", name="squared_sum")
        self.sum = self.add_variable((n,), "zeros", name="sum")
        self.total_mse = self.add_variable((n,), "zeros", name="residual")
        self.count = self.add_variable((n,), "zeros", name="count")
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Adds this batch's sums, squared sums, residuals and weights."""
        dt = self._dtype.as_numpy_dtype
        y_true, y_pred = same_rank(to_array(y_true, dt), to_array(y_pred, dt))
        if not self._built:
            self._build(y_true.shape, y_pred.shape)
        w = np.ones((), dt) if sample_weight is None else to_array(sample_weight, dt)
        if w.ndim == 1:
            w = w[:, None]
        w = np.broadcast_to(w, y_true.shape)
        wt = y_true * w
        add_to(self.sum, wt.sum(axis=0))
        add_to(self.squared_sum, (y_true * wt).sum(axis=0))
        add_to(self.total_mse, ((y_true - y_pred) ** 2 * w).sum(axis=0))
        add_to(self.count, w.sum(axis=0))
        add_to(self.num_samples, y_true.size)

    def result(self):
        """Returns the (adjusted) R2 score as a float32 Tensor."""
        if not self._built:
            return Tensor(np.float32(np.nan))
        v = {k: array_of(getattr(self, k)) for k in ("sum", "squared_sum", "total_mse",
                                                          "count")}
        with np.errstate(all="ignore"):
            mean = v["sum"] / v["count"]
            total = v["squared_sum"] - v["sum"] * mean
            raw = 1 - v["total_mse"] / total
        raw = np.where(np.isinf(raw), 0.0, raw).astype(np.float32)
        if self.class_aggregation == "uniform_average":
            score = np.mean(raw)
        elif self.class_aggregation == "variance_weighted_average":
            score = np.sum(total * raw) / np.sum(total)
        else:
            score = raw
        n = float(array_of(self.num_samples))
        p = self.num_regressors
        if p != 0:
            if p > n - 1:
                warnings.warn("More independent predictors than datapoints in adjusted R2 "
                              "score. Falling back to standard R2 score.", stacklevel=2)
            elif p == n - 1:
                warnings.warn("Division by zero in Adjusted R2 score. Falling back to standard "
                              "R2 score.", stacklevel=2)
            else:
                score = 1.0 - (1.0 - score) * (n - 1.0) / (n - p - 1.0)
        return Tensor(np.asarray(score, np.float32))

    def reset_state(self):
        """Sets every accumulator back to zero."""
        super().reset_state()

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype,
                "class_aggregation": self.class_aggregation,
                "num_regressors": self.num_regressors}


__all__ = ["R2Score", "PearsonCorrelation", "ConcordanceCorrelation", "pearson_correlation",
           "concordance_correlation"]
