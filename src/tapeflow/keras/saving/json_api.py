"""``Model.to_json`` and ``keras.models.model_from_json``: a model's architecture as JSON text
(Keras 3's serialized config: no weights), read back through the same allow-list as
``.keras`` files."""
import json


def model_to_json(model, **kwargs):
    """Returns ``model``'s serialized config (class, module, config, build and compile
    configs) as a JSON string; ``kwargs`` go to ``json.dumps`` (e.g. ``indent``)."""
    from tapeflow.keras.saving.serialization import serialize_keras_object
    return json.dumps(serialize_keras_object(model), **kwargs)


def model_from_json(json_string, custom_objects=None):
    """Returns the (unbuilt-weights, uncompiled) model described by ``json_string``, as
    written by ``Model.to_json()``.

    Only what the allow-list admits is constructed (``keras.saving``'s rules: public Keras
    classes, registered objects, ``custom_objects``); a ``Lambda`` holding Python code is
    refused unless unsafe deserialization is enabled.

    Raises:
      json.JSONDecodeError: for text that is not JSON.
      TypeError / ValueError: for classes the allow-list refuses (Keras's messages).
    """
    from tapeflow.keras.saving.saving_api import _find_lambda, effective_safe_mode
    from tapeflow.keras.saving.serialization import (CustomObjectScope,
                                                     deserialize_keras_object)
    if isinstance(json_string, (bytes, bytearray)):
        json_string = json_string.decode("utf-8")
    try:
        config = json.loads(json_string)
    except RecursionError:
        raise ValueError("Refusing the model JSON: it is nested too deeply.") from None
    safe_mode = effective_safe_mode(True)
    if safe_mode and _find_lambda(config):
        raise ValueError("Requested the deserialization of a `Lambda` layer whose `function` "
                         "is a Python lambda or function stored in the JSON. This carries a "
                         "potential risk of arbitrary code execution and thus it is "
                         "disallowed by default. If you trust the source, call "
                         "`keras.config.enable_unsafe_deserialization()`.")
    try:
        with CustomObjectScope(custom_objects or {}):
            return deserialize_keras_object(config, custom_objects=custom_objects,
                                            safe_mode=safe_mode)
    except RecursionError:
        raise ValueError("Refusing the model JSON: models nested past Python's recursion "
                         "limit.") from None
