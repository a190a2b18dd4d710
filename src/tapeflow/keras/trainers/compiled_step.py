"""Keras steps run through ``tf.function`` (``compile(jit_compile=True)``).

NumPy-level updates (metrics, the optimizer, moving statistics) become graph nodes that run
on every replay (``node``); ``CheckedStep`` compares each signature's first replay with the
eager step and keeps the eager path for a signature whose replay differs.
"""
import numpy as np

from tapeflow.framework import nest
from tapeflow.framework.tensor import convert_to_tensor
from tapeflow.framework.variable import array_of, rebind


def tracing():
    """Returns True inside a tf.function trace."""
    from tapeflow.framework.graph import func_graph
    return func_graph.current() is not None


def node(fn, *args, _run_now=True, **kwargs):
    """Calls ``fn``; inside a tf.function trace, as one graph node that calls it on every
    replay (metric and optimizer updates compute in NumPy, outside the op mechanism). An
    update whose result the step does not use is not run while tracing (``_run_now=False``),
    so that the trace changes no state.

    Returns:
      ``fn``'s result (logs as Tensors when traced, so that replays return new values).
    """
    from tapeflow.framework.graph import func_graph
    if func_graph.current() is None:
        return fn(*args, **kwargs)
    return func_graph.record_call(fn, args, kwargs, _run_now)[1]


def tensor_logs(logs):
    """Returns ``logs`` with Python numbers as Tensors (a traced step returns new values)."""
    if not isinstance(logs, dict):
        return logs
    return {k: convert_to_tensor(v) if isinstance(v, (float, int)) else v
            for k, v in logs.items()}


class CheckedStep:
    """A compiled step whose second call per batch signature -- its first replay -- is
    checked against the eager step: the model, optimizer and metric variables and the
    Keras random generators are saved, the replay runs, everything is restored and the
    eager step runs; if the returned values or any variable differ (a layer, loss or
    metric computing from arrays outside the op mechanism would be baked into the graph),
    that signature runs eagerly from then on (logged once). The eager step's results are
    the ones kept, so the check never changes training."""

    def __init__(self, function, eager, model):
        self._function, self._eager, self._model, self._seen = function, eager, model, {}

    def __getattr__(self, name):
        return getattr(self._function, name)

    def _variables(self):
        m, out, seen = self._model, [], set()
        groups = [m.variables, getattr(getattr(m, "optimizer", None), "variables", [])]
        groups += [getattr(x, "variables", []) for x in m.metrics]
        for v in (v for g in groups for v in g):
            if id(v) not in seen:
                seen.add(id(v))
                out.append(v)
        return out

    def _generators(self):
        from tapeflow.keras import initializers   # (NumPy's global state is saved apart)
        gens = [initializers._GLOBAL["rng"]]
        for layer in self._model._flatten_layers():
            gens.append(layer.__dict__.get("_rng"))
        return [g for g in gens if hasattr(g, "bit_generator")]

    def __call__(self, data):
        flat = nest.flatten(data)
        key = tuple((getattr(x, "shape", None), str(getattr(x, "dtype", type(x))))
                    for x in flat)
        n = self._seen.get(key, 0)
        if n < 0:
            return self._eager(data)
        if n != 1:
            self._seen[key] = min(n + 1, 2)
            return self._function(data)
        variables, gens = self._variables(), self._generators()
        # copies: optimizers update their slot arrays in place
        saved = [np.array(array_of(v), copy=True) for v in variables]
        states = [g.bit_generator.state for g in gens]
        np_state = np.random.get_state()
        out = self._function(data)
        replayed = [np.array(array_of(v), copy=True) for v in variables]
        for v, a in zip(variables, saved):
            rebind(v, a)
        for g, st in zip(gens, states):
            g.bit_generator.state = st
        np.random.set_state(np_state)
        ref = self._eager(data)
        same = all(_close(a, b) for a, b in zip(nest.flatten(out), nest.flatten(ref))) and all(
            _close(a, array_of(v)) for a, v in zip(replayed, variables))
        self._seen[key] = 2 if same else -1
        if not same:
            import logging
            logging.getLogger("tapeflow").warning(
                "The compiled %s differs from the eager one for inputs %s; running it "
                "eagerly.", getattr(self._eager, "__name__", "step"), key)
        return ref


def _close(a, b):
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape:
        return False
    if a.dtype.kind in "fc" or b.dtype.kind in "fc":
        return bool(np.allclose(a, b, rtol=1e-5, atol=1e-6, equal_nan=True))
    return bool(np.array_equal(a, b))


