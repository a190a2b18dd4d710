"""The Keras 3 API on tapeflow: ``from tapeflow import keras``.

Sub-modules load on first use so that ``import tapeflow`` stays light.
"""
import importlib

_SUBMODULES = {
    "layers", "models", "activations", "initializers", "regularizers", "constraints",
    "optimizers", "losses", "metrics", "callbacks", "utils", "datasets", "backend",
    "saving", "mixed_precision", "applications", "ops", "random", "config", "tree",
    "preprocessing", "dtype_policies",
}

# Top-level names and the module that defines each.
_NAMES = {
    "Sequential": "tapeflow.keras.models",
    "Model": "tapeflow.keras.models",
    "Input": "tapeflow.keras.layers",
    "Layer": "tapeflow.keras.layers",
    "Variable": "tapeflow.keras.variables",
    "KerasTensor": "tapeflow.keras.layers",
    "DTypePolicy": "tapeflow.keras.layers.dtype_policy",
    "name_scope": "tapeflow.keras.scope",
    "device": "tapeflow.keras.scope",
    "FloatDTypePolicy": "tapeflow.keras.dtype_policies",
    "InputSpec": "tapeflow.keras.layers",
    "Initializer": "tapeflow.keras.initializers",
    "Loss": "tapeflow.keras.losses",
    "Metric": "tapeflow.keras.metrics",
    "Optimizer": "tapeflow.keras.optimizers",
    "Regularizer": "tapeflow.keras.regularizers",
}

__version__ = "3.6.0"


def version():
    """Returns the Keras version string tapeflow follows (``keras.__version__``)."""
    return __version__


def __getattr__(name):
    if name in _SUBMODULES:
        mod = importlib.import_module(f"tapeflow.keras.{name}")
        globals()[name] = mod
        return mod
    if name in _NAMES:
        value = getattr(importlib.import_module(_NAMES[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'tapeflow.keras' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | _SUBMODULES | set(_NAMES))
