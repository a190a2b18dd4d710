"""``keras.layers``: the Layer base class, ``Input``, and the built-in layers."""
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
from tapeflow.keras.layers.node import KerasTensor
from tapeflow.keras.layers.normalization import BatchNormalization, LayerNormalization
from tapeflow.keras.layers.preprocessing import Normalization, Rescaling


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
