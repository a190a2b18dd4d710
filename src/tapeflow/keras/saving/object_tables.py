"""Shared ``serialize``/``deserialize``/``get`` logic of the Keras modules whose objects are
looked up by name in a table (losses, metrics, regularizers, constraints)."""


def lookup(name, table, custom_objects=None):
    """Returns the object called ``name``: from ``custom_objects``, the module's ``table``,
    or the registry of ``register_keras_serializable``; None if unknown."""
    if custom_objects and name in custom_objects:
        return custom_objects[name]
    obj = table.get(name)
    if obj is None:
        from tapeflow.keras.saving.serialization import get_registered_object
        obj = get_registered_object(name, custom_objects)
    return obj


def serialize_object_or_function(obj, base_class, module):
    """Returns the Keras config dict of an instance of ``base_class`` or of a named function."""
    if isinstance(obj, base_class):
        return {"module": module, "class_name": type(obj).__name__,
                "config": obj.get_config(), "registered_name": None}
    name = getattr(obj, "__name__", None)
    return {"module": module, "class_name": "function", "config": name,
            "registered_name": name}


def deserialize_object_or_function(config, table, kind, custom_objects=None):
    """Returns the function or instance described by a name or by a dict from
    ``serialize_object_or_function``; a dict goes through the allow-list of
    ``deserialize_keras_object`` with ``table`` as the module's objects.

    Raises:
      ValueError: naming ``kind`` for an unknown name.
    """
    if isinstance(config, str):
        obj = lookup(config, table, custom_objects)
        if obj is None:
            raise ValueError(f"Could not interpret {kind} identifier: {config}")
        return obj
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"Could not interpret {kind} identifier: {config}")
    if config.get("class_name") == "function" and isinstance(config.get("config"), str):
        return deserialize_object_or_function(config["config"], table, kind, custom_objects)
    from tapeflow.keras.saving.serialization import deserialize_keras_object
    return deserialize_keras_object(dict(config, config=config.get("config") or {}),
                                    custom_objects=custom_objects, module_objects=table)


def get_instance(identifier, table, kind, deserialize):
    """Returns None, an instance for a name or config dict, or ``identifier`` itself if callable
    (a class is instantiated).

    Raises:
      ValueError: naming ``kind`` for an identifier that cannot be interpreted.
    """
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        cls = table.get(identifier)
        if cls is None:
            raise ValueError(f"Could not interpret {kind} identifier: {identifier}")
        return cls()
    if callable(identifier):
        return identifier() if isinstance(identifier, type) else identifier
    raise ValueError(f"Could not interpret {kind} identifier: {identifier}")
