"""Layers that hold or chain other layers: Wrapper, TimeDistributed, Pipeline; and Masking."""
from tapeflow.framework.variable import array_of
from tapeflow.framework.tensor import Tensor, convert_to_tensor
from tapeflow.keras.layers.layer import Layer
from tapeflow.keras.layers.masking_utils import get_keras_mask
from tapeflow.ops import array_ops as A
from tapeflow.ops import math_ops as M
from tapeflow.ops import reduction_ops as Rd


def _serialize(obj):
    from tapeflow.keras.saving.serialization import serialize_keras_object
    return serialize_keras_object(obj)


def _deserialize(config, custom_objects=None):
    from tapeflow.keras.saving.serialization import deserialize_keras_object
    return deserialize_keras_object(config, custom_objects=custom_objects)


class Wrapper(Layer):
    """Base class of layers that wrap one other layer (``self.layer``).

    Raises:
      ValueError: if ``layer`` is not a Keras layer.
    """

    def __init__(self, layer, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError(f"Layer {layer} supplied to Wrapper isn't a supported layer type. "
                             "Please ensure wrapped layer is a valid Keras layer.")
        super().__init__(**kwargs)
        self.layer = layer

    def build(self, input_shape=None):
        if not self.layer.built:
            self.layer._build_with(input_shape)
        self.built = True

    def call(self, inputs, *args, **kwargs):
        return self.layer(inputs, *args, **kwargs)

    def get_config(self):
        config = super().get_config()
        config["layer"] = _serialize(self.layer)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        layer = _deserialize(config.pop("layer"), custom_objects)
        return cls(layer, **config)


class TimeDistributed(Wrapper):
    """Applies ``layer`` to every time step of ``(batch, time, ...)`` inputs (one weight set
    shared by all steps); the steps run as one batch of ``batch * time`` samples.

    Raises:
      ValueError: for inputs of rank below 3.
    """

    def __init__(self, layer, **kwargs):
        super().__init__(layer, **kwargs)
        self.supports_masking = True

    def build(self, input_shape):
        input_shape = tuple(input_shape)
        if len(input_shape) < 3:
            raise ValueError("`TimeDistributed` Layer should be passed an `input_shape` with "
                             f"at least 3 dimensions, received: {input_shape}")
        if not self.layer.built:
            self.layer._build_with((input_shape[0],) + input_shape[2:])
        self.built = True

    def call(self, inputs, training=None, mask=None):
        shape = array_of(inputs).shape
        b, t = shape[0], shape[1]
        flat = A.reshape(inputs, (b * t,) + shape[2:])
        kwargs = {}
        flags = type(self.layer)._call_flags()
        if flags[0] and training is not None:
            kwargs["training"] = training
        if flags[1] and mask is not None:
            m = array_of(mask) if type(mask) is Tensor else mask
            kwargs["mask"] = Tensor(m.reshape((b * t,) + m.shape[2:]))
        out = self.layer(flat, **kwargs)
        return A.reshape(out, (b, t) + tuple(array_of(out).shape[1:]))

    def compute_output_shape(self, input_shape):
        inner = self.layer.compute_output_shape((input_shape[0],) + tuple(input_shape[2:]))
        return (input_shape[0], input_shape[1]) + tuple(inner[1:])

    def compute_mask(self, inputs, mask=None):
        return mask


class Pipeline(Layer):
    """Applies ``layers`` in order (masks and ``training`` passed along), without converting
    its input first, so that e.g. strings reach a ``StringLookup``.

    Args:
      layers: list of layers.
    """

    def __init__(self, layers, name=None):
        super().__init__(name=name)
        self._pipeline_layers = list(layers)

    @property
    def layers(self):
        """Returns the list of layers."""
        return self._pipeline_layers

    def _convert(self, x):
        return x   # each layer converts what it receives

    def build(self, input_shape):
        self.built = True

    def call(self, inputs, training=True, mask=None):
        for layer in self._pipeline_layers:
            flags = type(layer)._call_flags()
            kwargs = {}
            if flags[1]:
                kwargs["mask"] = mask
            if flags[0] and training is not None:
                kwargs["training"] = training
            inputs = layer(inputs, **kwargs)
            mask = get_keras_mask(inputs)
        return inputs

    def get_config(self):
        return {"layers": [_serialize(layer) for layer in self._pipeline_layers],
                "name": self.name}

    @classmethod
    def from_config(cls, config):
        layers = config.get("layers")
        if not isinstance(layers, (list, tuple)):
            raise ValueError("`Pipeline` config must contain a `layers` key mapping to a list "
                             f"of serialized layers. Received config with layers={layers}.")
        config = dict(config)
        config["layers"] = [_deserialize(x) for x in layers]
        return cls(**config)


class Masking(Layer):
    """Masks the time steps whose features all equal ``mask_value``: those steps are zeroed,
    and the boolean mask ``(batch, time)`` is passed on to mask-consuming layers (RNNs,
    attention, pooling).

    Args:
      mask_value: the padding value (default 0.0).
    """

    def __init__(self, mask_value=0.0, **kwargs):
        super().__init__(**kwargs)
        self.mask_value = mask_value
        self.supports_masking = True

    def compute_mask(self, inputs, mask=None):
        x = inputs if type(inputs) is Tensor else convert_to_tensor(inputs)
        return Rd.reduce_any(M.not_equal(x, self.mask_value), axis=-1)

    def call(self, inputs):
        keep = Rd.reduce_any(M.not_equal(inputs, self.mask_value), axis=-1, keepdims=True)
        return M.multiply(inputs, M.cast(keep, inputs.dtype))

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config["mask_value"] = self.mask_value
        return config


__all__ = ["Wrapper", "TimeDistributed", "Pipeline", "Masking"]
