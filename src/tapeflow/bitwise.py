"""``tf.bitwise``: elementwise bit operations on integer tensors (no gradient).

``bitwise_and``/``or``/``xor`` and ``invert`` are the ops behind ``&``, ``|``, ``^``
and ``~`` on integer tensors (``ops/overloads.py``); the shifts are in ``ops/bitwise_ops.py``.
"""
from tapeflow.ops.bitwise_ops import left_shift, right_shift  # noqa: F401
from tapeflow.ops.overloads import bitwise_and, bitwise_or, bitwise_xor, invert  # noqa: F401

__all__ = ["bitwise_and", "bitwise_or", "bitwise_xor", "invert", "left_shift", "right_shift"]
