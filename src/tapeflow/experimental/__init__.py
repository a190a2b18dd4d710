"""``tf.experimental``: TensorFlow's experimental namespace.

``tf.experimental.numpy`` (the NumPy API on tensors) loads on first use; any other name
tapeflow lacks raises ``AttributeError``, as for any missing TensorFlow name.
"""


def __getattr__(name):
    if name == "numpy":
        import importlib
        mod = importlib.import_module("tapeflow.experimental.numpy")
        globals()[name] = mod
        return mod
    raise AttributeError(f"module 'tapeflow.experimental' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + ["numpy"])
