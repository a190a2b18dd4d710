"""``tf.saved_model.save`` / ``load``: TensorFlow's directory layout, variables restored,
functions recorded by name and input signature only.

    export_dir/saved_model.pb                      the object graph (tapeflow's JSON, below)
    export_dir/variables/variables.index           the variables (a tapeflow checkpoint,
    export_dir/variables/variables.data-00000-of-00001   keys as TensorFlow names them)
    export_dir/assets/                             empty

What is honest to say: ``tf.function`` in tapeflow runs eagerly and does not trace graphs
yet, so a SavedModel holds no computation. ``load`` rebuilds the objects, lists, dicts and
variables (values, names, dtypes, trainable flags) without the Python classes, and each
saved ``tf.function`` or signature comes back as a stub that knows its name and input
signature and raises ``NotImplementedError`` when called. To use the computation, build
the Python object again and restore the variables into it:
``tf.train.Checkpoint(root=obj).read(export_dir + "/variables/variables")``.
TensorFlow cannot read these files, nor tapeflow TensorFlow's (``saved_model.pb`` here is
UTF-8 JSON, not a protobuf). Reading never unpickles, never imports or calls what a file
names, and checks sizes first.
"""
import json
import os

import numpy as np

from tapeflow.framework import dtypes, errors
from tapeflow.framework.tensor_shape import TensorShape
from tapeflow.framework.variable import Variable
from tapeflow.tracking import checkpoint_io, tensor_bundle, trackable

FORMAT = "tapeflow.saved_model"
VERSION = 1
MAX_GRAPH_BYTES = 64 << 20


def _function_specs(obj):
    """Returns ``[(attribute name, tf.function)]`` for the ``tf.function``s of ``obj``."""
    from tapeflow.framework.function import Function
    out, seen = [], set()
    for name in sorted(set(vars(type(obj))) | set(getattr(obj, "__dict__", {}))):
        try:
            value = getattr(obj, name)
        except Exception:  # noqa: BLE001  (a property may fail; it is not a function)
            continue
        fn = value if isinstance(value, Function) else getattr(value, "__func__", None)
        if isinstance(fn, Function) and id(fn) not in seen:
            seen.add(id(fn))
            out.append((name, fn))
    return out


def _spec_json(spec):
    shape = None if spec.shape.rank is None else [
        None if d is None else int(d) for d in spec.shape.as_list()]
    return {"shape": shape, "dtype": spec.dtype.name, "name": spec.name}


def _signature_json(fn):
    sig = fn.input_signature
    if sig is None:
        return None
    from tapeflow.framework import nest
    return [_spec_json(s) for s in nest.flatten(sig)]


def _describe(root, ck):
    """Returns the JSON nodes of the object graph under ``root``: one per object (in
    breadth-first order, the root first), children given as ``[name, node index]`` so that
    shared objects stay shared and cycles are fine."""
    graph = [(p, o) for p, o in trackable.object_graph(ck) if p]  # drop the Checkpoint
    index = {id(root): 0}
    objects = [("", root)]
    for p, o in graph:
        if id(o) not in index:
            index[id(o)] = len(objects)
            objects.append((p, o))
    nodes = []
    for p, obj in objects:
        if trackable.is_variable(obj):
            nodes.append({"kind": "variable", "key": p + trackable.VARIABLE_SUFFIX,
                          "name": obj.name if isinstance(obj, Variable) else obj.path,
                          "trainable": bool(obj.trainable)})
            continue
        kind = "list" if isinstance(obj, (list, tuple)) else \
            "dict" if isinstance(obj, dict) else "object"
        node = {"kind": kind, "children": [
            [str(name), index[id(child)]] for name, child in trackable.trackable_children(obj)
            if id(child) in index]}
        if kind == "object":
            node["functions"] = [{"name": n, "input_signature": _signature_json(f)}
                                 for n, f in _function_specs(obj)]
        nodes.append(node)
    return nodes


def save(obj, export_dir, signatures=None, options=None):
    """Saves ``obj``'s variables and object graph in ``export_dir`` (see the module doc).

    Args:
      obj: a trackable object (``tf.Module``, Keras model or layer).
      export_dir: the folder to write (created; files in it are replaced).
      signatures: a ``tf.function`` (named ``"serving_default"``) or a dict of them.

    Raises:
      ValueError: if ``obj`` is not trackable.
    """
    if not trackable.is_trackable(obj) or trackable.is_variable(obj):
        raise ValueError("Expected an object of type `Trackable`, such as `tf.Module` or a "
                         "subclass of the `Trackable` class, for export. Got "
                         f"{obj} with type {type(obj)}.")
    from tapeflow.tracking.checkpoint import Checkpoint
    export_dir = os.fspath(export_dir)
    os.makedirs(os.path.join(export_dir, "variables"), exist_ok=True)
    os.makedirs(os.path.join(export_dir, "assets"), exist_ok=True)
    ck = Checkpoint(root=obj)
    ck.write(os.path.join(export_dir, "variables", "variables"))
    from tapeflow.framework.function import Function
    if signatures is None:
        call = getattr(type(obj), "__call__", None)
        signatures = {"serving_default": call} if isinstance(call, Function) and \
            call.input_signature is not None else {}
    elif not isinstance(signatures, dict):
        signatures = {"serving_default": signatures}
    doc = {"format": FORMAT, "version": VERSION, "nodes": _describe(obj, ck),
           "signatures": {k: {"input_signature": _signature_json(f)}
                          for k, f in signatures.items() if isinstance(f, Function)}}
    checkpoint_io.write_text_atomic(os.path.join(export_dir, "saved_model.pb"),
                                    json.dumps(doc))


class _UserObject:
    """An object rebuilt by ``tf.saved_model.load``: attributes only, no Python class."""

    def __call__(self, *args, **kwargs):
        fn = self.__dict__.get("__call__")
        if fn is None:
            raise TypeError("'_UserObject' object is not callable")
        return fn(*args, **kwargs)

    def __repr__(self):
        return f"<tapeflow.saved_model._UserObject object at {hex(id(self))}>"


class RestoredFunction:
    """A ``tf.function`` or signature named in a SavedModel; its computation is not saved.

    Raises:
      NotImplementedError: when called (tapeflow's ``tf.function`` does not trace graphs).
    """

    def __init__(self, name, input_signature, source="tapeflow"):
        self.name = name
        self.input_signature = input_signature
        self._source = source

    def __call__(self, *args, **kwargs):
        if self._source == "tensorflow":
            raise NotImplementedError(
                f"The function {self.name!r} was loaded from a SavedModel written by "
                "TensorFlow: tapeflow restores its objects and variables but cannot run "
                "TensorFlow graphs. Build the model in Python and restore the variables with "
                "tf.train.Checkpoint(root=obj).read('<export_dir>/variables/variables').")
        raise NotImplementedError(
            f"The function {self.name!r} was loaded from a tapeflow SavedModel, which does not "
            "hold computations: tapeflow's tf.function runs eagerly and does not trace graphs "
            "yet. Build the Python object again and restore its variables with "
            "tf.train.Checkpoint(root=obj).read('<export_dir>/variables/variables').")

    def __repr__(self):
        return f"<RestoredFunction {self.name!r}>"


def _bad(export_dir, why):
    return errors.DataLossError(None, None, f"SavedModel at {export_dir!r} is corrupt: {why}")


def _spec(export_dir, d):
    from tapeflow.framework.tensor_spec import TensorSpec
    if not isinstance(d, dict) or d.get("dtype") not in set(tensor_bundle.DT.values()) | {"string"}:
        raise _bad(export_dir, "invalid input signature")
    shape = d.get("shape")
    if shape is not None and (not isinstance(shape, list) or len(shape) > 32 or not all(
            s is None or (type(s) is int and s >= 0) for s in shape)):
        raise _bad(export_dir, "invalid input signature shape")
    name = d.get("name")
    return TensorSpec(TensorShape(shape), dtypes.as_dtype(d["dtype"]),
                      name if isinstance(name, str) else None)


def _signature(export_dir, sig):
    if sig is None:
        return None
    if not isinstance(sig, list) or len(sig) > 1024:
        raise _bad(export_dir, "invalid input signature")
    return [_spec(export_dir, s) for s in sig]


def _make(node, export_dir, reader):
    """Pass 1: the empty object, list, dict or the filled variable of one node."""
    if not isinstance(node, dict):
        raise _bad(export_dir, "invalid object graph node")
    kind = node.get("kind")
    if kind == "variable":
        key = node.get("key")
        if not isinstance(key, str) or not reader.has_tensor(key):
            raise _bad(export_dir, f"variable {key!r} has no saved value")
        name = node.get("name") if isinstance(node.get("name"), str) else "Variable:0"
        return Variable(reader.read(key), trainable=bool(node.get("trainable", True)),
                        name=name.rsplit(":", 1)[0])
    if kind == "list":
        return []
    if kind == "dict":
        return {}
    if kind == "object":
        return _UserObject()
    raise _bad(export_dir, f"unknown node kind {kind!r}")


def _fill(node, obj, objects, export_dir):
    """Pass 2: attaches a node's children (by index) and function stubs."""
    children = node.get("children", [])
    if not isinstance(children, list) or not all(
            isinstance(c, list) and len(c) == 2 and isinstance(c[0], str) and
            type(c[1]) is int and 0 <= c[1] < len(objects) for c in children):
        raise _bad(export_dir, "invalid children")
    for name, i in children:
        child = objects[i]
        if isinstance(obj, list):
            obj.append(child)
        elif isinstance(obj, dict):
            obj[name] = child
        else:
            setattr(obj, name, child)
    if isinstance(obj, _UserObject):
        functions = node.get("functions", [])
        if not isinstance(functions, list):
            raise _bad(export_dir, "invalid function records")
        for f in functions:
            if not isinstance(f, dict) or not isinstance(f.get("name"), str):
                raise _bad(export_dir, "invalid function record")
            setattr(obj, f["name"], RestoredFunction(
                f["name"], _signature(export_dir, f.get("input_signature"))))


def load(export_dir, tags=None, options=None):
    """Loads a SavedModel (written by ``save``, or by TensorFlow): objects and variables,
    function stubs.

    Returns:
      A ``_UserObject`` whose attributes mirror the saved object's trackable attributes, with
      ``signatures`` (a dict of ``RestoredFunction``s).

    Raises:
      OSError: if ``export_dir`` holds no ``saved_model.pb``.
      DataLossError: if the files are malformed or do not belong together.
    """
    export_dir = os.fspath(export_dir)
    path = os.path.join(export_dir, "saved_model.pb")
    if not os.path.isfile(path):
        raise OSError(f"SavedModel file does not exist at: {export_dir}"
                      f"{os.sep}{{saved_model.pbtxt|saved_model.pb}}")
    if os.path.getsize(path) > MAX_GRAPH_BYTES:
        raise _bad(export_dir, "saved_model.pb is too large")
    with open(path, "rb") as f:
        raw = f.read(MAX_GRAPH_BYTES + 1)
    if not raw.lstrip().startswith(b"{"):  # a protobuf: written by TensorFlow
        from tapeflow.tracking import saved_model_tf
        reader = checkpoint_io.Reader(os.path.join(export_dir, "variables", "variables"))
        try:
            return saved_model_tf.build(raw, reader, _UserObject, lambda name, sig:
                                        RestoredFunction(name, sig, source="tensorflow"))
        except tensor_bundle._Bad as e:
            raise _bad(export_dir, f"saved_model.pb: {e}") from None
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise _bad(export_dir, "saved_model.pb is not valid JSON") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT or doc.get("version") != VERSION:
        raise _bad(export_dir, "unknown format or version")
    reader = checkpoint_io.Reader(os.path.join(export_dir, "variables", "variables"))
    nodes = doc.get("nodes")
    if not isinstance(nodes, list) or not nodes:
        raise _bad(export_dir, "no object graph")
    objects = [_make(node, export_dir, reader) for node in nodes]
    for node, obj in zip(nodes, objects):
        if not trackable.is_variable(obj):
            _fill(node, obj, objects, export_dir)
    root = objects[0]
    if not isinstance(root, _UserObject):
        raise _bad(export_dir, "the root is not an object")
    sigs = doc.get("signatures", {})
    if not isinstance(sigs, dict):
        raise _bad(export_dir, "invalid signatures")
    root.signatures = {str(k): RestoredFunction(str(k), _signature(
        export_dir, v.get("input_signature") if isinstance(v, dict) else None))
        for k, v in sigs.items()}
    return root


__all__ = ["save", "load", "RestoredFunction"]
