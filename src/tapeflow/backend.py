"""The array namespace that kernels call.

Kernels import ``xp`` from here instead of importing NumPy directly, so that a
CuPy namespace can be swapped in later. Helpers that differ between array
libraries (scatter-add) live here too.
"""
import numpy as np

xp = np


def scatter_add(target, indices, values):
    """Adds ``values`` into ``target`` at ``indices`` (repeated indices sum).

    Returns:
      ``target``, modified in place.
    """
    np.add.at(target, indices, values)
    return target
