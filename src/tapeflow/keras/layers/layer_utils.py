"""Helpers of the Layer base class: nested-structure utilities, shape standardization,
the ``build`` wrapper that records input shapes, and attribute-tracking predicates."""
import functools
import inspect
import weakref

import numpy as np

from tapeflow.framework import context as _context
from tapeflow.framework.tensor import Tensor, convert_to_tensor
from tapeflow.framework.variable import BaseVariable as _TFVariable
from tapeflow.tracking import trackable as _trackable
from tapeflow.keras.layers.node import KerasTensor


def _is_tracked_var(v):
    return isinstance(v, _TFVariable)


# This thread's engine context. ``_state.calls.scope``: the layers whose ``build``/``call``
# is running, outermost first: Keras 3's name scopes, from which a new variable's path is
# made ("outer/inner/kernel").
_state = _context.state


def _variable_path(layer, name):
    """Returns the path of a variable ``name`` that ``layer`` creates now (Keras 3's
    ``name_scope`` stack: the running layers' names, then the creating layer's)."""
    scope = _state.calls.scope
    names = [s.name for s in scope]
    if not scope or scope[-1] is not layer:
        names.append(layer.name)
    names.append(name)
    return "/".join(names)


def _recording_build(build):
    """Wraps a subclass's ``build`` to remember the input shape and mark the layer built;
    the build runs in the layer's name scope, so nested layers' variable paths name it."""
    @functools.wraps(build)
    def wrapper(self, *args, **kwargs):
        shape = args[0] if args else kwargs.get("input_shape")
        if shape is not None and self.__dict__.get("_build_shapes_dict") is None:
            try:
                self.__dict__["_build_shapes_dict"] = _standard_shape(shape)
            except (TypeError, ValueError):
                pass
        scope = _state.calls.scope
        pushed = not scope or scope[-1] is not self
        if pushed:
            scope.append(self)
        try:
            out = build(self, *args, **kwargs)
        finally:
            if pushed:
                scope.pop()
        self.built = True
        if _trackable.PENDING:  # a checkpoint restore waits for these new variables
            _trackable.restore_pending()
        return out
    wrapper._records_shape = True
    return wrapper


def _convert_input(layer, x):
    """Converts a layer input (or a list/dict of inputs) to Tensors; floats are cast to the
    layer's compute dtype when its autocast is on (Keras's input casting)."""
    t = type(x)
    npd = layer._np_dtype
    if t is Tensor:
        if x._value.dtype.kind == "f" and x._value.dtype != npd and layer.autocast_enabled:
            return _cast(x, layer._compute)  # differentiable, like Keras's autocast
        return x
    if t is dict:
        return {k: _convert_input(layer, v) for k, v in x.items()}
    if (t is list or t is tuple) and _is_structure(x):
        return t(_convert_input(layer, v) for v in x)
    if x is None:
        return None
    if isinstance(x, np.ndarray) and x.dtype.kind == "f" and layer.autocast_enabled:
        return Tensor(np.asarray(x, dtype=npd))
    x = convert_to_tensor(x)
    if x._value.dtype.kind == "f" and x._value.dtype != npd and layer.autocast_enabled:
        return _cast(x, layer._compute)
    return x


def _cast(x, dtype):
    from tapeflow.ops.math_ops import cast
    return cast(x, dtype)


def _contains_trackable(value):
    items = value.values() if isinstance(value, dict) else value
    for v in items:
        if _is_layer(v) or _is_tracked_var(v):
            return True
        if isinstance(v, (list, tuple, dict)) and _contains_trackable(v):
            return True
    return False


def _is_symbolic(x):
    t = type(x)
    if t is Tensor:
        return False
    if isinstance(x, KerasTensor):
        return True
    if t is list or t is tuple:
        return any(_is_symbolic(v) for v in x)
    if t is dict:
        return any(_is_symbolic(v) for v in x.values())
    return False


def _is_structure(x):
    """True if a list/tuple holds tensors or arrays (a list of inputs) rather than numbers."""
    for v in x:
        if isinstance(v, (Tensor, np.ndarray, dict)) or hasattr(type(v), "__tf_tensor__"):
            return True
        if isinstance(v, (list, tuple)) and _is_structure(v):
            return True
    return False


def _shape_of(x):
    if isinstance(x, dict):
        return {k: _shape_of(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_shape_of(v) for v in x]
    if x is None:
        return None
    return tuple(x.shape)


def _standard_shape(shape):
    if isinstance(shape, dict):
        return {k: _standard_shape(v) for k, v in shape.items()}
    if isinstance(shape, (list, tuple)) and shape and isinstance(shape[0], (list, tuple, dict)):
        return [_standard_shape(s) for s in shape]
    if hasattr(shape, "as_list"):
        shape = shape.as_list() if shape.rank is not None else None
    return None if shape is None else tuple(None if d is None else int(d) for d in shape)


def _map_shapes(shape, fn):
    if isinstance(shape, dict):
        return {k: _map_shapes(v, fn) for k, v in shape.items()}
    if isinstance(shape, (list, tuple)) and shape and isinstance(shape[0], (list, tuple)):
        return [_map_shapes(s, fn) for s in shape]
    return fn(tuple(shape))


def _is_layer(v):
    from tapeflow.keras.layers.layer import Layer
    return isinstance(v, Layer)


# -- masks -----------------------------------------------------------------------------
# Keras attaches a mask to a tensor (``x._keras_mask``); Tensors here have __slots__, so
# masks live in a table keyed by the tensor's id and dropped when the tensor dies.
_MASKS = {}


def set_keras_mask(x, mask):
    """Attaches ``mask`` to tensor ``x`` (None removes it)."""
    key = id(x)
    if mask is None:
        _MASKS.pop(key, None)
        return
    _MASKS[key] = (weakref.ref(x, lambda _, k=key: _MASKS.pop(k, None)), mask)


def get_keras_mask(x):
    """Returns the mask attached to ``x``, or None."""
    entry = _MASKS.get(id(x))
    if entry is not None and entry[0]() is x:
        return entry[1]
    return None


# -- call-time helpers of Layer.__call__ ----------------------------------------------
_CALL_FLAGS = {}  # class -> (accepts training, accepts mask, training default, own mask)


def _auto_config(layer, config):
    """Adds the arguments ``layer`` was constructed with to ``config``.

    Raises:
      NotImplementedError: if they cannot be recorded (``*args`` constructors).
    """
    cls = type(layer)
    params = inspect.signature(cls.__init__).parameters
    args, kwargs = layer._init_args
    try:
        bound = inspect.signature(cls.__init__).bind(layer, *args, **kwargs)
    except TypeError:
        bound = None
    if bound is None or any(p.kind is p.VAR_POSITIONAL and p.name in bound.arguments
                            for p in params.values()):
        raise NotImplementedError(
            f"Layer {cls.__name__} was created with arguments that cannot be recorded; "
            "override `get_config()` to make it serializable.")
    for k, v in list(bound.arguments.items())[1:]:
        if params[k].kind is inspect.Parameter.VAR_KEYWORD:
            for kk, vv in v.items():
                config.setdefault(kk, vv)
        elif k not in config:
            config[k] = v


def _resolve_call_kwargs(flags, kwargs, inputs):
    """Fills ``training`` (explicit, else the outer call's, else call's default) and ``mask``
    (explicit, else the input's) into ``kwargs`` as ``call`` accepts them; returns training."""
    training = kwargs.get("training")
    if training is None:
        training = _state.calls.training
        if training is None:
            training = flags[2]
    if flags[0]:
        kwargs["training"] = training
    elif "training" in kwargs:
        del kwargs["training"]
    if not flags[1]:
        if "mask" in kwargs:
            del kwargs["mask"]
    elif _MASKS and kwargs.get("mask") is None:
        kwargs["mask"] = _mask_of(inputs)
    return training


def _mask_of(inputs):
    if isinstance(inputs, (list, tuple)):
        masks = [get_keras_mask(x) for x in inputs]
        return None if all(m is None for m in masks) else masks
    return get_keras_mask(inputs)


def _propagate_mask(layer, inputs, outputs):
    """Attaches ``layer.compute_mask(inputs, previous_mask)`` to the outputs."""
    mask = layer.compute_mask(inputs, _mask_of(inputs))
    if mask is None:
        return
    if isinstance(outputs, (list, tuple)):
        masks = mask if isinstance(mask, (list, tuple)) else [mask] * len(outputs)
        for o, m in zip(outputs, masks):
            set_keras_mask(o, m)
    else:
        set_keras_mask(outputs, mask)


# -- structure version: caches of weights/sublayers are valid while it is unchanged --------
_VERSION = [0]


def _bump():
    _VERSION[0] += 1


def _mutator(name):
    base = getattr(list, name, None) or getattr(dict, name)

    def method(self, *args, **kwargs):
        _VERSION[0] += 1
        return getattr(super(type(self), self), name)(*args, **kwargs)
    method.__name__ = name
    method.__doc__ = base.__doc__
    return method


class TrackedList(list):
    """A list attribute of a layer: mutations invalidate the layer's weight caches."""

    __slots__ = ()


for _name in ("append", "extend", "insert", "pop", "remove", "clear", "sort", "reverse",
              "__setitem__", "__delitem__", "__iadd__", "__imul__"):
    setattr(TrackedList, _name, _mutator(_name))


class TrackedDict(dict):
    """A dict attribute of a layer: mutations invalidate the layer's weight caches."""

    __slots__ = ()


for _name in ("__setitem__", "__delitem__", "pop", "popitem", "clear", "update",
              "setdefault"):
    setattr(TrackedDict, _name, _mutator(_name))


def _wrap_container(value):
    """Returns a list/dict as a TrackedList/TrackedDict (other values unchanged)."""
    t = type(value)
    if t is list:
        return TrackedList(value)
    if t is dict:
        return TrackedDict(value)
    return value


_FIRST_ARG = {}  # layer class -> name of its call's first argument


def _first_call_arg(cls, kwargs):
    """Returns the key a keywords-only call (``encoder(source=x, mask=m)``) passes the inputs
    under: the name of ``cls.call``'s first argument, whatever it is (as Keras 3 takes it),
    looked up once per class."""
    name = _FIRST_ARG.get(cls)
    if name is None:
        name = ""
        for p in inspect.signature(cls.call).parameters.values():
            if p.name == "self":
                continue
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
                name = p.name
            break
        _FIRST_ARG[cls] = name
    if name in kwargs:
        return name
    if not name and "inputs" in kwargs:  # call(self, *args, **kwargs)
        return "inputs"
    raise TypeError(f"missing a required argument: {name or 'inputs'!r}")
