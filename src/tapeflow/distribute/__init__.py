"""``tf.distribute``: strategies for data-parallel training.

``MultiWorkerMirroredStrategy`` trains on several processes launched by MPI
(``mpirun -np N python train.py``; ``pip install "tapeflow[mpi]"``), one replica
per process. ``MirroredStrategy`` and ``OneDeviceStrategy`` run one replica on
this machine. See ``tapeflow.distribute.strategies`` and ``collective``.
"""
from tapeflow.distribute import cluster_resolver, experimental  # noqa: F401
from tapeflow.distribute.distribute_lib import (  # noqa: F401
    InputContext, ReduceOp, ReplicaContext, Strategy, StrategyExtended, ValueContext,
    experimental_set_strategy, get_replica_context, get_strategy, has_strategy,
    in_cross_replica_context)
from tapeflow.distribute.input_lib import (  # noqa: F401
    DistributedDataset, DistributedIterator)
from tapeflow.distribute.options import (  # noqa: F401
    CrossDeviceOps, DistributedValues, HierarchicalCopyAllReduce, InputOptions,
    InputReplicationMode, NcclAllReduce, ReductionToOneDevice, RunOptions)
from tapeflow.distribute.strategies import (  # noqa: F401
    CollectiveAllReduceStrategy, MirroredStrategy, MultiWorkerMirroredStrategy,
    OneDeviceStrategy, ParameterServerStrategy, TPUStrategy)

__all__ = ["InputContext", "ReduceOp", "ReplicaContext", "Strategy", "StrategyExtended",
           "experimental_set_strategy", "get_replica_context", "get_strategy", "has_strategy",
           "in_cross_replica_context", "DistributedDataset", "DistributedIterator",
           "MirroredStrategy", "MultiWorkerMirroredStrategy", "OneDeviceStrategy",
           "cluster_resolver", "experimental", "CrossDeviceOps", "DistributedValues",
           "HierarchicalCopyAllReduce", "InputOptions", "InputReplicationMode", "NcclAllReduce",
           "ReductionToOneDevice", "RunOptions", "ParameterServerStrategy", "TPUStrategy"]
