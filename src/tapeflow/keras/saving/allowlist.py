"""What a saved config may name: the one allow-list every deserialization goes through.

A config (``{"module", "class_name", "config", "registered_name"}``) read from a file
may come from an attacker, so it names an object only by a key into tables this module
fixes; no module named by a file is ever imported and nothing is called before the
object passes these rules, as in Keras 3:

1. an object the user supplied (``custom_objects``, a ``custom_object_scope``) or
   registered (``register_keras_serializable``), or one from the table of the Keras
   module doing the deserializing (``module_objects``: ``keras.activations``'s
   functions, ``keras.initializers``' classes, ...);
2. a *class* of the public Keras API that Keras can save (a subclass of ``Layer``,
   ``Initializer``, ``Regularizer``, ``Constraint``, ``Loss``, ``Metric``,
   ``Optimizer``, ``LearningRateSchedule`` or ``DTypePolicy``), found in the public
   namespace its ``module`` names (``keras.layers``, ``keras.src...`` spellings as
   Keras 3 writes them);
3. a *function* of the public Keras API that models are made of: an activation, a
   loss or metric function, or a ``keras.ops`` operation recorded by the functional API.

Anything else (another module of tapeflow, the standard library, ``builtins``, a
function where a class is expected) raises before anything is called: ``TypeError``
("Could not locate class ...") for a module outside Keras, ``ValueError`` for a
Keras name that is not a modeling object, as Keras 3 raises them.
"""
import importlib
import inspect

# The public module names a config may give -> the tapeflow namespace holding them.
PUBLIC_MODULES = {
    "keras": "tapeflow.keras",
    "keras.layers": "tapeflow.keras.layers",
    "keras.models": "tapeflow.keras.models",
    "keras.initializers": "tapeflow.keras.initializers",
    "keras.regularizers": "tapeflow.keras.regularizers",
    "keras.constraints": "tapeflow.keras.constraints",
    "keras.activations": "tapeflow.keras.activations",
    "keras.optimizers": "tapeflow.keras.optimizers",
    "keras.optimizers.schedules": "tapeflow.keras.optimizers.schedules",
    "keras.losses": "tapeflow.keras.losses",
    "keras.metrics": "tapeflow.keras.metrics",
    "keras.mixed_precision": "tapeflow.keras.mixed_precision",
    "keras.dtype_policies": "tapeflow.keras.layers.dtype_policy",
}

# Public namespaces whose objects are not modeling objects: named only to refuse them with
# Keras's message ("not a modeling function").
OTHER_PUBLIC_MODULES = {
    "keras.utils": "tapeflow.keras.utils",
    "keras.saving": "tapeflow.keras.saving",
    "keras.callbacks": "tapeflow.keras.callbacks",
    "keras.datasets": "tapeflow.keras.datasets",
    "keras.backend": "tapeflow.keras.backend",
}

# Where Keras 3 writes the operations a KerasTensor's operators and keras.ops record.
OPS_MODULE_PREFIXES = ("keras.src.ops", "keras.ops")


def _saveable_bases():
    from tapeflow.keras.initializers import Initializer
    from tapeflow.keras.layers.dtype_policy import DTypePolicy
    from tapeflow.keras.layers.layer import Layer
    from tapeflow.keras.losses.loss import Loss
    from tapeflow.keras.metrics.metric import Metric
    from tapeflow.keras.optimizers.base_optimizer import Optimizer
    from tapeflow.keras.optimizers.schedules import LearningRateSchedule
    from tapeflow.keras.regularizers import Regularizer
    from tapeflow.keras.constraints import Constraint
    return (Layer, Initializer, Regularizer, Constraint, Loss, Metric, Optimizer,
            LearningRateSchedule, DTypePolicy)


def _modeling_functions(module):
    """The functions a config may name in the public ``module`` (name -> function)."""
    if module == "keras.activations":
        from tapeflow.keras.activations import MODELING_FUNCTIONS
    elif module == "keras.losses":
        from tapeflow.keras.losses import MODELING_FUNCTIONS
    elif module == "keras.metrics":
        from tapeflow.keras.metrics import MODELING_FUNCTIONS
    else:
        return {}
    return MODELING_FUNCTIONS


def is_saveable_class(obj):
    """Returns True if ``obj`` is a class Keras can save (a layer, model, initializer, ...)."""
    return inspect.isclass(obj) and issubclass(obj, _saveable_bases())


def _public_attr(path, name):
    if not name.isidentifier() or name.startswith("_"):
        return None
    return getattr(importlib.import_module(path), name, None)


def _not_modeling(module, name):
    return ValueError(f"Cannot deserialize `{module}.{name}` because it is not a modeling "
                      "function. Non-modeling APIs are disallowed during deserialization for "
                      "security. Model configuration should only contains operations, layers, "
                      "metrics, losses, or registered custom objects and functions.")


def _is_public_function(module, name):
    path = PUBLIC_MODULES.get(module) or OTHER_PUBLIC_MODULES.get(module)
    return path is not None and inspect.isfunction(_public_attr(path, name))


def _not_saveable(module, name):
    if _is_public_function(module, name):
        return _not_modeling(module, name)
    return ValueError(f"Could not deserialize '{module}.{name}' because it is not a "
                      "KerasSaveable subclass")


def _not_located(kind, name, config):
    return TypeError(f"Could not locate {kind} '{name}'. Make sure custom classes and "
                     "functions are decorated with "
                     "`@keras.saving.register_keras_serializable()`. If they are already "
                     "decorated, make sure they are all imported so that the decorator is run "
                     f"before trying to load them. Full object config: {config}")


def _find_class(module, name):
    """Returns the saveable class ``name`` of the public Keras API ``module`` names, or None."""
    if module in PUBLIC_MODULES:
        paths = [PUBLIC_MODULES[module]]
    else:   # a ``keras.src...`` spelling, or none (legacy tf.keras configs): the public API
        paths = ["tapeflow.keras.layers", "tapeflow.keras.models", "tapeflow.keras"] + \
            [p for p in PUBLIC_MODULES.values()]
    for path in paths:
        obj = _public_attr(path, name)
        if obj is not None:
            return obj
    return None


def resolve(config, custom_objects=None, module_objects=None):
    """Returns the class or function a config dict names, if the allow-list admits it.

    Nothing is called: the caller instantiates the class (``from_config``) afterwards.

    Raises:
      TypeError: for an object outside the Keras API that is neither supplied nor
        registered (naming it and the config).
      ValueError: for a Keras name that is not a saveable class or modeling function.
    """
    from tapeflow.keras.saving.serialization import get_registered_object
    class_name = config.get("class_name")
    module = config.get("module")
    is_function = class_name == "function"
    name = config.get("config") if is_function else class_name
    kind = "function" if is_function else "class"
    if not isinstance(name, str) or (module is not None and not isinstance(module, str)):
        raise TypeError(f"Could not parse config: {config}")
    registered = config.get("registered_name")
    for key in ((registered, name) if isinstance(registered, str) else (name,)):
        obj = get_registered_object(key, custom_objects, module_objects)
        if obj is not None:
            return obj
    if module is not None and module.startswith(OPS_MODULE_PREFIXES):
        from tapeflow.keras.layers.core import op_layer_from_name
        obj = op_layer_from_name(name)
        if obj is None:
            raise _not_saveable(module, name)
        return obj
    if module is not None and module != "keras" and not module.startswith("keras."):
        raise _not_located(kind, name, config)
    if is_function:
        if module is None:
            raise _not_located(kind, name, config)
        fn = _modeling_functions(module).get(name)
        if fn is None:
            raise _not_saveable(module, name)
        return fn
    cls = _find_class(module, name)
    if cls is None and module is None:
        raise _not_located(kind, name, config)
    if not is_saveable_class(cls):
        raise _not_saveable(module or "keras", name)
    if isinstance(registered, str) and registered not in (name, "function"):
        raise ValueError(f"`registered_name={registered!r}` was provided in the config, but "
                         f"'{module}.{name}' resolved to a Keras built-in and does not use "
                         "registered names. Remove the `registered_name` field from the "
                         f"config. Full object config: {config}")
    return cls
