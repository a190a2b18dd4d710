"""``keras.saving.save_model`` / ``load_model`` and what ``model.save_weights`` calls.

A ``.keras`` file is a zip, as in Keras 3: ``config.json`` (the model's
serialized config plus its ``compile_config``), ``metadata.json``
(``keras_version``, ``date_saved``), the weights as ``model.weights.h5`` in
Keras 3's HDF5 layout (``h5_weights``) and layer assets under ``assets/``
(``assets_io``), so Keras 3 and tapeflow read each other's files.
``.weights.h5`` files are the same HDF5 layout; ``.h5`` files are the legacy
tf.keras format (``legacy_h5``). HDF5 needs h5py (``pip install tapeflow[h5]``);
without it tapeflow writes its older NumPy ``.npz`` weights container
(``weights_io``, ``model.weights.npz``), which it still reads, deciding by
content (HDF5 signature or zip).

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
_WEIGHTS_H5 = "model.weights.h5"


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
        if not overwrite and os.path.exists(filepath):
            return
        from tapeflow.keras.saving import legacy_h5
        legacy_h5.save_model(model, filepath, _atomic_write,
                             include_optimizer=kwargs.get("include_optimizer", True))
        return
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
    name, weights = _weights_member(model)

    def write(f):
        with zipfile.ZipFile(f, "w") as zf:
            zf.writestr(_METADATA, metadata, compress_type=zipfile.ZIP_DEFLATED)
            zf.writestr(_CONFIG, config_json, compress_type=zipfile.ZIP_DEFLATED)
            zf.writestr(name, weights, compress_type=zipfile.ZIP_STORED)
            if name == _WEIGHTS_H5:
                from tapeflow.keras.saving import assets_io
                assets_io.write(model, zf)
            else:
                layer_state.write(model, zf)

    _atomic_write(filepath, write)


def _weights_bytes_h5(model):
    """Returns the bytes of a Keras 3 HDF5 weights file of ``model`` (needs h5py)."""
    import io
    from tapeflow.keras.saving import h5_weights
    buf = io.BytesIO()
    h5_weights.write(model, buf)
    return buf.getvalue()


def _weights_member(model):
    """Returns ``(zip member name, bytes)`` of the model's weights: Keras's HDF5 file, or,
    without h5py, tapeflow's npz container (with a warning: only tapeflow reads it)."""
    from tapeflow.keras.saving import h5_io
    if h5_io.has_h5py():
        return _WEIGHTS_H5, _weights_bytes_h5(model)
    _warn_no_h5py()
    return _WEIGHTS, weights_io.weights_bytes(model)


def _warn_no_h5py():
    import warnings
    warnings.warn("h5py is not installed, so the weights are saved in tapeflow's NumPy "
                  "container, which Keras cannot read. `pip install tapeflow[h5]` to write "
                  "Keras's HDF5 format.", stacklevel=4)


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
    """Returns ``(config, weights member name, weights bytes)`` of a ``.keras`` zip."""
    from tapeflow.safe_files import load_json, read_member
    try:
        with zipfile.ZipFile(filepath, "r") as zf:
            _check_members(zf, filepath)
            names = set(zf.namelist())
            weights_name = _WEIGHTS_H5 if _WEIGHTS_H5 in names else _WEIGHTS
            missing = {_CONFIG, weights_name} - names
            if missing:
                raise ValueError(f"{filepath} is not a valid `.keras` file: it lacks "
                                 f"{', '.join(sorted(missing))}.")
            config = load_json(read_member(zf, _CONFIG, filepath, CONFIG_LIMIT, JSON_RATIO,
                                           JSON_FLOOR), filepath)
            weights = read_member(zf, weights_name, filepath, MEMBER_LIMIT)
    except (zipfile.BadZipFile, EOFError, OSError, zipfile.LargeZipFile,
            NotImplementedError) as e:
        raise ValueError(f"Could not load {filepath}: the file is truncated or corrupted "
                         f"({type(e).__name__}: {e}).") from None
    if not isinstance(config, dict):
        raise ValueError(f"{filepath} is not a valid `.keras` file: its config.json holds "
                         f"a {type(config).__name__}, not a model config.")
    return config, weights_name, weights


def _member_reader(filepath):
    """Returns ``read(zf, name)``: a zip member's bytes, size-checked (``safe_files``)."""
    from tapeflow.safe_files import read_member
    return lambda zf, name: read_member(zf, name, filepath, MEMBER_LIMIT)


def effective_safe_mode(safe_mode):
    """Returns ``safe_mode``, turned off once ``keras.config.enable_unsafe_deserialization()``
    was called (as in Keras 3). Only ``Lambda`` layers depend on it: the allow-list of what a
    config may name, and the refusal of stored bytecode, hold in either mode."""
    from tapeflow.keras.config import is_unsafe_deserialization_enabled
    return bool(safe_mode) and not is_unsafe_deserialization_enabled()


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
    if filepath.endswith((".h5", ".hdf5")):
        if not os.path.exists(filepath):
            raise ValueError(f"File not found: filepath={filepath}. Please ensure the file "
                             "is an accessible `.keras` zip file.")
        from tapeflow.keras.saving import legacy_h5
        return legacy_h5.load_model(filepath, custom_objects=custom_objects, compile=compile,
                                    safe_mode=safe_mode)
    if not filepath.endswith(".keras"):
        raise ValueError(f"File format not supported: filepath={filepath}. Keras 3 only "
                         "supports V3 `.keras` files and legacy H5 format files (`.h5` "
                         "extension).")
    if not os.path.exists(filepath):
        raise ValueError(f"File not found: filepath={filepath}. Please ensure the file is an "
                         "accessible `.keras` zip file.")
    config, weights_name, weights = _read_keras_zip(filepath)
    safe_mode = effective_safe_mode(safe_mode)
    if safe_mode and _find_lambda(config):
        raise ValueError("Requested the deserialization of a `Lambda` layer whose `function` "
                         "is a Python lambda or function stored in the file. This carries a "
                         "potential risk of arbitrary code execution and thus it is disallowed "
                         "by default. If you trust the source of the saved model, you can pass "
                         "`safe_mode=False` to the loading function in order to allow "
                         "`Lambda` layer loading.")
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
    _assign_weights(model, weights, f"{filepath}/{weights_name}")
    try:
        with zipfile.ZipFile(filepath, "r") as zf:
            if not _read_assets(model, zf, filepath):
                layer_state.read(model, zf, filepath)
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as e:
        raise ValueError(f"Could not load {filepath}: {e}") from None
    return model


def _read_assets(model, zf, filepath):
    from tapeflow.keras.saving import assets_io
    return assets_io.read(model, zf, _member_reader(filepath))


def _assign_weights(model, data, source, skip_mismatch=False):
    """Loads weights from the bytes of a weights file, HDF5 (Keras 3 or legacy layout) or
    tapeflow's npz container, told apart by their first bytes."""
    from tapeflow.keras.saving import h5_io
    if h5_io.is_hdf5(data):
        _load_h5_weights(model, data, source, skip_mismatch)
        return
    entries, arrays = weights_io.read_weights(data, source)
    weights_io.assign_weights(model, entries, arrays, source, skip_mismatch=skip_mismatch)


def _load_h5_weights(model, data, source, skip_mismatch=False, by_name=False,
                     objects_to_skip=None):
    from tapeflow.keras.saving import h5_io, h5_weights, legacy_h5
    with h5_io.open_read(data, source) as f:
        if legacy_h5.is_legacy(f, source):
            legacy_h5.load_weights(model, f, source, by_name=by_name,
                                   skip_mismatch=skip_mismatch)
        else:
            h5_weights.load(model, f, source, skip_mismatch=skip_mismatch,
                            objects_to_skip=objects_to_skip)


def save_weights(model, filepath, overwrite=True, max_shard_size=None, **kwargs):
    """Writes the model's (and optimizer's) variables to ``filepath`` (``.weights.h5``),
    in Keras 3's HDF5 layout (tapeflow's npz container when h5py is missing).

    Raises:
      ValueError: if the name does not end in ``.weights.h5``.
      NotImplementedError: for ``max_shard_size`` (sharded weights are not written).
    """
    if max_shard_size is not None:
        raise NotImplementedError("tapeflow does not write sharded weights "
                                  "(max_shard_size); save them in one .weights.h5 file.")
    filepath = os.fspath(filepath)
    if not filepath.endswith(".weights.h5"):
        raise ValueError("The filename must end in `.weights.h5`. "
                         f"Received: filepath={filepath}")
    if not overwrite and os.path.exists(filepath):
        return
    from tapeflow.keras.saving import h5_io
    if h5_io.has_h5py():
        data = _weights_bytes_h5(model)
        _atomic_write(filepath, lambda f: f.write(data))
        return
    _warn_no_h5py()
    data = weights_io.weights_bytes(model)
    _atomic_write(filepath, lambda f: f.write(data))


def _read_weights_file(filepath):
    with open(filepath, "rb") as f:
        return f.read()


def load_weights(model, filepath, skip_mismatch=False, **kwargs):
    """Loads variables written by ``save_weights`` (Keras's or tapeflow's), the weights of a
    ``.keras`` file, or a legacy ``.h5`` file (``by_name=True`` matches layers by name).

    Raises:
      ValueError: for another file type, or a truncated, tampered or mismatched file.
    """
    filepath = os.fspath(filepath)
    objects_to_skip = kwargs.pop("objects_to_skip", None)
    by_name = kwargs.pop("by_name", None)
    if kwargs:
        raise ValueError(f"Invalid keyword arguments: {kwargs}")
    legacy = filepath.endswith((".h5", ".hdf5")) and not filepath.endswith(".weights.h5")
    if by_name is not None and not legacy:
        raise ValueError("`by_name` only supports loading legacy '.h5' or '.hdf5' files. "
                         f"Received: {filepath}")
    if objects_to_skip is not None and not filepath.endswith(".weights.h5"):
        raise ValueError("`objects_to_skip` only supports loading '.weights.h5' files."
                         f"Received: {filepath}")
    if filepath.endswith(".keras"):
        _, name, data = _read_keras_zip(filepath)
        _assign_weights(model, data, f"{filepath}/{name}", skip_mismatch)
        return
    if not filepath.endswith((".weights.h5", ".h5", ".hdf5")):
        raise ValueError(f"File format not supported: filepath={filepath}. Keras 3 only "
                         "supports V3 `.keras` and `.weights.h5` files, or legacy V1/V2 `.h5` "
                         "files.")
    if not os.path.exists(filepath):
        raise FileNotFoundError(f"No such file: {filepath}")
    from tapeflow.keras.saving import h5_io
    if h5_io.is_hdf5(filepath):
        _load_h5_weights(model, filepath, filepath, skip_mismatch, bool(by_name),
                         objects_to_skip)
        return
    data = _read_weights_file(filepath)
    entries, arrays = weights_io.read_weights(data, filepath)
    weights_io.assign_weights(model, entries, arrays, filepath, skip_mismatch=skip_mismatch)
