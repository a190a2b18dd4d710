"""Keras 3's HDF5 weights layout (``model.weights.h5`` in a ``.keras`` zip, and
``.weights.h5`` files), written and read as Keras 3.15 does.

Layout: each saveable object (see ``saveable_tree``) at path ``P`` has a group ``P/vars``
(``vars`` for the model itself) whose attribute ``name`` is the object's name and whose
datasets ``0``, ``1``, ... are its own variables in creation order (trainable first);
for example ``layers/dense/vars/0`` (a kernel), ``layers/lstm/cell/vars/1``,
``layers/functional/layers/dense/vars/0`` (a nested model) and ``optimizer/vars/0``
(the iteration count). Files from Keras 2.13 name the layer list
``_layer_checkpoint_dependencies``; those are read too.

Loading checks every shape against the model before it assigns anything, so a failed
load leaves the model as it was. Optimizer variables saved for a model that has no
optimizer yet are kept and restored when ``compile`` gives it one.
"""
import warnings

import numpy as np

from tapeflow.keras.saving import h5_io, saveable_tree


def _generic(obj):
    """True when the object uses Layer's own ``load_own_variables`` (numbered variables)."""
    from tapeflow.keras.layers.layer import Layer
    impl = getattr(type(obj), "load_own_variables", None)
    return isinstance(obj, Layer) and impl is Layer.load_own_variables


def write(model, target, include_optimizer=True):
    """Writes the weights of ``model`` (and of its optimizer) in Keras 3's layout.

    Args:
      model: a tapeflow model or layer.
      target: a path or a writable binary file object.
      include_optimizer: also write ``optimizer/vars``.

    Raises:
      ValueError: for a variable that is not numeric.
    """
    f = h5_io.open_write(target)
    with f:
        for node in saveable_tree.walk(model, include_optimizer):
            store = {}
            if not node.virtual and hasattr(node.obj, "save_own_variables"):
                node.obj.save_own_variables(store)
            group = f.create_group(saveable_tree.vars_path(node.path))
            if node.name is not None:
                group.attrs["name"] = node.name
            for key, value in store.items():
                arr = np.asarray(value.numpy() if hasattr(value, "numpy") else value)
                if arr.dtype.kind not in "biufc":
                    raise ValueError(f"Cannot save variable {key!r} of {node.name!r}: dtype "
                                     f"{arr.dtype} is not numeric.")
                group.create_dataset(str(key), data=arr)


def _find(f, path, source):
    """Returns the ``vars`` group of the object at ``path`` (or None), following only links
    stored in the file."""
    def lookup(p):
        node = f
        for part in saveable_tree.vars_path(p).split("/"):
            node = h5_io.child(node, part, source)
            if node is None or not h5_io.is_group(node):
                return None
        return node

    group = lookup(path)
    if group is None and path.startswith("layers") and \
            h5_io.child(f, "_layer_checkpoint_dependencies", source) is not None:
        group = lookup(path.replace("layers", "_layer_checkpoint_dependencies"))
    return group


def _read_group(group, source, variables=None, budget=None):
    """Returns ``{key: array}`` of a ``vars`` group; ``variables`` (a list) fixes the keys
    (``"0"``, ``"1"``, ...) and each one's shape, checked before any data is read. Without
    ``variables`` (a layer's own ``load_own_variables``), the declared sizes are taken from
    ``budget`` (a one-element list of bytes left for the whole file) before reading.

    Raises:
      ValueError: for unexpected keys, shapes or unsafe datasets, or a spent budget.
    """
    names = h5_io.keys(group, source)
    if variables is None:
        out = {}
        for k in names:
            ds = h5_io.child(group, k, source)
            if ds is None or not h5_io.is_dataset(ds):
                raise h5_io.H5Error(f"{source}: {group.name}/{k} is not a dataset.")
            if budget is not None:
                budget[0] -= int(np.prod(ds.shape, dtype=np.float64)) * ds.dtype.itemsize
                if budget[0] < 0:
                    raise h5_io.H5Error(f"Refusing {source}: {group.name} declares more data "
                                        "than the layers of this model can hold.")
            out[k] = h5_io.read_dataset(ds, source)
        return out
    if sorted(names) != sorted(str(i) for i in range(len(variables))):
        raise _Mismatch(_count_message(len(variables), len(names), variables))
    out = {}
    for i, v in enumerate(variables):
        ds = h5_io.child(group, str(i), source)
        if ds is None or not h5_io.is_dataset(ds):
            raise h5_io.H5Error(f"{source}: {group.name}/{i} is not a dataset.")
        declared = tuple(int(s) for s in ds.shape)
        shape = tuple(np.shape(v.numpy()))
        if declared != shape:
            raise _Mismatch("The shape of the target variable and the shape of the target "
                            "value in `variable.assign(value)` must match. "
                            f"variable.shape={shape}, Received: value.shape={declared}. "
                            f"Target variable: {getattr(v, 'path', v.name)} "
                            f"(file entry {group.name}/{i})")
        out[str(i)] = h5_io.read_dataset(ds, source, expected_shape=shape)
    return out


def _count_message(expected, received, variables, layer_name="{layer}"):
    return (f"Layer '{layer_name}' expected {expected} variables, but received {received} "
            f"variables during loading. Expected: {[v.name for v in variables]}")


class _Mismatch(ValueError):
    """The file's variables do not fit the model's (skippable with skip_mismatch)."""


def load(model, source_file, source, skip_mismatch=False, include_optimizer=True,
         objects_to_skip=None):
    """Assigns the weights stored in an open HDF5 file to ``model`` (and its optimizer).

    Args:
      model: the model.
      source_file: an open ``h5py.File`` in Keras 3's layout.
      source: the file's name, for messages.
      skip_mismatch: skip (with a warning) objects whose variables do not match.
      include_optimizer: also restore ``optimizer/vars``.
      objects_to_skip: layers (or the optimizer) whose variables are left as they are.

    Raises:
      ValueError: when the file does not match the model (unless ``skip_mismatch``) or is
        malformed; nothing is assigned then.
    """
    plan, failed = [], []
    opt_store = None
    budget = [4 * _nbytes(model.weights) + (64 << 20)]   # for layers' own loaders
    skip = {id(o) for o in (objects_to_skip or ())}
    for node in saveable_tree.walk(model, include_optimizer=False):
        if node.virtual or id(node.obj) in skip:
            continue
        obj = node.obj
        variables = obj._own_sorted() if _generic(obj) else None
        group = _find(source_file, node.path, source)
        try:
            if group is None:
                if variables:
                    raise _Mismatch(_count_message(len(variables), 0, variables))
                continue
            arrays = _read_group(group, source, variables, budget)
        except _Mismatch as e:
            failed.append((obj, node.path or "/", str(e).replace("{layer}", str(obj.name))))
            continue
        plan.append((obj, arrays))
    if failed:
        obj, path, msg = failed[0]
        text = (f"A total of {len(failed)} objects could not be loaded from {source}. "
                f"Example error message for object {obj!r} (at '{path}'):\n\n"
                f"{msg}\n\nList of objects that could "
                f"not be loaded:\n{[x[0] for x in failed]}")
        if not skip_mismatch:
            raise ValueError(text)
        warnings.warn(text, stacklevel=3)
    if include_optimizer and id(getattr(model, "optimizer", None)) not in skip:
        group = _find(source_file, "optimizer", source)
        if group is not None:
            opt_store = _read_optimizer(model, group, source)
    for obj, arrays in plan:
        obj.load_own_variables(arrays)
    if opt_store:
        restore_optimizer(model, opt_store, source)


def _nbytes(values):
    return sum(int(np.prod(np.shape(v.numpy()), dtype=np.int64)) * 8 for v in values)


def _read_optimizer(model, group, source):
    """Returns the saved optimizer variables (``{"0": array, ...}``) or None (with a warning)
    when they cannot fit; shapes are checked against the optimizer before reading, and
    without an optimizer the declared total is bounded by the model's size."""
    opt = getattr(model, "optimizer", None)
    names = h5_io.keys(group, source)
    if opt is not None and hasattr(opt, "load_own_variables"):
        if len(opt.variables) < len(names) and not getattr(opt, "built", False):
            try:
                opt.build(list(model.trainable_variables))
            except (ValueError, TypeError):
                pass
        try:
            return _read_group(group, source, list(opt.variables))
        except _Mismatch:
            warnings.warn(f"Skipping variable loading for optimizer '{opt.name}', because it "
                          f"has {len(opt.variables)} variables whereas the saved optimizer "
                          f"has {len(names)} variables.", stacklevel=4)
            return None
    budget = 4 * _nbytes(model.weights) + (1 << 20)   # Adam keeps 2 slots per variable
    declared = 0
    for k in names:
        ds = h5_io.child(group, k, source)
        if ds is None or not h5_io.is_dataset(ds):
            raise h5_io.H5Error(f"{source}: {group.name}/{k} is not a dataset.")
        declared += int(np.prod(ds.shape, dtype=np.float64)) * ds.dtype.itemsize
    if declared > budget:
        raise h5_io.H5Error(f"Refusing {source}: its optimizer variables declare {declared} "
                            f"bytes, more than an optimizer of this model can hold.")
    return _read_group(group, source)


def restore_optimizer(model, store, source=None):
    """Loads saved optimizer variables into the model's optimizer, building it on the
    model's trainable variables if needed; without an optimizer, keeps them until
    ``compile`` provides one (see ``apply_pending``)."""
    opt = getattr(model, "optimizer", None)
    if opt is None or not hasattr(opt, "load_own_variables"):
        model.__dict__["_pending_optimizer_variables"] = store
        return
    if len(opt.variables) < len(store) and not getattr(opt, "built", False):
        try:
            opt.build(list(model.trainable_variables))
        except (ValueError, TypeError):
            pass
    shapes_ok = len(opt.variables) == len(store) and all(
        tuple(np.shape(store.get(str(i)))) == tuple(np.shape(v.numpy()))
        for i, v in enumerate(opt.variables))
    if not shapes_ok:
        warnings.warn(f"Skipping variable loading for optimizer '{opt.name}', because it has "
                      f"{len(opt.variables)} variables whereas the saved optimizer has "
                      f"{len(store)} variables.", stacklevel=3)
        return
    opt.load_own_variables(store)


def apply_pending(model):
    """Restores optimizer variables loaded before the model had an optimizer (called by
    ``compile``); does nothing when there are none."""
    store = model.__dict__.pop("_pending_optimizer_variables", None)
    if store is not None and getattr(model, "optimizer", None) is not None:
        restore_optimizer(model, store)
