"""``keras.config``: global settings (float type, epsilon, image data format, backend name,
unsafe deserialization)."""
from tapeflow.keras.backend import (epsilon, floatx, image_data_format, set_epsilon,  # noqa: F401
                                    set_floatx, set_image_data_format)

# Read by keras.saving when it decides whether a config may name code (lambdas).
UNSAFE_DESERIALIZATION = [False]


def backend():
    """Returns the backend name: ``"tensorflow"`` (tapeflow stands in for it)."""
    return "tensorflow"


def enable_unsafe_deserialization():
    """Allows loading configs that contain code (``Lambda`` functions) from then on."""
    UNSAFE_DESERIALIZATION[0] = True
    try:
        from tapeflow.keras import saving
        hook = getattr(saving, "enable_unsafe_deserialization", None)
    except ImportError:
        hook = None
    if hook is not None:
        hook()


def is_unsafe_deserialization_enabled():
    """Returns whether ``enable_unsafe_deserialization()`` was called."""
    return UNSAFE_DESERIALIZATION[0]


_DTYPE_POLICY = [None]


def dtype_policy():
    """Returns the global dtype policy."""
    from tapeflow.keras import mixed_precision
    return mixed_precision.global_policy()


def set_dtype_policy(policy):
    """Sets the global dtype policy (``"mixed_float16"``...)."""
    from tapeflow.keras import mixed_precision
    mixed_precision.set_global_policy(policy)


def disable_traceback_filtering():
    """Accepted for compatibility: tapeflow does not filter tracebacks."""


def enable_traceback_filtering():
    """Accepted for compatibility: tapeflow does not filter tracebacks."""


def is_traceback_filtering_enabled():
    """Returns False: tapeflow shows full tracebacks."""
    return False


def enable_interactive_logging():
    """Accepted for compatibility: ``fit`` logs to stdout."""


def disable_interactive_logging():
    """Accepted for compatibility: ``fit`` logs to stdout."""


def is_interactive_logging_enabled():
    """Returns True: ``fit`` logs to stdout."""
    return True


_FLASH_ATTENTION = [None]


def enable_flash_attention():
    """Records that flash attention is wanted (tapeflow computes attention the same way
    either way)."""
    _FLASH_ATTENTION[0] = True


def disable_flash_attention():
    """Records that flash attention is not wanted."""
    _FLASH_ATTENTION[0] = False


def is_flash_attention_enabled():
    """Returns the flash-attention setting: None (automatic, the default), True or False."""
    return _FLASH_ATTENTION[0]


def is_nnx_enabled():
    """Returns False: Flax NNX is a JAX-backend feature."""
    return False


def set_backend(backend):
    """Accepts ``"tensorflow"`` (the backend tapeflow stands in for).

    Raises:
      ValueError: for any other backend name.
    """
    if backend != "tensorflow":
        raise ValueError("tapeflow provides Keras's TensorFlow backend only. "
                         f"Received: backend={backend!r}")


def _env_int(name):
    import os
    value = os.environ.get(name)
    return int(value) if value else None


_MAX_EPOCHS = [_env_int("KERAS_MAX_EPOCHS")]
_MAX_STEPS_PER_EPOCH = [_env_int("KERAS_MAX_STEPS_PER_EPOCH")]


def max_epochs():
    """Returns the cap on the epochs of any ``fit`` (``set_max_epochs`` or the
    ``KERAS_MAX_EPOCHS`` environment variable), or None when there is none."""
    return _MAX_EPOCHS[0]


def set_max_epochs(max_epochs):
    """Caps the epochs of every later ``fit`` at ``max_epochs`` (None: no cap); returns None."""
    _MAX_EPOCHS[0] = max_epochs


def max_steps_per_epoch():
    """Returns the cap on the steps of each epoch of ``fit``/``evaluate`` (set by
    ``set_max_steps_per_epoch`` or ``KERAS_MAX_STEPS_PER_EPOCH``), or None."""
    return _MAX_STEPS_PER_EPOCH[0]


def set_max_steps_per_epoch(max_steps_per_epoch):
    """Caps the steps per epoch of every later ``fit``/``evaluate`` (None: no cap); returns
    None."""
    _MAX_STEPS_PER_EPOCH[0] = max_steps_per_epoch


def _capped_epochs_and_steps(epochs, steps):
    """Returns ``(epochs, steps)`` limited by ``max_epochs()``/``max_steps_per_epoch()``,
    warning as Keras does when a cap applies (``epochs`` None: steps only)."""
    import warnings
    if epochs is not None and _MAX_EPOCHS[0] and _MAX_EPOCHS[0] < epochs:
        warnings.warn("Limiting epochs to %d" % _MAX_EPOCHS[0])
        epochs = _MAX_EPOCHS[0]
    cap = _MAX_STEPS_PER_EPOCH[0]
    if cap:
        if steps is None or cap < steps:
            warnings.warn("Limiting steps_per_epoch to %d" % cap)
            steps = cap
    return epochs, steps
