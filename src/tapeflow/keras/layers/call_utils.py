"""What ``Layer.__call__`` and ``build`` need besides the layer itself: the call context (name
scopes, ``training``), input conversion and autocasting, symbolic-input detection, the
per-class call flags, and the ``build`` wrapper that records input shapes."""
import functools
import inspect

import numpy as np

from tapeflow.framework import context as _context
from tapeflow.framework.tensor import Tensor, convert_to_tensor
from tapeflow.keras.keras_tensor import KerasTensor
from tapeflow.keras.layers.masking_utils import _MASKS, _mask_of
from tapeflow.keras.layers.shape_utils import _standard_shape
from tapeflow.tracking import trackable as _trackable


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
        if x.array.dtype.kind == "f" and x.array.dtype != npd and layer.autocast_enabled:
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
    if x.array.dtype.kind == "f" and x.array.dtype != npd and layer.autocast_enabled:
        return _cast(x, layer._compute)
    return x


def _cast(x, dtype):
    from tapeflow.ops.math_ops import cast
    return cast(x, dtype)


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


# -- call-time helpers of Layer.__call__ ----------------------------------------------
_CALL_FLAGS = {}  # class -> (accepts training, accepts mask, training default, own mask)


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
