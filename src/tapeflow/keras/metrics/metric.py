"""``keras.metrics.Metric``: the base class of stateful metrics (Keras 3).

A metric holds its state in non-trainable variables made with ``add_weight``,
accumulates it in ``update_state`` and computes ``result()`` from it. The
built-in metrics do their arithmetic directly in NumPy (metrics are never
differentiated) and rebind their variables once per update.
"""
import numpy as np

from tapeflow.framework import dtypes
from tapeflow.framework.tensor import Tensor
from tapeflow.framework.variable import BaseVariable as _TFVariable
from tapeflow.framework.variable import array_of, rebind


_TRACED_METHODS = {"update_state": False, "reset_state": False, "result": True}


def to_array(x, dtype=None):
    """Returns ``x`` (Tensor, Variable, array, list) as a NumPy array (no tape involved)."""
    if isinstance(x, Tensor):
        a = x.array
    elif isinstance(x, _TFVariable):
        a = array_of(x)
    elif hasattr(type(x), "__tf_tensor__"):
        from tapeflow.framework.tensor import convert_to_tensor
        a = convert_to_tensor(x).array
    else:
        a = x
    a = np.asarray(a)
    if dtype is not None and a.dtype != dtype:
        a = a.astype(dtype)
    return a


def same_rank(x1, x2, expand_rank_1=True):
    """NumPy form of Keras's ``squeeze_or_expand_to_same_rank``; returns ``(x1, x2)``."""
    r1, r2 = x1.ndim, x2.ndim
    if r1 == r2:
        return x1, x2
    if r1 == r2 + 1 and x1.shape[-1] == 1:
        if r2 == 1 and expand_rank_1:
            x2 = x2[..., None]
        else:
            x1 = x1[..., 0]
    if r2 == r1 + 1 and x2.shape[-1] == 1:
        if r1 == 1 and expand_rank_1:
            x1 = x1[..., None]
        else:
            x2 = x2[..., 0]
    return x1, x2


def _initial_value(initializer, shape, dtype):
    if initializer is None or initializer == "zeros":
        return np.zeros(shape, dtype.as_numpy_dtype)
    if initializer == "ones":
        return np.ones(shape, dtype.as_numpy_dtype)
    if isinstance(initializer, (int, float)):
        return np.full(shape, initializer, dtype.as_numpy_dtype)
    if isinstance(initializer, str) or isinstance(initializer, dict):
        from tapeflow.keras import initializers
        initializer = initializers.get(initializer)
    return to_array(initializer(shape, dtype=dtype.name), dtype.as_numpy_dtype)


class Metric:
    """Base class for metrics: subclasses implement ``update_state`` and ``result``.

    Args:
      dtype: the dtype of the state and the result (float32).
      name: the metric's name (the snake_case class name, made unique, if None).
    """

    def __init_subclass__(cls, **kwargs):
        # Metrics compute in NumPy: inside a tf.function trace their updates and results
        # are graph nodes that run on every call (an update is not run while tracing).
        super().__init_subclass__(**kwargs)
        from tapeflow.framework.graph import calls
        calls.wrap_methods(cls, _TRACED_METHODS)

    def __init__(self, dtype=None, name=None):
        from tapeflow.keras import backend
        cls = type(self).__name__
        self.name = name or backend.unique_object_name(backend.to_snake_case(cls))
        self._dtype = dtypes.as_dtype(dtype or "float32")
        self._variables = []

    # Whether larger values are better ("up"), worse ("down") or unknown (None);
    # callbacks such as EarlyStopping use it in mode="auto".
    _direction = None

    @property
    def dtype(self):
        """Returns the dtype name of the state and result (``"float32"``)."""
        return self._dtype.name

    @property
    def variables(self):
        """Returns the metric's state variables."""
        if not hasattr(self, "_variables"):
            return []
        out = list(self._variables)
        for v in vars(self).values():
            if isinstance(v, Metric):
                out.extend(v.variables)
        return out

    def add_variable(self, shape, initializer, dtype=None, aggregation="sum", name=None):
        """Creates a non-trainable state variable; returns it."""
        if not hasattr(self, "_variables"):
            raise RuntimeError("You forgot to call `super().__init__()` in the `__init__()` "
                               f"method of {type(self).__name__}. Go add it!")
        dtype = dtypes.as_dtype(dtype or self._dtype)
        shape = tuple(shape) if shape is not None else ()
        value = _initial_value(initializer, shape, dtype)
        v = _make_variable(value, name or "variable")
        self._variables.append(v)
        return v

    def add_weight(self, shape=(), initializer=None, dtype=None, name=None):
        """Creates a non-trainable state variable (zeros by default); returns it."""
        return self.add_variable(shape, initializer, dtype=dtype, name=name)

    def reset_state(self):
        """Sets every state variable back to zeros."""
        for v in self._variables:
            a = array_of(v)
            rebind(v, np.zeros(a.shape, a.dtype))

    def update_state(self, *args, **kwargs):
        """Accumulates statistics; subclasses implement it."""
        raise NotImplementedError

    def result(self):
        """Returns the metric value from the state; subclasses implement it."""
        raise NotImplementedError

    def __call__(self, *args, **kwargs):
        """Updates the state with the arguments, then returns ``result()``."""
        self.update_state(*args, **kwargs)
        return self.result()

    def get_config(self):
        """Returns the constructor arguments as a dict."""
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config):
        """Returns a metric built from ``get_config()``'s dict."""
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}>"

    __str__ = __repr__


def _make_variable(value, name):
    try:
        from tapeflow.keras.variables import Variable as KerasVariable
        v = KerasVariable(value, dtype=dtypes.as_dtype(value.dtype).name, trainable=False,
                          name=name)
        if isinstance(v, _TFVariable):
            return v
    except Exception:  # noqa: BLE001  (the Keras Variable is optional here)
        pass
    return _TFVariable(value, trainable=False, name=name)


def add_to(var, delta):
    """``var += delta`` by rebinding to a fresh array of the variable's dtype."""
    a = array_of(var)
    rebind(var, np.asarray(a + delta, dtype=a.dtype))


def scalar(value, dtype=np.float32):
    """Returns ``value`` as a 0-d Tensor of ``dtype`` (the metric result)."""
    return Tensor(np.asarray(value, dtype=dtype))
