"""``tf.types.experimental.distributed``: the types of distributed values.

tapeflow runs one replica per process, so ``strategy.run`` returns each replica's own values
and no tapeflow object is an instance of these; they exist for annotations and checks.
"""
import abc as _abc


class PerReplica(_abc.ABC):
    """A value that holds one component per replica."""


class Mirrored(PerReplica):
    """A value whose components are kept equal on every replica."""
