"""``keras.losses.Loss``: the base class (casting, sample weights, reduction)."""
import numpy as np

from tapeflow.framework import dtypes
from tapeflow.framework.tensor import Tensor
from tapeflow.keras.losses.functions import cast_to, squeeze_or_expand_to_same_rank
from tapeflow.ops import math_ops as m
from tapeflow.keras.trainers import distribute_support as _dist

_REDUCTIONS = ("sum_over_batch_size", "sum", None, "none", "mean", "mean_with_sample_weight")


def standardize_reduction(reduction):
    """Returns ``reduction`` if it is one Keras accepts.

    Raises:
      ValueError: for any other value.
    """
    if reduction not in _REDUCTIONS:
        raise ValueError("Invalid value for argument `reduction`. Expected one of "
                         f"{set(_REDUCTIONS)}. Received: reduction={reduction}")
    return reduction


def reduce_values(values, sample_weight=None, reduction="sum_over_batch_size"):
    """Returns ``values`` reduced: summed, averaged over all entries, or unchanged."""
    if reduction is None or reduction == "none" or values.ndim == 0 or \
            values.array.shape == (0,):
        return values
    loss = m.reduce_sum(values)
    if reduction in ("sum_over_batch_size", "mean", "mean_with_sample_weight"):
        if reduction == "mean_with_sample_weight" and sample_weight is not None:
            divisor = m.cast(m.reduce_sum(sample_weight), loss.dtype)
        else:
            divisor = Tensor(loss.array.dtype.type(values.array.size))
        loss = m.divide_no_nan(loss, divisor)
        loss = _dist.scale_loss(loss)   # 1/num_replicas under a strategy, as Keras
    return loss


def reduce_weighted_values(values, sample_weight=None, mask=None,
                           reduction="sum_over_batch_size", dtype=None):
    """Applies ``sample_weight`` (and a validity ``mask``) then reduces; returns a Tensor."""
    dtype = dtypes.as_dtype(dtype or values.dtype)
    if sample_weight is not None:
        sample_weight = cast_to(sample_weight, dtype)
    if mask is not None:
        mask_t = np.asarray(mask, dtype=dtype.as_numpy_dtype)
        if reduction in ("mean", "sum_over_batch_size"):
            total = mask_t.size
            mask_t = mask_t * dtype.as_numpy_dtype(total / (mask_t.sum() + 1e-7))
        mask_t = Tensor(mask_t)
        if sample_weight is not None:
            mask_t, sample_weight = squeeze_or_expand_to_same_rank(mask_t, sample_weight)
            sample_weight = sample_weight * mask_t
        else:
            sample_weight = mask_t
    values = cast_to(values, dtype)
    if sample_weight is not None:
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        values = values * sample_weight
    return reduce_values(values, sample_weight, reduction)


class Loss:
    """Base class for losses: subclasses implement ``call(y_true, y_pred)``.

    Args:
      name: the loss name.
      reduction: ``"sum_over_batch_size"`` (default), ``"sum"``, ``"mean"``,
        ``"mean_with_sample_weight"``, ``"none"`` or ``None``.
      dtype: the dtype inputs are cast to and the loss computed in (float32).
    """

    def __init__(self, name=None, reduction="sum_over_batch_size", dtype=None):
        if name is None:
            from tapeflow.keras import backend
            name = backend.unique_object_name(backend.to_snake_case(type(self).__name__))
        self.name = name
        self.reduction = standardize_reduction(reduction)
        self._dtype = dtypes.as_dtype(dtype or "float32")

    @property
    def dtype(self):
        """Returns the compute dtype name (``"float32"``)."""
        return self._dtype.name

    def __call__(self, y_true, y_pred, sample_weight=None):
        """Returns the reduced, weighted loss (a scalar unless ``reduction`` is ``"none"``)."""
        dtype = self._dtype
        y_pred = cast_to(y_pred, dtype)
        y_true = cast_to(y_true, dtype)
        losses = self.call(y_true, y_pred)
        mask = getattr(self, "_last_mask", None)
        self._last_mask = None
        return reduce_weighted_values(losses, sample_weight=sample_weight, mask=mask,
                                      reduction=self.reduction, dtype=dtype)

    def call(self, y_true, y_pred):
        """Returns the per-sample losses; subclasses implement it."""
        raise NotImplementedError

    def get_config(self):
        """Returns the constructor arguments as a dict."""
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config):
        """Returns a loss built from ``get_config()``'s dict."""
        return cls(**config)


class LossFunctionWrapper(Loss):
    """Wraps a loss function ``fn(y_true, y_pred, **kwargs)`` as a ``Loss``.

    Args:
      fn: the per-sample loss function.
      reduction, name, dtype: as ``Loss``.
      **kwargs: keyword arguments passed to ``fn``.
    """

    def __init__(self, fn, reduction="sum_over_batch_size", name=None, dtype=None, **kwargs):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.fn = fn
        self._fn_kwargs = kwargs

    def call(self, y_true, y_pred):
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self):
        config = super().get_config()
        config.update(self._fn_kwargs)
        return config

    def __repr__(self):
        return f"<LossFunctionWrapper({self.fn}, kwargs={self._fn_kwargs})>"
