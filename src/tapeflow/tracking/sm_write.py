"""Writing traced ``ConcreteFunction``s as TensorFlow ``FunctionDef``s.

Each concrete function becomes one ``FunctionDef`` laid out as TensorFlow lays it out:
its tensor inputs first (named after the Python parameters), then one ``DT_RESOURCE``
input per captured variable (bound to the variable's node in the object graph by the
``SavedConcreteFunction``'s ``bound_inputs``); ``ReadVariableOp``/``AssignVariableOp``
nodes on those handles; captured constants as ``Const`` nodes; every traced op as the
TensorFlow op of the same name with its registry attributes (``sm_ops.write_op``); one
``Identity`` per output (``identity``, ``identity_1`` ...) and variable writes as control
outputs. A graph that depends on the concrete size of an unknown dimension (a shape
computed in Python) is detected by tracing a second size and comparing: a ``Reshape``
target that differs in one entry is written with -1 there (or, when it already has a -1,
as the input's dimension read by ``Shape``/``StridedSlice``/``Pack``, as TensorFlow writes
``Flatten``); anything else is refused.
"""
import re

import numpy as np

from tapeflow.tracking import sm_ops
from tapeflow.tracking import sm_proto as P

F = P.F
_ASSIGN = {"assign": "AssignVariableOp", "assign_add": "AssignAddVariableOp",
           "assign_sub": "AssignSubVariableOp"}


def _arg_name(name, used):
    base = re.sub(r"[^a-z0-9_]", "_", name.lower()) or "arg"
    if not base[0].isalpha():
        base = "a" + base
    n, out = 0, base
    while out in used:
        n += 1
        out = f"{base}_{n}"
    used.add(out)
    return out


def _text(v):
    try:
        return repr(v)
    except Exception:  # noqa: BLE001  (a leaked traced value: compare by identity)
        return id(v)


def _node_key(node):
    kind, payload, ins, outs = node
    if kind == "op":
        op, attrs = payload
        return (op.name, tuple(sorted((k, _text(v)) for k, v in attrs.items())), tuple(ins))
    return (kind, tuple(ins))


def _consts_key(graph):
    return sorted(graph.consts), [repr(np.asarray(v).tolist()) for _, v in sorted(
        graph.consts.items())]


def _other_graph(cf):
    """Returns ``cf``'s graph for the next size of every unknown dimension (None when the
    signature has none)."""
    if all(p is not None and None not in p for p in cf._pattern):
        return None
    shapes = []
    for p, s in zip(cf._pattern, cf.graph.inputs):
        concrete = cf.graph.info[s][2]
        if p is None:
            raise sm_ops.Unsupported("an input of unknown rank")
        shapes.append(tuple(c + 1 if q is None else c for c, q in zip(concrete, p)))
    return cf._graph_for(tuple(shapes))


def output_specs(cf):
    """Returns ``cf``'s output structure of TensorSpecs, a dimension unknown where it differs
    between the traces for two sizes of the unknown input dimensions."""
    from tapeflow.framework import nest
    from tapeflow.framework.tensor_spec import TensorSpec
    specs = cf._output_specs()
    other = _other_graph(cf)
    if other is None:
        return specs
    flat = nest.flatten(specs)
    infos = list(other.output_info)
    if len(infos) != len(flat):
        return specs
    out = []
    for spec, info in zip(flat, infos):
        if not isinstance(spec, TensorSpec):
            out.append(spec)
            continue
        mine = spec.shape.as_list() if spec.shape.rank is not None else None
        if info is not None and mine is not None and len(info[2]) == len(mine):
            mine = [None if d is None or d != e else d for d, e in zip(mine, info[2])]
        out.append(TensorSpec(mine, spec.dtype, spec.name))
    return nest.pack_sequence_as(specs, out) if nest.is_nested(specs) else out[0]


def shape_overrides(cf):
    """Returns ``{id(node): attrs}``: the attributes to write instead of the traced ones so
    that the graph holds for every size of the unknown dimensions.

    The function is traced for a second size of each unknown dimension and the two graphs
    compared: they must be equal, except for ``Reshape`` targets that differ in exactly one
    entry (a batch size baked in by Python), which is written as -1.

    Raises:
      sm_ops.Unsupported: when the graph depends on the concrete sizes otherwise.
    """
    other = _other_graph(cf)
    if other is None:
        return {}
    mine = cf.graph
    why = sm_ops.Unsupported("its graph depends on the concrete size of an unknown dimension "
                             "(a shape computed in Python)")
    if len(other.nodes) != len(mine.nodes) or _consts_key(other) != _consts_key(mine):
        raise why
    out = {}
    for a, b in zip(mine.nodes, other.nodes):
        if _node_key(a) == _node_key(b):
            continue
        if a[0] == b[0] == "op" and a[1][0].name == b[1][0].name == "Reshape" and \
                a[2] == b[2] and set(a[1][1]) == set(b[1][1]) == {"shape"}:
            s1, s2 = tuple(a[1][1]["shape"]), tuple(b[1][1]["shape"])
            diff = [i for i, (x, y) in enumerate(zip(s1, s2)) if x != y]
            if len(s1) == len(s2) and len(diff) == 1 and -1 not in s1:
                out[id(a)] = {"shape": tuple(-1 if i == diff[0] else d
                                             for i, d in enumerate(s1))}
                continue
            i = diff[0] if len(diff) == 1 and len(s1) == len(s2) else None
            d1, d2 = mine.info[a[2][0]][2], other.info[b[2][0]][2]
            dims = [j for j in range(min(len(d1), len(d2))) if i is not None and
                    d1[j] == s1[i] and d2[j] == s2[i]]
            if dims:      # the size of an input dimension: read from the input's shape
                out[id(a)] = {"shape": s1, "dynamic": (i, dims[0])}
                continue
        raise why
    return out


def function_def(cf, fname, variable_nodes, overrides=None):
    """Returns ``(FunctionDef bytes, bound input node ids, output specs)`` for ``cf``.

    ``variable_nodes`` maps ``id(variable)`` to its object-graph node id; ``overrides``
    (from ``shape_overrides``) replaces some nodes' attributes.

    Raises:
      sm_ops.Unsupported: when the graph holds something TensorFlow's format cannot take.
    """
    from tapeflow.framework.graph.graph_exec import live_nodes
    g = cf.graph
    used, ref, info = set(), {}, {}
    inputs, arg_attrs, nodes, control = [], [], [], []
    for i, s in enumerate(g.inputs):
        name = _arg_name(cf._names[i] if i < len(cf._names) else f"args_{i}", used)
        ref[s] = name
        _, dt, _ = g.info[s]
        info[s] = (dt, g.info[s][2])
        inputs.append(F(2, F(1, name.encode()) + F(3, P.dt_enum(dt))))
        arg_attrs.append((i, P.entry(1, "_user_specified_name", P.attr_str(
            cf._names[i] if i < len(cf._names) else name))))
    handles, bound = {}, []
    for v in g.variables:
        if id(v) not in variable_nodes:
            raise sm_ops.Unsupported(f"variable {v.name} is not reachable from the saved "
                                     "object")
        name = _arg_name(re.sub(r":\d+$", "", v.name) + "_resource", used)
        handles[id(v)] = name
        bound.append(variable_nodes[id(v)])
        inputs.append(F(2, F(1, name.encode()) + F(3, P.DT_RESOURCE)))
    node_names = set(used)

    def node_name(base):
        base = re.sub(r"[^A-Za-z0-9_./-]", "_", base).lstrip("_/-") or "node"
        n, out = 0, base
        while out in node_names:
            n += 1
            out = f"{base}_{n}"
        node_names.add(out)
        return out
    for s, v in g.consts.items():
        name = node_name(g.info[s][0].rsplit(":", 1)[0])
        nodes.append(sm_ops.const_node(name, v))
        ref[s] = f"{name}:output:0"
        info[s] = (np.asarray(v).dtype, np.shape(v))
    overrides = overrides or {}
    for node in live_nodes(g):
        kind, payload, ins, outs = node
        if kind == "read":
            name = node_name(g.info[outs[0]][0].rsplit(":", 1)[0])
            dt = g.info[outs[0]][1]
            nodes.append(sm_ops.node_def(name, "ReadVariableOp", [handles[id(payload)]],
                                         {"dtype": P.attr_type(dt)}))
            ref[outs[0]] = f"{name}:value:0"
            info[outs[0]] = (dt, g.info[outs[0]][2])
        elif kind == "assign":
            var, mode = payload
            name = node_name(_ASSIGN[mode])
            nodes.append(sm_ops.node_def(name, _ASSIGN[mode], [handles[id(var)], ref[ins[0]]],
                                         {"dtype": P.attr_type(info[ins[0]][0])}))
            control.append(name)
        elif kind == "op":
            op, attrs = payload
            attrs = overrides.get(id(node), attrs)
            if getattr(op, "stateful", False):
                raise sm_ops.Unsupported(f"stateful op {op.name}")
            if len(outs) != 1:
                raise sm_ops.Unsupported(f"op {op.name} with {len(outs)} outputs")
            name = node_name(g.info[outs[0]][0].rsplit(":", 1)[0])
            made, out_ref = sm_ops.write_op(op.name, attrs, [ref[s] for s in ins],
                                            [info[s] for s in ins],
                                            g.info[outs[0]][1:], name)
            nodes.extend(made)
            ref[outs[0]] = out_ref
            info[outs[0]] = g.info[outs[0]][1:]
        else:
            raise sm_ops.Unsupported(f"a {kind!r} node (Python code or control flow)")
    outputs, ret = [], []
    out_names = set()
    for k, s in enumerate(g.outputs):
        if s is None:
            raise sm_ops.Unsupported("a Python value among the outputs")
        oname = _arg_name("identity", out_names)
        nname = node_name("Identity")
        dt = info[s][0]
        nodes.append(sm_ops.node_def(nname, "Identity", [ref[s]], {"T": P.attr_type(dt)}))
        outputs.append(F(3, F(1, oname.encode()) + F(3, P.dt_enum(dt))))
        ret.append(P.entry(4, oname, f"{nname}:output:0".encode()))
    stateful = bool(g.variables)
    sig = F(1, fname.encode()) + b"".join(inputs) + b"".join(outputs) + \
        (F(17, 1) if stateful else b"") + b"".join(F(20, c.encode()) for c in control)
    body = F(1, sig) + b"".join(F(3, n) for n in nodes) + b"".join(ret)
    body += P.entry(5, "_construction_context", P.attr_str("kEagerRuntime"))
    body += b"".join(P.entry(6, c, c.encode()) for c in control)
    body += b"".join(F(7, F(1, i) + F(2, a)) for i, a in arg_attrs)
    return body, bound


def saved_concrete_function(bound, input_sig, output_sig):
    """Returns ``SavedConcreteFunction`` bytes."""
    return b"".join(F(2, i) for i in bound) + F(3, P.structured(input_sig)) + \
        F(4, P.structured(output_sig))


def library(function_defs, nodes=()):
    """Returns a ``GraphDef`` (nodes, versions and function library) holding ``function_defs``."""
    lib = b"".join(F(1, f) for f in function_defs)
    return b"".join(F(1, n) for n in nodes) + (F(2, lib) if lib else b"") + \
        F(4, F(1, 2474) + F(2, 12))
