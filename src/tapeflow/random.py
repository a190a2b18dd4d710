"""``tf.random``: seeds, random ops, stateless random ops and ``Generator``.

Values follow TensorFlow's distributions and seed semantics but are not
TensorFlow's bit for bit (see ``tapeflow.ops.random_ops``).
"""
from tapeflow.ops.random_ops import *  # noqa: F401,F403
from tapeflow.ops.stateful_random_ops import *  # noqa: F401,F403
from tapeflow.ops import random_ops as _r, stateful_random_ops as _s

__all__ = _r.__all__ + _s.__all__
