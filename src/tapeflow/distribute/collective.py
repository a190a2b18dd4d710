"""Collectives between workers: MPI through mpi4py, or a one-process stand-in.

tapeflow does not run its own cluster runtime: ``mpirun``/``srun`` launch one
process per worker and MPI moves the bytes. Every collective here is
non-blocking (``Iallreduce``, ``Ibcast``, ``Iallgatherv``, ``Ibarrier``) and is
polled against a deadline, so a worker that died makes the others raise
``tf.errors.DeadlineExceededError`` instead of waiting forever; the deadline is
``CommunicationOptions(timeout_seconds=...)`` or the environment variable
``TAPEFLOW_COLLECTIVE_TIMEOUT`` (seconds; default 300). After a timeout the MPI
job is aborted when the process exits (``MPI_Finalize`` would wait for the dead
peer), so ``mpirun`` returns a failure in bounded time; a worker ended by an uncaught
exception aborts the job at once, so the others do not wait for the timeout.

``mpi4py`` is imported only when the process was started by an MPI launcher.
"""
import atexit
import os
import sys
import time

import numpy as np

from tapeflow.framework import errors

DEFAULT_TIMEOUT = 300.0

# Environment variables MPI launchers set: (size variable, rank variable).
_LAUNCHER_VARS = (
    ("OMPI_COMM_WORLD_SIZE", "OMPI_COMM_WORLD_RANK"),   # Open MPI
    ("PMI_SIZE", "PMI_RANK"),                            # MPICH / Hydra, Intel MPI
    ("PMIX_SIZE", "PMIX_RANK"),                          # PMIx launchers
    ("MV2_COMM_WORLD_SIZE", "MV2_COMM_WORLD_RANK"),      # MVAPICH
    ("SLURM_STEP_NUM_TASKS", "SLURM_PROCID"),            # srun (a job step, not sbatch)
)

_world = None


def launched_size():
    """Returns the number of processes an MPI launcher (mpirun/srun) started, or 1."""
    for size_var, rank_var in _LAUNCHER_VARS:
        size = os.environ.get(size_var)
        if size and rank_var in os.environ:
            try:
                return max(1, int(size))
            except ValueError:
                continue
    return 1


def default_timeout():
    """Returns the collective timeout in seconds from ``TAPEFLOW_COLLECTIVE_TIMEOUT`` (or 300).

    Raises:
      ValueError: when the variable is not a positive number.
    """
    raw = os.environ.get("TAPEFLOW_COLLECTIVE_TIMEOUT")
    if raw is None or raw == "":
        return DEFAULT_TIMEOUT
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not value > 0:
        raise ValueError("TAPEFLOW_COLLECTIVE_TIMEOUT must be a positive number of seconds. "
                         f"Received: {raw!r}")
    return value


class LocalWorld:
    """One process, no MPI: every collective returns its input."""

    size = 1
    rank = 0
    is_mpi = False

    def __init__(self, timeout=None):
        self.timeout = timeout

    def allreduce(self, arrays):
        """Returns the elementwise sums of ``arrays`` over workers (here: the arrays)."""
        return list(arrays)

    def broadcast(self, arrays, root=0):
        """Returns ``arrays`` as held by worker ``root`` (here: unchanged)."""
        return list(arrays)

    def allgather(self, array):
        """Returns the workers' arrays concatenated along axis 0 (here: the array)."""
        return array

    def barrier(self):
        """Waits until every worker reaches the barrier (here: returns at once)."""


class MPIWorld:
    """``MPI.COMM_WORLD`` with fused, deadline-bounded collectives on NumPy buffers."""

    is_mpi = True

    def __init__(self, timeout=None):
        try:
            from mpi4py import MPI
        except ImportError as e:
            raise ImportError(
                f"This process was started by an MPI launcher ({launched_size()} processes) "
                "but mpi4py is not installed. Install MPI support with "
                "`pip install \"tapeflow[mpi]\"` (mpi4py and an MPICH wheel).") from e
        self._MPI = MPI
        self.comm = MPI.COMM_WORLD
        self.size = self.comm.Get_size()
        self.rank = self.comm.Get_rank()
        if self.size == 1:
            raise RuntimeError(
                f"The launcher started {launched_size()} processes but MPI sees only this "
                "one: mpi4py's MPI library is not the one the launcher belongs to (use the "
                "mpirun of the MPI that mpi4py was built with; under Slurm, srun "
                "--mpi=pmi2 or pmix).")
        self.timeout = default_timeout() if timeout is None else float(timeout)
        self.broken = False
        self.allreduce_seconds = 0.0   # time spent in all-reduces (for benchmarks)
        self.allreduce_calls = 0
        self._install_excepthook()

    def _install_excepthook(self):
        # A worker killed by an uncaught exception would block in MPI_Finalize while the
        # others wait for it in a collective until the timeout: abort the whole job at
        # once instead (as `python -m mpi4py` does), after printing the traceback.
        previous = sys.excepthook

        def abort_job(exc_type, exc, tb):
            previous(exc_type, exc, tb)
            self._abort_at_exit()

        sys.excepthook = abort_job

    # -- waiting --------------------------------------------------------------
    def _wait(self, request, what):
        # Each Test() drives MPI's progress engine. Yielding the CPU between tests
        # (sleep(0)) measured 2-3x faster than a blocking Allreduce on a loaded
        # 2-core machine, and far faster than real sleeps, which stall the pipelined
        # transfer; after 50 ms of waiting (a slow or dead peer) back off to 1 ms naps.
        if request.Test():
            return
        now = time.monotonic()
        spin_until, deadline = now + 0.05, now + self.timeout
        delay = 1e-4
        while not request.Test():
            now = time.monotonic()
            if now > deadline:
                self._fail(what)
            if now < spin_until:
                time.sleep(0)
            else:
                time.sleep(delay)
                delay = min(delay * 2, 1e-3)

    def _fail(self, what):
        self.broken = True
        atexit.register(self._abort_at_exit)
        raise errors.DeadlineExceededError(
            None, None,
            f"Collective {what} did not complete within {self.timeout:g} s on worker "
            f"{self.rank} of {self.size}: another worker has died or stopped participating. "
            "Set the limit with TAPEFLOW_COLLECTIVE_TIMEOUT (seconds) or "
            "tf.distribute.experimental.CommunicationOptions(timeout_seconds=...). "
            "The MPI job will be aborted when this process exits.")

    def _abort_at_exit(self):
        # MPI_Finalize would wait for the dead peer: end the whole job instead.
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            self.comm.Abort(1)

    def _check(self):
        if self.broken:
            raise errors.UnavailableError(
                None, None, "The MPI job lost a worker earlier (a collective timed out); "
                "no further collectives can run.")

    # -- collectives ----------------------------------------------------------
    def allreduce(self, arrays):
        """Returns the elementwise sums of ``arrays`` over all workers.

        Arrays of one dtype travel in one fused buffer: one ``Iallreduce`` per dtype.
        The results are views of a buffer made for this call (no copy, no aliasing
        with a later call).
        """
        self._check()
        start = time.perf_counter()
        arrays = [np.asarray(a) for a in arrays]
        out = [None] * len(arrays)
        for dtype, idx in _group_by_dtype(arrays).items():
            sizes = [arrays[i].size for i in idx]
            buf = np.empty(sum(sizes), dtype)
            offset = 0
            for i, n in zip(idx, sizes):
                buf[offset:offset + n] = arrays[i].reshape(-1)
                offset += n
            self._wait(self.comm.Iallreduce(self._MPI.IN_PLACE, buf, op=self._MPI.SUM),
                       "all-reduce")
            offset = 0
            for i, n in zip(idx, sizes):
                out[i] = buf[offset:offset + n].reshape(arrays[i].shape)
                offset += n
        self.allreduce_seconds += time.perf_counter() - start
        self.allreduce_calls += 1
        return out

    def broadcast(self, arrays, root=0):
        """Returns ``arrays`` as worker ``root`` holds them (one ``Ibcast`` per dtype)."""
        self._check()
        arrays = [np.asarray(a) for a in arrays]
        out = [None] * len(arrays)
        for dtype, idx in _group_by_dtype(arrays).items():
            sizes = [arrays[i].size for i in idx]
            buf = np.empty(sum(sizes), dtype)
            offset = 0
            for i, n in zip(idx, sizes):
                buf[offset:offset + n] = arrays[i].reshape(-1)
                offset += n
            self._wait(self.comm.Ibcast(buf, root=root), "broadcast")
            offset = 0
            for i, n in zip(idx, sizes):
                out[i] = buf[offset:offset + n].reshape(arrays[i].shape)
                offset += n
        return out

    def allgather(self, array):
        """Returns every worker's ``array`` concatenated along axis 0, in rank order.

        The first dimension may differ between workers; the others must agree.
        """
        self._check()
        a = np.ascontiguousarray(array)
        if a.ndim == 0:
            a = a.reshape(1)
        counts = np.zeros(self.size, np.int64)
        self._wait(self.comm.Iallgather(np.array([a.shape[0]], np.int64), counts),
                   "all-gather")
        row = int(np.prod(a.shape[1:], dtype=np.int64))
        out = np.empty((int(counts.sum()),) + a.shape[1:], a.dtype)
        sizes = counts * row
        displs = np.concatenate([[0], np.cumsum(sizes)[:-1]])
        self._wait(self.comm.Iallgatherv(
            a.reshape(-1), [out.reshape(-1), (sizes.tolist(), displs.tolist())]), "all-gather")
        return out

    def barrier(self):
        """Waits (within the timeout) until every worker reaches the barrier."""
        self._check()
        self._wait(self.comm.Ibarrier(), "barrier")


def _group_by_dtype(arrays):
    groups = {}
    for i, a in enumerate(arrays):
        groups.setdefault(a.dtype, []).append(i)
    return groups


def world(timeout=None):
    """Returns the process's world: ``MPIWorld`` under an MPI launcher, else ``LocalWorld``.

    Created once per process; a later ``timeout`` replaces the earlier one.
    """
    global _world
    if _world is None:
        _world = MPIWorld(timeout) if launched_size() > 1 else LocalWorld(timeout)
    elif timeout is not None:
        _world.timeout = float(timeout)
    return _world


def current_world():
    """Returns the world if a multi-worker strategy created it, else None."""
    return _world


def rank():
    """Returns this worker's rank (0 when no multi-worker world exists)."""
    return _world.rank if _world is not None else 0
