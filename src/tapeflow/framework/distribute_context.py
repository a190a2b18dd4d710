"""Which ``tf.distribute`` strategy is active on this thread, and in which context.

The strategy objects live in ``tapeflow.distribute`` (above ``data``); this small
module is the part lower layers may read: ops such as ``tf.nn.compute_average_loss``
and Keras losses need the number of replicas in sync, and reading it must cost
no more than a thread-local lookup. The entries live in the engine's per-thread
state (``context.state.strategies``) and are ``(strategy, replica_context)``:
``replica_context`` is None inside ``strategy.scope()`` (cross-replica context)
and a ``ReplicaContext`` inside ``strategy.run``.
"""
from tapeflow.framework import context as _context


def stack():
    """Returns this thread's list of ``(strategy, replica_context)`` entries (innermost last)."""
    return _context.state.strategies


def current():
    """Returns the innermost ``(strategy, replica_context)`` entry, or None (default strategy)."""
    s = _context.state.strategies
    return s[-1] if s else None


def num_replicas_in_sync():
    """Returns the active strategy's ``num_replicas_in_sync`` (1 with no strategy)."""
    s = _context.state.strategies
    return s[-1][0].num_replicas_in_sync if s else 1
