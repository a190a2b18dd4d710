"""Running code written for TensorFlow against tapeflow (opt-in, for one run only).

    with tensorflow_aliases():
        import tensorflow as tf        # -> tapeflow
        from tensorflow import keras   # -> tapeflow.keras
        import keras                   # -> tapeflow.keras

Nothing is installed globally: leaving the context removes the aliases and
restores whatever ``tensorflow``/``keras`` modules were imported before.
"""
from tapeflow.compat.aliases import ALIASES, tensorflow_aliases  # noqa: F401
