"""The op library: each op's NumPy kernel and its gradient rule, side by side.

Importing this package attaches the operator methods (``+``, ``@``, ``[]`` ...)
to Tensor and Variable.
"""
from tapeflow.ops import math_ops, array_ops  # noqa: F401  (order: math, then array)
from tapeflow.ops import (  # noqa: F401
    special_math_ops, gamma_ops, clip_ops, reduction_ops, sort_ops, linalg_ops)
from tapeflow.ops import creation_ops, manip_ops, slicing_ops, indexing_ops  # noqa: F401
from tapeflow.ops import overloads  # noqa: F401

# Hand the engine the ops it calls itself (see ``framework.primitive.ENGINE``).
from tapeflow.framework.primitive import ENGINE as _ENGINE  # noqa: E402

_ENGINE.add = math_ops.add
_ENGINE.unbroadcast = math_ops.unbroadcast
for _name in ("zeros", "zeros_like", "reshape", "stack", "unstack", "one_hot", "fill",
              "concat", "unsorted_segment_sum", "constant"):
    setattr(_ENGINE, _name, getattr(array_ops, _name))
_ENGINE.getitem = array_ops._getitem
_ENGINE.identity_op = array_ops._identity_op
del _name
