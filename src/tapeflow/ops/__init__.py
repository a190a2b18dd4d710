"""The op library: each op's NumPy kernel and its gradient rule, side by side.

Importing this package attaches the operator methods (``+``, ``@``, ``[]`` ...)
to Tensor and Variable.
"""
from tapeflow.ops import math_ops, array_ops  # noqa: F401  (order: math, then array)
from tapeflow.ops import (  # noqa: F401
    special_math_ops, gamma_ops, clip_ops, reduction_ops, sort_ops, linalg_ops)
from tapeflow.ops import creation_ops, manip_ops, slicing_ops, indexing_ops  # noqa: F401
from tapeflow.ops import overloads  # noqa: F401
