"""``keras.backend``: global Keras settings (float type, epsilon, image layout), name counters."""
import re

_FLOATX = "float32"
_EPSILON = 1e-7
_IMAGE_DATA_FORMAT = "channels_last"

# Per-prefix counters for auto-generated names (``dense``, ``dense_1``, ...).
_UIDS = {}


def floatx():
    """Returns the default float type as a string (``"float32"``)."""
    return _FLOATX


def set_floatx(value):
    """Sets the default float type (``"float16"``, ``"float32"`` or ``"float64"``)."""
    global _FLOATX
    if value not in ("bfloat16", "float16", "float32", "float64"):
        raise ValueError(f"Unknown `floatx` value: {value}. Expected one of "
                         "{'bfloat16', 'float16', 'float32', 'float64'}")
    _FLOATX = str(value)


def epsilon():
    """Returns the fuzz factor used in numeric expressions (``1e-07``)."""
    return _EPSILON


def set_epsilon(value):
    """Sets the fuzz factor used in numeric expressions."""
    global _EPSILON
    _EPSILON = float(value)


def image_data_format():
    """Returns the image layout convention: ``"channels_last"`` or ``"channels_first"``."""
    return _IMAGE_DATA_FORMAT


def set_image_data_format(data_format):
    """Sets the image layout convention."""
    global _IMAGE_DATA_FORMAT
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError("The `data_format` argument must be one of {'channels_first', "
                         f"'channels_last'}}. Received: data_format={data_format}")
    _IMAGE_DATA_FORMAT = str(data_format)


def backend():
    """Returns the name of the backend (``"tensorflow"``: tapeflow stands in for it)."""
    return "tensorflow"


def get_uid(prefix=""):
    """Returns the next integer id for ``prefix``: 1 on first use, then 2, 3, ..."""
    _UIDS[prefix] = _UIDS.get(prefix, 0) + 1
    return _UIDS[prefix]


def unique_object_name(prefix):
    """Returns ``prefix`` the first time, then ``prefix_1``, ``prefix_2``, ..."""
    uid = get_uid(prefix)
    return prefix if uid == 1 else f"{prefix}_{uid - 1}"


def to_snake_case(name):
    """Returns the snake_case form of a class name (``BatchNormalization`` ->
    ``batch_normalization``)."""
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    name = re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()
    return ("private" + name) if name.startswith("_") else name


def clear_session(free_memory=True):
    """Resets the name counters (the next Dense is named ``dense`` again)."""
    _UIDS.clear()


def is_keras_tensor(x):
    """Returns True if ``x`` is a symbolic ``KerasTensor``."""
    from tapeflow.keras.layers.input_layer import KerasTensor
    return isinstance(x, KerasTensor)


# Keras 3's names for Python types (a Python float is float32, an int int64).
_PYTHON_DTYPES = {bool: "bool", int: "int64", float: "float32", str: "string", "int": "int64"}


def standardize_dtype(dtype):
    """Returns ``dtype`` (string, DType, NumPy dtype or Python type) as a dtype name string."""
    if dtype is None:
        return _FLOATX
    if dtype in _PYTHON_DTYPES:
        return _PYTHON_DTYPES[dtype]
    if isinstance(dtype, str):
        from tapeflow.framework.dtypes import as_dtype
        return as_dtype(dtype).name
    name = getattr(dtype, "name", None)
    if isinstance(name, str):
        from tapeflow.framework.dtypes import as_dtype
        return as_dtype(name).name
    import numpy as np
    from tapeflow.framework.dtypes import as_dtype
    return as_dtype(np.dtype(dtype)).name


def is_float_dtype(dtype):
    """Returns True for a floating-point dtype (``float16/32/64``, ``bfloat16``)."""
    name = dtype if isinstance(dtype, str) else standardize_dtype(dtype)
    return name.startswith("float") or name.startswith("bfloat")


def is_int_dtype(dtype):
    """Returns True for a signed or unsigned integer dtype (not ``bool``)."""
    name = dtype if isinstance(dtype, str) else standardize_dtype(dtype)
    return name.startswith("int") or name.startswith("uint")


def count_params(x):
    """Returns the number of scalars in a variable or tensor."""
    import math
    return int(math.prod(tuple(x.shape)))


def int_shape(x):
    """Returns the shape of a tensor or variable as a tuple of ints (None for unknown)."""
    return tuple(x.shape)


def result_type(*dtypes):
    """Returns the dtype Keras 3 gives an op on these dtypes (its promotion lattice; Python
    ``int``/``float`` are weak)."""
    from tapeflow.keras.ops.promotion import result_type as _result_type
    return _result_type(*dtypes)
