"""The engine's context state, kept per thread as TensorFlow keeps its tape set per thread.

Everything that says "what is active now" lives here, in one ``threading.local``:

* ``state.tapes``: the tapes (and ``custom_gradient`` collectors) entered on this
  thread, innermost last;
* ``state.name_scope``: ``tf.name_scope``'s prefix on this thread (``"outer/inner/"``);
* ``state.calls``: Keras's layer-call state on this thread, one plain object so that
  ``Layer.__call__`` reads the thread-local once: ``.scope`` (the layers whose
  ``build``/``call`` runs, outermost first: Keras 3's name scopes, from which variable
  paths are made), ``.autocast`` (the compute dtype variables are cast to while a
  mixed-precision layer call runs; None otherwise), ``.training`` (the ``training`` value
  of the outermost layer call in progress).
* ``state.strategies``: the ``tf.distribute`` entries ``(strategy, replica_context or None
  in a scope)`` entered on this thread, innermost last (read by ``strategy_entry``).

A ``tf.data`` map running on a worker thread therefore never records on, or is watched
by, a tape the main thread holds.

The hot path stays as cheap as a global test: ``ACTIVE`` is one process-wide list with
an entry per tape entered on any thread, so an op with no tape anywhere pays one
truthiness test of a module global, as before; only when some tape is active does it
read this thread's ``state.tapes`` (one attribute of one ``threading.local``).

Process-wide on purpose (as in TensorFlow): ``tf.config.run_functions_eagerly``, the
random seed, the Keras float type, and the layer-tracking version counter (a cache key
that must change for every thread when any layer's structure changes).
"""
import threading

# One entry per tape entered on any thread (appends and removes are atomic under the GIL).
ACTIVE = []
# One entry per mixed-precision layer call running on any thread: variable reads test it
# (a cheap global) before they look at this thread's ``calls.autocast``.
AUTOCASTING = []


class _Calls:
    """Keras's layer-call state of one thread."""

    __slots__ = ("scope", "autocast", "training")

    def __init__(self):
        self.scope = []
        self.autocast = None
        self.training = None


class _State(threading.local):
    """This thread's engine state; each new thread starts with a fresh copy."""

    def __init__(self):
        self.tapes = []
        self.calls = _Calls()
        self.name_scope = ""   # tf.name_scope's prefix: "" or "outer/inner/"
        self.strategies = []


state = _State()


def push_tape(tape):
    """Makes ``tape`` active on this thread (innermost)."""
    state.tapes.append(tape)
    ACTIVE.append(tape)


def pop_tape(tape):
    """Removes ``tape`` from this thread's active tapes (a no-op if it is not active)."""
    tapes = state.tapes
    if tape in tapes:
        tapes.remove(tape)
        ACTIVE.remove(tape)


def swap_tapes(tapes):
    """Makes ``tapes`` (a list) this thread's active tapes; returns the previous list.

    For a recorder that must be the only one for a while (a ``tf.function`` trace pauses
    the outer tapes): ``old = swap_tapes([tracer])`` ... ``swap_tapes(old)``.
    """
    old = state.tapes
    for t in old:
        ACTIVE.remove(t)
    state.tapes = list(tapes)
    ACTIVE.extend(state.tapes)
    return old


def thread_tapes():
    """Returns this thread's active tapes, innermost last (the list itself: do not mutate)."""
    return state.tapes if ACTIVE else ()


def strategy_entry():
    """Returns this thread's innermost ``(strategy, replica_context)`` (None: no strategy)."""
    s = state.strategies
    return s[-1] if s else None


def num_replicas_in_sync():
    """Returns the active ``tf.distribute`` strategy's ``num_replicas_in_sync`` (1 if none)."""
    s = state.strategies
    return s[-1][0].num_replicas_in_sync if s else 1
