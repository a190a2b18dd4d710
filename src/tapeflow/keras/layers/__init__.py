"""``keras.layers``: the Layer base class, ``Input``, and the built-in layers.

The layers of this package's other modules (convolution, pooling, recurrent,
augmentation, ...) load on first use: ``keras.layers.Conv2D`` imports the
module that defines ``Conv2D``.
"""
import importlib
import pkgutil

from tapeflow.keras.layers.activation_layers import ELU, LeakyReLU, PReLU, ReLU, Softmax
from tapeflow.keras.layers.core import (
    Activation, Dense, Dropout, Embedding, Flatten, Identity, Lambda, Permute, RepeatVector,
    Reshape)
from tapeflow.keras.layers.input_layer import Input, InputLayer
from tapeflow.keras.layers.input_spec import InputSpec
from tapeflow.keras.layers.layer import Layer
from tapeflow.keras.layers.merging import (
    Add, Average, Concatenate, Dot, Maximum, Minimum, Multiply, Subtract, add, average,
    concatenate, dot, maximum, minimum, multiply, subtract)
from tapeflow.keras.keras_tensor import KerasTensor
from tapeflow.keras.layers.normalization import BatchNormalization, LayerNormalization
from tapeflow.keras.layers.preprocessing import Normalization, Rescaling


# Modules whose layers are exported eagerly above; the others are searched on first use.
_EAGER = {"activation_layers", "call_utils", "core", "dtype_policy", "input_layer",
          "input_spec", "layer", "layer_config", "layer_utils", "masking_utils", "merging",
          "node", "normalization", "preprocessing", "shape_utils", "tracking"}


def __getattr__(name):
    broken = []
    if not name.startswith("_"):
        for info in pkgutil.iter_modules(__path__):
            if info.name in _EAGER:
                continue
            try:
                mod = importlib.import_module(f"{__name__}.{info.name}")
            except (ImportError, SyntaxError) as e:  # one broken module must not hide the rest
                broken.append(f"{info.name} ({type(e).__name__}: {e})")
                continue
            value = getattr(mod, name, None)
            if value is not None and getattr(value, "__module__", None) == mod.__name__:
                globals()[name] = value
                return value
    extra = f" (modules that failed to import: {', '.join(broken)})" if broken else ""
    raise AttributeError(f"module 'tapeflow.keras.layers' has no attribute {name!r}{extra}")


def serialize(layer):
    """Returns the Keras config dict of a layer."""
    from tapeflow.keras.saving.serialization import serialize_keras_object
    return serialize_keras_object(layer)


def deserialize(config, custom_objects=None):
    """Returns the layer described by a config dict."""
    from tapeflow.keras.saving.serialization import deserialize_keras_object
    return deserialize_keras_object(config, custom_objects=custom_objects)


__all__ = [
    "Layer", "Input", "InputLayer", "InputSpec", "KerasTensor",
    "Dense", "Activation", "Dropout", "Flatten", "Reshape", "Permute", "RepeatVector", "Lambda",
    "Identity", "Embedding", "Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum",
    "Concatenate", "Dot", "add", "subtract", "multiply", "average", "maximum", "minimum",
    "concatenate", "dot", "BatchNormalization", "LayerNormalization", "Rescaling",
    "Normalization", "ReLU", "LeakyReLU", "Softmax", "ELU", "PReLU", "serialize", "deserialize",
]
