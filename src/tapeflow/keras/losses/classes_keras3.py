"""Loss classes for Keras 3's newer losses: CTC, CategoricalFocalCrossentropy,
CategoricalGeneralizedCrossEntropy, Circle, Dice, Tversky."""
from tapeflow.framework.variable import array_of
import numpy as np

from tapeflow.keras.losses import functions_keras3 as F
from tapeflow.keras.losses.classes import _R, _Wrapper
from tapeflow.keras.losses.loss import Loss


class CTC(_Wrapper):
    """CTC loss of integer labels (0 = blank/padding) against logits, reduced."""

    _fn = staticmethod(F.ctc)

    def __init__(self, reduction=_R, name="ctc", dtype=None):
        super().__init__(reduction, name, dtype)


class CategoricalFocalCrossentropy(_Wrapper):
    """Focal cross-entropy of one-hot labels: down-weights well-classified examples."""

    _fn = staticmethod(F.categorical_focal_crossentropy)

    def __init__(self, alpha=0.25, gamma=2.0, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction=_R, name="categorical_focal_crossentropy", dtype=None):
        super().__init__(reduction, name, dtype, alpha=alpha, gamma=gamma,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)

    def get_config(self):
        kw = self._fn_kwargs
        return {"name": self.name, "reduction": self.reduction,
                "from_logits": kw["from_logits"], "label_smoothing": kw["label_smoothing"],
                "axis": kw["axis"], "alpha": kw["alpha"], "gamma": kw["gamma"]}


class CategoricalGeneralizedCrossEntropy(_Wrapper):
    """Generalized cross-entropy (robust to noisy labels) of integer labels.

    Raises:
      ValueError: unless ``0 < q < 1``.
    """

    _fn = staticmethod(F.categorical_generalized_cross_entropy)

    def __init__(self, q=0.5, reduction=_R, name="categorical_generalized_cross_entropy",
                 dtype=None):
        if not 0 < q < 1:
            raise ValueError("q must be in the interval (0, 1)")
        super().__init__(reduction, name, dtype, q=q)


class Dice(_Wrapper):
    """Dice loss (1 - soft Dice coefficient) over ``axis`` (all axes when None)."""

    _fn = staticmethod(F.dice)

    def __init__(self, reduction=_R, name="dice", axis=None, dtype=None):
        super().__init__(reduction, name, dtype, axis=axis)


class Tversky(_Wrapper):
    """Tversky loss with false-positive weight ``alpha`` and false-negative weight ``beta``."""

    _fn = staticmethod(F.tversky)

    def __init__(self, alpha=0.5, beta=0.5, reduction=_R, name="tversky", axis=None,
                 dtype=None):
        super().__init__(reduction, name, dtype, alpha=alpha, beta=beta, axis=axis)


class Circle(Loss):
    """Circle loss over L2-normalized embeddings with integer labels (zero losses are left
    out of the mean)."""

    def __init__(self, gamma=80.0, margin=0.4, remove_diagonal=True, reduction=_R,
                 name="circle", dtype=None):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.gamma = gamma
        self.margin = margin
        self.remove_diagonal = remove_diagonal

    def call(self, y_true, y_pred):
        out = F.circle(y_true, y_pred, gamma=self.gamma, margin=self.margin,
                       remove_diagonal=self.remove_diagonal)
        self._last_mask = np.asarray(array_of(out)) > 0
        return out

    def get_config(self):
        return {"name": self.name, "reduction": self.reduction, "gamma": self.gamma,
                "margin": self.margin, "remove_diagonal": self.remove_diagonal}


__all__ = ["CTC", "CategoricalFocalCrossentropy", "CategoricalGeneralizedCrossEntropy",
           "Circle", "Dice", "Tversky"]
