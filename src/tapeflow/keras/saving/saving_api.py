"""``keras.saving.save_model`` / ``load_model`` and what ``model.save_weights`` calls.

A ``.keras`` file is a zip, as in Keras 3: ``config.json`` (the model's
serialized config plus its ``compile_config``), ``metadata.json``
(``keras_version``, ``date_saved``) and the weights. Keras 3 stores the
weights as ``model.weights.h5`` (HDF5); tapeflow stores ``model.weights.npz``
(see ``weights_io``), so h5py is not needed. ``.weights.h5`` files written by
``save_weights`` are npz archives too, under Keras's required file name.

Every file is written to a temporary file in the same folder and then renamed
over the target, so a crash mid-save leaves the old file intact. Loading never
unpickles and never runs code from the file; with ``safe_mode=True`` a config
holding a ``Lambda`` layer is refused.
"""
import datetime
import json
import os
import zipfile

from tapeflow.keras.saving import layer_state, weights_io

_CONFIG, _METADATA, _WEIGHTS = "config.json", "metadata.json", "model.weights.npz"


def _keras_version():
    from tapeflow import keras
    return keras.__version__


def _atomic_write(filepath, write):
    """Calls ``write(file)`` on a temporary file next to ``filepath``, then renames it
    (``tapeflow.safe_files.atomic_write``: stale temporaries of the target are removed)."""
    from tapeflow.safe_files import atomic_write
    atomic_write(filepath, write)


def _serialize(obj):
    from tapeflow.keras.saving.serialization import serialize_keras_object
    return serialize_keras_object(obj)


def _serialize_compile_config(config):
    """The ``compile`` arguments as JSON-friendly values."""
    out = {}
    for k, v in config.items():
        out[k] = v if v is None or isinstance(v, (bool, int, float, str)) else _serialize(v)
    return out


def _deserialize_compile_config(config):
    from tapeflow.keras.saving.serialization import deserialize_keras_object

    def de(v):
        if isinstance(v, dict) and "class_name" in v:
            return deserialize_keras_object(v)
        if isinstance(v, dict):
            return {k: de(x) for k, x in v.items()}
        if isinstance(v, list):
            return [de(x) for x in v]
        return v

    keys = ("optimizer", "loss", "loss_weights", "metrics", "weighted_metrics", "run_eagerly",
            "steps_per_execution", "jit_compile")
    return {k: de(config[k]) for k in keys if k in config}


def save_model(model, filepath, overwrite=True, zipped=None, **kwargs):
    """Saves ``model`` to a ``.keras`` zip (config, metadata, weights).

    Raises:
      ValueError: if ``filepath`` does not end in ``.keras``.
    """
    filepath = os.fspath(filepath)
    if filepath.endswith((".h5", ".hdf5")):
        raise ValueError("tapeflow cannot write the legacy HDF5 model format (h5py is not a "
                         "dependency). Use the native Keras format: "
                         f"model.save('{os.path.splitext(filepath)[0]}.keras'). Received: "
                         f"filepath={filepath}.")
    if not filepath.endswith(".keras"):
        raise ValueError("Invalid filepath extension for saving. Please add either a `.keras` "
                         "extension for the native Keras format (recommended) or a `.h5` "
                         "extension. Use `model.export(filepath)` if you want to export a "
                         "SavedModel for use with TFLite/TFServing/etc. "
                         f"Received: filepath={filepath}.")
    if not overwrite and os.path.exists(filepath):
        return
    config = _serialize(model)
    compile_config = model.get_compile_config() if hasattr(model, "get_compile_config") \
        else None
    if compile_config is not None:
        config["compile_config"] = compile_config
    config_json = json.dumps(config)
    metadata = json.dumps({"keras_version": _keras_version(),
                           "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S")})
    weights = weights_io.weights_bytes(model)

    def write(f):
        with zipfile.ZipFile(f, "w") as zf:
            zf.writestr(_METADATA, metadata, compress_type=zipfile.ZIP_DEFLATED)
            zf.writestr(_CONFIG, config_json, compress_type=zipfile.ZIP_DEFLATED)
            zf.writestr(_WEIGHTS, weights, compress_type=zipfile.ZIP_STORED)
            layer_state.write(model, zf)

    _atomic_write(filepath, write)


# What a `.keras` zip may hold, checked before anything is decompressed (see safe_files).
CONFIG_LIMIT, METADATA_LIMIT, JSON_RATIO, JSON_FLOOR = 64 * 2 ** 20, 2 ** 20, 20, 2 ** 20
MEMBER_LIMIT = 2 ** 40


def _check_members(zf, filepath):
    """Checks every entry's name and declared size before any is read."""
    from tapeflow.safe_files import check_member
    for info in zf.infolist():
        if info.filename == _CONFIG:
            check_member(info, filepath, CONFIG_LIMIT, JSON_RATIO, JSON_FLOOR)
        elif info.filename == _METADATA:
            check_member(info, filepath, METADATA_LIMIT, JSON_RATIO, JSON_FLOOR)
        else:
            check_member(info, filepath, MEMBER_LIMIT)


def _read_keras_zip(filepath):
    from tapeflow.safe_files import load_json, read_member
    try:
        with zipfile.ZipFile(filepath, "r") as zf:
            _check_members(zf, filepath)
            names = set(zf.namelist())
            missing = {_CONFIG, _WEIGHTS} - names
            if missing:
                raise ValueError(f"{filepath} is not a valid `.keras` file: it lacks "
                                 f"{', '.join(sorted(missing))}.")
            config = load_json(read_member(zf, _CONFIG, filepath, CONFIG_LIMIT, JSON_RATIO,
                                           JSON_FLOOR), filepath)
            weights = read_member(zf, _WEIGHTS, filepath, MEMBER_LIMIT)
    except (zipfile.BadZipFile, EOFError, OSError, zipfile.LargeZipFile,
            NotImplementedError) as e:
        raise ValueError(f"Could not load {filepath}: the file is truncated or corrupted "
                         f"({type(e).__name__}: {e}).") from None
    if not isinstance(config, dict):
        raise ValueError(f"{filepath} is not a valid `.keras` file: its config.json holds "
                         f"a {type(config).__name__}, not a model config.")
    return config, weights


def _find_lambda(config):
    if isinstance(config, dict):
        if config.get("class_name") == "Lambda":
            return True
        return any(_find_lambda(v) for v in config.values())
    if isinstance(config, list):
        return any(_find_lambda(v) for v in config)
    return False


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """Loads a model saved by ``model.save("x.keras")``.

    Args:
      filepath: the ``.keras`` file.
      custom_objects: dict of name -> class/function for custom objects.
      compile: whether to compile the model with its saved compile config.
      safe_mode: refuse configs that could run code (``Lambda`` layers).

    Returns:
      The model, with its weights (and, if compiled, optimizer state) restored.

    Raises:
      ValueError: for a missing, unsupported, truncated or tampered file, or a
        ``Lambda`` layer in safe mode.
    """
    from tapeflow.keras.saving.serialization import CustomObjectScope, deserialize_keras_object
    filepath = os.fspath(filepath)
    if not filepath.endswith(".keras"):
        raise ValueError(f"File format not supported: filepath={filepath}. Keras 3 only "
                         "supports V3 `.keras` files and legacy H5 format files (`.h5` "
                         "extension); tapeflow reads `.keras` files only.")
    if not os.path.exists(filepath):
        raise ValueError(f"File not found: filepath={filepath}. Please ensure the file is an "
                         "accessible `.keras` zip file.")
    config, weights = _read_keras_zip(filepath)
    if safe_mode and _find_lambda(config):
        raise ValueError("Requested the deserialization of a `Lambda` layer whose `function` "
                         "is a Python lambda or function stored in the file. This carries a "
                         "potential risk of arbitrary code execution and thus it is disallowed "
                         "by default. If you trust the source of the saved model, you can pass "
                         "`safe_mode=False` to the loading function in order to allow "
                         "`Lambda` layer loading.")
    entries, arrays = weights_io.read_weights(weights, filepath)
    compile_config = config.pop("compile_config", None)
    try:
        with CustomObjectScope(custom_objects or {}):
            model = deserialize_keras_object(config, custom_objects=custom_objects,
                                             safe_mode=safe_mode)
            if compile and compile_config and hasattr(model, "compile_from_config"):
                model.compile_from_config(compile_config)
    except RecursionError:
        raise ValueError(f"Refusing {filepath}: its model config is nested too deeply "
                         "(models inside models past Python's recursion limit).") from None
    weights_io.assign_weights(model, entries, arrays, filepath)
    try:
        with zipfile.ZipFile(filepath, "r") as zf:
            layer_state.read(model, zf, filepath)
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as e:
        raise ValueError(f"Could not load {filepath}: {e}") from None
    return model


def save_weights(model, filepath, overwrite=True):
    """Writes the model's (and optimizer's) variables to ``filepath`` (``.weights.h5``).

    Raises:
      ValueError: if the name does not end in ``.weights.h5``.
    """
    filepath = os.fspath(filepath)
    if not filepath.endswith(".weights.h5"):
        raise ValueError("The filename must end in `.weights.h5`. "
                         f"Received: filepath={filepath}")
    if not overwrite and os.path.exists(filepath):
        return
    data = weights_io.weights_bytes(model)
    _atomic_write(filepath, lambda f: f.write(data))


def _read_weights_file(filepath):
    with open(filepath, "rb") as f:
        return f.read()


def load_weights(model, filepath, skip_mismatch=False, **kwargs):
    """Loads variables written by ``save_weights`` (or the weights of a ``.keras`` file).

    Raises:
      ValueError: for another file type, or a truncated, tampered or mismatched file.
    """
    filepath = os.fspath(filepath)
    if filepath.endswith(".keras"):
        _, data = _read_keras_zip(filepath)
    elif filepath.endswith(".weights.h5"):
        if not os.path.exists(filepath):
            raise FileNotFoundError(f"No such file: {filepath}")
        data = _read_weights_file(filepath)
    else:
        raise ValueError(f"File format not supported: filepath={filepath}. Keras 3 only "
                         "supports V3 `.keras` and `.weights.h5` files, or legacy V1/V2 `.h5` "
                         "files.")
    entries, arrays = weights_io.read_weights(data, filepath)
    weights_io.assign_weights(model, entries, arrays, filepath, skip_mismatch=skip_mismatch)
