"""``tf.types``: the public type hierarchy (``tf.types.experimental``)."""
from tapeflow.types import experimental  # noqa: F401
