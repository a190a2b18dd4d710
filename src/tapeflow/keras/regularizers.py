"""``keras.regularizers``: penalties on weights, added to a layer's ``losses``."""
import numpy as np

from tapeflow.framework.tensor import Tensor, convert_to_tensor
from tapeflow.framework.variable import array_of
from tapeflow.ops import math_ops as M


def _t(x):
    return x if type(x) is Tensor else convert_to_tensor(x)


def _check(name, value):
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"Value for {name} must be a float. Received: {name}={value}") from None
    if value < 0 or value != value:
        raise ValueError(f"Value for {name} must be a non-negative float. "
                         f"Received: {name}={value}")
    return value


class Regularizer:
    """Base class: ``regularizer(weight)`` returns a scalar penalty Tensor."""

    def __call__(self, x):
        return Tensor(convert_to_tensor(x).dtype.as_numpy_dtype(0))

    def get_config(self):
        """Returns the constructor arguments as a dict."""
        raise NotImplementedError(f"{self} does not implement get_config()")

    @classmethod
    def from_config(cls, config):
        """Returns a regularizer built from ``get_config()``'s output."""
        return cls(**config)


def _coef(x, value):
    return Tensor(array_of(x).dtype.type(value))


class L1L2(Regularizer):
    """``l1 * sum(|x|) + l2 * sum(x**2)`` (both default 0.0)."""

    def __init__(self, l1=0.0, l2=0.0):
        self.l1 = _check("l1", l1)
        self.l2 = _check("l2", l2)

    def __call__(self, x):
        x = _t(x)
        out = Tensor(array_of(x).dtype.type(0))
        if self.l1:
            out = M.add(out, M.multiply(_coef(x, self.l1), M.reduce_sum(M.abs(x))))
        if self.l2:
            out = M.add(out, M.multiply(_coef(x, self.l2), M.reduce_sum(M.square(x))))
        return out

    def get_config(self):
        return {"l1": self.l1, "l2": self.l2}


class L1(Regularizer):
    """``l1 * sum(|x|)`` (default 0.01)."""

    def __init__(self, l1=0.01):
        self.l1 = _check("l1", l1)

    def __call__(self, x):
        x = _t(x)
        return M.multiply(_coef(x, self.l1), M.reduce_sum(M.abs(x)))

    def get_config(self):
        return {"l1": self.l1}


class L2(Regularizer):
    """``l2 * sum(x**2)`` (default 0.01)."""

    def __init__(self, l2=0.01):
        self.l2 = _check("l2", l2)

    def __call__(self, x):
        x = _t(x)
        return M.multiply(_coef(x, self.l2), M.reduce_sum(M.square(x)))

    def get_config(self):
        return {"l2": self.l2}


class OrthogonalRegularizer(Regularizer):
    """Penalizes non-orthogonal rows (``mode="rows"``) or columns of a 2-D weight."""

    def __init__(self, factor=0.01, mode="rows"):
        self.factor = _check("factor", factor)
        if mode not in ("rows", "columns"):
            raise ValueError("Invalid value for argument `mode`. Expected one of "
                             f"{{'rows', 'columns'}}. Received: mode={mode}")
        self.mode = mode

    def __call__(self, x):
        x = _t(x)
        if self.mode == "columns":
            from tapeflow.ops.array_ops import transpose
            x = transpose(x)
        norms = M.sqrt(M.reduce_sum(M.square(x), axis=1, keepdims=True))
        x = M.divide(x, M.maximum(norms, _coef(x, 1e-7)))
        prod = M.matmul(x, x, transpose_b=True)
        n = x.shape[0]
        off = M.multiply(prod, Tensor(1.0 - np.eye(n, dtype=array_of(x).dtype)))
        return M.multiply(_coef(x, self.factor / (n * (n - 1)) if n > 1 else 0.0),
                          M.reduce_sum(M.abs(off)))

    def get_config(self):
        return {"factor": self.factor, "mode": self.mode}


l1 = L1
l2 = L2
l1_l2 = L1L2
orthogonal_regularizer = OrthogonalRegularizer

_CLASSES = {"L1": L1, "L2": L2, "L1L2": L1L2, "OrthogonalRegularizer": OrthogonalRegularizer,
            "Regularizer": Regularizer, "l1": L1, "l2": L2, "l1_l2": L1L2,
            "orthogonal_regularizer": OrthogonalRegularizer}


def serialize(regularizer):
    """Returns the Keras config dict of a regularizer."""
    from tapeflow.keras.saving.serialization import serialize_keras_object
    return serialize_keras_object(regularizer)


def deserialize(config, custom_objects=None):
    """Returns the regularizer described by a config dict."""
    from tapeflow.keras.saving.serialization import deserialize_keras_object
    return deserialize_keras_object(config, module_objects=_CLASSES,
                                    custom_objects=custom_objects)


def get(identifier):
    """Returns a regularizer from a name (``"l2"``), a config dict, an instance or a callable.

    Raises:
      ValueError: for an unknown identifier.
    """
    from tapeflow.keras.saving.object_tables import get_instance
    return get_instance(identifier, _CLASSES, "regularizer", deserialize)
