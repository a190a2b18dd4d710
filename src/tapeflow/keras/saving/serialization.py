"""Keras object (de)serialization: configs of the form
``{"module", "class_name", "config", "registered_name"}`` and the custom-object registry.
"""
import inspect
import threading

_GLOBAL_CUSTOM_OBJECTS = {}
_GLOBAL_CUSTOM_NAMES = {}
_SCOPE = threading.local()

def _scope_stack():
    if not hasattr(_SCOPE, "stack"):
        _SCOPE.stack = []
    return _SCOPE.stack


def get_custom_objects():
    """Returns the global dict of registered custom objects (name -> class or function)."""
    return _GLOBAL_CUSTOM_OBJECTS


class CustomObjectScope:
    """Context manager making ``custom_objects`` visible to deserialization.

    >>> from tapeflow import keras
    >>> def cube(x):
    ...     return x * x * x
    >>> with keras.saving.custom_object_scope({"cube": cube}):
    ...     keras.activations.get("cube") is cube
    True
    """

    def __init__(self, custom_objects):
        self.custom_objects = dict(custom_objects or {})

    def __enter__(self):
        _scope_stack().append(self.custom_objects)
        return self

    def __exit__(self, *exc):
        _scope_stack().pop()


custom_object_scope = CustomObjectScope


def register_keras_serializable(package="Custom", name=None):
    """Decorator registering a class or function as ``"package>name"``.

    Returns:
      The decorator; it returns the object unchanged.

    Raises:
      ValueError: if ``package`` contains ``>`` or the name is already registered,
        or a class lacks ``get_config``.
    """
    if ">" in str(package):
        raise ValueError("Cannot register a package name containing '>'.")

    def decorator(arg):
        class_name = name if name is not None else arg.__name__
        registered_name = f"{package}>{class_name}"
        if inspect.isclass(arg) and not hasattr(arg, "get_config"):
            raise ValueError("Cannot register a class that does not have a get_config() method.")
        _GLOBAL_CUSTOM_OBJECTS[registered_name] = arg
        _GLOBAL_CUSTOM_NAMES[arg] = registered_name
        return arg
    return decorator


def get_registered_name(obj):
    """Returns the registered name of ``obj`` (``"package>Name"``), or its ``__name__``."""
    if obj in _GLOBAL_CUSTOM_NAMES:
        return _GLOBAL_CUSTOM_NAMES[obj]
    return obj.__name__


def get_registered_object(name, custom_objects=None, module_objects=None):
    """Returns the class or function registered as ``name``, or None.

    Looks in the active ``custom_object_scope``s, the global registry,
    ``custom_objects`` and then ``module_objects``.
    """
    for scope in reversed(_scope_stack()):
        if name in scope:
            return scope[name]
    if name in _GLOBAL_CUSTOM_OBJECTS:
        return _GLOBAL_CUSTOM_OBJECTS[name]
    if custom_objects and name in custom_objects:
        return custom_objects[name]
    if module_objects and name in module_objects:
        return module_objects[name]
    return None


_OPS_MODULE = "keras.src.ops.numpy"   # where Keras 3 keeps the ops KerasTensor operators record


def _public_module(obj):
    if getattr(obj, "_op_layer", False):
        return _OPS_MODULE
    mod = getattr(obj, "__module__", "") or ""
    if not mod.startswith("tapeflow.keras"):
        return mod
    parts = mod.split(".")
    if len(parts) >= 3 and parts[2] in ("layers", "initializers", "regularizers", "constraints",
                                        "activations", "optimizers", "losses", "metrics"):
        if parts[2:4] == ["optimizers", "schedules"]:
            return "keras.optimizers.schedules"
        return "keras." + parts[2]
    return "keras"


def serialize_keras_object(obj):
    """Returns a JSON-friendly config describing ``obj``.

    Plain values pass through; functions give ``{"class_name": "function", ...}``;
    objects with ``get_config`` give ``{"module", "class_name", "config",
    "registered_name"}`` (plus ``"build_config"`` for built layers and
    ``"compile_config"`` for models).
    """
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if isinstance(obj, (list, tuple)):
        return [serialize_keras_object(x) for x in obj]
    if isinstance(obj, dict):
        return {k: serialize_keras_object(v) for k, v in obj.items()}
    if hasattr(obj, "dtype") and hasattr(obj, "tolist") and not hasattr(obj, "get_config"):
        return obj.tolist()
    registered = _GLOBAL_CUSTOM_NAMES.get(obj if not hasattr(obj, "get_config") or
                                          inspect.isclass(obj) else type(obj))
    if inspect.isfunction(obj) or inspect.isbuiltin(obj):
        module = _public_module(obj)
        return {"module": module, "class_name": "function",
                "config": registered or obj.__name__, "registered_name": "function"}
    if inspect.isclass(obj):
        return {"module": _public_module(obj), "class_name": obj.__name__, "config": None,
                "registered_name": registered}
    if not hasattr(obj, "get_config"):
        raise TypeError(f"Cannot serialize {obj!r}: it has no get_config() method.")
    cls = type(obj)
    builtin = (cls.__module__ or "").startswith("tapeflow.keras") and registered is None
    # A built-in class exported under another name (GroupedQueryAttention is written as
    # keras.layers.GroupQueryAttention) declares that name.
    export = cls.__dict__.get("_export_name") if builtin else None
    config = {"module": _public_module(cls), "class_name": export or cls.__name__,
              "config": _serialize_config(obj.get_config()),
              "registered_name": None if builtin else (registered or cls.__name__)}
    if builtin and cls.__name__ == "Functional":   # where Keras 3 writes its Functional class
        config["module"], config["registered_name"] = "keras.src.models.functional", "Functional"
    build_config = getattr(obj, "get_build_config", None)
    if build_config is not None:
        bc = build_config()
        if bc is not None:
            config["build_config"] = bc
    compile_config = getattr(obj, "get_compile_config", None)
    if compile_config is not None:   # models: {} when not compiled, as Keras 3 writes
        cc = compile_config()
        if cc is not None:
            config["compile_config"] = cc
    return config


def _serialize_config(config):
    if isinstance(config, dict):
        return {k: _serialize_config(v) for k, v in config.items()}
    if isinstance(config, (list, tuple)):
        return [_serialize_config(v) for v in config]
    if config is None or isinstance(config, (bool, int, float, str)):
        return config
    return serialize_keras_object(config)


def deserialize_keras_object(config, custom_objects=None, safe_mode=True, module_objects=None,
                             **kwargs):
    """Returns the object a ``serialize_keras_object`` config describes.

    Raises:
      TypeError: if the class or function cannot be found.
    """
    if config is None:
        return None
    if isinstance(config, (bool, int, float)):
        return config
    if isinstance(config, (list, tuple)):
        return [deserialize_keras_object(c, custom_objects, safe_mode, module_objects)
                for c in config]
    if isinstance(config, str):
        obj = get_registered_object(config, custom_objects, module_objects)
        if obj is None:
            raise ValueError(f"Could not interpret serialized object: {config}")
        return obj
    if not isinstance(config, dict):
        raise TypeError(f"Could not parse config: {config}")
    if "class_name" not in config or "config" not in config:
        return {k: deserialize_keras_object(v, custom_objects, safe_mode, module_objects)
                if isinstance(v, dict) and "class_name" in v else v for k, v in config.items()}
    from tapeflow.keras.saving.allowlist import resolve
    obj = resolve(config, custom_objects, module_objects)   # raises before any call
    inner = config["config"]
    if config["class_name"] == "function" or (inner is None and inspect.isclass(obj)):
        return obj
    if not hasattr(obj, "from_config"):
        raise TypeError(f"Unable to reconstruct an instance of '{config['class_name']}' "
                        "because the class is missing a `from_config()` method. Full object "
                        f"config: {config}")
    with CustomObjectScope(custom_objects or {}):
        obj = obj.from_config(inner)
        build_config = config.get("build_config")
        if build_config and hasattr(obj, "build_from_config") and not getattr(obj, "built", True):
            obj.build_from_config(build_config)
    return obj
