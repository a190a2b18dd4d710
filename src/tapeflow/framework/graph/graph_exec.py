"""Running a ``FuncGraph``: a generated straight-line Python function on arrays, or ops.

``compile_fast`` turns the node list into the source of one Python function whose
locals are the slots (``s3 = F0(s1, s2)``), so a replay costs one kernel call per node
with no dispatch, conversion or tape bookkeeping. Dead nodes (whose outputs nothing uses
and that change nothing) are dropped first. ``run_ops`` runs the same nodes through the
op mechanism instead, so that recording tapes (or an enclosing trace) see every op; it
is what a call under ``tf.GradientTape`` uses, which makes traced functions
differentiable to any order.
"""
import os

import numpy as np

from tapeflow.framework import nest
from tapeflow.framework import primitive as _prim
from tapeflow.framework.graph.func_graph import leaves, rebuild
from tapeflow.framework.graph.fusion import plan_inplace, ufunc_of
from tapeflow.framework.tensor import Tensor

_PURE = ("op", "read")
# TAPEFLOW_FUSE=0 turns the out= chains off (for measuring them)
_FUSE = os.environ.get("TAPEFLOW_FUSE", "1") != "0"


def live_nodes(graph):
    """Returns the nodes needed for the outputs or for their side effects, in order."""
    used = {s for s in graph.outputs if type(s) is int}
    keep = []
    for node in reversed(graph.nodes):
        kind, payload, ins, outs = node
        if kind not in _PURE or any(s in used for s in outs) or (
                kind == "op" and getattr(payload[0], "stateful", False)):
            keep.append(node)
            used.update(ins)
    keep.reverse()
    return keep


def _call_node(fn, args, kwargs, n_out):
    """Returns ``g(*arrays) -> tuple of arrays`` calling ``fn`` with the traced arguments."""
    structure = (args, kwargs)
    flat = leaves(structure, [])
    where = [i for i, x in enumerate(flat) if isinstance(x, Tensor)]

    def call(*arrays):
        new = list(flat)
        for i, a in zip(where, arrays):
            new[i] = Tensor(a)
        a, k = rebuild(structure, iter(new))
        result = fn(*a, **k)
        outs = [x._value for x in nest.flatten(result) if isinstance(x, Tensor)]
        return tuple(outs)
    return call


def compile_fast(graph):
    """Returns ``replay(*input_arrays) -> list of output arrays`` for ``graph``."""
    ns = {"_np": np}
    body = []
    for s, v in graph.consts.items():
        ns[f"s{s}"] = v
    errstates = getattr(graph, "errstates", {})
    nodes = live_nodes(graph)
    dead = _dead_after(graph, nodes)
    inplace = plan_inplace(graph, nodes) if _FUSE else {}
    for i, node in enumerate(nodes):
        if i and dead[i - 1]:    # buffers nothing reads again are released at once
            body.append("del " + ", ".join(f"s{s}" for s in dead[i - 1]))
        kind, payload, ins, outs = node
        args = ", ".join(f"s{s}" for s in ins)
        err = errstates.get(id(node))
        if err is not None:     # the node runs under the NumPy error handling it was traced in
            kind, payload = "call", (_with_errstate(_node_fn(kind, payload, len(outs)), err),
                                     None)
        lhs = ", ".join(f"s{s}" for s in outs) + ("," if len(outs) == 1 and kind not in (
            "op", "read") else "")
        if kind == "op":
            op, attrs = payload
            ns[f"F{i}"] = op.forward
            if attrs:
                ns[f"A{i}"] = attrs
                args += ", **A%d" % i
            if op.num_outputs != 1:
                lhs += ","
            if i in inplace:   # write into a dead input's buffer (fusion.py)
                ns[f"U{i}"] = ufunc_of(node, errstates)
                body.append(f"try:\n        {lhs} = U{i}({args}, out=s{inplace[i]}, "
                            f"casting='no')\n    except (TypeError, ValueError):\n"
                            f"        {lhs} = F{i}({args})")
            else:
                body.append(f"{lhs} = F{i}({args})")
        elif kind == "read":
            ns[f"V{i}"] = payload
            body.append(f"{lhs} = V{i}._tensor._value")
        elif kind == "assign":
            var, mode = payload
            ns[f"V{i}"] = var
            new = {"assign": f"_np.array(s{ins[0]})",
                   "assign_add": f"V{i}._tensor._value + s{ins[0]}",
                   "assign_sub": f"V{i}._tensor._value - s{ins[0]}"}[mode]
            body.append(f"V{i}._set({new}, False)")
        else:
            ns[f"P{i}"] = _node_callable(kind, payload)
            body.append(f"{lhs} = P{i}({args})" if outs else f"P{i}({args})")
    outs = ", ".join(f"s{s}" if type(s) is int else "None" for s in graph.outputs)
    body.append(f"return [{outs}]")
    src = "def replay(%s):\n    " % ", ".join(f"s{s}" for s in graph.inputs)
    src += "\n    ".join(body) + "\n"
    if os.environ.get("TAPEFLOW_FUNCTION_DEBUG"):
        print(f"# tf.function {graph.name}: {len(graph.nodes)} nodes traced, "
              f"{len(nodes)} replayed\n{src}")
    graph.source = src
    exec(compile(src, f"<tf.function {graph.name}>", "exec"), ns)  # noqa: S102 (own code)
    return ns["replay"]


def _dead_after(graph, nodes):
    """Returns, per node, the local slots that no later node reads and that are not outputs
    (``del``-ed after it, so that no replay local keeps an array alive: variables' arrays
    then have no other holder when an optimizer updates them in place)."""
    keep = {s for s in graph.outputs if type(s) is int} | set(graph.consts)
    last = {s: -1 for s in graph.inputs}
    for i, (_, _, ins, outs) in enumerate(nodes):
        for s in ins:
            last[s] = i
        for s in outs:
            last.setdefault(s, i)
    dead = [[] for _ in nodes]
    for s, i in last.items():
        if s not in keep and i >= 0:
            dead[i].append(s)
    return [sorted(d) for d in dead]


def _node_fn(kind, payload, n_out):
    """Returns ``g(*arrays) -> tuple of arrays`` running one node on arrays."""
    if kind == "op":
        op, attrs = payload
        fwd, multi = op.forward, op.num_outputs != 1
        return lambda *a: tuple(fwd(*a, **attrs)) if multi else (fwd(*a, **attrs),)
    if kind == "read":
        return lambda: (payload._tensor._value,)
    if kind == "assign":
        var, mode = payload

        def assign(x):
            new = {"assign": lambda: np.array(x),
                   "assign_add": lambda: var._tensor._value + x,
                   "assign_sub": lambda: var._tensor._value - x}[mode]()
            var._set(new, False)
            return ()
        return assign
    return _node_callable(kind, payload)


def _with_errstate(fn, err):
    def run(*arrays):
        with np.errstate(**err):
            return fn(*arrays)
    return run


def _node_callable(kind, payload):
    if kind == "call" and payload[1] is None:
        return payload[0]
    if kind == "call":
        return _call_node(*payload)
    raise ValueError(f"unknown graph node kind {kind!r}")


def run_ops(graph, inputs):
    """Runs ``graph`` on Tensors through the op mechanism; returns the output Tensors."""
    vals = dict(zip(graph.inputs, inputs))
    consts = getattr(graph, "const_tensors", None)
    if consts is None:
        consts = graph.const_tensors = {s: Tensor(v) for s, v in graph.consts.items()}
    vals.update(consts)
    errstates = getattr(graph, "errstates", {})
    for node in live_nodes(graph):
        kind, payload, ins, outs = node
        args = [vals[s] for s in ins]
        err = errstates.get(id(node))
        if err is not None:
            with np.errstate(**err):
                results = _run_node_op(kind, payload, args)
        else:
            results = _run_node_op(kind, payload, args)
        for s, t in zip(outs, results):
            vals[s] = t
    return [vals[s] if type(s) is int else None for s in graph.outputs]


def _run_node_op(kind, payload, args):
    """Runs one node on Tensors through the op mechanism; returns its output Tensors."""
    if kind == "op":
        op, attrs = payload
        r = _prim.run(op, args, attrs)
        return r if op.num_outputs != 1 else (r,)
    if kind == "read":
        return (payload.read_value(),)
    if kind == "assign":
        var, mode = payload
        getattr(var, mode)(args[0], read_value=False)
        return ()
    if kind == "call":
        fn, a, k, _ = payload
        it = iter(args)
        flat = [next(it) if isinstance(x, Tensor) else x for x in leaves((a, k), [])]
        a, k = rebuild((a, k), iter(flat))
        return [x for x in nest.flatten(fn(*a, **k)) if isinstance(x, Tensor)]
    return payload.run(args)
