"""Keras steps run through ``tf.function`` (``compile(jit_compile=True)``).

NumPy-level updates (metrics, the optimizer, moving statistics) become graph nodes that run
on every replay (``node``); ``CheckedStep`` compares each signature's first replay with the
eager step and keeps the eager path for a signature whose replay differs.
"""
import numpy as np

from tapeflow.framework import nest
from tapeflow.framework.tensor import convert_to_tensor
from tapeflow.framework.variable import array_of, rebind
from tapeflow.config import functions_run_eagerly
from tapeflow.ops import random_ops


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
    """A compiled step checked against the eager step. Per batch signature, the first call
    runs eagerly (it builds the model and the optimizer's slots, and applies a checkpoint
    restore deferred to their creation, outside any trace); the second traces the step
    (without running the graph) and runs eagerly; the third -- the first replay, on other
    data than the trace saw -- is checked: every variable and random generator reachable from the
    model (layers, optimizers -- ``model.optimizer`` and any other attribute --, metrics) is
    saved, the replay runs, everything is restored and the eager step runs; if the returned
    values or any variable differ (a layer, loss or metric computing from arrays outside the
    op mechanism would be baked into the graph), that signature runs eagerly from then on
    (logged once). The eager step's results are the ones kept, so the check never changes
    training. Later calls replay the graph."""

    def __init__(self, function, eager, model):
        self._function, self._eager, self._model, self._seen = function, eager, model, {}
        self._warned = False    # fallbacks are logged once per step

    def __getattr__(self, name):
        return getattr(self._function, name)

    def __call__(self, data):
        flat = nest.flatten(data)
        key = tuple((getattr(x, "shape", None), str(getattr(x, "dtype", type(x))))
                    for x in flat)
        n = self._seen.get(key, 0)
        if n == 3:
            return self._function(data)
        if functions_run_eagerly():       # tf.config.run_functions_eagerly(True)
            return self._eager(data)
        if n == 0:
            self._seen[key] = 1
            return self._eager(data)
        if n == 1:
            self._seen[key] = 2 if self._trace(data, key) else -1
            return self._eager(data)
        if n < 0:
            return self._eager(data)
        variables, gens, objects = state_of(self._model, True)
        # copies: optimizers update their slot arrays in place
        saved = [np.array(array_of(v), copy=True) for v in variables]
        states, python = _random_states(gens), _python_state(objects)
        out = self._function(data)
        replayed = [np.array(array_of(v), copy=True) for v in variables]
        for v, a in zip(variables, saved):
            rebind(v, a)
        _set_random_states(gens, states)
        _restore_python_state(python)
        ref = self._eager(data)
        same = all(_close(a, b) for a, b in zip(nest.flatten(out), nest.flatten(ref))) and all(
            _close(a, array_of(v)) for a, v in zip(replayed, variables))
        self._seen[key] = 3 if same else -1
        if not same and not self._warned:
            self._warned = True
            _log("The compiled %s differs from the eager one for inputs %s; running it "
                 "eagerly.", getattr(self._eager, "__name__", "step"), key)
        return ref

    def _trace(self, data, key):
        """Traces the step for ``data`` without running it (the random generators and the
        Python attributes of the model's objects -- a stateful RNN's states, a layer's
        losses -- are left as they were); returns False when it cannot be traced (logged)."""
        _, gens, objects = state_of(self._model, True)
        states, python = _random_states(gens), _python_state(objects)
        try:
            self._function.get_concrete_function(data)
            return True
        except Exception as e:   # noqa: BLE001 -- the eager step runs next and raises
            if self._warned:
                return False
            self._warned = True
            _log("The compiled %s cannot be traced for inputs %s (%s: %s); running it "
                 "eagerly.", getattr(self._eager, "__name__", "step"), key,
                 type(e).__name__, e)
            return False
        finally:
            _set_random_states(gens, states)
            _restore_python_state(python)


def _python_state(objects):
    """Returns a snapshot of the objects' attributes (and of their lists' contents)."""
    out = []
    for obj in objects:
        d = obj.__dict__
        out.append((obj, dict(d), {k: v[:] for k, v in d.items() if type(v) is list}))
    return out


def _restore_python_state(saved):
    for obj, d, lists in saved:
        for k, items in lists.items():
            d[k][:] = items
        cur = obj.__dict__
        cur.clear()
        cur.update(d)


def _log(msg, *args):
    import logging
    logging.getLogger("tapeflow").warning(msg, *args)


def _random_states(gens):
    return ([g.bit_generator.state for g in gens], np.random.get_state(),
            random_ops.get_random_state())


def _set_random_states(gens, states):
    for g, st in zip(gens, states[0]):
        g.bit_generator.state = st
    np.random.set_state(states[1])
    random_ops.set_random_state(states[2])


def state_of(model, with_objects=False):
    """Returns ``(variables, generators)``: every variable and NumPy random generator
    reachable from ``model`` through the attributes of tapeflow objects (layers,
    optimizers, metrics, losses, seed generators) and the lists, tuples and dicts among
    them, plus Keras's global initializer generator; with ``with_objects``, also those
    objects (the model first)."""
    from tapeflow.framework.variable import BaseVariable
    from tapeflow.keras import initializers
    variables, gens, seen, objects = [], [initializers._GLOBAL["rng"]], set(), []
    stack = [model]
    while stack:
        x = stack.pop()
        if id(x) in seen:
            continue
        seen.add(id(x))
        if isinstance(x, BaseVariable):
            variables.append(x)
        elif isinstance(x, np.random.Generator):
            gens.append(x)
        elif type(x) in (list, tuple):
            stack.extend(x)
        elif type(x) is dict:
            stack.extend(x.values())
        elif hasattr(x, "__dict__") and _ours(type(x)):
            objects.append(x)
            stack.extend(v for v in vars(x).values()
                         if not isinstance(v, (np.ndarray, str, int, float, bool, type(None))))
    gens = [g for g in gens if hasattr(g, "bit_generator")]
    return (variables, gens, objects) if with_objects else (variables, gens)


_OURS = {}


def _ours(cls):
    """Returns True for a class derived from a tapeflow class (layers, models, optimizers,
    metrics, losses and their user subclasses)."""
    r = _OURS.get(cls)
    if r is None:   # (not the compiled steps themselves: tf.function objects, CheckedStep)
        r = _OURS[cls] = any(c.__module__.startswith("tapeflow.") for c in cls.__mro__) \
            and not cls.__module__.startswith(_SKIP)
    return r


_SKIP = ("tapeflow.framework.graph.", "tapeflow.keras.trainers.compiled_step")


def _close(a, b):
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape:
        return False
    if a.dtype.kind in "fc" or b.dtype.kind in "fc":
        return bool(np.allclose(a, b, rtol=1e-5, atol=1e-6, equal_nan=True))
    return bool(np.array_equal(a, b))


