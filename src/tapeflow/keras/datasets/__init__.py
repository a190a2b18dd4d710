"""``keras.datasets``: the standard small data sets, read from Keras's files.

Each loader fetches the same file from the same origin as Keras (with
``keras.utils.get_file``, so it is cached under ``~/.keras/datasets`` or
``$KERAS_HOME/datasets``), checks the same hash, and returns the same arrays.
"""
import importlib

_MODULES = {"mnist", "fashion_mnist", "cifar10", "cifar100", "imdb", "reuters",
            "boston_housing", "california_housing"}


def __getattr__(name):
    if name in _MODULES:
        mod = importlib.import_module(f"tapeflow.keras.datasets.{name}")
        globals()[name] = mod
        return mod
    raise AttributeError(f"module 'tapeflow.keras.datasets' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | _MODULES)
