"""The loss classes of ``keras.losses`` (each wraps its function form)."""
from tapeflow.keras.losses import functions as F
from tapeflow.keras.losses.loss import LossFunctionWrapper

_R = "sum_over_batch_size"


class _Wrapper(LossFunctionWrapper):
    """A loss class whose config is ``name``, ``reduction`` and its own keyword arguments."""

    _fn = None

    def __init__(self, reduction=_R, name=None, dtype=None, **kwargs):
        super().__init__(type(self)._fn, reduction=reduction, name=name, dtype=dtype, **kwargs)

    def get_config(self):
        return {"name": self.name, "reduction": self.reduction, **self._fn_kwargs}


class MeanSquaredError(_Wrapper):
    """Mean of squares of errors (``mean_squared_error``), weighted and reduced."""

    _fn = staticmethod(F.mean_squared_error)

    def __init__(self, reduction=_R, name="mean_squared_error", dtype=None):
        super().__init__(reduction, name, dtype)


class MeanAbsoluteError(_Wrapper):
    """Mean of absolute errors (``mean_absolute_error``), weighted and reduced."""

    _fn = staticmethod(F.mean_absolute_error)

    def __init__(self, reduction=_R, name="mean_absolute_error", dtype=None):
        super().__init__(reduction, name, dtype)


class MeanAbsolutePercentageError(_Wrapper):
    """Mean absolute percentage error, weighted and reduced."""

    _fn = staticmethod(F.mean_absolute_percentage_error)

    def __init__(self, reduction=_R, name="mean_absolute_percentage_error", dtype=None):
        super().__init__(reduction, name, dtype)


class MeanSquaredLogarithmicError(_Wrapper):
    """Mean squared logarithmic error, weighted and reduced."""

    _fn = staticmethod(F.mean_squared_logarithmic_error)

    def __init__(self, reduction=_R, name="mean_squared_logarithmic_error", dtype=None):
        super().__init__(reduction, name, dtype)


class CosineSimilarity(_Wrapper):
    """Negative cosine similarity along ``axis``, weighted and reduced.

    As in Keras 3, ``get_config()`` holds only ``name`` and ``reduction`` (not ``axis``).
    """

    _fn = staticmethod(F.cosine_similarity)

    def __init__(self, axis=-1, reduction=_R, name="cosine_similarity", dtype=None):
        super().__init__(reduction, name, dtype, axis=axis)

    def get_config(self):
        return {"name": self.name, "reduction": self.reduction}


class Huber(_Wrapper):
    """Huber loss with threshold ``delta``, weighted and reduced.

    As in Keras 3, ``get_config()`` holds only ``name`` and ``reduction`` (not ``delta``).
    """

    _fn = staticmethod(F.huber)

    def __init__(self, delta=1.0, reduction=_R, name="huber_loss", dtype=None):
        super().__init__(reduction, name, dtype, delta=delta)

    def get_config(self):
        return {"name": self.name, "reduction": self.reduction}


class LogCosh(_Wrapper):
    """Logarithm of the hyperbolic cosine of the error, weighted and reduced."""

    _fn = staticmethod(F.log_cosh)

    def __init__(self, reduction=_R, name="log_cosh", dtype=None):
        super().__init__(reduction, name, dtype)


class KLDivergence(_Wrapper):
    """Kullback-Leibler divergence ``sum(y_true * log(y_true / y_pred))``, weighted and reduced."""

    _fn = staticmethod(F.kl_divergence)

    def __init__(self, reduction=_R, name="kl_divergence", dtype=None):
        super().__init__(reduction, name, dtype)


class Poisson(_Wrapper):
    """Poisson loss ``y_pred - y_true * log(y_pred)``, weighted and reduced."""

    _fn = staticmethod(F.poisson)

    def __init__(self, reduction=_R, name="poisson", dtype=None):
        super().__init__(reduction, name, dtype)


class Hinge(_Wrapper):
    """Hinge loss (labels -1/1, or 0/1 converted), weighted and reduced."""

    _fn = staticmethod(F.hinge)

    def __init__(self, reduction=_R, name="hinge", dtype=None):
        super().__init__(reduction, name, dtype)


class SquaredHinge(_Wrapper):
    """Squared hinge loss, weighted and reduced."""

    _fn = staticmethod(F.squared_hinge)

    def __init__(self, reduction=_R, name="squared_hinge", dtype=None):
        super().__init__(reduction, name, dtype)


class CategoricalHinge(_Wrapper):
    """Categorical hinge loss, weighted and reduced."""

    _fn = staticmethod(F.categorical_hinge)

    def __init__(self, reduction=_R, name="categorical_hinge", dtype=None):
        super().__init__(reduction, name, dtype)


class BinaryCrossentropy(_Wrapper):
    """Binary cross-entropy (``from_logits``, ``label_smoothing``, ``axis``), reduced."""

    _fn = staticmethod(F.binary_crossentropy)

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1, reduction=_R,
                 name="binary_crossentropy", dtype=None):
        super().__init__(reduction, name, dtype, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis


class BinaryFocalCrossentropy(_Wrapper):
    """Binary focal cross-entropy, weighted and reduced."""

    _fn = staticmethod(F.binary_focal_crossentropy)

    def __init__(self, apply_class_balancing=False, alpha=0.25, gamma=2.0, from_logits=False,
                 label_smoothing=0.0, axis=-1, reduction=_R,
                 name="binary_focal_crossentropy", dtype=None):
        super().__init__(reduction, name, dtype, apply_class_balancing=apply_class_balancing,
                         alpha=alpha, gamma=gamma, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)
        self.from_logits = from_logits


class CategoricalCrossentropy(_Wrapper):
    """Categorical cross-entropy on one-hot labels, weighted and reduced."""

    _fn = staticmethod(F.categorical_crossentropy)

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1, reduction=_R,
                 name="categorical_crossentropy", dtype=None):
        super().__init__(reduction, name, dtype, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis


class SparseCategoricalCrossentropy(_Wrapper):
    """Cross-entropy on integer labels; entries labelled ``ignore_class`` are left out."""

    _fn = staticmethod(F.sparse_categorical_crossentropy)

    def __init__(self, from_logits=False, ignore_class=None, reduction=_R,
                 name="sparse_categorical_crossentropy", dtype=None):
        super().__init__(reduction, name, dtype, from_logits=from_logits,
                         ignore_class=ignore_class)
        self.from_logits = from_logits
        self.ignore_class = ignore_class

    def call(self, y_true, y_pred):
        y_true, y_pred = F.squeeze_or_expand_to_same_rank(y_true, y_pred)
        res, mask = F._sparse_with_mask(y_true, y_pred, **self._fn_kwargs)
        self._last_mask = mask
        return res
