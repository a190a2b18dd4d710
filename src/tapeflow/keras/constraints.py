"""``keras.constraints``: projections applied to a weight after each optimizer update."""
from tapeflow.framework.tensor import Tensor, convert_to_tensor
from tapeflow.framework.variable import array_of
from tapeflow.ops import math_ops as M


def _t(x):
    return x if type(x) is Tensor else convert_to_tensor(x)


def _c(x, v):
    return Tensor(array_of(x).dtype.type(v))


class Constraint:
    """Base class: ``constraint(w)`` returns the projected weight Tensor."""

    def __call__(self, w):
        return w

    def get_config(self):
        """Returns the constructor arguments as a dict."""
        return {}

    @classmethod
    def from_config(cls, config):
        """Returns a constraint built from ``get_config()``'s output."""
        return cls(**config)


def _norms(w, axis):
    return M.sqrt(M.reduce_sum(M.square(w), axis=axis, keepdims=True))


class MaxNorm(Constraint):
    """Rescales slices along ``axis`` whose L2 norm exceeds ``max_value`` (default 2)."""

    def __init__(self, max_value=2, axis=0):
        self.max_value = max_value
        self.axis = axis

    def __call__(self, w):
        w = _t(w)
        norms = _norms(w, self.axis)
        desired = M.minimum(M.maximum(norms, _c(w, 0)), _c(w, self.max_value))
        return M.multiply(w, M.divide(desired, M.add(norms, _c(w, 1e-7))))

    def get_config(self):
        return {"max_value": self.max_value, "axis": self.axis}


class NonNeg(Constraint):
    """Sets negative weights to zero."""

    def __call__(self, w):
        w = _t(w)
        return M.multiply(w, M.cast(M.greater_equal(w, _c(w, 0)), w.dtype))


class UnitNorm(Constraint):
    """Rescales slices along ``axis`` to unit L2 norm."""

    def __init__(self, axis=0):
        self.axis = axis

    def __call__(self, w):
        w = _t(w)
        return M.divide(w, M.add(_c(w, 1e-7), _norms(w, self.axis)))

    def get_config(self):
        return {"axis": self.axis}


class MinMaxNorm(Constraint):
    """Keeps slice norms within ``[min_value, max_value]``, moving them by ``rate``."""

    def __init__(self, min_value=0.0, max_value=1.0, rate=1.0, axis=0):
        self.min_value = min_value
        self.max_value = max_value
        self.rate = rate
        self.axis = axis

    def __call__(self, w):
        w = _t(w)
        norms = _norms(w, self.axis)
        clipped = M.minimum(M.maximum(norms, _c(w, self.min_value)), _c(w, self.max_value))
        desired = M.add(M.multiply(_c(w, self.rate), clipped),
                        M.multiply(_c(w, 1 - self.rate), norms))
        return M.multiply(w, M.divide(desired, M.add(norms, _c(w, 1e-7))))

    def get_config(self):
        return {"min_value": self.min_value, "max_value": self.max_value, "rate": self.rate,
                "axis": self.axis}


max_norm = MaxNorm
non_neg = NonNeg
unit_norm = UnitNorm
min_max_norm = MinMaxNorm

_CLASSES = {"MaxNorm": MaxNorm, "NonNeg": NonNeg, "UnitNorm": UnitNorm,
            "MinMaxNorm": MinMaxNorm, "Constraint": Constraint, "max_norm": MaxNorm,
            "non_neg": NonNeg, "unit_norm": UnitNorm, "min_max_norm": MinMaxNorm}


def serialize(constraint):
    """Returns the Keras config dict of a constraint."""
    from tapeflow.keras.saving.serialization import serialize_keras_object
    return serialize_keras_object(constraint)


def deserialize(config, custom_objects=None):
    """Returns the constraint described by a config dict."""
    from tapeflow.keras.saving.serialization import deserialize_keras_object
    return deserialize_keras_object(config, module_objects=_CLASSES,
                                    custom_objects=custom_objects)


def get(identifier):
    """Returns a constraint from a name, a config dict, an instance or a callable.

    Raises:
      ValueError: for an unknown identifier.
    """
    from tapeflow.keras.saving.object_tables import get_instance
    return get_instance(identifier, _CLASSES, "constraint", deserialize)
