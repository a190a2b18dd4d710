"""A stand-in for an MPI world of identical workers, for in-process tests.

``FakeWorld(size, rank)`` behaves as if every other worker held the same arrays as this
one: an all-reduce returns ``size * x``, a broadcast returns the input, an all-gather
repeats the array ``size`` times. It lets one process check the arithmetic around the
collectives (loss scaling, MEAN, sharding) without mpirun.
"""
import numpy as np

from tapeflow.distribute.distribute_lib import StrategyExtended
from tapeflow.distribute.strategies import CollectiveAllReduceStrategy


class FakeWorld:
    is_mpi = False

    def __init__(self, size, rank=0):
        self.size, self.rank = size, rank
        self.calls = []

    def allreduce(self, arrays):
        self.calls.append(("allreduce", tuple(np.shape(a) for a in arrays)))
        return [np.asarray(a) * np.asarray(self.size, np.asarray(a).dtype) for a in arrays]

    def broadcast(self, arrays, root=0):
        self.calls.append(("broadcast", tuple(np.shape(a) for a in arrays)))
        return [np.array(a, copy=True) for a in arrays]

    def allgather(self, array):
        self.calls.append(("allgather", np.shape(array)))
        a = np.asarray(array)
        return np.concatenate([a.reshape((-1,) + a.shape[1:]) if a.ndim else a.reshape(1)]
                              * self.size)

    def barrier(self):
        self.calls.append(("barrier", ()))


def fake_strategy(size, rank=0):
    """Returns a MultiWorkerMirroredStrategy whose world is ``FakeWorld(size, rank)``."""
    strategy = CollectiveAllReduceStrategy()
    strategy._extended = StrategyExtended(strategy, world=FakeWorld(size, rank))
    return strategy
