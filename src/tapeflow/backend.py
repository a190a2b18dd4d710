"""The array namespace that kernels call.

Kernels import ``xp`` from here instead of importing NumPy directly, so that a
CuPy namespace can be swapped in later. Helpers that differ between array
libraries (scatter-add) live here too, and the one process setting that the
array buffers need: how the C allocator hands out large blocks.
"""
import contextlib
import glob
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


# Rows at least this wide go through ``segment_rows_sum`` instead of ``np.add.at``
# (measured on 6400 ids into a 20000 x 256 table: add.at 16 ms, segment_rows_sum ~3 ms;
# at 8 columns they are level).
SEGMENT_SUM_MIN_COLS = 16
_LAYERED_PASSES = 32   # ids repeated more often than this sum their tail with one reduce


def segment_rows_sum(indices, values):
    """Sums the rows of ``values`` that share an index: a stable sort, then layered adds.

    Args:
      indices: 1-D integer array (``len(values)`` entries).
      values: array whose first axis matches ``indices``.

    Returns:
      ``(ids, sums)``: the distinct indices in ascending order and, per id, the sum of its
      rows. Up to ``_LAYERED_PASSES`` repeats the rows are added in the order they occur,
      as ``np.add.at`` adds them (the same bits); further repeats of one id are summed
      with one pairwise reduction.
    """
    n = indices.shape[0]
    order = np.argsort(indices, kind="stable")
    s = indices[order]
    first = np.empty(n, dtype=bool)
    first[:1] = True
    np.not_equal(s[1:], s[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    sums = values[order[starts]]
    if starts.size == n:
        return s[starts], sums
    counts = np.diff(np.append(starts, n))
    live = np.flatnonzero(counts > 1)
    k = 1
    while live.size and k < _LAYERED_PASSES:
        sums[live] += values[order[starts[live] + k]]
        k += 1
        live = live[counts[live] > k]
    for seg in live:   # ids repeated more than _LAYERED_PASSES times: few rows each
        a = starts[seg]
        sums[seg] += values[order[a + k:a + counts[seg]]].sum(axis=0)
    return s[starts], sums


def scatter_add(target, indices, values):
    """Adds ``values`` into ``target`` at ``indices`` (repeated indices sum).

    Returns:
      ``target``, modified in place.
    """
    if (type(indices) is np.ndarray and indices.ndim == 1 and indices.size > 1
            and values.ndim >= 2 and values.shape[0] == indices.size
            and values.size >= SEGMENT_SUM_MIN_COLS * indices.size
            and indices.dtype.kind in "iu" and indices.min() >= 0):
        ids, sums = segment_rows_sum(indices, values)
        target[ids] += sums
        return target
    np.add.at(target, indices, values)
    return target


# -- BLAS threads for batched small GEMMs --------------------------------------------------
# OpenBLAS synchronises its threads on every GEMM; a batched matmul makes one GEMM per
# matrix of the stack, so with more than one BLAS thread a stack of small GEMMs pays a sync
# each, which on a loaded machine waits for a descheduled peer. Measured on the shared
# 2-core machine (wall ms, matmul (32,2,200,256) @ (32,2,256,200), 2 OpenBLAS threads):
# 2629 as is, 111 with the stack run on one BLAS thread. ``one_blas_thread()`` runs a block
# on one thread when the bundled OpenBLAS exposes its thread setter (else a no-op);
# ``TAPEFLOW_BATCHED_GEMM_ONE_THREAD=0`` switches it off.
_BLAS_THREADS = []


def _blas_thread_functions():
    """Returns ``(get, set)`` of the loaded OpenBLAS's thread count, or None."""
    if _BLAS_THREADS:
        return _BLAS_THREADS[0]
    found = None
    if os.environ.get("TAPEFLOW_BATCHED_GEMM_ONE_THREAD", "1") != "0":
        try:
            import ctypes
            libs = glob.glob(os.path.join(os.path.dirname(np.__file__), os.pardir,
                                          "numpy.libs", "*openblas*.so*"))
            for path in libs:
                lib = ctypes.CDLL(path)
                for prefix, suffix in (("scipy_openblas", "64_"), ("scipy_openblas", ""),
                                       ("openblas", "")):
                    get = getattr(lib, f"{prefix}_get_num_threads{suffix}", None)
                    put = getattr(lib, f"{prefix}_set_num_threads{suffix}", None)
                    if get is not None and put is not None:
                        get.restype = ctypes.c_int
                        put.argtypes = [ctypes.c_int]
                        found = (get, put)
                        break
                if found:
                    break
        except OSError:
            found = None
    _BLAS_THREADS.append(found)
    return found


@contextlib.contextmanager
def one_blas_thread():
    """Runs the block with one OpenBLAS thread (restored after); a no-op where the thread
    count cannot be set or is already 1."""
    fns = _blas_thread_functions()
    if fns is None:
        yield
        return
    get, put = fns
    n = get()
    if n <= 1:
        yield
        return
    put(1)
    try:
        yield
    finally:
        put(n)
