"""``keras.layers.Layer``: state (weights) plus computation (``call``).

Lifecycle: ``__init__`` stores the configuration; the first ``__call__``
runs ``build(input_shape)`` (which creates the weights with ``add_weight``);
every call then runs ``call``. Attributes that are layers, variables, or
lists/dicts of them are tracked, so nested weights appear in ``weights`` in
creation order. ``__call__`` is the hot path of every model step: it does
only the build check, input casting, the InputSpec check and ``training``
propagation.
"""
import inspect

import numpy as np

from tapeflow.framework import context as _context
from tapeflow.framework import dtypes
from tapeflow.framework.tensor import Tensor
from tapeflow.keras import backend
from tapeflow.keras.layers import dtype_policy
from tapeflow.keras.layers.input_spec import InputSpec, assert_input_compatibility
from tapeflow.keras.layers.call_utils import (
    _CALL_FLAGS, _convert_input, _first_call_arg, _is_symbolic, _recording_build,
    _resolve_call_kwargs, _variable_path)
from tapeflow.keras.layers.layer_config import _auto_config
from tapeflow.keras.layers.masking_utils import _MASKS, _propagate_mask
from tapeflow.keras.layers.shape_utils import (  # noqa: F401  (re-exported for models)
    _map_shapes, _shape_of, _standard_shape)
from tapeflow.keras.layers.tracking import LayerTracking, _bump
from tapeflow.keras.tree import map_structure
from tapeflow.framework.variable import array_of, set_trainable


_ALLOWED_KWARGS = {"name", "dtype", "trainable", "input_shape", "batch_input_shape",
                   "batch_size", "input_dim", "autocast", "activity_regularizer", "weights"}


# This thread's call context: training flag, layer name scopes, autocast dtype.
_state = _context.state


def _set_policy(d, dtype):
    """Stores the layer's dtype policy and the dtypes derived from it in its ``__dict__``."""
    policy = dtype_policy.get(dtype)
    d["_policy"] = policy
    d["_dtype"] = policy.variable_dtype
    d["_compute"] = policy.compute_dtype
    d["_np_dtype"] = np.dtype(dtypes.as_dtype(policy.compute_dtype).as_numpy_dtype)
    # Mixed precision: float weights are read in the compute dtype inside call.
    d["_autocast_to"] = (policy.compute_dtype
                         if policy.compute_dtype != policy.variable_dtype else None)


class Layer(LayerTracking):
    """Base class of all layers (``keras.layers.Layer``).

    Args:
      name: the layer's name; by default the snake_case class name made
        unique (``dense``, ``dense_1``, ...).
      dtype: the dtype of the weights and computations (``"float32"``).
      trainable: whether the weights are updated by training.
      activity_regularizer: optional penalty on the layer's outputs.

    Raises:
      TypeError: for an unknown keyword argument.
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        build = cls.__dict__.get("build")
        if build is not None and not getattr(build, "_records_shape", False):
            cls.build = _recording_build(build)

    def __new__(cls, *args, **kwargs):
        self = object.__new__(cls)
        d = self.__dict__
        d["_tracked"] = []  # layers, variables and containers, in assignment order
        d["_own_weights"] = []
        d["_losses"] = []
        d["_name"] = None
        _set_policy(d, None)
        d["_trainable"] = True
        d["built"] = False
        d["input_spec"] = None
        d["activity_regularizer"] = None
        d["_inbound_nodes"] = []
        d["_build_shapes_dict"] = None
        d["_input_shape_arg"] = None
        # Keras: a layer that defines compute_mask supports masking unless it says otherwise.
        d["supports_masking"] = cls.compute_mask is not Layer.compute_mask
        d["_init_args"] = (args, kwargs)
        return self

    def __init__(self, *, activity_regularizer=None, trainable=True, dtype=None, autocast=True,
                 name=None, **kwargs):
        unknown = set(kwargs) - _ALLOWED_KWARGS
        if unknown:
            raise TypeError(f"Unrecognized keyword arguments passed to "
                            f"{self.__class__.__name__}: {dict((k, kwargs[k]) for k in unknown)}")
        if name is not None and not isinstance(name, str):
            raise TypeError(f"Argument `name` must be a string. Received: name={name}")
        d = self.__dict__
        d["_name"] = name if name is not None else backend.unique_object_name(
            backend.to_snake_case(self.__class__.__name__))
        _set_policy(d, dtype)
        d["_trainable"] = bool(trainable)
        d["autocast"] = autocast
        from tapeflow.keras import regularizers
        d["activity_regularizer"] = regularizers.get(activity_regularizer)
        shape = kwargs.get("input_shape")
        if kwargs.get("batch_input_shape") is not None:
            shape = tuple(kwargs["batch_input_shape"])[1:]
        elif shape is None and kwargs.get("input_dim") is not None:
            shape = (kwargs["input_dim"],)
        d["_input_shape_arg"] = None if shape is None else tuple(shape)
        d["_initial_weights"] = kwargs.get("weights")

    # -- naming and dtype ------------------------------------------------------
    @property
    def name(self):
        """Returns the layer's name."""
        if self._name is None:
            self.__dict__["_name"] = backend.unique_object_name(
                backend.to_snake_case(self.__class__.__name__))
        return self._name

    @name.setter
    def name(self, value):
        self.__dict__["_name"] = value

    @property
    def dtype(self):
        """Returns the dtype name of the layer's weights (``"float32"``)."""
        return self._dtype

    @property
    def compute_dtype(self):
        """Returns the dtype name the layer computes in."""
        return self._compute

    @property
    def variable_dtype(self):
        """Returns the dtype name of the layer's weights."""
        return self._dtype

    @property
    def dtype_policy(self):
        """Returns the layer's ``DTypePolicy``."""
        return self._policy

    @dtype_policy.setter
    def dtype_policy(self, value):
        _set_policy(self.__dict__, value)

    @property
    def path(self):
        """Returns the layer's path (its name)."""
        return self.name

    # -- weights ---------------------------------------------------------------
    @property
    def trainable(self):
        """Returns whether the layer's weights are trained; setting it freezes children too."""
        return self._trainable

    @trainable.setter
    def trainable(self, value):
        value = bool(value)
        self.__dict__["_trainable"] = value
        fixed = self.__dict__.get("_created_non_trainable", ())
        for v in self._own_variables():
            if not any(v is f for f in fixed):
                set_trainable(v, value)
        _bump()
        for layer in self._layers:
            layer.trainable = value

    def _collect(self, trainable):
        out = []
        seen = set()
        for w in self._own_variables():
            if bool(w.trainable) == trainable and id(w) not in seen:
                seen.add(id(w))
                out.append(w)
        for layer in self._layers:
            sub = layer.trainable_weights if trainable else layer.non_trainable_weights
            for w in sub:
                if id(w) not in seen:
                    seen.add(id(w))
                    out.append(w)
        return out

    @property
    def weights(self):
        """Returns all weights: own trainable, own non-trainable, then sublayers'."""
        return list(self._cached("weights", self._collect_all))

    def _collect_all(self):
        own = self._own_variables()
        out = [w for w in own if w.trainable] + [w for w in own if not w.trainable]
        seen = {id(w) for w in out}
        for layer in self._layers:
            for w in layer.weights:
                if id(w) not in seen:
                    seen.add(id(w))
                    out.append(w)
        return out

    variables = weights

    @property
    def trainable_weights(self):
        """Returns the weights that training updates (empty when ``trainable=False``)."""
        if not self._trainable:
            return []
        return list(self._cached("trainable", lambda: self._collect(True)))

    trainable_variables = trainable_weights

    @property
    def non_trainable_weights(self):
        """Returns the weights training does not update (all of them when frozen)."""
        if not self._trainable:
            return self.weights
        return list(self._cached("non_trainable", lambda: self._collect(False)))

    non_trainable_variables = non_trainable_weights

    def add_weight(self, shape=None, initializer=None, dtype=None, trainable=True,
                   autocast=True, regularizer=None, constraint=None, aggregation="none",
                   name=None, overwrite_with_gradient=False):
        """Creates a weight variable, tracked by this layer.

        Args:
          shape: the weight's shape (default ``()``).
          initializer: name or callable; default ``"glorot_uniform"`` for float
            weights and ``"zeros"`` otherwise.
          dtype: default the layer's dtype.
          trainable: whether training updates it.
          regularizer: optional penalty added to ``losses``.
          constraint: optional projection applied after optimizer updates.
          name: the variable's name.

        Returns:
          The new ``keras.Variable``.
        """
        from tapeflow.keras import constraints, initializers, regularizers
        from tapeflow.keras.variables import Variable
        shape = () if shape is None else tuple(int(s) for s in shape)
        dtype = backend.standardize_dtype(dtype or self._dtype)
        if initializer is None:
            initializer = "glorot_uniform" if dtypes.as_dtype(dtype).is_floating else "zeros"
        initializer = initializers.get(initializer)
        v = Variable(initializer, shape=shape, dtype=dtype, trainable=trainable,
                     name=name or "variable", constraint=constraints.get(constraint))
        v._path = _variable_path(self, v._name)
        v.regularizer = regularizers.get(regularizer)
        v.overwrite_with_gradient = overwrite_with_gradient
        if not trainable:
            self.__dict__.setdefault("_created_non_trainable", []).append(v)
        elif not self._trainable:
            set_trainable(v, False)
        self._own_weights.append(v)
        _bump()
        return v

    def add_variable(self, shape, initializer, dtype=None, trainable=True, autocast=True,
                     regularizer=None, constraint=None, name=None):
        """Alias of ``add_weight`` (Keras 3); returns the new variable."""
        return self.add_weight(shape=shape, initializer=initializer, dtype=dtype,
                               trainable=trainable, autocast=autocast, regularizer=regularizer,
                               constraint=constraint, name=name)

    def save_own_variables(self, store):
        """Writes this layer's own variables to ``store`` under keys ``"0"``, ``"1"``, ..."""
        for i, v in enumerate(self._own_sorted()):
            store[f"{i}"] = v.numpy()

    def load_own_variables(self, store):
        """Reads this layer's own variables from ``store`` (as ``save_own_variables`` wrote).

        Raises:
          ValueError: if the number of stored values differs.
        """
        own = self._own_sorted()
        if len(store.keys()) != len(own):
            raise ValueError(f"Layer '{self.name}' expected {len(own)} variables, but received "
                             f"{len(store.keys())} variables during loading. Expected: "
                             f"{[v.name for v in own]}")
        for i, v in enumerate(own):
            v.assign(store[f"{i}"])

    def _own_sorted(self):
        own = self._own_variables()
        return [w for w in own if w.trainable] + [w for w in own if not w.trainable]

    def get_weights(self):
        """Returns the weights' values as a list of NumPy arrays."""
        return [np.array(w.numpy()) for w in self.weights]

    def set_weights(self, weights):
        """Sets the weights from a list of arrays (same order and shapes as ``get_weights``).

        Raises:
          ValueError: if the count or a shape differs.
        """
        layer_weights = self.weights
        if len(layer_weights) != len(weights):
            raise ValueError(
                f"You called `set_weights(weights)` on layer '{self.name}' with a weight list "
                f"of length {len(weights)}, but the layer was expecting "
                f"{len(layer_weights)} weights.")
        for var, value in zip(layer_weights, weights):
            value = np.asarray(value)
            if tuple(var.shape) != value.shape:
                raise ValueError(
                    f"Layer {self.name} weight shape {tuple(var.shape)} is not compatible with "
                    f"provided weight shape {value.shape}.")
        for var, value in zip(layer_weights, weights):
            var.assign(np.asarray(value, dtype=array_of(var).dtype))

    def count_params(self):
        """Returns the number of scalars in the layer's weights.

        Raises:
          ValueError: if the layer is not built yet.
        """
        if not self.built:
            raise ValueError(
                "You tried to call `count_params` on layer '{}', but the layer isn't built. "
                "You can build it manually via: `layer.build(input_shape)`.".format(self.name))
        return int(sum(int(np.prod(w.shape)) for w in self.weights))

    # -- losses ----------------------------------------------------------------
    def add_loss(self, loss):
        """Adds a scalar loss Tensor (e.g. an activity penalty) to ``losses``."""
        self._losses.append(loss)

    @property
    def losses(self):
        """Returns the losses added during the last call plus the weight regularization terms."""
        out = []
        for layer in self._flatten_layers():
            if layer._losses:
                out.extend(layer._losses)
            for w, reg in layer._cached("regularized", layer._regularized):
                out.append(reg(w))
        return out

    def _regularized(self):
        return [(w, w.regularizer) for w in self._own_variables()
                if getattr(w, "regularizer", None) is not None]

    def _clear_losses(self):
        for layer in self._flatten_layers():
            if layer._losses:
                layer._losses.clear()

    # -- build and call ------------------------------------------------------------
    def build(self, input_shape):
        """Creates the weights for inputs of ``input_shape``; the base version only marks built."""
        self.built = True

    def build_from_config(self, config):
        """Builds the layer from ``get_build_config()``'s output."""
        if config and config.get("input_shape") is not None:
            self._build_with(config["input_shape"])

    def get_build_config(self):
        """Returns ``{"input_shape": ...}`` for a built layer, else None."""
        if self._build_shapes_dict is not None:
            return {"input_shape": self._build_shapes_dict}
        return None

    def _build_with(self, shape):
        shape = _standard_shape(shape)
        self.__dict__["_build_shapes_dict"] = shape
        self.__dict__["_checked_shape"] = None
        self.build(shape)
        self.built = True
        initial = self.__dict__.pop("_initial_weights", None)
        if initial is not None:
            self.set_weights(initial)

    @classmethod
    def _call_flags(cls):
        """Returns ``(accepts training, accepts mask, training default, own compute_mask)``.

        Inspected once per class, then read from a dict on every call.
        """
        flags = _CALL_FLAGS.get(cls)
        if flags is None:
            params = inspect.signature(cls.call).parameters
            var_kw = any(p.kind is p.VAR_KEYWORD for p in params.values())
            default = None
            if "training" in params and params["training"].default is not inspect.Parameter.empty:
                default = params["training"].default
            own_mask = cls.compute_mask is not Layer.compute_mask
            flags = ("training" in params or var_kw, "mask" in params, default, own_mask)
            _CALL_FLAGS[cls] = flags
        return flags

    def __call__(self, *args, **kwargs):
        if args:
            inputs = args[0]
        else:  # keywords only: call's first argument, whatever its name (as Keras 3)
            inputs = kwargs.pop(_first_call_arg(type(self), kwargs))
            args = (inputs,)
        if type(inputs) is not Tensor or inputs.array.dtype != self._np_dtype:
            if _is_symbolic(args) or (kwargs and _is_symbolic(kwargs)):
                from tapeflow.keras.layers.node import symbolic_call
                return symbolic_call(self, args, kwargs)
            inputs = self._convert(inputs)
        if not self.built:
            self._build_with(_shape_of(inputs))
        if self.input_spec is not None and type(inputs) is Tensor and \
                inputs.array.shape != self.__dict__.get("_checked_shape"):
            assert_input_compatibility(self.input_spec, inputs.array.shape, self.name)
            self.__dict__["_checked_shape"] = inputs.array.shape
        flags = _CALL_FLAGS.get(type(self)) or self._call_flags()
        training = _resolve_call_kwargs(flags, kwargs, inputs)
        if self._losses:
            self._losses.clear()
        calls = _state.calls   # this thread's call state: one thread-local read
        prev = calls.training
        calls.training = training
        scope = calls.scope
        scope.append(self)  # variables created inside call are named under this layer
        if self._autocast_to is None and calls.autocast is None:
            try:
                outputs = self.call(inputs, *args[1:], **kwargs)
            finally:
                calls.training = prev
                scope.pop()
        else:
            try:
                outputs = self._call_autocast(inputs, args, kwargs, prev)
            finally:
                scope.pop()
        if self.activity_regularizer is not None:
            self._add_activity_loss(outputs)
        if (_MASKS or flags[3]) and self.supports_masking:
            _propagate_mask(self, inputs, outputs)
        return outputs

    def _add_activity_loss(self, outputs):
        """Adds the activity penalty of each output, divided by its batch size (Keras 3)."""
        from tapeflow.ops import math_ops as M
        for out in (outputs if isinstance(outputs, (list, tuple)) else [outputs]):
            if not isinstance(out, Tensor):
                continue
            loss = self.activity_regularizer(out)
            if out.ndim > 0:
                loss = M.divide_no_nan(loss, M.cast(out.shape[0], loss.dtype))
            self.add_loss(loss)

    def _call_autocast(self, inputs, args, kwargs, prev_training):
        """Runs ``call`` with float weights read in the compute dtype (mixed precision).

        A layer whose weights need no cast (``dtype="float32"`` inside a ``mixed_float16``
        model) clears the caller's scope, as Keras 3 re-scopes autocasting per layer.
        """
        calls = _state.calls
        prev = calls.autocast
        calls.autocast = self._autocast_to
        _context.AUTOCASTING.append(self)
        try:
            return self.call(inputs, *args[1:], **kwargs)
        finally:
            _context.AUTOCASTING.remove(self)
            calls.autocast = prev
            calls.training = prev_training

    def call(self, inputs, *args, **kwargs):
        """The layer's computation; subclasses override it.

        Returns:
          The output Tensor(s).
        """
        raise NotImplementedError(f"Layer {self.__class__.__name__} does not have a `call()` "
                                  "method implemented.")

    def _convert(self, x):
        """Converts an input (or a list/dict of inputs) and casts floats to the compute dtype."""
        return _convert_input(self, x)

    @property
    def autocast_enabled(self):
        """Returns whether float inputs are cast to the compute dtype."""
        return self.__dict__.get("autocast", True)

    def compute_output_shape(self, input_shape):
        """Returns the output shape for ``input_shape`` (run on zeros when not overridden)."""
        from tapeflow.keras.keras_tensor import KerasTensor
        from tapeflow.keras.layers.node import _output_spec
        kt = _map_shapes(input_shape, lambda s: KerasTensor(s, dtype=self._compute))
        spec = _output_spec(self, (kt,), {})
        return map_structure(lambda k: k.shape, spec)

    def compute_mask(self, inputs, previous_mask=None):
        """Returns the output mask (the input mask unchanged by default)."""
        return previous_mask

    # -- graph connectivity ------------------------------------------------------------
    def _node_attr(self, attr):
        if not self._inbound_nodes:
            raise AttributeError(f"The layer {self.name} has never been called and thus has "
                                 f"no defined {attr}.")
        return getattr(self._inbound_nodes[0], attr)

    @property
    def input(self):
        """Returns the symbolic input(s) of the layer's first call."""
        return self._node_attr("input_structure")

    @property
    def output(self):
        """Returns the symbolic output(s) of the layer's first call."""
        return self._node_attr("output_structure")

    # -- config --------------------------------------------------------------------
    def get_config(self):
        """Returns the layer's constructor arguments as a dict (``name``, ``trainable``, ``dtype``).

        Raises:
          NotImplementedError: for a subclass with extra constructor arguments
            that does not override ``get_config``.
        """
        config = {"name": self.name, "trainable": self.trainable,
                  "dtype": {"module": "keras", "class_name": "DTypePolicy",
                            "config": {"name": self._policy.name}, "registered_name": None}}
        if self.activity_regularizer is not None:
            from tapeflow.keras import regularizers
            config["activity_regularizer"] = regularizers.serialize(self.activity_regularizer)
        cls = type(self)
        if cls.get_config is Layer.get_config and cls.__init__ is not Layer.__init__:
            _auto_config(self, config)  # Keras's automatic config: the constructor arguments
        return config

    @classmethod
    def from_config(cls, config):
        """Returns a layer built from ``get_config()``'s output."""
        return cls(**config)

    def __repr__(self):
        return f"<{self.__class__.__name__} name={self.name}, built={self.built}>"

    def _trackable_children(self):
        """Returns the ``(name, child)`` pairs ``tf.train.Checkpoint`` saves (TF's names)."""
        from tapeflow.keras.saving.object_graph import layer_children
        return layer_children(self)


__all__ = ["Layer", "InputSpec"]
