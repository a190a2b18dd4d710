"""``keras.applications``: ImageNet architectures (VGG16, VGG19, Xception, InceptionV3) and
their input preprocessing. Sub-modules load on first use.

Pretrained ImageNet weights are Keras's own HDF5 files (h5py needed): ``weights="imagenet"``
uses the file in the Keras cache (``$KERAS_HOME/models/`` or ``~/.keras/models/``),
downloading it there when absent; offline, the error names the file and where to put it.
``weights=path`` loads any Keras or tapeflow weights file.
"""
import importlib

_SUBMODULES = {"vgg16", "vgg19", "xception", "inception_v3", "imagenet_utils", "resnet",
               "resnet50", "resnet_v2", "mobilenet", "mobilenet_v2", "mobilenet_v3",
               "efficientnet", "efficientnet_v2", "densenet", "convnext", "nasnet",
               "inception_resnet_v2"}

# Top-level names and the sub-module that defines each.
_NAMES = {"VGG16": "vgg16", "VGG19": "vgg19", "Xception": "xception",
          "InceptionV3": "inception_v3", "ResNet50": "resnet", "ResNet101": "resnet",
          "ResNet152": "resnet", "ResNet50V2": "resnet_v2", "ResNet101V2": "resnet_v2",
          "ResNet152V2": "resnet_v2", "MobileNet": "mobilenet", "MobileNetV2": "mobilenet_v2",
          "MobileNetV3Small": "mobilenet_v3", "MobileNetV3Large": "mobilenet_v3",
          "DenseNet121": "densenet", "DenseNet169": "densenet", "DenseNet201": "densenet",
          "NASNetMobile": "nasnet", "NASNetLarge": "nasnet",
          "InceptionResNetV2": "inception_resnet_v2",
          **{f"EfficientNetB{i}": "efficientnet" for i in range(8)},
          **{f"EfficientNetV2{s}": "efficientnet_v2" for s in
             ("B0", "B1", "B2", "B3", "S", "M", "L")},
          **{f"ConvNeXt{s}": "convnext" for s in ("Tiny", "Small", "Base", "Large", "XLarge")}}


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
