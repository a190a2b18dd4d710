"""``tf.bitwise``: elementwise bit operations on integer tensors (no gradient).

``bitwise_and``/``or``/``xor`` and ``invert`` are also the ops behind ``&``, ``|``, ``^``
and ``~`` on integer tensors; all six are declared in ``ops/bitwise_ops.py``, whose
``export=`` names are this namespace.
"""
from tapeflow.framework.op_def import exported
from tapeflow.ops import bitwise_ops as _ops

__all__ = sorted(exported(vars(_ops)))
globals().update({n: getattr(_ops, n) for n in __all__})
