"""The legacy HDF5 model format of tf.keras 2.x (``model.save("m.h5")``), which Keras 3
still reads and writes, and the legacy ``.h5`` weight files most pretrained weights use.

Layout: root attributes ``model_config`` (JSON: ``{"class_name", "config"}``),
``training_config`` (JSON: the ``compile`` arguments plus ``optimizer_config``),
``keras_version`` and ``backend``; a group ``model_weights`` whose attribute
``layer_names`` lists the layers in order, one group per layer whose attribute
``weight_names`` lists its weights (``dense/kernel:0``), each a dataset at that path
inside the layer's group; and ``optimizer_weights`` the same way. A weights-only file
(``save_weights("w.h5")`` in tf.keras 2, Keras's ImageNet files) has ``layer_names`` at
its root. Long name lists may be split into ``layer_names0``, ``layer_names1``, ...

Weights load by topological order (the i-th layer with weights in the file goes to the
i-th layer with weights in the model) or, with ``by_name=True``, by layer name.
Everything is checked before anything is assigned.
"""
import io
import json
import warnings

import numpy as np

from tapeflow.keras.saving import h5_io


def is_legacy(f, source):
    """Returns True if the open HDF5 file is in the legacy layout (not Keras 3's)."""
    return (h5_io.attr_names(f, "layer_names", source) is not None
            or "layer_names0" in f.attrs
            or h5_io.child(f, "model_weights", source) is not None
            or h5_io.attr_text(f, "model_config", source) is not None)


# -- names ---------------------------------------------------------------------------
def _names(obj, name, source):
    names = h5_io.attr_names(obj, name, source)
    if names is not None:
        return names
    out, i = [], 0
    while f"{name}{i}" in obj.attrs:
        out += h5_io.attr_names(obj, f"{name}{i}", source) or []
        i += 1
        if len(out) > h5_io.MAX_NAMES:
            raise h5_io.H5Error(f"{source}: attribute {name!r} lists too many names.")
    return out if i else []


def _get(group, path, source):
    node = group
    for part in path.split("/"):
        if not part:
            continue
        node = h5_io.child(node, part, source)
        if node is None:
            raise h5_io.H5Error(f"{source}: {group.name}/{path} is listed in weight_names but "
                                "is missing from the file.")
    if not h5_io.is_dataset(node):
        raise h5_io.H5Error(f"{source}: {group.name}/{path} is not a dataset.")
    return node


def _layer_weights(layer):
    """The weights in the order the legacy format stores them."""
    return list(layer.trainable_weights) + list(layer.non_trainable_weights)


def _weights_root(f, source):
    if h5_io.attr_names(f, "layer_names", source) is None and "layer_names0" not in f.attrs:
        mw = h5_io.child(f, "model_weights", source)
        if mw is not None:
            return mw
    return f


def _saved_layers(root, source):
    """Returns ``[(layer name, group, weight names)]`` of the layers listed in the file."""
    out = []
    for name in _names(root, "layer_names", source):
        g = h5_io.child(root, name, source)
        if g is None or not h5_io.is_group(g):
            raise h5_io.H5Error(f"{source}: layer {name!r} is listed in layer_names but has no "
                                "group.")
        out.append((name, g, _names(g, "weight_names", source)))
    return out


def _shape(v):
    return tuple(np.shape(v.numpy()))


def _check_and_read(layer, saved_name, group, weight_names, source, index):
    """Returns the arrays for ``layer``'s weights, or raises ValueError on a mismatch."""
    symbolic = _layer_weights(layer)
    if len(weight_names) != len(symbolic):
        raise _Mismatch(f"Weight count mismatch for layer #{index} (named {layer.name} in the "
                        f"current model, {saved_name} in the save file). Layer expects "
                        f"{len(symbolic)} weight(s). Received {len(weight_names)} saved "
                        "weight(s)")
    values = []
    for wname, v in zip(weight_names, symbolic):
        ds = _get(group, wname, source)
        declared = tuple(int(s) for s in ds.shape)
        if declared != _shape(v):
            raise _Mismatch(f"Shape mismatch in layer #{index} (named {layer.name}) for weight "
                            f"{v.path if hasattr(v, 'path') else v.name}. Weight expects shape "
                            f"{_shape(v)}. Received saved weight with shape {declared}")
        values.append(h5_io.read_dataset(ds, source, expected_shape=declared))
    return list(zip(symbolic, values))


class _Mismatch(ValueError):
    pass


def load_weights(model, f, source, by_name=False, skip_mismatch=False):
    """Assigns the weights of a legacy HDF5 file (open) to ``model``.

    Raises:
      ValueError: when layers or weights do not match (unless ``skip_mismatch``, which
        skips them with a warning), or the file is malformed. Nothing is assigned then.
    """
    root = _weights_root(f, source)
    saved = _saved_layers(root, source)
    layers = list(getattr(model, "layers", [model]))
    updates = []
    if by_name:
        index = {}
        for layer in layers:
            index.setdefault(layer.name, []).append(layer)
        for k, (name, group, wnames) in enumerate(saved):
            for layer in index.get(name, []):
                try:
                    updates += _check_and_read(layer, name, group, wnames, source, k)
                except _Mismatch as e:
                    if not skip_mismatch:
                        raise ValueError(f"{e} (in {source}).") from None
                    warnings.warn(f"Skipping loading weights for layer #{k} (named "
                                  f"{layer.name}): {e}.", stacklevel=3)
    else:
        with_weights = [layer for layer in layers if _layer_weights(layer)]
        saved = [s for s in saved if s[2]]
        if len(saved) != len(with_weights):
            raise ValueError(f"Layer count mismatch when loading weights from file {source}. "
                             f"Model expected {len(with_weights)} layers, found {len(saved)} "
                             "saved layers.")
        for k, (layer, (name, group, wnames)) in enumerate(zip(with_weights, saved)):
            try:
                updates += _check_and_read(layer, name, group, wnames, source, k)
            except _Mismatch as e:
                if not skip_mismatch:
                    raise ValueError(f"{e} (in {source}).") from None
                warnings.warn(f"Skipping loading weights for layer #{k} (named "
                              f"{layer.name}): {e}.", stacklevel=3)
    for v, a in updates:
        v.assign(a.astype(np.dtype(v.dtype.name if hasattr(v.dtype, "name") else v.dtype),
                          copy=False))


# -- whole models --------------------------------------------------------------------
def _json_attr(f, name, source):
    from tapeflow.safe_files import load_json
    text = h5_io.attr_text(f, name, source)
    if text is None:
        return None
    return load_json(text, f"{source}: attribute {name!r}")   # depth-limited


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """Returns the model stored in a legacy ``.h5`` file, with its weights (and compiled
    with its training config when ``compile`` and one is present).

    Raises:
      ValueError: for a file without a model config, a malformed file, or a config naming
        something that is not allow-listed.
    """
    from tapeflow.keras.saving import legacy_config
    from tapeflow.keras.saving.serialization import CustomObjectScope, deserialize_keras_object
    with h5_io.open_read(filepath) as f:
        config = _json_attr(f, "model_config", filepath)
        if config is None:
            raise ValueError(f"No model config found in the file at {filepath}.")
        if not isinstance(config, dict) or "class_name" not in config:
            raise ValueError(f"{filepath}: model_config is not a Keras model config.")
        version = h5_io.attr_text(f, "keras_version", filepath) or ""
        config = legacy_config.upgrade(config)
        from tapeflow.keras.saving.saving_api import effective_safe_mode
        safe_mode = effective_safe_mode(safe_mode)
        if safe_mode and legacy_config.has_lambda(config):
            raise ValueError("Requested the deserialization of a `Lambda` layer whose "
                             "`function` is stored in the file. This carries a potential risk "
                             "of arbitrary code execution and thus it is disallowed by "
                             "default. If you trust the source of the saved model, you can "
                             "pass `safe_mode=False` to the loading function in order to "
                             "allow `Lambda` layer loading.")
        try:
            with CustomObjectScope(custom_objects or {}):
                model = deserialize_keras_object(config, custom_objects=custom_objects,
                                                 safe_mode=safe_mode)
        except RecursionError:
            raise ValueError(f"Refusing {filepath}: its model config is nested too deeply "
                             "(models inside models past Python's recursion limit).") from None
        load_weights(model, f, filepath)
        training = _json_attr(f, "training_config", filepath) if compile else None
        if training:
            _compile(model, training, custom_objects)
            _load_optimizer(model, f, filepath, version)
    return model


# Optimizer arguments of tf.keras 2.x that Keras 3 no longer takes (dropped on loading).
_OLD_OPTIMIZER_ARGS = ("jit_compile", "is_legacy_optimizer", "decay")


def _compile(model, training, custom_objects):
    """Compiles ``model`` from a legacy ``training_config``; if that fails (an optimizer or
    metric tapeflow lacks), warns and leaves the model uncompiled, weights loaded."""
    from tapeflow.keras import optimizers
    from tapeflow.keras.saving.serialization import CustomObjectScope
    opt_config = training.get("optimizer_config")
    try:
        with CustomObjectScope(custom_objects or {}):
            optimizer = optimizers.deserialize(_upgrade_optimizer(opt_config)) \
                if opt_config else "rmsprop"
            args = {k: training.get(k) for k in ("loss", "metrics", "loss_weights",
                                                  "weighted_metrics")
                    if training.get(k) is not None}
            for key in ("loss", "metrics", "weighted_metrics"):
                if key in args:
                    args[key] = _plain(args[key])
                value = args.get(key)
                if key != "loss" and isinstance(value, list) and len(value) == 1 and \
                        isinstance(value[0], list) and len(getattr(model, "outputs", None)
                                                           or ()) == 1:
                    args[key] = value[0]   # tf.keras 2: one list per output
            model.compile(optimizer=optimizer, **args)
    except (ValueError, TypeError) as e:
        warnings.warn(f"Could not compile the loaded model from its training config: {e}. "
                      "Compile it yourself.", stacklevel=3)


def _upgrade_optimizer(config):
    if not isinstance(config, dict) or not isinstance(config.get("config"), dict):
        return config
    inner = dict(config["config"])
    if "lr" in inner and "learning_rate" not in inner:
        inner["learning_rate"] = inner.pop("lr")
    for key in _OLD_OPTIMIZER_ARGS:
        if key == "decay" and inner.get(key):
            warnings.warn(f"The saved optimizer used decay={inner[key]}, which Keras 3 has "
                          "no longer; it is dropped (use a learning rate schedule).",
                          stacklevel=4)
        inner.pop(key, None)
    return {**config, "config": inner}


def _plain(value):
    """tf.keras 2 wrote losses/metrics as names or ``{"class_name", "config"}`` dicts; a
    ``MeanMetricWrapper`` of a named function becomes that metric's name."""
    if isinstance(value, dict) and value.get("class_name") == "MeanMetricWrapper":
        conf = value.get("config") or {}
        name = conf.get("name")
        return name if isinstance(name, str) and name else conf.get("fn")
    if isinstance(value, dict) and "class_name" in value:
        from tapeflow.keras.saving.serialization import deserialize_keras_object
        return deserialize_keras_object(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _load_optimizer(model, f, source, version):
    group = h5_io.child(f, "optimizer_weights", source)
    if group is None or getattr(model, "optimizer", None) is None:
        return
    names = _names(group, "weight_names", source)
    if not version.startswith("3"):
        warnings.warn(f"{source} was written by Keras {version or '2.x'}: its optimizer state "
                      "is stored in another order and is not restored (the weights are).",
                      stacklevel=3)
        return
    from tapeflow.keras.saving import h5_weights
    store = {str(i): h5_io.read_dataset(_get(group, n, source), source)
             for i, n in enumerate(names)}
    h5_weights.restore_optimizer(model, store, source)


def save_model(model, filepath, atomic_write, include_optimizer=True):
    """Writes ``model`` to ``filepath`` in the legacy HDF5 format, as Keras 3 does
    (through ``atomic_write(filepath, write)``, so a failed save leaves no file)."""
    from tapeflow import keras
    from tapeflow.keras.saving import legacy_config
    h5 = h5_io.h5py()
    config = legacy_config.downgrade(model)
    opt = getattr(model, "optimizer", None)
    training = None
    if include_optimizer and opt is not None and getattr(model, "compiled", False):
        raw = getattr(model, "_compile_config", None) or {}
        training = {k: _legacy_value(v) for k, v in raw.items() if k != "optimizer"}
        training["optimizer_config"] = {"class_name": type(opt).__name__,
                                        "config": opt.get_config()}

    def write(fileobj):
        buf = io.BytesIO()     # h5py needs a readable file; the target is write-only
        with h5.File(buf, "w") as f:
            f.attrs["keras_version"] = keras.__version__
            f.attrs["backend"] = "tensorflow"
            f.attrs["model_config"] = json.dumps(config).encode("utf8")
            if training is not None:
                f.attrs["training_config"] = json.dumps(training).encode("utf8")
            save_weights_group(f.create_group("model_weights"), model)
            if training is not None and opt.variables:
                g = f.create_group("optimizer_weights")
                names = [f"{opt.name}/{v.name}" for v in opt.variables]
                g.attrs["weight_names"] = _name_attr(names)
                for n, v in zip(names, opt.variables):
                    g.create_dataset(n, data=np.asarray(v.numpy()))
        fileobj.write(buf.getvalue())

    atomic_write(filepath, write)


def _legacy_value(value):
    """A compile argument as Keras's legacy training_config holds it: names stay names,
    functions become their names, objects ``{"class_name", "config"}``."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [_legacy_value(v) for v in value]
    if isinstance(value, dict):
        return {k: _legacy_value(v) for k, v in value.items()}
    if hasattr(value, "get_config"):
        return {"class_name": type(value).__name__, "config": value.get_config()}
    return getattr(value, "__name__", str(value))


def _name_attr(names):
    if not names:
        return np.zeros((0,), dtype=np.float64)
    return np.asarray([n.encode("utf8") for n in names])


def save_weights_group(group, model):
    """Writes the legacy ``model_weights`` layout of ``model`` into an h5py group."""
    from tapeflow import keras
    layers = list(model.layers)
    group.attrs["layer_names"] = _name_attr([layer.name for layer in layers])
    group.attrs["backend"] = b"tensorflow"
    group.attrs["keras_version"] = keras.__version__.encode("utf8")
    for layer in sorted(layers, key=lambda x: x.name):
        _save_subset(group.create_group(layer.name), _layer_weights(layer))
    own = [w for w in model.weights if not any(w is x for layer in layers
                                               for x in layer.weights)]
    _save_subset(group.create_group("top_level_model_weights"), own)


def _save_subset(group, weights):
    names = [str(getattr(w, "path", None) or w.name) for w in weights]
    group.attrs["weight_names"] = _name_attr(names)
    for n, w in zip(names, weights):
        group.create_dataset(n, data=np.asarray(w.numpy()))
