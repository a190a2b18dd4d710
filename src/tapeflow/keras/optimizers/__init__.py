"""``keras.optimizers``: SGD, RMSprop, Adam and friends, ``get``/``serialize``/``deserialize``."""
from tapeflow.keras.optimizers import schedules  # noqa: F401
from tapeflow.keras.optimizers.adafactor import Adafactor
from tapeflow.keras.optimizers.adagrad import Adadelta, Adagrad
from tapeflow.keras.optimizers.adam import Adam, Adamax, AdamW, Nadam
from tapeflow.keras.optimizers.base_optimizer import Optimizer
from tapeflow.keras.optimizers.ftrl import Ftrl
from tapeflow.keras.optimizers.lamb import Lamb
from tapeflow.keras.optimizers.lion import Lion
from tapeflow.keras.optimizers.loss_scale_optimizer import LossScaleOptimizer
from tapeflow.keras.optimizers.multi_optimizer import MultiOptimizer, OptimizerMap
from tapeflow.keras.optimizers.muon import Muon, ScheduleFreeAdamW
from tapeflow.keras.optimizers.rmsprop import RMSprop
from tapeflow.keras.optimizers.sgd import SGD

_ALL = {c.__name__.lower(): c for c in (Optimizer, SGD, RMSprop, Adam, AdamW, Adagrad,
                                        Adadelta, Adamax, Nadam, Lion, LossScaleOptimizer,
                                        Adafactor, Ftrl, Lamb, Muon, ScheduleFreeAdamW,
                                        MultiOptimizer)}


def serialize(optimizer):
    """Returns the optimizer as a Keras config dict (``module``, ``class_name``, ``config``)."""
    return {"module": "keras.optimizers", "class_name": type(optimizer).__name__,
            "config": optimizer.get_config(), "registered_name": None}


def _lookup(name, custom_objects):
    if custom_objects and name in custom_objects:
        return custom_objects[name]
    cls = _ALL.get(name.lower())
    if cls is None:
        try:
            from tapeflow.keras.saving.serialization import get_registered_object
            cls = get_registered_object(name, custom_objects)
        except ImportError:
            cls = None
    return cls


def deserialize(config, custom_objects=None):
    """Returns the optimizer described by a ``serialize`` dict (checked by the saving
    allow-list before anything is called).

    Raises:
      ValueError: for an unknown class name.
    """
    from tapeflow.keras.saving.serialization import deserialize_keras_object
    name = config.get("class_name") if isinstance(config, dict) else None
    cls = _lookup(name, custom_objects) if isinstance(name, str) else None
    if cls is None or cls is Optimizer:
        raise ValueError(f"Could not interpret optimizer identifier: {name}")
    return deserialize_keras_object(dict(config, config=config.get("config") or {}),
                                    custom_objects=custom_objects, module_objects={name: cls})


def get(identifier):
    """Returns an optimizer from a name (``"rmsprop"``), a config dict or an instance.

    Raises:
      ValueError: if ``identifier`` cannot be interpreted.
    """
    if identifier is None:
        return None
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        cls = _lookup(identifier, None)
        if cls is not None and cls is not Optimizer:
            return cls()
    raise ValueError(f"Could not interpret optimizer identifier: {identifier}")


__all__ = ["Optimizer", "SGD", "RMSprop", "Adam", "AdamW", "Adagrad", "Adadelta", "Adamax",
           "Nadam", "Lion", "LossScaleOptimizer", "Adafactor", "Ftrl", "Lamb", "Muon",
           "ScheduleFreeAdamW", "MultiOptimizer", "OptimizerMap", "get",
           "serialize", "deserialize", "schedules"]
