"""Reading a SavedModel that TensorFlow wrote: its objects and variables, no computation.

``saved_model.pb`` is a ``SavedModel`` protobuf; its ``SavedObjectGraph`` (field 7 of the
``MetaGraphDef``) lists the objects: user objects, list/dict wrappers, variables (dtype,
shape, trainable, name) and functions, each with named children. TensorFlow numbers the
nodes of the checkpoint in ``variables/`` the same way, so node ``i``'s checkpoint key gives
a variable's value. Functions come back as ``RestoredFunction`` stubs: tapeflow cannot run
TensorFlow graphs. Parsing is bounds-checked (``tensor_bundle``'s protobuf reader); nothing
named by the file is imported or called.
"""
from tapeflow.framework.variable import Variable
from tapeflow.tracking import tensor_bundle as tb

_LISTS = ("trackable_list_wrapper", "trackable_tuple_wrapper")
_DICTS = ("trackable_dict_wrapper", "signature_map")


def _one(fields, number):
    for n, v in fields:
        if n == number:
            return v
    return None


def _text(value):
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else ""


def object_graph_nodes(raw):
    """Returns the parsed ``SavedObject`` nodes of a ``saved_model.pb``'s first meta graph.

    Raises:
      tensor_bundle._Bad: for malformed bytes or a SavedModel without an object graph.
    """
    meta = _one(tb._parse(raw), 2)
    if not isinstance(meta, bytes):
        raise tb._Bad("no meta graph")
    graph = _one(tb._parse(meta), 7)
    if not isinstance(graph, bytes):
        raise tb._Bad("no object graph (a TensorFlow 1 SavedModel)")
    return [tb._parse(v) for n, v in tb._parse(graph) if n == 1 and isinstance(v, bytes)]


def _children(node, count):
    out = []
    for n, v in node:
        if n == 1 and isinstance(v, bytes):
            ref = tb._parse(v)
            i = _one(ref, 1) or 0
            if not isinstance(i, int) or not 0 <= i < count:
                raise tb._Bad("an object refers to a missing node")
            out.append((i, _text(_one(ref, 2))))
    return out


def build(raw, reader, user_object, restored_function):
    """Returns the root object rebuilt from a TensorFlow ``saved_model.pb`` (bytes), with
    variable values from the checkpoint ``reader``.

    Raises:
      tensor_bundle._Bad: for anything malformed.
    """
    nodes = object_graph_nodes(raw)
    if not nodes:
        raise tb._Bad("empty object graph")
    ck_nodes = tb.decode_object_graph(reader._raw("_CHECKPOINTABLE_OBJECT_GRAPH")) \
        if reader.has_tensor("_CHECKPOINTABLE_OBJECT_GRAPH") else []
    edges = [_children(node, len(nodes)) for node in nodes]
    names = {}
    for es in edges:
        for i, name in es:
            names.setdefault(i, name)
    objects = []
    for i, node in enumerate(nodes):
        kinds = {n for n, _ in node}
        if 7 in kinds:
            var = tb._parse(_one(node, 7) or b"")
            keys = [k for a, _, k in (ck_nodes[i]["attributes"] if i < len(ck_nodes) else [])
                    if a == "VARIABLE_VALUE"]
            if not keys or keys[0] not in reader.key_set:
                raise tb._Bad(f"variable node {i} has no saved value")
            name = _text(_one(var, 6)) or "Variable"
            objects.append(Variable(reader.read(keys[0]), trainable=bool(_one(var, 3)),
                                    name=name))
        elif 6 in kinds or 8 in kinds:
            objects.append(restored_function(names.get(i, "function"), None))
        elif 4 in kinds:
            ident = _text(_one(tb._parse(_one(node, 4) or b""), 1))
            objects.append([] if ident in _LISTS else {} if ident in _DICTS else user_object())
        else:
            objects.append(None)  # assets, constants, resources: nothing to rebuild
    for obj, es in zip(objects, edges):
        if isinstance(obj, list):
            items = sorted((int(n), objects[i]) for i, n in es if n.isdigit())
            obj.extend(v for _, v in items)
        elif isinstance(obj, dict):
            obj.update((n, objects[i]) for i, n in es)
        elif isinstance(obj, user_object):
            for i, n in es:
                if objects[i] is not None:
                    setattr(obj, n, objects[i])
    root = objects[0]
    if not isinstance(root, user_object):
        raise tb._Bad("the root is not an object")
    sigs = root.__dict__.get("signatures")
    root.signatures = dict(sigs) if isinstance(sigs, dict) else {}
    return root
