"""``tf.bitwise``: elementwise bit operations on integer tensors (no gradient).

``bitwise_and``/``or``/``xor`` and ``invert`` are also the ops behind ``&``, ``|``, ``^``
and ``~`` on integer tensors; all six are declared in ``ops/bitwise_ops.py``.
"""
from tapeflow.ops.bitwise_ops import (  # noqa: F401
    bitwise_and, bitwise_or, bitwise_xor, invert, left_shift, right_shift)

__all__ = ["bitwise_and", "bitwise_or", "bitwise_xor", "invert", "left_shift", "right_shift"]
