"""A SavedModel's ``saved_model.pb``, read and written: objects, variables and functions.

``saved_model.pb`` is a ``SavedModel`` protobuf; its ``SavedObjectGraph`` (field 7 of the
``MetaGraphDef``) lists the objects: user objects, list/dict wrappers, variables (dtype,
shape, trainable, name) and functions, each with named children. TensorFlow numbers the
nodes of the checkpoint in ``variables/`` the same way, so node ``i``'s checkpoint key gives
a variable's value. Functions come back as ``RestoredFunction``s over the concrete functions
the object graph names (``SavedConcreteFunction``: bound variables, input and output
structure) and the library's ``FunctionDef``s, run by ``sm_load`` through an allow-list of
ops. Parsing is bounds-checked (``tensor_bundle``'s protobuf reader); nothing named by the
file is imported or called.
"""
from tapeflow.framework.variable import Variable
from tapeflow.tracking import tensor_bundle as tb

_LISTS = ("trackable_list_wrapper", "trackable_tuple_wrapper")
WRITER = "tapeflow"  # in MetaInfoDef.tensorflow_git_version: who wrote the file
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


def written_by_tapeflow(raw):
    """Returns True if ``saved_model.pb`` bytes were written by tapeflow."""
    meta = _one(tb._parse(raw), 2)
    info = _one(tb._parse(meta), 1) if isinstance(meta, bytes) else None
    return isinstance(info, bytes) and _text(_one(tb._parse(info), 6)) == WRITER


def _concrete_specs(raw):
    """Returns ``({name: ConcreteSpec (bound node ids)}, Library)`` of a ``saved_model.pb``."""
    from tapeflow.tracking import sm_load
    from tapeflow.tracking import sm_proto as P
    meta = tb._parse(_one(tb._parse(raw), 2) or b"")
    graph = tb._parse(_one(meta, 7) or b"")
    specs = {}
    for name, body in P._map(graph, 2).items():
        f = tb._parse(body)
        bound = P._ints(f, 2)
        specs[_text(name)] = sm_load.ConcreteSpec(
            _text(name), bound, P.parse_structured(_one(f, 3) or b""),
            P.parse_structured(_one(f, 4) or b""))
    return specs, sm_load.Library(P.function_library(meta))


class _Constant:
    """A ``SavedConstant`` (a tensor a function captures); not set as an attribute."""

    def __init__(self, raw_tensor):
        self.raw = raw_tensor
        self.value = None

    def tensor(self):
        """Returns the constant as a Tensor (parsed, size-checked, on first use)."""
        if self.value is None:
            from tapeflow.framework import errors
            from tapeflow.framework.tensor import Tensor
            from tapeflow.tracking import sm_proto
            try:
                self.value = Tensor(sm_proto.parse_tensor(self.raw))
            except tb._Bad as e:
                raise errors.DataLossError(None, None, f"a captured constant: {e}") from None
        return self.value


def _top_level_consts(raw):
    """Returns ``{name: raw TensorProto}`` of the top-level graph's ``Const`` nodes."""
    from tapeflow.tracking import sm_proto as P
    meta = tb._parse(_one(tb._parse(raw), 2) or b"")
    graph = tb._parse(_one(meta, 2) or b"")
    out = {}
    for n, v in graph:
        if n == 1 and isinstance(v, bytes):
            node = P.NodeDef(v)
            value = node.attr("value")
            if node.op == "Const" and isinstance(value, tuple) and value[0] == "tensor":
                out[node.name] = value[1]
    return out


def build(raw, reader, user_object, restored_function):
    """Returns the root object rebuilt from a ``saved_model.pb`` (bytes), with variable
    values from the checkpoint ``reader``. Functions are made by
    ``restored_function(name, input_signature, concrete specs, library, keywords)``.

    Raises:
      tensor_bundle._Bad: for anything malformed.
    """
    nodes = object_graph_nodes(raw)
    if not nodes:
        raise tb._Bad("empty object graph")
    concrete, library = _concrete_specs(raw)
    consts = _top_level_consts(raw)
    ck_nodes = tb.decode_object_graph(reader.read("_CHECKPOINTABLE_OBJECT_GRAPH")) \
        if reader.has_tensor("_CHECKPOINTABLE_OBJECT_GRAPH") else []
    edges = [_children(node, len(nodes)) for node in nodes]
    names = {}
    for es in edges:
        for i, name in es:
            names.setdefault(i, name)
    objects, functions = [], []
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
        elif 6 in kinds:
            body = _one(node, 6)
            cf_names = [_text(v) for n, v in tb._parse(body) if n == 1]
            objects.append(restored_function(names.get(i, "function"), input_signature(body),
                                             [concrete.get(n) for n in cf_names], library,
                                             None, argspec(body)))
            functions.append(objects[-1])
        elif 8 in kinds:
            bare = tb._parse(_one(node, 8) or b"")
            cf_name = _text(_one(bare, 1) or b"")
            keywords = [_text(v) for n, v in bare if n == 2]
            objects.append(restored_function(names.get(i, "function"), None,
                                             [concrete.get(cf_name)], library, keywords))
            functions.append(objects[-1])
        elif 9 in kinds:   # a captured constant: its value is a Const of the top-level graph
            op = _text(_one(tb._parse(_one(node, 9) or b""), 1) or b"")
            if op not in consts:
                raise tb._Bad(f"constant node {i} names a missing Const {op!r}")
            objects.append(_Constant(consts[op]))
        elif 4 in kinds:
            ident = _text(_one(tb._parse(_one(node, 4) or b""), 1))
            objects.append([] if ident in _LISTS else {} if ident in _DICTS else user_object())
        else:
            objects.append(None)  # assets, constants, resources: nothing to rebuild
    for fn in functions:
        fn._bind_variables(objects)
    for obj, es in zip(objects, edges):
        if isinstance(obj, list):
            items = sorted((int(n), objects[i]) for i, n in es if n.isdigit())
            obj.extend(v for _, v in items)
        elif isinstance(obj, dict):
            obj.update((n, objects[i]) for i, n in es)
        elif isinstance(obj, user_object):
            for i, n in es:
                if objects[i] is not None and not isinstance(objects[i], _Constant):
                    setattr(obj, n, objects[i])
    root = objects[0]
    if not isinstance(root, user_object):
        raise tb._Bad("the root is not an object")
    sigs = root.__dict__.get("signatures")
    root.signatures = dict(sigs) if isinstance(sigs, dict) else {}
    return root


# -- writing: a SavedModel protobuf TensorFlow can load (objects and variables) -----------------

_F = tb._field
_UNKNOWN_DIM = (1 << 64) - 1  # -1 as a protobuf int64 varint


def _user_object(identifier, children):
    return b"".join(_F(1, _F(1, i) + _F(2, n.encode())) for i, n in children) + \
        _F(4, _F(1, identifier.encode()) + _F(2, _F(1, 1) + _F(2, 1)))


def _shape(shape):
    if shape.rank is None:
        return _F(3, 1)
    return b"".join(_F(2, _F(1, _UNKNOWN_DIM if d is None else int(d)))
                    for d in shape.as_list())


def _struct_none():
    return _F(1, b"")


def _struct_list(items, number=51):
    return _F(number, b"".join(_F(1, i) for i in items))


def _struct_spec(spec):
    body = (_F(1, spec.name.encode()) if spec.name else b"") + _F(2, _shape(spec.shape)) + \
        _F(3, tb.DT_OF.get(spec.dtype.name, tb.DT_STRING))
    return _F(33, body)


def _function_spec(fn, names=()):
    """Returns a ``SavedObject`` holding a ``SavedFunction`` (``names``: its concrete
    functions in the library)."""
    return _F(6, b"".join(_F(1, n.encode()) for n in names) + _F(2, function_spec(fn)))


def _defaults(params):
    from tapeflow.tracking import sm_proto
    values = tuple(p.default for p in params if p.default is not p.empty and p.kind in (
        p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD))
    try:
        return sm_proto.structured(values) if values else _struct_none()
    except tb._Bad:
        return _struct_none()


def argspec(function_node):
    """Returns ``(argument names, defaults)`` from a ``SavedFunction``'s ``FullArgSpec``, or
    None."""
    from tapeflow.tracking import sm_proto
    spec = _one(tb._parse(function_node), 2)
    full = _one(tb._parse(spec), 1) if isinstance(spec, bytes) else None
    if not isinstance(full, bytes):
        return None
    try:
        values = sm_proto.parse_structured(full)
    except (tb._Bad, TypeError, ValueError):
        return None
    if not isinstance(values, tuple) or len(values) < 4 or not isinstance(values[0], list):
        return None
    names = [n for n in values[0] if isinstance(n, str)]
    defaults = values[3] if isinstance(values[3], tuple) else ()
    return names, list(defaults)[:len(names)]


def function_spec(fn):
    """Returns the ``FunctionSpec`` bytes of a ``tf.function`` (or concrete function)."""
    import inspect
    pyfn = getattr(fn, "python_function", None) or getattr(fn, "_python_function", None)
    try:
        params = [p for p in inspect.signature(pyfn).parameters.values()
                  if p.name != "self"]
    except (TypeError, ValueError):
        params = []
    args = [p.name for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    star = [p.name for p in params if p.kind is p.VAR_POSITIONAL]
    starstar = [p.name for p in params if p.kind is p.VAR_KEYWORD]

    def pair(key, value):
        return _F(2, _F(1, key.encode()) + _F(2, value))
    fullargspec = _F(54, _F(1, b"FullArgSpec") + pair(
        "args", _struct_list([_F(13, a.encode()) for a in args])) +
        pair("varargs", _F(13, star[0].encode()) if star else _struct_none()) +
        pair("varkw", _F(13, starstar[0].encode()) if starstar else _struct_none()) +
        pair("defaults", _defaults(params)) + pair("kwonlyargs", _struct_list([])) +
        pair("kwonlydefaults", _struct_none()) + pair("annotations", _F(53, b"")))
    spec = _F(1, fullargspec)
    if getattr(fn, "input_signature", None) is not None:
        from tapeflow.framework import nest
        spec += _F(5, _struct_list([_struct_spec(s) for s in nest.flatten(fn.input_signature)],
                                   52))
    else:
        spec += _F(5, _struct_none())
    return spec


def encode(ck, functions_of, signatures):
    """Returns ``saved_model.pb`` bytes for the object graph of checkpoint ``ck`` (whose root
    is the saved object), numbered as ``ck.write`` numbers its checkpoint nodes, with the
    traced concrete functions as ``FunctionDef``s (see ``sm_functions``).

    ``functions_of(obj)`` gives an object's ``[(name, tf.function)]``; ``signatures`` is a
    ``{name: tf.function or ConcreteFunction}`` dict (saved under ``signatures``)."""
    from tapeflow.tracking import sm_functions, trackable
    edges = {}
    graph = trackable.object_graph(ck, edges=edges)
    index = {id(obj): i for i, (_, obj) in enumerate(graph)}
    writer = sm_functions.Writer({id(obj): i for i, (_, obj) in enumerate(graph)
                                  if trackable.is_variable(obj)})
    extra = []  # function and signature-map nodes, numbered after the graph's

    def add(body):
        extra.append(body)
        return len(graph) + len(extra) - 1
    nodes = []
    for i, (_, obj) in enumerate(graph):
        if trackable.is_variable(obj):
            var = _F(1, tb.DT_OF.get(np_name(obj), 1)) + _F(2, _shape(obj_shape(obj))) + \
                (_F(3, 1) if obj.trainable else b"") + _F(6, var_name(obj).encode())
            nodes.append(_F(7, var))
            continue
        children = [(index[id(c)], str(n)) for n, c in edges[id(obj)] if id(c) in index]
        target = ck._root if i == 0 else obj
        if isinstance(target, (list, tuple)) and i:
            ident = "trackable_list_wrapper" if isinstance(target, list) else \
                "trackable_tuple_wrapper"
        elif isinstance(target, dict) and i:
            ident = "trackable_dict_wrapper"
        else:
            ident = "_generic_user_object"
            for name, fn in functions_of(target):
                children.append((add(_function_spec(fn, writer.function_names(fn))), name))
            if i == 0:
                sig_children = []
                for name, fn in signatures.items():
                    got = writer.signature(name, fn)
                    body = sm_functions.bare_concrete_function(*got) if got else \
                        _function_spec(fn)
                    sig_children.append((add(body), name))
                children.append((add(_user_object("signature_map", sig_children)),
                                 "signatures"))
        nodes.append(_user_object(ident, children))
    graph_proto = b"".join(_F(1, n) for n in nodes + extra) + writer.concrete_functions_map()
    meta_info = _F(4, b"serve") + _F(6, WRITER.encode()) + _F(7, 1)
    variables = [(i, np_name(obj), path + trackable.VARIABLE_SUFFIX, obj_shape(obj).as_list())
                 for i, (path, obj) in enumerate(graph) if trackable.is_variable(obj)]
    graph_def, signature_defs, saver = writer.graph_def(variables)
    meta = _F(1, meta_info) + _F(2, graph_def) + (_F(3, saver) if saver else b"") + \
        signature_defs + _F(7, graph_proto)
    return _F(1, 1) + _F(2, meta)


def np_name(var):
    import numpy as np
    return np.asarray(var.numpy()).dtype.name


def obj_shape(var):
    import numpy as np
    from tapeflow.framework.tensor_shape import TensorShape
    return TensorShape(np.shape(var.numpy()))


def var_name(var):
    from tapeflow.framework.variable import Variable
    return var.name.rsplit(":", 1)[0] if isinstance(var, Variable) else \
        getattr(var, "path", var.name)


def input_signature(function_node):
    """Returns the input signature (a list of TensorSpecs) recorded in a ``SavedFunction``'s
    ``FunctionSpec``, or None when absent or not a flat list/tuple of tensor specs."""
    from tapeflow.framework import dtypes
    from tapeflow.framework.tensor_shape import TensorShape
    from tapeflow.framework.tensor_spec import TensorSpec
    spec = _one(tb._parse(function_node), 2)
    sig = _one(tb._parse(spec), 5) if isinstance(spec, bytes) else None
    if not isinstance(sig, bytes):
        return None
    fields = tb._parse(sig)
    seq = _one(fields, 52) or _one(fields, 51)
    if not isinstance(seq, bytes):
        return None
    out = []
    for n, item in tb._parse(seq):
        ts = _one(tb._parse(item), 33) if n == 1 and isinstance(item, bytes) else None
        if not isinstance(ts, bytes):
            return None
        f = tb._parse(ts)
        dt = _one(f, 3)
        if dt not in tb.DT and dt != tb.DT_STRING:
            return None
        shape_fields = tb._parse(_one(f, 2) or b"")
        if _one(shape_fields, 3):
            shape = None
        else:
            dims = [_one(tb._parse(d), 1) or 0 for k, d in shape_fields if k == 2]
            if len(dims) > tb.MAX_RANK:
                return None
            shape = [None if d >= 1 << 63 else d for d in dims]
        name = _text(_one(f, 1)) or None
        out.append(TensorSpec(TensorShape(shape), dtypes.string if dt == tb.DT_STRING
                              else dtypes.as_dtype(tb.DT[dt]), name))
    return out
