"""Model configs of the legacy HDF5 format: reading tf.keras 2.x configs into Keras 3's
shape, and writing the config Keras 3 puts in a legacy ``.h5`` file.

tf.keras 2.x differs from Keras 3 in a few places, which ``upgrade`` rewrites:
``class_name: "Model"`` for functional models; inbound nodes as nested lists
``[[["dense", 0, 0, {}]]]`` instead of ``{"args": [...], "kwargs": {}}``;
``batch_input_shape`` on InputLayer (Keras 3: ``batch_shape``) or on a Sequential model's
first layer (Keras 3: an InputLayer); and a few arguments Keras 3 dropped. The result is
deserialized by the usual allow-listed ``deserialize_keras_object``.
"""

_MODELS = ("Functional", "Model", "Sequential")
# Arguments of tf.keras 2.x layers that Keras 3 no longer accepts.
_DROPPED = {"Embedding": ("input_length",),
            "LSTM": ("time_major", "implementation"),
            "GRU": ("time_major", "implementation"),
            "SimpleRNN": ("time_major",),
            "BatchNormalization": ("fused", "virtual_batch_size", "adjustment")}


def _tensor_ref(ref):
    name, node_index, tensor_index = ref[0], int(ref[1]), int(ref[2])
    return {"class_name": "__keras_tensor__",
            "config": {"keras_history": [name, node_index, tensor_index]}}


def _upgrade_node(node):
    if isinstance(node, dict):
        return node
    refs = list(node)
    kwargs = {}
    if refs and isinstance(refs[0], (list, tuple)) and len(refs[0]) > 3 and \
            isinstance(refs[0][3], dict):
        kwargs = dict(refs[0][3])
    tensors = [_tensor_ref(r) for r in refs]
    return {"args": [tensors[0]] if len(tensors) == 1 else [tensors], "kwargs": kwargs}


def _upgrade_layer(entry):
    if not isinstance(entry, dict) or "class_name" not in entry:
        raise ValueError(f"Invalid layer entry in a legacy model config: {entry!r:.200}")
    if entry["class_name"] in _MODELS:
        out = upgrade(entry)
        for key in ("name", "inbound_nodes"):
            if key in entry:
                out[key] = entry[key]
    else:
        out = dict(entry)
        conf = dict(out.get("config") or {})
        if out["class_name"] == "InputLayer" and "batch_input_shape" in conf:
            conf["batch_shape"] = conf.pop("batch_input_shape")
        else:
            conf.pop("batch_input_shape", None)
        for key in _DROPPED.get(out["class_name"], ()):
            conf.pop(key, None)
        out["config"] = conf
    if "inbound_nodes" in out:
        out["inbound_nodes"] = [_upgrade_node(n) for n in out["inbound_nodes"]]
    return out


def upgrade(config):
    """Returns a model config (``{"class_name", "config"}``) from a legacy ``.h5`` file in
    the form Keras 3 and tapeflow deserialize."""
    cls = config["class_name"]
    inner = dict(config.get("config") or {})
    if cls == "Model" and "layers" in inner:
        cls = "Functional"
    if cls == "Sequential":
        entries = inner.get("layers", [])
        first = entries[0] if entries else None
        layers = [_upgrade_layer(e) for e in entries]
        shape = (first or {}).get("config", {}).get("batch_input_shape")
        if first is not None and first.get("class_name") != "InputLayer" and shape:
            dtype = first["config"].get("dtype")
            layers.insert(0, {"class_name": "InputLayer", "config": {
                "batch_shape": shape, "dtype": dtype if isinstance(dtype, str) else "float32",
                "name": f"{first['config'].get('name', 'input')}_input"}})
        inner["layers"] = layers
    elif "layers" in inner:
        inner["layers"] = [_upgrade_layer(e) for e in inner["layers"]]
    out = {"class_name": cls, "config": inner}
    if cls == "Functional":
        out["module"] = "keras.src.models.functional"
    return out


def _strip(entry):
    entry = {k: v for k, v in entry.items()
             if k not in ("module", "registered_name", "build_config", "compile_config")}
    inner = entry.get("config")
    if isinstance(inner, dict) and isinstance(inner.get("layers"), list):
        inner = dict(inner)
        inner["layers"] = [_strip(e) if isinstance(e, dict) else e for e in inner["layers"]]
        entry["config"] = inner
    return entry


def downgrade(model):
    """Returns the ``model_config`` Keras 3 writes in a legacy ``.h5`` file for ``model``."""
    from tapeflow.keras.saving.serialization import serialize_keras_object
    config = serialize_keras_object(model)
    return {"class_name": config["class_name"], "config": _strip(config)["config"]}


def has_lambda(config):
    """Returns True if the config holds a ``Lambda`` layer anywhere."""
    if isinstance(config, dict):
        return config.get("class_name") == "Lambda" or any(has_lambda(v)
                                                           for v in config.values())
    if isinstance(config, list):
        return any(has_lambda(v) for v in config)
    return False
