"""Buffers a replay may reuse or write into: ``owned_array`` proves at run time that
nothing can observe a variable's array, so that an update may write into it in place
(the promise that a Tensor a user holds never changes stays kept: such a Tensor would be
one of the counted holders)."""
from sys import getrefcount as _getrefcount

import numpy as np


def owned_array(var):
    """Returns the NumPy array behind ``var`` when writing into it cannot be observed --
    no Tensor, view or other object but the variable's own Tensor holds it (a runtime
    proof by reference counts) and it owns its contiguous, writeable memory --, else None.

    Updates that write into the result keep the promise that a Tensor read from ``var``
    earlier never changes: such a Tensor would be one of the counted holders.
    """
    t = var._tensor
    a = t._value
    # holders: the variable's slot and ``t`` (the Tensor); ``t._value`` and ``a`` (the
    # array); plus getrefcount's own argument each time
    if _getrefcount(t) != 3 or _getrefcount(a) != 3 or type(a) is not np.ndarray:
        return None
    if a.base is not None or not a.flags.c_contiguous or not a.flags.writeable:
        return None
    return a
