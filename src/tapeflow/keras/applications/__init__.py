"""``keras.applications``: ImageNet architectures (VGG16, VGG19, Xception, InceptionV3) and
their input preprocessing. Sub-modules load on first use.

Pretrained ImageNet weights are Keras's own HDF5 files (h5py needed): ``weights="imagenet"``
uses the file in the Keras cache (``$KERAS_HOME/models/`` or ``~/.keras/models/``),
downloading it there when absent; offline, the error names the file and where to put it.
``weights=path`` loads any Keras or tapeflow weights file.
"""
import importlib

_SUBMODULES = {"vgg16", "vgg19", "xception", "inception_v3", "imagenet_utils"}

# Top-level names and the sub-module that defines each.
_NAMES = {"VGG16": "vgg16", "VGG19": "vgg19", "Xception": "xception",
          "InceptionV3": "inception_v3"}


def __getattr__(name):
    if name in _SUBMODULES:
        mod = importlib.import_module(f"{__name__}.{name}")
        globals()[name] = mod
        return mod
    if name in _NAMES:
        value = getattr(importlib.import_module(f"{__name__}.{_NAMES[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'tapeflow.keras.applications' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | _SUBMODULES | set(_NAMES))
