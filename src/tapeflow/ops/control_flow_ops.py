"""Control flow: ``tf.cond``, ``tf.case``, ``tf.switch_case``, ``tf.while_loop``.

Eagerly these run the Python callables directly (the tape records the ops of the branch
taken, or of each iteration). Inside a ``tf.function`` trace, a condition or loop that
depends on traced values becomes one op whose attributes hold the traced sub-graphs of
every branch (``If``/``Case``) or of the loop's condition and body (``While``); replaying
runs the selected sub-graph. The gradient of ``If``/``Case`` is again a switch over the
branches' gradients (traced too, so any order works); the gradient of ``While``
recomputes the loop under a tape (inside a trace that is not capturable: the signature
then runs eagerly).
"""
from tapeflow.framework import nest
from tapeflow.framework.graph import calls, func_graph, graph_exec, subgraph
from tapeflow.framework.primitive import Op
from tapeflow.framework.tape import GradientTape
from tapeflow.framework.tensor import Tensor, convert_to_tensor


class _ControlOp(Op):
    """An op made per control-flow call; ``stateful`` when its sub-graphs read or write
    variables or run Python (never folded or dropped)."""

    __slots__ = ("stateful",)


def _truth(pred):
    v = pred._value if isinstance(pred, Tensor) else pred
    return bool(v)


def _symbolic(x):
    tr = func_graph.current()
    return tr is not None and isinstance(x, Tensor) and tr.is_symbolic(x)


def _pack(template, flat):
    it = iter(flat)
    return nest.pack_sequence_as(template, [
        next(it) if x is not None else None for x in nest.flatten(template)]) if nest.is_nested(
        template) else next(it) if template is not None else None


def _switch(index, fns, select, kind):
    """Runs ``fns[select(index)]()``; traced as one op when ``index`` is traced."""
    if not _symbolic(index):
        return fns[select(index._value if isinstance(index, Tensor) else index)]()
    graphs, results = [], []
    for i, fn in enumerate(fns):
        g, _, res = subgraph.trace(lambda *_, fn=fn: fn(), [], f"{kind.lower()}_branch{i}")
        graphs.append(g)
        results.append(res)
    for g in graphs[1:]:
        if g.out_dtypes != graphs[0].out_dtypes:
            raise ValueError(f"The branches of {kind} return different structures or dtypes: "
                             f"{graphs[0].out_dtypes} and {g.out_dtypes}")
    union, where = [], {}
    for g in graphs:
        for t in g.captures:
            if id(t) not in where:
                where[id(t)] = len(union)
                union.append(t)
    maps = [[where[id(t)] for t in g.captures] for g in graphs]
    n_out = len(graphs[0].outputs)

    def forward(idx, *caps):
        tr = func_graph.current()
        if tr is not None:
            tr.suspended += 1
        try:
            i = select(idx)
            out = graphs[i].replay(*[caps[j] for j in maps[i]])
        finally:
            if tr is not None:
                tr.suspended -= 1
        return out[0] if n_out == 1 else out

    op = _ControlOp(kind, forward, n_out)
    op.stateful = not all(g.pure for g in graphs)
    op.grad_fn = _switch_grad(graphs, maps, select, kind)
    out = op(index, *union)
    return _pack(results[0], [out] if n_out == 1 else out)


def _switch_grad(graphs, maps, select, kind):
    def grad(rec, *dys):
        index, caps = rec.inputs[0], list(rec.inputs[1:])
        wanted = [k for k, c in enumerate(caps) if c._value.dtype.kind in "fc"]

        def branch(i):
            def fn():
                own = [caps[j] for j in maps[i]]
                with GradientTape() as tape:
                    tape.watch([caps[k] for k in wanted])
                    outs = graph_exec.run_ops(graphs[i], own)
                return tape.gradient(outs, [caps[k] for k in wanted], output_gradients=list(
                    dys), unconnected_gradients="zero")
            return fn
        gs = _switch(index, [branch(i) for i in range(len(graphs))], select, kind) \
            if wanted else []
        result = [None] * len(rec.inputs)
        for k, g in zip(wanted, gs):
            result[1 + k] = g
        return result
    return grad


def cond(pred, true_fn=None, false_fn=None, name=None):
    """Returns ``true_fn()`` if ``pred`` else ``false_fn()`` (both traced inside tf.function).

    Raises:
      TypeError: if a branch is missing or not callable.
    """
    if true_fn is None:
        raise TypeError("cond(): 'true_fn' argument required")
    if false_fn is None:
        raise TypeError("cond(): 'false_fn' argument required")
    if not callable(true_fn) or not callable(false_fn):
        raise TypeError("true_fn and false_fn must be callable.")
    if not isinstance(pred, Tensor):
        pred = convert_to_tensor(pred)
    if pred._value.ndim != 0 and pred._value.size != 1:
        raise ValueError("The truth value of an array with more than one element is "
                         "ambiguous. Use a.any() or a.all()")
    return _switch(pred, [true_fn, false_fn], lambda v: 0 if bool(v) else 1, "If")


def switch_case(branch_index, branch_fns, default=None, name="switch_case"):
    """Returns ``branch_fns[branch_index]()``; ``default()`` (or the last branch) when out
    of range."""
    if isinstance(branch_fns, dict):
        branch_fns = [branch_fns[k] for k in sorted(branch_fns)]
    elif branch_fns and isinstance(branch_fns[0], (list, tuple)):
        branch_fns = [f for _, f in sorted(branch_fns, key=lambda p: p[0])]
    fns = list(branch_fns) + ([default] if default is not None else [])
    n = len(branch_fns)
    if not isinstance(branch_index, Tensor):
        branch_index = convert_to_tensor(branch_index)

    def select(v):
        v = int(v)
        return v if 0 <= v < n else len(fns) - 1
    return _switch(branch_index, fns, select, "Case")


def case(pred_fn_pairs, default=None, exclusive=False, strict=False, name="case"):
    """Runs the callable of the first pair whose predicate is True, else ``default``
    (without one, the last pair's callable). ``exclusive`` is not checked (TensorFlow's eager
    ``case`` does not check it either)."""
    pairs = list(pred_fn_pairs.items()) if isinstance(pred_fn_pairs, dict) else list(
        pred_fn_pairs)
    if default is None:
        pairs, default = pairs[:-1], pairs[-1][1]

    def chain(i):
        if i == len(pairs):
            return default()
        return cond(pairs[i][0], pairs[i][1], lambda: chain(i + 1))
    return chain(0)


def _as_list(structure, result, what):
    flat = nest.flatten(result)
    if len(flat) != len(nest.flatten(structure)):
        raise ValueError(f"The two structures don't have the same nested structure.\n\n"
                         f"First structure: {structure!r}\n\nSecond structure: {result!r}")
    return flat


def while_loop(cond, body, loop_vars, shape_invariants=None, parallel_iterations=10,
               back_prop=True, swap_memory=False, maximum_iterations=None, name=None):
    """Repeats ``loop_vars = body(*loop_vars)`` while ``cond(*loop_vars)``.

    Returns:
      The loop variables after the loop, in ``loop_vars``' structure.

    Raises:
      TypeError: if ``cond`` or ``body`` is not callable.
      ValueError: if ``body`` returns another structure.
    """
    if not callable(cond) or not callable(body):
        raise TypeError("'cond' and 'body' must be callable.")
    if loop_vars is None or (isinstance(loop_vars, (list, tuple)) and not loop_vars):
        raise ValueError("'loop_vars' must be provided.")
    seq = isinstance(loop_vars, (list, tuple))

    def call(fn, vs):
        return fn(*vs) if seq else fn(vs)

    flat = [x if isinstance(x, Tensor) or hasattr(x, "_elems") else convert_to_tensor(x)
            for x in nest.flatten(loop_vars)]
    vs = nest.pack_sequence_as(loop_vars, flat) if nest.is_nested(loop_vars) else flat[0]
    maxit = maximum_iterations
    if _symbolic(maxit):
        raise func_graph.Uncapturable("a traced maximum_iterations")
    maxit = None if maxit is None else int(maxit._value if isinstance(maxit, Tensor) else maxit)
    tr = func_graph.current()
    if tr is None or not _traced_loop(flat, tr):
        i = 0
        while (maxit is None or i < maxit) and _truth(call(cond, vs)):
            r = call(body, vs)
            if seq and not isinstance(r, (list, tuple)):
                r = [r] if len(flat) == 1 else r
            vs = nest.pack_sequence_as(loop_vars, _as_list(loop_vars, r, "body")) \
                if nest.is_nested(loop_vars) else nest.flatten(r)[0]
            i += 1
        return vs
    return _traced_while(cond, body, loop_vars, flat, call, seq, maxit)


def _traced_loop(flat, tr):
    if any(hasattr(x, "_elems") for x in flat):
        raise func_graph.Uncapturable("a TensorArray in a traced while_loop")
    return True


def _traced_while(cond, body, loop_vars, flat, call, seq, maxit):
    def wrap(fn):
        def f(*xs):
            vs = nest.pack_sequence_as(loop_vars, list(xs)) if nest.is_nested(loop_vars) \
                else xs[0]
            r = call(fn, vs)
            if fn is body and seq and not isinstance(r, (list, tuple)) and len(flat) == 1:
                r = [r]
            return r
        return f
    cg, _, _ = subgraph.trace(wrap(cond), flat, "while_cond")
    bg, _, res = subgraph.trace(wrap(body), flat, "while_body")
    _as_list(loop_vars, res, "body")
    for a, b in zip(bg.out_dtypes, flat):
        if a != b._value.dtype:
            raise TypeError(f"The body of the while_loop changes a loop variable's dtype from "
                            f"{b.dtype.name} to {a}")
    union, where = [], {}
    for g in (cg, bg):
        for t in g.captures:
            if id(t) not in where:
                where[id(t)] = len(union)
                union.append(t)
    cmap = [where[id(t)] for t in cg.captures]
    bmap = [where[id(t)] for t in bg.captures]
    n = len(flat)

    def forward(*arrays):
        tr = func_graph.current()
        if tr is not None:
            tr.suspended += 1
        try:
            vs, caps = list(arrays[:n]), arrays[n:]
            cc = [caps[j] for j in cmap]
            bc = [caps[j] for j in bmap]
            i = 0
            while (maxit is None or i < maxit) and cg.replay(*vs, *cc)[0]:
                new = bg.replay(*vs, *bc)
                if tr is not None and any(getattr(a, "shape", ()) != getattr(b, "shape", ())
                                          for a, b in zip(new, vs)):
                    raise func_graph.Uncapturable("a while_loop variable that changes shape")
                vs = new
                i += 1
        finally:
            if tr is not None:
                tr.suspended -= 1
        return vs[0] if n == 1 else vs

    op = _ControlOp("While", forward, n)
    op.stateful = not (cg.pure and bg.pure)
    op.grad_fn = _while_grad(cg, bg, cmap, bmap, n, maxit)
    result = op(*flat, *union)
    result = [result] if n == 1 else result
    return nest.pack_sequence_as(loop_vars, result) if nest.is_nested(loop_vars) else result[0]


def _while_grad(cg, bg, cmap, bmap, n, maxit):
    def grad(rec, *dys):
        ins = list(rec.inputs)
        # a tensor both a loop variable and a capture is one tensor (one gradient): each
        # position's first occurrence, so that a replay (new Tensors) keeps the aliasing
        pos = {}
        first = [pos.setdefault(id(t), k) for k, t in enumerate(ins)]
        wanted = [k for k, t in enumerate(ins) if t._value.dtype.kind in "fc" and first[k] == k]
        tr = func_graph.current()
        if tr is not None and not tr.suspended:
            # Inside a trace: the gradient (the loop recomputed under a tape) becomes one
            # call node that runs it again on every replay -- unless a tape inside the
            # trace records this backward pass (a higher-order gradient): not capturable.
            if calls.tape_recording_inside(tr):
                raise func_graph.Uncapturable("a higher-order gradient through a traced "
                                              "while_loop")
            return calls.record_call(eager_grad, (ins, list(dys), wanted, first), {},
                                     True)[1]
        return eager_grad(ins, list(dys), wanted, first)

    def eager_grad(ins, dys, wanted, first):
        ins = [ins[j] for j in first]
        caps = ins[n:]
        with GradientTape() as tape:
            tape.watch([ins[k] for k in wanted])
            vs = ins[:n]
            i = 0
            while (maxit is None or i < maxit) and _truth(
                    graph_exec.run_ops(cg, vs + [caps[j] for j in cmap])[0]):
                vs = graph_exec.run_ops(bg, vs + [caps[j] for j in bmap])
                i += 1
        gs = tape.gradient(vs, [ins[k] for k in wanted], output_gradients=list(dys),
                           unconnected_gradients="zero")
        result = [None] * len(ins)
        for k, g in zip(wanted, gs):
            result[k] = g
        return result
    return grad
