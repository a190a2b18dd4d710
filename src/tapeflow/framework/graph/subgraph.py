"""Sub-graphs for control flow inside a trace (the branches of ``cond``, a loop's body).

A ``SubTracer`` records like a ``Tracer``; a traced tensor of an enclosing trace that it
meets becomes one of its inputs (a capture), and so does a variable read that no write in
the sub-graph precedes (read in the enclosing graph, so that tapes see it as an input of
the control-flow op). Variables written while tracing a sub-graph are restored afterwards
(to fresh tensor objects, so that later reads become new read nodes).
"""
from tapeflow.framework import nest
from tapeflow.framework.graph import func_graph, graph_exec
from tapeflow.framework.tensor import Tensor, convert_to_tensor


class SubTracer(func_graph.Tracer):
    """Records a sub-graph; looks tensors up in the enclosing tracer."""

    def __init__(self, graph, parent, inner=frozenset()):
        super().__init__(graph)
        self.parent = parent
        self.captures = []      # enclosing tensors, one per capture input
        self.written = set()
        self.inner = inner      # ids of variables read inside even before their write
        self.read_outside = set()
        self.late = set()       # variables read outside, then written: need a retrace

    def is_symbolic(self, t):
        s = self.slot_of.get(id(t))
        if s is not None:
            return s in self.symbolic
        return self.parent.is_symbolic(t)

    def slot(self, t):
        s = self.slot_of.get(id(t))
        if s is None and self.parent.is_symbolic(t):
            s = self.bind(t, self._name("capture"))
            self.graph.inputs.append(s)
            self.captures.append(t)
            return s
        return super().slot(t)

    def read(self, var, t):
        if self.suspended or id(t) in self.slot_of:
            return
        if id(var) in self.written or id(var) in self.inner:
            return super().read(var, t)
        self.read_outside.add(id(var))
        self.parent.read(var, t)     # read outside: an input of the control-flow op
        self.slot(t)
        for tape in self._outer:     # the paused tapes watch it, as a read outside would
            if not tape._tracing and tape._recording and tape._watch_accessed and getattr(
                    var, "trainable", False):
                tape._watch_variable(var)

    def save(self, var):
        if id(var) in self.read_outside:
            self.late.add(id(var))   # a loop body would see the value from before the loop
        self.written.add(id(var))
        self.parent.save(var)
        super().save(var)

    def restore(self):
        for var, t in self.saved.values():
            func_graph._SLOT.__set__(var, Tensor(t._value))

    def poison(self):
        outer = {id(t) for t in self.captures}
        self.keep = [t for t in self.keep if id(t) not in outer]
        super().poison()


def trace(fn, inputs, name, inner=frozenset()):
    """Traces ``fn(*inputs)`` (fresh copies of the Tensors ``inputs``) as a sub-graph of the
    active trace. A variable the sub-graph reads and then writes (``v.assign(v * 2)`` in a
    loop body) is read inside it, where each run (each iteration) sees the last write: when
    the first trace finds one, ``fn`` is traced again with those reads inside (``inner``).

    Returns:
      ``(graph, captures, result)``: the compiled graph (inputs: ``inputs`` then the
      captures), the enclosing tensors captured, and ``fn``'s result (a nest whose Tensor
      leaves the graph outputs, in ``nest.flatten`` order).
    """
    parent = func_graph.current()
    graph = func_graph.FuncGraph(name)
    tracer = SubTracer(graph, parent, inner)
    tracer.names = parent.names
    fresh = [Tensor(t._value) for t in inputs]
    for t in fresh:
        graph.inputs.append(tracer.bind(t, tracer._name("arg")))
    func_graph.push(tracer)
    try:
        result = fn(*fresh)
        flat = [convert_to_tensor(x) if not isinstance(x, Tensor) and x is not None else x
                for x in nest.flatten(result)]
        graph.outputs = [tracer.slot(t) for t in flat if t is not None]
    finally:
        func_graph.pop(tracer)
        tracer.restore()
    if tracer.late - inner:
        tracer.poison()
        return trace(fn, inputs, name, inner | tracer.late)
    graph.captures = tracer.captures
    graph.out_dtypes = [graph.info[s][1] for s in graph.outputs]
    tracer.poison()
    graph.replay = graph_exec.compile_fast(graph)
    graph.pure = all(k == "op" and not getattr(p[0], "stateful", False)
                     for k, p, _, _ in graph.nodes)
    return graph, tracer.captures, result
