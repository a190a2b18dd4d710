"""The array namespace that kernels call.

Kernels import ``xp`` from here instead of importing NumPy directly, so that a
CuPy namespace can be swapped in later. Helpers that differ between array
libraries (scatter-add) live here too, and the one process setting that the
array buffers need: how the C allocator hands out large blocks.
"""
import os
import sys

import numpy as np

xp = np

# glibc's malloc serves blocks above a dynamic threshold with fresh mmaps and returns
# the heap's free top to the OS past 2x that threshold. A training step allocates and
# frees tens of MB of activations and gradients, so every step then page-faults its
# buffers in again (measured: 400k minor faults per epoch of the book's MNIST convnet,
# 14k with the settings below, and 1,535 -> 1,903 samples/s; resident memory the same).
MMAP_THRESHOLD = 32 << 20   # blocks up to 32 MB come from the heap ...
TRIM_THRESHOLD = 128 << 20  # ... whose free top is kept up to 128 MB
_TUNED = []


def tune_malloc():
    """Sets glibc's mmap and trim thresholds for array workloads, once per process.

    Skipped where the C library is not glibc, where the user set glibc's malloc
    tunables themselves (``GLIBC_TUNABLES``, ``MALLOC_*_`` variables) and where
    ``TAPEFLOW_TUNE_MALLOC=0``.

    Returns:
      True if the thresholds were set by this process.
    """
    if _TUNED:
        return _TUNED[0]
    _TUNED.append(False)
    env = os.environ
    if (not sys.platform.startswith("linux") or env.get("TAPEFLOW_TUNE_MALLOC") == "0"
            or "malloc" in env.get("GLIBC_TUNABLES", "")
            or any(k.startswith("MALLOC_") for k in env)):
        return False
    import ctypes
    try:
        libc = ctypes.CDLL(None)
        if not hasattr(libc, "gnu_get_libc_version"):
            return False
        m_trim_threshold, m_mmap_threshold = -1, -3       # <malloc.h>
        ok = libc.mallopt(m_mmap_threshold, MMAP_THRESHOLD) == 1
        ok = libc.mallopt(m_trim_threshold, TRIM_THRESHOLD) == 1 and ok
    except (OSError, AttributeError):
        return False
    _TUNED[0] = ok
    return ok


tune_malloc()


def scatter_add(target, indices, values):
    """Adds ``values`` into ``target`` at ``indices`` (repeated indices sum).

    Returns:
      ``target``, modified in place.
    """
    np.add.at(target, indices, values)
    return target
