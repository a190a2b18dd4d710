"""Core layers: Dense, Activation, Dropout, Flatten, Reshape, Permute, RepeatVector, Lambda,
Identity, Embedding."""
import math

import numpy as np

from tapeflow.framework.graph import func_graph
from tapeflow.framework.tensor import Tensor, convert_to_tensor
from tapeflow.keras import activations, constraints, initializers, regularizers
from tapeflow.keras.layers.input_spec import InputSpec
from tapeflow.keras.layers.layer import Layer
from tapeflow.ops import array_ops as A
from tapeflow.ops import fused_ops
from tapeflow.ops import math_ops as M

_ser_init = initializers.serialize
_ser_reg = regularizers.serialize
_ser_con = constraints.serialize
# Activations the fused matmul op applies itself (TF's _FusedMatMul: BiasAdd, then Relu).
_FUSABLE = {activations.linear: "Linear", activations.relu: "Relu"}


def _positive_int(name, value, layer):
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value <= 0:
        raise ValueError(f"Received an invalid value for `{name}`, expected a positive "
                         f"integer. Received: {name}={value}")
    return int(value)


class Dense(Layer):
    """Densely connected layer: ``activation(inputs @ kernel + bias)``.

    Applies to the last axis of inputs of any rank >= 2.

    Args:
      units: output size (positive int).
      activation: activation name or callable (default: none).
      use_bias: whether to add a bias vector.
      kernel_initializer / bias_initializer: default ``"glorot_uniform"`` / ``"zeros"``.
      kernel_regularizer / bias_regularizer / activity_regularizer: optional penalties.
      kernel_constraint / bias_constraint: optional projections.
    """

    def __init__(self, units, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, lora_rank=None,
                 quantization_config=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.units = _positive_int("units", units, self)
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.input_spec = InputSpec(min_ndim=2)
        self.supports_masking = True

    def build(self, input_shape):
        input_dim = input_shape[-1]
        self.kernel = self.add_weight(
            shape=(input_dim, self.units), initializer=self.kernel_initializer, name="kernel",
            regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        if self.use_bias:
            self.bias = self.add_weight(
                shape=(self.units,), initializer=self.bias_initializer, name="bias",
                regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        else:
            self.bias = None
        self.input_spec = InputSpec(min_ndim=2, axes={-1: input_dim})
        self.built = True

    def call(self, inputs):
        x = inputs
        if x.array.dtype != self._np_dtype:  # integer inputs: Keras's ops promote to float
            x = M.cast(x, self._compute)
        kernel = self.kernel.__tf_tensor__()  # read once: ops then take the Tensor fast path
        act = _FUSABLE.get(self.activation)
        if act is not None and x.array.ndim >= 2 and self.bias is not None:
            bias = self.bias.__tf_tensor__()
            if x.array.dtype == kernel.array.dtype == bias.array.dtype:
                if x.array.ndim == 2:
                    return fused_ops.fused_matmul(x, kernel, bias, act)  # TF's _FusedMatMul
                shape = x.array.shape
                y = fused_ops.fused_matmul(A.reshape(x, (-1, shape[-1])), kernel, bias, act)
                return A.reshape(y, shape[:-1] + (self.units,))
        if x.array.ndim > 2:
            shape = x.array.shape
            y = M.matmul(A.reshape(x, (-1, shape[-1])), kernel)
            y = A.reshape(y, shape[:-1] + (self.units,))
        else:
            y = M.matmul(x, kernel)
        if self.bias is not None:
            y = M.add(y, self.bias.__tf_tensor__())
        if self.activation is not activations.linear:
            y = self.activation(y)
        return y

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units,)

    def get_config(self):
        config = super().get_config()
        config.update({
            "units": self.units, "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": _ser_init(self.kernel_initializer),
            "bias_initializer": _ser_init(self.bias_initializer),
            "kernel_regularizer": _ser_reg(self.kernel_regularizer),
            "bias_regularizer": _ser_reg(self.bias_regularizer),
            "kernel_constraint": _ser_con(self.kernel_constraint),
            "bias_constraint": _ser_con(self.bias_constraint),
            "quantization_config": None})
        return config


class Activation(Layer):
    """Applies an activation function (name or callable) to its input."""

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.activation = activations.get(activation)

    def call(self, inputs):
        return self.activation(inputs)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config["activation"] = activations.serialize(self.activation)
        return config


def _dropout_rng(layer):
    if layer.seed is None:
        return initializers._GLOBAL["rng"]
    rng = layer.__dict__.get("_rng")
    if rng is None:
        rng = np.random.default_rng(layer.seed)
        layer.__dict__["_rng"] = rng
    return rng


@func_graph.stateful   # inside tf.function: a graph node that draws a new mask each call
def _dropout_scale(layer, shape, dtype, rate):
    """Returns the kept-and-rescaled mask of one dropout call as a Tensor."""
    rng = _dropout_rng(layer)
    if func_graph.current() is None:
        keep = rng.random(shape) >= rate
    else:   # drawn while tracing (the graph draws again each call): leave the state as it was
        state = np.random.get_state()
        gen = rng.bit_generator.state if hasattr(rng, "bit_generator") else None
        try:
            keep = rng.random(shape) >= rate
        finally:
            np.random.set_state(state)
            if gen is not None:
                rng.bit_generator.state = gen
    return Tensor(keep.astype(dtype) / dtype.type(1 - rate))


@func_graph.stateful   # inside tf.function: a graph node that draws again each call
def _layer_draw(layer, draw):
    """Returns ``draw(rng)`` (an array, or a tuple of arrays) as Tensors, ``rng`` being the
    layer's generator (noise layers); while tracing the generator is left as it was."""
    rng = _dropout_rng(layer)
    if func_graph.current() is None:
        out = draw(rng)
    else:
        state = np.random.get_state()
        gen = rng.bit_generator.state if hasattr(rng, "bit_generator") else None
        try:
            out = draw(rng)
        finally:
            np.random.set_state(state)
            if gen is not None:
                rng.bit_generator.state = gen
    return tuple(Tensor(a) for a in out) if isinstance(out, tuple) else Tensor(out)


class Dropout(Layer):
    """Randomly zeroes a fraction ``rate`` of inputs during training, scaling the rest by
    ``1 / (1 - rate)``; the identity at inference.

    Args:
      rate: float in [0, 1).
      noise_shape: optional shape of the binary mask (broadcast over the input).
      seed: optional int for repeatable masks.
    """

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not 0 <= rate <= 1:
            raise ValueError(f"Invalid value received for argument `rate`. Expected a float "
                             f"value between 0 and 1. Received: rate={rate}")
        self.rate = rate
        self.noise_shape = noise_shape
        self.seed = seed
        self.supports_masking = True

    def call(self, inputs, training=False):
        if not training or self.rate == 0:
            return inputs
        shape = inputs.array.shape
        if self.noise_shape is not None:
            shape = tuple(s if n is None else n for s, n in zip(shape, self.noise_shape))
        return M.multiply(inputs, _dropout_scale(self, shape, inputs.array.dtype, self.rate))

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update({"rate": self.rate, "seed": self.seed, "noise_shape": self.noise_shape})
        return config


class Flatten(Layer):
    """Flattens each sample to one dimension: ``(batch, ...)`` -> ``(batch, prod(...))``."""

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = data_format or "channels_last"
        self.input_spec = InputSpec(min_ndim=1)

    def call(self, inputs):
        x = inputs
        if self.data_format == "channels_first" and x.array.ndim > 2:
            x = A.transpose(x, (0,) + tuple(range(2, x.array.ndim)) + (1,))
        return A.reshape(x, (x.array.shape[0], -1) if x.array.ndim > 1 else (-1, 1))

    def compute_output_shape(self, input_shape):
        rest = input_shape[1:]
        n = None if any(d is None for d in rest) else int(math.prod(rest))
        return (input_shape[0], n) if len(input_shape) > 1 else (input_shape[0], 1)

    def get_config(self):
        config = super().get_config()
        config["data_format"] = self.data_format
        return config


class Reshape(Layer):
    """Reshapes each sample to ``target_shape`` (one entry may be -1)."""

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        self.target_shape = tuple(target_shape)

    def build(self, input_shape):
        self.compute_output_shape(input_shape)  # a size mismatch is a ValueError, as Keras
        self.built = True

    def call(self, inputs):
        return A.reshape(inputs, (inputs.array.shape[0],) + self.target_shape)

    def compute_output_shape(self, input_shape):
        target = list(self.target_shape)
        if -1 in target:
            known = int(math.prod(d for d in target if d != -1))
            rest = input_shape[1:]
            if any(d is None for d in rest):
                target[target.index(-1)] = None
            else:
                total = int(math.prod(rest))
                if total % known:
                    raise ValueError(f"The total size of the tensor must be unchanged. Received: "
                                     f"input_shape={tuple(input_shape[1:])}, target_shape="
                                     f"{self.target_shape}")
                target[target.index(-1)] = total // known
        elif None not in input_shape[1:] and math.prod(input_shape[1:]) != math.prod(target):
            raise ValueError(f"The total size of the tensor must be unchanged. Received: "
                             f"input_shape={tuple(input_shape[1:])}, "
                             f"target_shape={self.target_shape}")
        return (input_shape[0],) + tuple(target)

    def get_config(self):
        config = super().get_config()
        config["target_shape"] = self.target_shape
        return config


class Permute(Layer):
    """Permutes the non-batch axes; ``dims`` counts from 1 (``(2, 1)`` swaps them)."""

    def __init__(self, dims, **kwargs):
        super().__init__(**kwargs)
        self.dims = tuple(dims)
        if sorted(self.dims) != list(range(1, len(self.dims) + 1)):
            raise ValueError("Invalid permutation argument `dims` for Permute Layer. The set of "
                             f"indices in `dims` must be consecutive and start from 1. "
                             f"Received dims={dims}")
        self.input_spec = InputSpec(ndim=len(self.dims) + 1)

    def call(self, inputs):
        return A.transpose(inputs, (0,) + self.dims)

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + tuple(input_shape[d] for d in self.dims)

    def get_config(self):
        config = super().get_config()
        config["dims"] = self.dims
        return config


class RepeatVector(Layer):
    """Repeats a ``(batch, features)`` input ``n`` times: ``(batch, n, features)``."""

    def __init__(self, n, **kwargs):
        super().__init__(**kwargs)
        self.n = n
        if not isinstance(n, int):
            raise TypeError(f"Expected an integer value for `n`, got {type(n)}.")
        self.input_spec = InputSpec(ndim=2)

    def call(self, inputs):
        b, f = inputs.array.shape
        return A.broadcast_to(A.expand_dims(inputs, 1), (b, self.n, f))

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.n, input_shape[1])

    def get_config(self):
        config = super().get_config()
        config["n"] = self.n
        return config


class Lambda(Layer):
    """Wraps a function of tensors as a layer: ``Lambda(lambda x: x ** 2)``.

    Args:
      function: called as ``function(inputs, **arguments)``.
      output_shape: optional output shape (or function of the input shape).
      mask: optional output mask (or function).
      arguments: optional keyword arguments for ``function``.
    """

    def __init__(self, function, output_shape=None, mask=None, arguments=None, **kwargs):
        super().__init__(**kwargs)
        self.function = function
        self.arguments = arguments or {}
        self._output_shape = output_shape
        self.mask = mask
        self.supports_masking = mask is not None

    def call(self, inputs, mask=None, training=None):
        return self.function(inputs, **self.arguments)

    def compute_mask(self, inputs, mask=None):
        if callable(self.mask):
            return self.mask(inputs, mask)
        return self.mask

    def get_config(self):
        config = super().get_config()
        fn = self.function
        config.update({"function": fn, "arguments": self.arguments,
                       "output_shape": self._output_shape})
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """Returns a Lambda from its config; a serialized function must be registered
        (``register_keras_serializable``): code is never loaded from a config."""
        config = dict(config)
        fn = config.get("function")
        if isinstance(fn, dict):
            from tapeflow.keras.saving.serialization import deserialize_keras_object
            config["function"] = deserialize_keras_object(fn, custom_objects=custom_objects)
        return cls(**config)


class _OpLayer(Layer):
    """An operator applied to a KerasTensor (``inputs / 255``) as a node of the graph.

    Saved by name (the class name, as Keras 3 names its ops: ``TrueDivide``, ``GetItem``,
    ``Stack``...), never as code: ``from_config`` looks the function up in ``_OP_FUNCTIONS``.
    """

    _op_layer = True

    def __init__(self, fn=None, other=None, reverse=False, binary=False, axis=None, **kwargs):
        kwargs.setdefault("autocast", False)  # an op keeps its operands' dtypes (Keras 3)
        super().__init__(**kwargs)
        if fn is None:
            fn = _op_function(type(self).__name__, axis)
        self.fn = fn
        self.other = other
        self.reverse = reverse
        self.binary = binary
        self.axis = axis

    def call(self, inputs):
        if self.binary:
            return self.fn(inputs[0], inputs[1])
        if self.other is None:
            return self.fn(inputs)
        if isinstance(self.other, slice) or isinstance(self.other, tuple) or \
                self.fn is _get_item or self.fn.__name__ == "<lambda>":
            return self.fn(inputs, self.other)
        other = self.other
        if isinstance(other, np.ndarray):
            want = np.dtype(inputs.dtype.as_numpy_dtype)
            if other.dtype.kind == want.kind:   # same kind: the constant takes the input's width
                other = convert_to_tensor(other.astype(want))
        return self.fn(other, inputs) if self.reverse else self.fn(inputs, other)

    def get_config(self):
        config = super().get_config()
        config.update({"other": _encode_operand(self.other), "reverse": self.reverse,
                       "binary": self.binary, "axis": self.axis})
        return config

    @classmethod
    def from_config(cls, config):
        """Returns the op layer a ``get_config()`` describes (its function found by name)."""
        config = dict(config)
        config.pop("fn", None)
        config["other"] = _decode_operand(config.get("other"))
        return cls(**config)


def _get_item(x, key):
    return x[key]


def _op_function(name, axis=None):
    if name == "GetItem":
        return _get_item
    if name == "Stack":
        return lambda xs: A.stack(xs, axis=0 if axis is None else axis)
    fn_name = _OP_FUNCTIONS.get(name)
    if fn_name is None:
        raise TypeError(f"Unknown operation layer '{name}': it cannot be rebuilt from a config.")
    from tapeflow.keras.ops import numpy as knp
    return getattr(knp, fn_name)


# Keras 3 op class name -> keras.ops function (KerasTensor operators).
_OP_FUNCTIONS = {"Add": "add", "Subtract": "subtract", "Multiply": "multiply",
                 "TrueDivide": "divide", "Power": "power", "Negative": "negative"}
_OP_NAMES = set(_OP_FUNCTIONS) | {"GetItem", "Stack"}


def _encode_operand(value):
    """JSON-friendly form of an op's constant operand, as Keras 3 writes slices, tuples and
    ``...`` (``{"class_name": "__slice__", ...}``)."""
    if value is Ellipsis:
        return {"class_name": "__ellipsis__", "config": {}}
    if isinstance(value, slice):
        return {"class_name": "__slice__",
                "config": {"start": _encode_operand(value.start),
                           "stop": _encode_operand(value.stop),
                           "step": _encode_operand(value.step)}}
    if isinstance(value, tuple):
        return {"class_name": "__tuple__", "config": {"value": [_encode_operand(v)
                                                                for v in value]}}
    if isinstance(value, np.ndarray):
        return {"class_name": "__numpy__",
                "config": {"value": value.tolist(), "dtype": value.dtype.name}}
    if isinstance(value, np.generic):
        return value.item()
    return value


def _decode_operand(value):
    if not isinstance(value, dict):
        return value
    kind, config = value.get("class_name"), value.get("config")
    if kind == "__ellipsis__":
        return Ellipsis
    if kind == "__slice__":
        return slice(_decode_operand(config["start"]), _decode_operand(config["stop"]),
                     _decode_operand(config["step"]))
    if kind == "__tuple__":
        return tuple(_decode_operand(v) for v in config["value"])
    if kind == "__numpy__":
        return np.asarray(config["value"], dtype=config["dtype"])
    return value


_OP_CLASSES = {}


def op_layer_class(name):
    """Returns the ``_OpLayer`` subclass named ``name`` (``Add``, ``GetItem``...), made once."""
    cls = _OP_CLASSES.get(name)
    if cls is None:
        cls = type(name, (_OpLayer,), {"__module__": __name__})
        _OP_CLASSES[name] = cls
    return cls


def op_layer_from_name(name):
    """Returns the op layer class a saved config names, or None if ``name`` is no known op
    (operators on KerasTensors, then the ``keras.ops`` functions)."""
    if name in _OP_NAMES:
        return op_layer_class(name)
    from tapeflow.keras.ops.operation import op_class_from_name
    return op_class_from_name(name)


class Identity(Layer):
    """Returns its input unchanged."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape


class Embedding(Layer):
    """Maps integer indices to dense vectors: a lookup in a ``(input_dim, output_dim)`` table.

    Args:
      input_dim: vocabulary size (largest index + 1).
      output_dim: vector size.
      embeddings_initializer: default ``"uniform"`` (uniform in ±0.05).
      embeddings_regularizer / embeddings_constraint: optional.
      mask_zero: whether index 0 is padding; ``compute_mask`` then returns ``inputs != 0``.
    """

    def __init__(self, input_dim, output_dim, embeddings_initializer="uniform",
                 embeddings_regularizer=None, embeddings_constraint=None, mask_zero=False,
                 weights=None, lora_rank=None, input_length=None, quantization_config=None,
                 **kwargs):
        super().__init__(**kwargs)
        self.input_dim = _positive_int("input_dim", input_dim, self)
        self.output_dim = _positive_int("output_dim", output_dim, self)
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.embeddings_regularizer = regularizers.get(embeddings_regularizer)
        self.embeddings_constraint = constraints.get(embeddings_constraint)
        self.mask_zero = mask_zero
        self.supports_masking = mask_zero
        self.autocast = False
        if weights is not None:
            self.build()
            self.set_weights(weights if isinstance(weights, list) else [weights])

    def build(self, input_shape=None):
        if self.built:
            return
        self.embeddings = self.add_weight(
            shape=(self.input_dim, self.output_dim), initializer=self.embeddings_initializer,
            name="embeddings", regularizer=self.embeddings_regularizer,
            constraint=self.embeddings_constraint)
        self.built = True

    def call(self, inputs):
        if inputs.array.dtype.kind not in "iu":
            inputs = M.cast(inputs, "int32")
        return A.gather(self.embeddings, inputs)

    def compute_mask(self, inputs, mask=None):
        if not self.mask_zero:
            return None
        return M.not_equal(convert_to_tensor(inputs), 0)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape) + (self.output_dim,)

    def get_config(self):
        config = super().get_config()
        config.update({
            "input_dim": self.input_dim, "output_dim": self.output_dim,
            "embeddings_initializer": _ser_init(self.embeddings_initializer),
            "embeddings_regularizer": _ser_reg(self.embeddings_regularizer),
            "activity_regularizer": _ser_reg(self.activity_regularizer),
            "embeddings_constraint": _ser_con(self.embeddings_constraint),
            "mask_zero": self.mask_zero, "quantization_config": None})
        return config
