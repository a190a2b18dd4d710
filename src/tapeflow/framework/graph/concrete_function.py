"""``ConcreteFunction``: one trace of a ``tf.function`` (its graph, signature and outputs).

``trace`` runs the Python function once under a ``func_graph.Tracer`` on fresh copies of
the argument tensors (their text shows the signature's shape, ``Tensor("x:0", ...)``),
then restores the variables it wrote, makes the traced tensors raise if they leak, and
compiles the graph. A concrete function whose signature has unknown dimensions keeps one
graph per concrete input shape: a shape not seen yet is traced again silently (Python
``print`` output is swallowed; other Python side effects happen again) — values computed
in Python from a shape are only right for that shape.
"""
import contextlib
import copy
import io

import numpy as np

from tapeflow.framework import context as _context, dtypes, nest
from tapeflow.framework import primitive as _prim
from tapeflow.framework.errors import InvalidArgumentError
from tapeflow.framework.graph import func_graph, graph_exec
from tapeflow.framework.tensor import Tensor, convert_to_tensor
from tapeflow.framework.tensor_shape import TensorShape
from tapeflow.framework.tensor_spec import TensorSpec

_PY_LEAF = (int, float, bool, str, bytes, np.generic)


def _synthetic(spec):
    shape = tuple(2 if d is None else d for d in spec.shape.as_list()) \
        if spec.shape.rank is not None else ()
    npd = spec.dtype._np
    if npd.kind in "OSU":
        return Tensor(np.full(shape, b"", dtype=object))
    return Tensor(np.ones(shape, npd))


def trace(python_function, name, call, pattern, param_names):
    """Traces ``python_function(*args, **kwargs)`` for ``call = (args, kwargs)``.

    Tensor leaves (and ``TensorSpec`` leaves, traced on synthetic values) become inputs.

    Returns:
      ``(graph, output_template)``.

    Raises:
      func_graph.Uncapturable: when the dataflow cannot be recorded.
    """
    graph = func_graph.FuncGraph(name)
    tracer = func_graph.Tracer(graph)
    flat = nest.flatten(call)
    new, k = [], 0
    for leaf in flat:
        if isinstance(leaf, (Tensor, np.ndarray, TensorSpec)):
            t = _synthetic(leaf) if isinstance(leaf, TensorSpec) else Tensor(
                convert_to_tensor(leaf)._value)
            s = tracer.bind(t, param_names[k] if k < len(param_names) else f"args_{k}")
            tracer.input_shapes[s] = TensorShape(pattern[k])
            graph.inputs.append(s)
            k += 1
            leaf = t
        new.append(leaf)
    args, kwargs = nest.pack_sequence_as(call, new)
    func_graph.push(tracer)
    try:
        result = python_function(*args, **kwargs)
        outs = []
        for leaf in nest.flatten(result):
            if getattr(leaf, "_is_variable", False):
                leaf = leaf._tensor
            elif isinstance(leaf, _PY_LEAF) or (leaf is not None and not isinstance(
                    leaf, Tensor) and hasattr(type(leaf), "__tf_tensor__")):
                leaf = convert_to_tensor(leaf)
            outs.append(leaf)
        graph.outputs = [tracer.slot(t) if isinstance(t, Tensor) else None for t in outs]
        graph.output_info = [graph.info[s] if s is not None else None for s in graph.outputs]
        template = nest.pack_sequence_as(result, [
            None if isinstance(t, Tensor) else t for t in outs]) if nest.is_nested(
                result) else (None if isinstance(result, Tensor) or outs[0] is not result
                              else result)
    finally:
        func_graph.pop(tracer)
        tracer.restore()
    tracer.poison()
    graph.replay = graph_exec.compile_fast(graph)
    return graph, template


def _concrete(graph):
    """Returns the concrete input shapes a graph was traced on."""
    return tuple(graph.info[s][2] for s in graph.inputs)


def same_structure(a, b):
    """Returns True when graphs ``a`` and ``b`` (traced for two concrete shapes of one
    signature) are the same program: the same nodes over the same slots with equal
    attributes, the same constants and outputs. Sub-graph nodes (``cond``/``while``) and
    anything not comparable count as different."""
    if len(a.nodes) != len(b.nodes) or a.inputs != b.inputs or a.outputs != b.outputs \
            or a.consts.keys() != b.consts.keys():
        return False
    if any(not _equal(a.consts[k], b.consts[k]) for k in a.consts):
        return False
    ea, eb = getattr(a, "errstates", {}), getattr(b, "errstates", {})
    for na, nb in zip(a.nodes, b.nodes):
        if na[0] != nb[0] or na[2] != nb[2] or na[3] != nb[3] or \
                ea.get(id(na)) != eb.get(id(nb)):
            return False
        kind, pa, pb = na[0], na[1], nb[1]
        if kind == "op":
            if pa[0] is not pb[0] or not _equal(pa[1], pb[1]):
                return False
        elif kind == "read":
            if pa is not pb:
                return False
        elif kind == "assign":
            if pa[0] is not pb[0] or pa[1] != pb[1]:
                return False
        elif kind == "call":
            if pa[0] is not pb[0] or not _equal_leaves(pa[1:3], pb[1:3]):
                return False
        else:
            return False
    return True


def _equal(x, y):
    """Returns True for equal attribute values (arrays by dtype, shape and contents)."""
    if type(x) is not type(y):
        return False
    if isinstance(x, np.ndarray):
        return x.dtype == y.dtype and x.shape == y.shape and bool(np.array_equal(x, y))
    if isinstance(x, (list, tuple)):
        return len(x) == len(y) and all(_equal(p, q) for p, q in zip(x, y))
    if isinstance(x, dict):
        return x.keys() == y.keys() and all(_equal(x[k], y[k]) for k in x)
    if isinstance(x, (int, float, str, bool, bytes, type(None), np.generic, np.dtype)):
        return bool(x == y) if not isinstance(x, np.generic) else (
            x.dtype == y.dtype and bool(x == y))
    return x is y


def _equal_leaves(x, y):
    """Like ``_equal`` for a call node's arguments, Tensors compared by position only."""
    lx, ly = func_graph.leaves(x, []), func_graph.leaves(y, [])
    return len(lx) == len(ly) and all(
        (isinstance(p, Tensor) and isinstance(q, Tensor)) or _equal(p, q)
        for p, q in zip(lx, ly))


def _spec_text(v):
    if isinstance(v, TensorSpec):
        return f"TensorSpec(shape={v.shape}, dtype={v.dtype!r}, name=None)"
    if isinstance(v, dict):
        items = ", ".join(f"[{k!r}, {_spec_text(v[k])}]" for k in sorted(v))
        return f"Dict[{items}]"
    if isinstance(v, (list, tuple)):
        kind = "List" if isinstance(v, list) else "Tuple"
        return f"{kind}[{', '.join(_spec_text(x) for x in v)}]"
    if v is None or isinstance(v, _PY_LEAF):
        return f"Literal[{v!r}]"
    return f"{type(v).__name__}"


class _GraphTensor:
    """A traced output as ``structured_outputs`` shows it (TensorFlow's symbolic tensor)."""

    def __init__(self, name, dtype, shape):
        self.name, self.dtype, self.shape = name, dtype, shape

    def __repr__(self):
        return f"<tf.Tensor '{self.name}' shape={self.shape} dtype={self.dtype.name}>"

    __str__ = __repr__


class ConcreteFunction:
    """A traced function for one input signature; call it with tensors."""

    def __init__(self, python_function, name, call, pattern, params, param_names):
        self._python_function = python_function
        self._name = name
        self._call = call            # (args, kwargs) of the trace (Python values kept)
        self._pattern = pattern      # the signature's shape per tensor input (None: any)
        self._params = params        # [(name, kind, structured value)] for the text
        self._names = param_names
        self._graphs = {}
        self._generic = None         # the graph every concrete shape replays, once proven
        self._eager = set()
        self.graph, self._template = trace(python_function, name, call, pattern, param_names)
        self._graphs[tuple(self.graph.info[s][2] for s in self.graph.inputs)] = self.graph

    def _graph_for(self, shapes):
        g = self._graphs.get(shapes)
        if g is None and self._generic is not None:
            g = self._graphs[shapes] = self._generic
        if g is None:
            flat = nest.flatten(self._call)
            it = iter(shapes)
            flat = [_synthetic(TensorSpec(next(it), x.dtype)) if isinstance(
                x, (Tensor, TensorSpec)) else x for x in flat]
            with contextlib.redirect_stdout(io.StringIO()):
                g, _ = trace(self._python_function, self._name,
                             nest.pack_sequence_as(self._call, flat), self._pattern, self._names)
            self._graphs[shapes] = g
            if _concrete(g) != _concrete(self.graph) and same_structure(self.graph, g):
                # Two shapes gave the same graph (no shape baked into an attribute or a
                # folded constant): it replays every shape of the signature, untraced
                # (its output shapes unknown where the two traces' differ).
                generic = copy.copy(self.graph)
                generic.output_info = [
                    a if a is None or b is None or a[2] == b[2] or len(a[2]) != len(b[2])
                    else a[:2] + (tuple(x if x == y else None for x, y in zip(a[2], b[2])),)
                    for a, b in zip(self.graph.output_info, g.output_info)]
                self._generic = generic
        return g

    def _run(self, graph, tensors):
        """Runs ``graph`` on Tensors; returns the structured result."""
        recording = False
        if _prim._tapes:
            for tape in _context.state.tapes:
                if tape._recording:
                    recording = True
                    break
        if recording:
            outs = graph_exec.run_ops(graph, tensors)
        else:
            try:
                arrays = graph.replay(*[t._value for t in tensors])
            except (ValueError, IndexError, TypeError, FloatingPointError,
                    np.linalg.LinAlgError):
                graph_exec.run_ops(graph, tensors)   # raises TensorFlow's error
                raise
            outs = [None if a is None else Tensor(a) for a in arrays]
        tmpl = self._template
        if tmpl is None and len(outs) == 1:
            return outs[0]
        flat = nest.flatten(tmpl)
        return nest.pack_sequence_as(tmpl, [o if o is not None else p for o, p in zip(
            outs, flat)]) if nest.is_nested(tmpl) else outs[0]

    def __call__(self, *args, **kwargs):
        tensors = [x for x in nest.flatten((args, kwargs)) if isinstance(x, (Tensor, np.ndarray))
                   or getattr(x, "_is_variable", False)]
        if len(tensors) != len(self._pattern):
            raise TypeError(f"{self._name}() expected {len(self._pattern)} Tensor arguments, "
                            f"got {len(tensors)}")
        tensors = [convert_to_tensor(t) for t in tensors]
        for i, (t, s) in enumerate(zip(tensors, self.graph.inputs)):
            want = dtypes.as_dtype(self.graph.info[s][1])
            if t.dtype is not want:
                n = f"__inference_{self._name}"
                raise InvalidArgumentError(None, n, (
                    f"cannot compute {n} as input #{i}(zero-based) was expected to be a "
                    f"{_prim._c_name(want)} tensor but is a {_prim._c_name(t.dtype)} tensor "
                    f"[Op:{n}]"))
            if not TensorShape(self._pattern[i]).is_compatible_with(t.shape):
                raise InvalidArgumentError(None, self._name, (
                    f"Input #{i} of {self._name} has shape {t.shape}, not compatible with "
                    f"{TensorShape(self._pattern[i])}"))
        return self._run(self._graph_for(tuple(t._value.shape for t in tensors)), tensors)

    # -- introspection ---------------------------------------------------------
    @property
    def structured_input_signature(self):
        """Returns ``(args, kwargs)`` with TensorSpecs (named by parameter) for tensors."""
        it = iter(zip(self._pattern, self.graph.inputs, self._names))

        def spec(x):
            if isinstance(x, (Tensor, TensorSpec, np.ndarray)):
                shape, s, name = next(it)
                return TensorSpec(shape, dtypes.as_dtype(self.graph.info[s][1]), name)
            return x
        args, kwargs = self._call
        return tuple(nest.map_structure(spec, list(args))), nest.map_structure(spec, kwargs)

    def _output_specs(self, as_graph_tensor=False):
        relaxed = {d for p, s in zip(self._pattern, self.graph.inputs)
                   for d, q in zip(self.graph.info[s][2], p) if q is None}
        specs = []
        for info in self.graph.output_info:
            if info is None:
                specs.append(None)
                continue
            name, dt, shape = info
            shape = TensorShape([None if d in relaxed else d for d in shape])
            dt = dtypes.as_dtype(dt)
            specs.append(_GraphTensor(name, dt, shape) if as_graph_tensor else
                         TensorSpec(shape, dt))
        flat = nest.flatten(self._template)
        specs = [s if s is not None else p for s, p in zip(specs, flat)]
        return nest.pack_sequence_as(self._template, specs) if nest.is_nested(
            self._template) else specs[0]

    @property
    def structured_outputs(self):
        """Returns the outputs' structure with symbolic tensors for the tensors."""
        return self._output_specs(True)

    @property
    def output_dtypes(self):
        """Returns the output dtypes, in the outputs' structure."""
        return nest.map_structure(lambda s: getattr(s, "dtype", None), self._output_specs())

    @property
    def output_shapes(self):
        """Returns the output shapes, in the outputs' structure."""
        return nest.map_structure(lambda s: getattr(s, "shape", None), self._output_specs())

    @property
    def variables(self):
        """Returns the variables the function reads or writes."""
        return tuple(self.graph.variables)

    trainable_variables = property(lambda self: tuple(
        v for v in self.graph.variables if v.trainable))

    def _input_text(self):
        it = iter(self._pattern)

        def spec(x):
            if isinstance(x, (Tensor, TensorSpec, np.ndarray)):
                return TensorSpec(next(it), dtypes.as_dtype(
                    getattr(x, "dtype", None) or convert_to_tensor(x).dtype))
            return x
        return [(n, kind, _spec_text(nest.map_structure(spec, v))) for n, kind, v in
                self._params]

    def pretty_printed_signature(self, verbose=True):
        """Returns the signature as TensorFlow prints it."""
        lines = ["Input Parameters:"]
        lines += [f"  {n} ({kind}): {text}" for n, kind, text in self._input_text()]
        lines += ["Output Type:", "  " + _spec_text(self._output_specs()), "Captures:"]
        caps = [f"  {id(v)}: TensorSpec(shape=(), dtype=tf.resource, name=None)"
                for v in self.graph.variables]
        lines += caps or ["  None"]
        return "\n".join(lines)

    def __repr__(self):
        ins = ", ".join(f"{n}: {t}" for n, _, t in self._input_text())
        return (f"<ConcreteFunction ({ins}) -> {_spec_text(self._output_specs())} "
                f"at 0x{id(self):X}>")
