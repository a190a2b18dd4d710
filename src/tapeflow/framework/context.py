"""The engine's context state, kept per thread as TensorFlow keeps its tape set per thread.

Everything that says "what is active now" lives here, in one ``threading.local``:

* ``state.tapes``: the tapes (and ``custom_gradient`` collectors) entered on this
  thread, innermost last;
* ``state.layer_scope``: the Keras layers whose ``build``/``call`` runs on this thread,
  outermost first (Keras 3's name scopes: variable paths are made from them);
* ``state.autocast``: the compute dtype variables are cast to while a mixed-precision
  layer call runs on this thread (None otherwise);
* ``state.training``: the ``training`` value of the outermost layer call in progress.

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


class _State(threading.local):
    """This thread's engine state; each new thread starts with a fresh copy."""

    def __init__(self):
        self.tapes = []
        self.layer_scope = []
        self.autocast = None
        self.training = None


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


def thread_tapes():
    """Returns this thread's active tapes, innermost last (the list itself: do not mutate)."""
    return state.tapes if ACTIVE else ()
