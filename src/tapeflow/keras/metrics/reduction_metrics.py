"""``Sum``, ``Mean`` and ``MeanMetricWrapper`` (Keras 3)."""
import numpy as np

from tapeflow.framework.errors import InvalidArgumentError
from tapeflow.framework.tensor import Tensor
from tapeflow.framework.variable import array_of
from tapeflow.keras.metrics.metric import Metric, add_to, same_rank, to_array


def reduce_to_samplewise_values(values, sample_weight, reduce_fn, dtype):
    """Applies ``sample_weight`` and reduces every non-batch axis; returns ``(values, weights)``."""
    values = to_array(values, dtype)
    if sample_weight is not None:
        sample_weight = to_array(sample_weight, dtype)
        values, sample_weight = same_rank(values, sample_weight)
        wn, vn = sample_weight.ndim, values.ndim
        if vn > wn:
            values = reduce_fn(values, axis=tuple(range(wn, vn)))
        try:
            sample_weight = np.broadcast_to(sample_weight, values.shape)
        except ValueError:
            raise InvalidArgumentError(
                None, "BroadcastTo", f"Incompatible shapes: {list(sample_weight.shape)} vs. "
                f"{list(values.shape)} (sample_weight vs. values)") from None
        values = values * sample_weight
        if wn > 1:
            sample_weight = reduce_fn(sample_weight, axis=tuple(range(1, wn)))
    if values.ndim > 1:
        values = reduce_fn(values, axis=tuple(range(1, values.ndim)))
    return values, sample_weight


class Sum(Metric):
    """The (weighted) sum of the given values.

    Args:
      name: the metric name (``"sum"``).
      dtype: the state dtype.
    """

    def __init__(self, name="sum", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable(shape=(), initializer="zeros", name="total")

    def update_state(self, values, sample_weight=None):
        """Adds the (weighted) values to the total."""
        values, _ = reduce_to_samplewise_values(values, sample_weight, np.sum,
                                                self._dtype.as_numpy_dtype)
        add_to(self.total, np.sum(values))

    def result(self):
        """Returns the total as a scalar Tensor."""
        return Tensor(np.array(array_of(self.total), copy=True))


class Mean(Metric):
    """The (weighted) mean of the given values: ``total / count``.

    Args:
      name: the metric name (``"mean"``).
      dtype: the state dtype.
    """

    def __init__(self, name="mean", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable(shape=(), initializer="zeros", name="total")
        self.count = self.add_variable(shape=(), initializer="zeros", name="count")

    def update_state(self, values, sample_weight=None):
        """Adds the values to the total and their count (or weights) to the count."""
        values, sample_weight = reduce_to_samplewise_values(values, sample_weight, np.mean,
                                                            self._dtype.as_numpy_dtype)
        add_to(self.total, np.sum(values))
        if sample_weight is not None:
            n = np.sum(sample_weight)
        elif values.ndim >= 1:
            n = values.shape[0]
        else:
            n = 1
        add_to(self.count, n)

    def result(self):
        """Returns ``total / count`` (0 when nothing was counted) as a scalar Tensor."""
        t = array_of(self.total)
        c = array_of(self.count)
        with np.errstate(all="ignore"):
            r = t / c if c != 0 else np.zeros((), t.dtype)
        return Tensor(np.asarray(r, dtype=t.dtype))


class MeanMetricWrapper(Mean):
    """The mean of ``fn(y_true, y_pred, **kwargs)`` over all samples seen.

    Args:
      fn: the per-sample metric function.
      name: the metric name.
      dtype: the state dtype.
      **kwargs: keyword arguments passed to ``fn``.
    """

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        super().__init__(name=name, dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Adds ``fn(y_true, y_pred)`` (weighted) to the running mean."""
        values = self._fn(y_true, y_pred, **self._fn_kwargs)
        return super().update_state(values, sample_weight=sample_weight)

    def get_config(self):
        config = {"name": self.name, "dtype": self.dtype}
        if type(self) is MeanMetricWrapper:
            config["fn"] = getattr(self._fn, "__name__", self._fn)
        config.update(self._fn_kwargs)
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if cls is MeanMetricWrapper and isinstance(config.get("fn"), str):
            from tapeflow.keras import metrics
            config["fn"] = getattr(metrics, config["fn"])
        return cls(**config)
