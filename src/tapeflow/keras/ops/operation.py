"""``keras.ops`` on KerasTensors: each call becomes an op layer in the functional graph.

``keras.ops.mean(inputs, axis=1)`` on a ``keras.Input`` returns a KerasTensor made by an
``Mean`` layer, shown as ``mean (Mean)`` in ``summary()``, as in Keras 3. The layer keeps the
call's constant arguments in its config and finds its function again by name (only
``keras.ops`` functions: a config never names code to run), so the model saves and loads.
"""
import importlib

import numpy as np

from tapeflow.framework.tensor import Tensor
from tapeflow.keras import backend
from tapeflow.keras.layers.layer import Layer
from tapeflow.keras.keras_tensor import KerasTensor


def any_symbolic(args, kwargs):
    """Returns True if a KerasTensor is among the arguments (one level into lists/tuples)."""
    for a in args:
        t = type(a)
        if t is KerasTensor:
            return True
        if (t is list or t is tuple) and any(type(v) is KerasTensor for v in a):
            return True
    for a in kwargs.values():
        if type(a) is KerasTensor:
            return True
    return False


def keras_op(fn):
    """Decorates a ``keras.ops`` function so that KerasTensor arguments build an op layer.

    The eager path pays one scan of the arguments for a KerasTensor.
    """
    def op(*args, **kwargs):
        for a in args:  # inlined: this runs on every eager call
            t = type(a)
            if t is Tensor:
                continue
            if t is KerasTensor or ((t is list or t is tuple) and
                                    any(type(v) is KerasTensor for v in a)):
                return symbolic_op(fn.__name__, args, kwargs)
        if kwargs:
            for a in kwargs.values():
                if type(a) is KerasTensor:
                    return symbolic_op(fn.__name__, args, kwargs)
        return fn(*args, **kwargs)
    op.__name__ = fn.__name__
    op.__qualname__ = fn.__qualname__
    op.__doc__ = fn.__doc__
    op.__module__ = fn.__module__
    op.__wrapped__ = fn
    return op


_TENSOR = "__op_argument__"


def _split(value, tensors):
    """Replaces KerasTensors in ``value`` by placeholders, collecting them in ``tensors``."""
    if type(value) is KerasTensor:
        tensors.append(value)
        return {"class_name": _TENSOR, "config": {"index": len(tensors) - 1}}
    if isinstance(value, list):
        return [_split(v, tensors) for v in value]
    if isinstance(value, tuple):
        return tuple(_split(v, tensors) for v in value)
    if isinstance(value, dict):
        return {k: _split(v, tensors) for k, v in value.items()}
    return value


def _fill(value, tensors):
    if isinstance(value, dict):
        if value.get("class_name") == _TENSOR:
            return tensors[value["config"]["index"]]
        return {k: _fill(v, tensors) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, tensors) for v in value]
    if isinstance(value, tuple):
        return tuple(_fill(v, tensors) for v in value)
    return value


def _class_name(fn_name):
    return "".join(p.capitalize() for p in fn_name.split("_"))


_FUNCTIONS = {}  # op layer class name -> keras.ops function name


def symbolic_op(fn_name, args, kwargs):
    """Returns the KerasTensor(s) of ``keras.ops.<fn_name>(*args, **kwargs)``, recorded as an
    op layer whose input is the list of KerasTensor arguments."""
    tensors = []
    spec = _split((list(args), dict(kwargs)), tensors)
    cls = op_class(_class_name(fn_name))
    _FUNCTIONS.setdefault(cls.__name__, fn_name)
    layer = cls(fn_name=fn_name, arguments=spec, name=backend.unique_object_name(fn_name))
    return layer(tensors)


def _function(fn_name):
    for mod in ("numpy", "nn", "math", "core", "linalg", "image", "image_extra"):
        m = importlib.import_module(f"tapeflow.keras.ops.{mod}")
        fn = m.__dict__.get(fn_name)
        if fn is not None and callable(fn):
            return getattr(fn, "__wrapped__", fn)
    raise TypeError(f"Unknown operation '{fn_name}': it cannot be rebuilt from a config.")


class KerasOpLayer(Layer):
    """A ``keras.ops`` call on KerasTensors, as a node of the functional graph."""

    _op_layer = True

    def __init__(self, fn_name, arguments, **kwargs):
        kwargs.setdefault("autocast", False)  # an op keeps its operands' dtypes
        super().__init__(**kwargs)
        self.fn_name = fn_name
        self.arguments = arguments
        self._fn = _function(fn_name)

    def call(self, inputs):
        args, kwargs = _fill(self.arguments, list(inputs))
        return self._fn(*args, **kwargs)

    def compute_output_spec(self, inputs):
        """Runs the op on stand-in values (unknown sizes 2, then 3) and compares the shapes."""
        try:
            runs = [self._run_on_standins(inputs, fill) for fill in (2, 3)]
        except Exception:  # unknown sizes meet constants: 1 broadcasts against them
            run = self._run_on_standins(inputs, 1)
            return _zip(run, run)
        return _zip(runs[0], runs[1])

    def _run_on_standins(self, inputs, fill):
        rng = np.random.RandomState(0)
        values = [Tensor(_standin(kt, fill, rng)) for kt in inputs]
        with np.errstate(all="ignore"):
            return self.call(values)

    def get_config(self):
        config = super().get_config()
        config.update({"fn_name": self.fn_name, "arguments": _encode(self.arguments)})
        return config

    @classmethod
    def from_config(cls, config):
        """Returns the op layer a ``get_config()`` describes (its function found by name)."""
        config = dict(config)
        config["arguments"] = _decode(config["arguments"])
        config.pop("autocast", None)
        return cls(**config)


def _standin(kt, fill, rng):
    shape = tuple(fill if d is None else d for d in kt.shape)
    dtype = np.dtype(kt.dtype) if kt.dtype != "string" else object
    if dtype.kind == "f" or dtype.kind == "c":
        a = rng.uniform(0.1, 0.9, size=shape)
        if len(shape) >= 2 and shape[-1] == shape[-2]:  # invertible, positive definite
            a = (a + np.swapaxes(a, -1, -2)) / 2 + shape[-1] * np.eye(shape[-1])
        return a.astype(dtype)
    if dtype.kind == "b":
        return np.ones(shape, bool)
    return np.zeros(shape, dtype)


def _zip(a, b):
    if isinstance(a, (list, tuple)):
        return type(a)(_zip(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return {k: _zip(a[k], b[k]) for k in a}
    sa, sb = np.shape(a), np.shape(b)
    shape = tuple(x if x == y else None for x, y in zip(sa, sb)) if len(sa) == len(sb) \
        else (None,) * len(sa)
    dtype = a.dtype.name if hasattr(a.dtype, "name") else backend.standardize_dtype(a.dtype)
    return KerasTensor(shape, dtype=dtype)


def _encode(value):
    from tapeflow.keras.layers.core import _encode_operand
    if isinstance(value, dict) and value.get("class_name") == _TENSOR:
        return value
    if isinstance(value, dict):
        return {k: _encode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if isinstance(value, tuple):
        return {"class_name": "__tuple__", "config": {"value": [_encode(v) for v in value]}}
    if isinstance(value, Tensor):
        value = value.numpy()
    return _encode_operand(value)


def _decode(value):
    from tapeflow.keras.layers.core import _decode_operand
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if isinstance(value, dict):
        kind = value.get("class_name")
        if kind == _TENSOR:
            return value
        if kind == "__tuple__":
            return tuple(_decode(v) for v in value["config"]["value"])
        if kind in ("__slice__", "__ellipsis__", "__numpy__"):
            return _decode_operand(value)
        return {k: _decode(v) for k, v in value.items()}
    return value


_CLASSES = {}


def op_class(name):
    """Returns the ``KerasOpLayer`` subclass named ``name`` (``Mean``, ``Matmul``...), made once."""
    cls = _CLASSES.get(name)
    if cls is None:
        cls = type(name, (KerasOpLayer,), {"__module__": __name__})
        _CLASSES[name] = cls
    return cls


def op_class_from_name(name):
    """Returns the op layer class a saved config names, or None when no keras.ops function
    has that class name."""
    if name in _CLASSES:
        return _CLASSES[name]
    from tapeflow.keras import ops
    for fn_name in ops.__all__:
        if _class_name(fn_name) == name:
            return op_class(name)
    return None
