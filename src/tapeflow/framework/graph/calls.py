"""Graph nodes for Python calls: ``record_call`` (one node that calls a Python function on
every replay), the ``stateful`` decorator (random draws: always a node) and ``opaque`` (a
function computing from its inputs' values outside the op mechanism: a node when a traced
tensor is among its arguments)."""
from tapeflow.framework import primitive as _prim
from tapeflow.framework import context as _context
from tapeflow.framework.graph.func_graph import Uncapturable, current
from tapeflow.framework.indexed_slices import IndexedSlices
from tapeflow.framework.tensor import Tensor


def leaves(x, out):
    """Appends the leaves of ``x`` (lists, tuples, dicts, slices and IndexedSlices walked)
    to ``out``."""
    t = type(x)
    if t is list or t is tuple or t is slice or t is IndexedSlices:
        for y in ((x.start, x.stop, x.step) if t is slice else
                  (x.values, x.indices, x.dense_shape) if t is IndexedSlices else x):
            leaves(y, out)
    elif t is dict:
        for k in x:
            leaves(x[k], out)
    else:
        out.append(x)
    return out


def rebuild(x, it):
    """Returns ``x`` with its leaves (in ``leaves`` order) taken from the iterator ``it``."""
    t = type(x)
    if t is list or t is tuple:
        return t([rebuild(y, it) for y in x])
    if t is slice:
        return slice(rebuild(x.start, it), rebuild(x.stop, it), rebuild(x.step, it))
    if t is IndexedSlices:
        return IndexedSlices(*rebuild((x.values, x.indices, x.dense_shape), it))
    if t is dict:
        return {k: rebuild(v, it) for k, v in x.items()}
    return next(it)


def record_call(fn, args, kwargs, run_now):
    """Records ``fn(*args, **kwargs)`` as one stateful graph node when tracing.

    Returns:
      ``(True, result)`` when recorded (``result`` is ``fn``'s result if ``run_now``,
      else None); ``(False, None)`` when no trace is active.
    """
    from tapeflow.framework import nest
    tr = current()
    if tr is None or tr.suspended:
        return False, None
    flat = leaves((args, kwargs), [])
    tensors = [x for x in flat if isinstance(x, Tensor)]
    # Tapes inside the trace: the call runs with them paused (its internals are not graph
    # ops), so a gradient cannot flow through its outputs; one that would is not capturable.
    tapes = [t for t in _context.state.tapes if t is not tr and t._recording]
    watched = any(any(id(t) in tape._watched for t in tensors) or any(
        getattr(x, "_is_variable", False) for x in flat) for tape in tapes)
    result = None
    if run_now:
        tr.suspended += 1
        for tape in tapes:
            tape._recording = False
        try:
            result = fn(*args, **kwargs)
        finally:
            tr.suspended -= 1
            for tape in tapes:
                tape._recording = True
    outs = [x for x in nest.flatten(result) if isinstance(x, Tensor)]
    if outs and watched:
        raise Uncapturable(f"a gradient through {getattr(fn, '__name__', fn)}")
    tr.add_node("call", (fn, args, kwargs, len(outs)), tensors, outs,
                getattr(fn, "__name__", "call"))
    return True, result


def stateful(fn):
    """Decorator for functions that compute outside the op mechanism (random draws):
    inside a trace each call becomes one graph node that runs ``fn`` again on every call.

    Returns:
      The wrapped function.
    """
    def wrapper(*args, **kwargs):
        if _prim._tapes and current() is not None:
            done, result = record_call(fn, args, kwargs, True)
            if done:
                return result
        return fn(*args, **kwargs)
    wrapper.__name__ = fn.__name__
    wrapper.__qualname__ = getattr(fn, "__qualname__", fn.__name__)
    wrapper.__doc__ = fn.__doc__
    wrapper.__wrapped__ = fn
    return wrapper


def opaque(fn, argnums=None, names=()):
    """Decorator for functions that compute from their inputs' values outside the op
    mechanism: inside a trace, a call whose checked arguments (``argnums`` and keyword
    ``names``; all when ``argnums`` is None) hold a traced tensor or a variable becomes one
    graph node that runs ``fn`` again on every call; other calls run as they are.

    Returns:
      The wrapped function.
    """
    def traced(x, tr):
        return getattr(x, "_is_variable", False) or (isinstance(x, Tensor) and tr.is_symbolic(x))

    def wrapper(*args, **kwargs):
        tr = current() if _prim._tapes else None
        if tr is not None and not tr.suspended:
            if argnums is None:
                check = (args, kwargs)
            else:
                check = ([args[i] for i in argnums if i < len(args)],
                         [kwargs[n] for n in names if n in kwargs])
            if any(traced(x, tr) for x in leaves(check, [])):
                return record_call(fn, args, kwargs, True)[1]
        return fn(*args, **kwargs)
    for attr in ("__name__", "__qualname__", "__doc__", "__module__"):
        setattr(wrapper, attr, getattr(fn, attr, None))
    wrapper.__wrapped__ = fn
    return wrapper


def graph_node_method(fn, run_now):
    """Wraps the method ``fn`` (a state update computed in NumPy: a metric's
    ``update_state``/``result``, an optimizer's ``apply``) so that inside a tf.function trace
    each call is one graph node that calls it again on every replay; ``run_now=False`` does
    not run it while tracing (so that the trace changes no state).

    Returns:
      The wrapped method (marked, so that wrapping twice does nothing).
    """
    if getattr(fn, "_graph_node", False):
        return fn

    def wrapper(self, *args, **kwargs):
        tr = current() if _prim._tapes else None
        if tr is not None and not tr.suspended:
            return record_call(fn, (self,) + args, kwargs, run_now)[1]
        return fn(self, *args, **kwargs)
    for attr in ("__name__", "__qualname__", "__doc__", "__module__"):
        setattr(wrapper, attr, getattr(fn, attr, None))
    wrapper.__wrapped__ = fn
    wrapper._graph_node = True
    return wrapper


def wrap_methods(cls, methods):
    """Wraps ``cls``'s own definitions of ``methods`` (name -> run_now) with
    ``graph_node_method``; for use in ``__init_subclass__``."""
    for name, run_now in methods.items():
        fn = cls.__dict__.get(name)
        if fn is not None and callable(fn):
            setattr(cls, name, graph_node_method(fn, run_now))


# Ops whose gradient rule computes in NumPy when no tape records the backward pass (and
# builds its result from ops otherwise); keyed by op name.
NUMPY_GRADS = {"_FusedLSTMSequence", "_FusedGRUSequence", "_FusedSimpleRNNSequence",
               "SparseCategoricalCrossentropyFromProbs", "CategoricalCrossentropyFromProbs"}


def numpy_grad_node():
    """Returns ``g(rec, dys) -> input gradients`` for a backward pass inside a trace where
    no tape records it (None otherwise): rules of ``NUMPY_GRADS`` ops become one call node
    each that runs their NumPy path, as the eager backward pass does (same numbers);
    other rules run as they are (their ops are traced)."""
    tr = current()
    if tr is None or tr.suspended or tape_recording_inside(tr):
        return None

    def grad(rec, dys):
        if rec.op.name not in NUMPY_GRADS:
            return rec.op.grad_fn(rec, *dys)
        args = (rec.op, rec.attrs, list(rec.inputs), list(rec.outputs),
                rec.skip_input_indices, list(dys))
        return record_call(_grad_call, args, {}, True)[1]
    return grad


def tape_recording_inside(tr):
    """Returns True when a tape inside the trace ``tr`` records now (a backward pass it
    runs is then differentiated further: a higher-order gradient)."""
    return any(t is not tr and t._recording for t in _context.state.tapes)


def _grad_call(op, attrs, inputs, outputs, skip, dys):
    """Runs ``op``'s gradient rule on a fresh record; returns the input gradients."""
    rec = _prim.OpRecord(op, inputs, outputs, attrs)
    rec.skip_input_indices = skip
    tr = current()
    if tr is None or not tr.suspended:     # a replay (or recorded by an enclosing trace)
        return list(op.grad_fn(rec, *dys))
    tr._recording = False                  # while tracing: the NumPy path, as eagerly
    try:
        return list(op.grad_fn(rec, *dys))
    finally:
        del tr._recording
