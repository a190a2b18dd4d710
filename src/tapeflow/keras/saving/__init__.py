"""``keras.saving``: (de)serialization of Keras objects, the custom-object registry, and
``save_model``/``load_model`` (loaded on first use from ``saving_api``)."""
import importlib

from tapeflow.keras.saving.serialization import (  # noqa: F401
    CustomObjectScope, custom_object_scope, deserialize_keras_object, get_custom_objects,
    get_registered_name, get_registered_object, register_keras_serializable,
    serialize_keras_object)

_LAZY = {"save_model": "tapeflow.keras.saving.saving_api",
         "load_model": "tapeflow.keras.saving.saving_api",
         "save_weights": "tapeflow.keras.saving.saving_api",
         "load_weights": "tapeflow.keras.saving.saving_api"}

__all__ = ["CustomObjectScope", "custom_object_scope", "deserialize_keras_object",
           "get_custom_objects", "get_registered_name", "get_registered_object",
           "register_keras_serializable", "serialize_keras_object", "save_model", "load_model"]


def __getattr__(name):
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'tapeflow.keras.saving' has no attribute {name!r}")
