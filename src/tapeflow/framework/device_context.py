"""``tf.device``: a context manager naming where ops run; everything runs on the CPU here."""
import contextlib


@contextlib.contextmanager
def device(device_name):
    """Returns a context manager that accepts any device name and places ops on the CPU.

    Code written for TensorFlow (``with tf.device("cpu"): layer.adapt(data)``) runs
    unchanged; there is one device, so the name only has to be a string or None.

    Raises:
      TypeError: if ``device_name`` is neither a string nor None.
    """
    if device_name is not None and not isinstance(device_name, str):
        raise TypeError(f"tf.device expects a string or None; received {device_name!r}")
    yield
