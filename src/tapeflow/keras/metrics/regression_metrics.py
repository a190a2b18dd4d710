"""Regression and probabilistic metrics: running means of the loss functions."""
import numpy as np

from tapeflow.framework.tensor import Tensor
from tapeflow.framework.variable import array_of
from tapeflow.keras.losses import functions as F
from tapeflow.keras.metrics.metric import same_rank, to_array
from tapeflow.keras.metrics.reduction_metrics import Mean, MeanMetricWrapper


class MeanSquaredError(MeanMetricWrapper):
    """Running mean of ``mean_squared_error``."""

    _direction = "down"

    def __init__(self, name="mean_squared_error", dtype=None):
        super().__init__(fn=F.mean_squared_error, name=name, dtype=dtype)


class MeanAbsoluteError(MeanMetricWrapper):
    """Running mean of ``mean_absolute_error``."""

    _direction = "down"

    def __init__(self, name="mean_absolute_error", dtype=None):
        super().__init__(F.mean_absolute_error, name, dtype=dtype)


class MeanAbsolutePercentageError(MeanMetricWrapper):
    """Running mean of ``mean_absolute_percentage_error``."""

    _direction = "down"

    def __init__(self, name="mean_absolute_percentage_error", dtype=None):
        super().__init__(F.mean_absolute_percentage_error, name, dtype=dtype)


class MeanSquaredLogarithmicError(MeanMetricWrapper):
    """Running mean of ``mean_squared_logarithmic_error``."""

    _direction = "down"

    def __init__(self, name="mean_squared_logarithmic_error", dtype=None):
        super().__init__(F.mean_squared_logarithmic_error, name, dtype=dtype)


class RootMeanSquaredError(Mean):
    """``sqrt`` of the running mean of squared errors."""

    _direction = "down"

    def __init__(self, name="root_mean_squared_error", dtype=None):
        super().__init__(name, dtype=dtype)

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Adds the squared errors (weighted) to the running mean."""
        dt = self._dtype.as_numpy_dtype
        y_true, y_pred = same_rank(to_array(y_true, dt), to_array(y_pred, dt))
        return super().update_state(np.square(y_pred - y_true), sample_weight=sample_weight)

    def result(self):
        """Returns ``sqrt(total / count)`` as a scalar Tensor."""
        return Tensor(np.sqrt(array_of(super().result())))


class CosineSimilarity(MeanMetricWrapper):
    """Running mean of the cosine similarity along ``axis``."""

    _direction = "up"

    def __init__(self, name="cosine_similarity", dtype=None, axis=-1):
        super().__init__(_cosine_similarity, name, dtype=dtype, axis=axis)

    def get_config(self):
        """Returns ``name`` and ``dtype`` only (Keras 3 leaves ``axis`` out)."""
        return {"name": self.name, "dtype": self.dtype}


def _cosine_similarity(y_true, y_pred, axis=-1):
    return -F.cosine_similarity(y_true, y_pred, axis=axis)


class LogCoshError(MeanMetricWrapper):
    """Running mean of ``log_cosh``."""

    _direction = "down"

    def __init__(self, name="logcosh", dtype=None):
        super().__init__(F.log_cosh, name, dtype=dtype)


class BinaryCrossentropy(MeanMetricWrapper):
    """Running mean of ``binary_crossentropy``."""

    _direction = "down"

    def __init__(self, name="binary_crossentropy", dtype=None, from_logits=False,
                 label_smoothing=0):
        super().__init__(F.binary_crossentropy, name, dtype=dtype, from_logits=from_logits,
                         label_smoothing=label_smoothing)


class CategoricalCrossentropy(MeanMetricWrapper):
    """Running mean of ``categorical_crossentropy``."""

    _direction = "down"

    def __init__(self, name="categorical_crossentropy", dtype=None, from_logits=False,
                 label_smoothing=0, axis=-1):
        super().__init__(F.categorical_crossentropy, name, dtype=dtype,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)


class SparseCategoricalCrossentropy(MeanMetricWrapper):
    """Running mean of ``sparse_categorical_crossentropy``."""

    _direction = "down"

    def __init__(self, name="sparse_categorical_crossentropy", dtype=None, from_logits=False,
                 ignore_class=None, axis=-1):
        super().__init__(F.sparse_categorical_crossentropy, name, dtype=dtype,
                         from_logits=from_logits, ignore_class=ignore_class, axis=axis)

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Adds the batch's cross-entropies to the running mean.

        As in Keras 3, entries labelled ``ignore_class`` count as 0 without weights, and
        are left out of the mean (weight 0) when ``sample_weight`` is given.
        """
        values, mask = F._sparse_with_mask(y_true, y_pred, **self._fn_kwargs)
        if sample_weight is not None and mask is not None:
            mask, sample_weight = same_rank(mask.astype(self._dtype.as_numpy_dtype),
                                            to_array(sample_weight, self._dtype.as_numpy_dtype))
            sample_weight = sample_weight * mask
        return Mean.update_state(self, values, sample_weight=sample_weight)


class KLDivergence(MeanMetricWrapper):
    """Running mean of ``kl_divergence``."""

    _direction = "down"

    def __init__(self, name="kl_divergence", dtype=None):
        super().__init__(F.kl_divergence, name, dtype=dtype)


class Poisson(MeanMetricWrapper):
    """Running mean of ``poisson``."""

    _direction = "down"

    def __init__(self, name="poisson", dtype=None):
        super().__init__(F.poisson, name, dtype=dtype)


class Hinge(MeanMetricWrapper):
    """Running mean of ``hinge``."""

    _direction = "down"

    def __init__(self, name="hinge", dtype=None):
        super().__init__(F.hinge, name, dtype=dtype)


class SquaredHinge(MeanMetricWrapper):
    """Running mean of ``squared_hinge``."""

    _direction = "down"

    def __init__(self, name="squared_hinge", dtype=None):
        super().__init__(F.squared_hinge, name, dtype=dtype)


class CategoricalHinge(MeanMetricWrapper):
    """Running mean of ``categorical_hinge``."""

    _direction = "down"

    def __init__(self, name="categorical_hinge", dtype=None):
        super().__init__(F.categorical_hinge, name, dtype=dtype)
