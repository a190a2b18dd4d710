"""tapeflow's older weights container: model (and optimizer) variables in a NumPy ``.npz``.

tapeflow writes Keras's HDF5 layout (``h5_weights``); this container is what it wrote
before, and what it still writes when h5py is not installed. Files of this kind are
still read (told apart from HDF5 by their first bytes). Under Keras's file names
(``model.weights.npz`` in a ``.keras`` zip, or a ``.weights.h5`` file) it holds:
``model/0000``, ``model/0001`` ... (the model's ``weights`` in order),
``optimizer/0000`` ... (the optimizer's ``variables``) and ``_manifest`` (a
UTF-8 JSON array describing each entry). Loading uses ``allow_pickle=False``:
nothing in the file is ever unpickled or executed. The archive is a zip, so
its CRC-32 checksums catch truncated or altered files, reported as ValueError.
"""
import io
import json
import warnings

import numpy as np

FORMAT = "tapeflow.weights"


def _array(v):
    a = np.asarray(v.numpy() if hasattr(v, "numpy") else v)
    return a


def model_variables(model):
    """Returns the model's variables in saving order (``model.weights``)."""
    weights = getattr(model, "weights", None)
    if weights is None:
        weights = list(model.trainable_variables) + list(model.non_trainable_variables)
    return list(weights)


def optimizer_variables(model):
    """Returns the variables of the model's optimizer (empty without one)."""
    opt = getattr(model, "optimizer", None)
    return list(getattr(opt, "variables", None) or []) if opt is not None else []


def weights_bytes(model):
    """Returns the bytes of an npz archive of the model's and optimizer's variables."""
    arrays, manifest = {}, []
    for group, variables in (("model", model_variables(model)),
                             ("optimizer", optimizer_variables(model))):
        for i, v in enumerate(variables):
            key = f"{group}/{i:04d}"
            a = _array(v)
            if a.dtype.kind == "O":
                raise ValueError(f"Cannot save variable {getattr(v, 'name', key)!r}: string "
                                 "variables are not supported by the weights container.")
            arrays[key] = a
            manifest.append({"key": key, "name": str(getattr(v, "path", None) or
                                                     getattr(v, "name", key)),
                             "shape": list(a.shape), "dtype": a.dtype.name})
    header = {"format": FORMAT, "version": 1, "entries": manifest}
    arrays["_manifest"] = np.frombuffer(json.dumps(header).encode(), dtype=np.uint8)
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def read_weights(data, source):
    """Returns ``(manifest entries, {key: array})`` read from npz ``data`` (bytes).

    Raises:
      ValueError: if the archive is truncated, altered or not a weights file.
    """
    if data[:8] == b"\x89HDF\r\n\x1a\n":
        raise ValueError(f"{source} is an HDF5 file (as written by Keras with h5py). tapeflow "
                         "stores weights in a NumPy .npz container under the same names and "
                         "cannot read HDF5 weights.")
    from tapeflow.safe_files import load_npz
    try:   # sizes checked before allocating; never unpickles
        arrays = load_npz(data, source)
    except ValueError as e:
        raise ValueError(f"Could not read the weights in {source}: the file is truncated, "
                         f"corrupted or not a Keras weights file ({e}).") from None
    try:
        header = json.loads(arrays.pop("_manifest").tobytes().decode())
        entries = header["entries"]
        if header.get("format") != FORMAT:
            raise KeyError("format")
    except (KeyError, ValueError, UnicodeDecodeError) as e:
        raise ValueError(f"{source} is not a tapeflow weights file (missing or invalid "
                         f"manifest: {e}).") from None
    for e in entries:
        a = arrays.get(e["key"])
        if a is None or list(a.shape) != list(e["shape"]) or a.dtype.name != e["dtype"]:
            raise ValueError(f"The weights in {source} are corrupted: entry {e['key']} "
                             f"({e['name']}) does not match its manifest.")
    return entries, arrays


def assign_weights(model, entries, arrays, source, skip_mismatch=False):
    """Assigns saved arrays to the model's variables (and its optimizer's when they match).

    Raises:
      ValueError: when the number or shapes of the variables differ
        (unless ``skip_mismatch``).
    """
    saved = [e for e in entries if e["key"].startswith("model/")]
    variables = model_variables(model)
    name = getattr(model, "name", type(model).__name__)
    if len(saved) != len(variables):
        if not variables and saved:
            raise ValueError(f"Layer '{name}' was never built and thus it doesn't have any "
                             f"variables. However the weights file lists {len(saved)} "
                             "variables for this layer. In most cases, this error indicates "
                             "that either:\n\n1. The layer is owned by a parent layer that "
                             "implements a `build()` method, but calling the parent's `build()` "
                             "method did NOT create the state of the child layer. Call the "
                             "model on data (or build it) before loading its weights.")
        raise ValueError(f"A total of {len(saved)} objects could not be loaded. The model "
                         f"'{name}' expects {len(variables)} variables, but {source} holds "
                         f"{len(saved)}.")
    updates = []
    for e, v in zip(saved, variables):
        a = arrays[e["key"]]
        shape = tuple(np.shape(_array(v)))
        if tuple(a.shape) != shape:
            if skip_mismatch:
                continue
            raise ValueError(f"The shape of the target variable and the shape of the target "
                             f"value in `variable.assign(value)` must match. "
                             f"variable.shape={shape}, Received: value.shape={tuple(a.shape)}. "
                             f"Target variable: {getattr(v, 'name', '?')} (saved as "
                             f"{e['name']} in {source})")
        updates.append((v, a))
    for v, a in updates:  # all checked first: a failed load changes nothing
        v.assign(a.astype(_array(v).dtype, copy=False))
    _assign_optimizer(model, [e for e in entries if e["key"].startswith("optimizer/")],
                      arrays)


def _assign_optimizer(model, saved, arrays):
    opt = getattr(model, "optimizer", None)
    if opt is None or not saved:
        return
    variables = optimizer_variables(model)
    if len(variables) < len(saved) and hasattr(opt, "build"):
        try:
            opt.build(list(model.trainable_variables))
        except (ValueError, TypeError):
            pass
        variables = optimizer_variables(model)
    if len(variables) != len(saved) or any(
            tuple(arrays[e["key"]].shape) != tuple(np.shape(_array(v)))
            for e, v in zip(saved, variables)):
        warnings.warn(f"Skipping variable loading for optimizer '{getattr(opt, 'name', '')}', "
                      f"because it has {len(variables)} variables whereas the saved optimizer "
                      f"has {len(saved)} variables.", stacklevel=3)
        return
    for e, v in zip(saved, variables):
        v.assign(arrays[e["key"]].astype(_array(v).dtype, copy=False))
