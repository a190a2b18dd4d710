"""State that layers keep outside their weights, in tapeflow's older ``.keras`` files (those
with ``model.weights.npz``; files with Keras's HDF5 weights use ``assets_io`` and
``h5_weights`` instead).

Layers that define Keras's ``save_assets(dir)`` / ``load_assets(dir)`` or
``save_own_variables(store)`` / ``load_own_variables(store)`` have that state
saved in the ``.keras`` zip: asset files under ``assets/<layer name>/`` and
own variables as arrays in ``layer_state.npz`` (keys ``<layer name>/<key>``),
read back with ``allow_pickle=False``.
"""
import io
import os
import tempfile

import numpy as np

ASSETS_DIR = "assets/"
MEMBER_LIMIT = 2 ** 40   # the compression-ratio rule of safe_files is what bounds them
STATE_FILE = "layer_state.npz"


def _layers(model):
    flatten = getattr(model, "_flatten_layers", None)
    return flatten(include_self=False) if flatten is not None else []


def _own(layer, method):
    """True if the layer's class defines ``method`` itself (not the Layer base's weights)."""
    from tapeflow.keras.layers.layer import Layer
    impl = getattr(type(layer), method, None)
    return impl is not None and impl is not getattr(Layer, method, None)


def write(model, zf):
    """Writes each layer's assets and own variables into the open zip ``zf``."""
    store = {}
    for layer in _layers(model):
        if _own(layer, "save_assets"):
            with tempfile.TemporaryDirectory() as tmp:
                layer.save_assets(tmp)
                for name in sorted(os.listdir(tmp)):
                    path = os.path.join(tmp, name)
                    if os.path.isfile(path):
                        zf.write(path, f"{ASSETS_DIR}{layer.name}/{name}")
        if _own(layer, "save_own_variables"):
            own = {}
            layer.save_own_variables(own)
            for key, value in own.items():
                store[f"{layer.name}/{key}"] = np.asarray(value)
    if store:
        buf = io.BytesIO()
        np.savez(buf, **store)
        zf.writestr(STATE_FILE, buf.getvalue())


def read(model, zf, source):
    """Restores the layers' assets and own variables from the open zip ``zf``.

    Raises:
      ValueError: if the stored state cannot be read.
    """
    from tapeflow.safe_files import check_member_name, load_npz, read_member
    names = set(zf.namelist())
    for name in names:
        check_member_name(name, source)
    state = {}
    if STATE_FILE in names:
        try:
            state = load_npz(read_member(zf, STATE_FILE, source, MEMBER_LIMIT), source)
        except ValueError as e:
            raise ValueError(f"Could not read the layer state in {source}: {e}") from None
    for layer in _layers(model):
        prefix = f"{ASSETS_DIR}{layer.name}/"
        files = [n for n in names if n.startswith(prefix) and not n.endswith("/")]
        if files and _own(layer, "load_assets"):
            with tempfile.TemporaryDirectory() as tmp:
                for n in files:
                    base = os.path.basename(n)  # never a path out of the temporary folder
                    with open(os.path.join(tmp, base), "wb") as f:
                        f.write(read_member(zf, n, source, MEMBER_LIMIT))
                layer.load_assets(tmp)
        if _own(layer, "load_own_variables"):
            own = {k[len(layer.name) + 1:]: v for k, v in state.items()
                   if k.startswith(layer.name + "/")}
            if own:
                layer.load_own_variables(own)
