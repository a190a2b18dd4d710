"""Options objects ``tf.distribute`` accepts: cross-device ops, input and run options.

tapeflow accepts them so that TensorFlow code runs unchanged; gradients always travel
in one fused MPI all-reduce, input is always prepared by this worker's process.
"""
import enum


class CrossDeviceOps:
    """How a strategy reduces values across devices (all map to the MPI all-reduce)."""

    def __init__(self):
        pass


class HierarchicalCopyAllReduce(CrossDeviceOps):
    """TensorFlow's hierarchical-copy all-reduce (accepted; MPI does the reduction).

    Args:
      num_packs: accepted for compatibility.
    """

    def __init__(self, num_packs=1):
        super().__init__()
        if num_packs < 0:
            raise ValueError(f"HierarchicalCopy requires num_packs >= 0, but {num_packs} "
                             "is specified")
        self.num_packs = num_packs


class NcclAllReduce(CrossDeviceOps):
    """TensorFlow's NCCL all-reduce (accepted; MPI does the reduction).

    Args:
      num_packs: accepted for compatibility.
    """

    def __init__(self, num_packs=1):
        super().__init__()
        if num_packs < 0:
            raise ValueError(f"NCCL all-reduce requires num_packs >= 0, but {num_packs} "
                             "is specified")
        self.num_packs = num_packs


class ReductionToOneDevice(CrossDeviceOps):
    """Reduce on one device, then broadcast (accepted; MPI does the reduction).

    Args:
      reduce_to_device: accepted for compatibility.
      accumulation_fn: accepted for compatibility.
    """

    def __init__(self, reduce_to_device=None, accumulation_fn=None):
        super().__init__()
        self.reduce_to_device = reduce_to_device
        self.accumulation_fn = accumulation_fn


class InputReplicationMode(enum.Enum):
    """Whether a dataset function runs once per worker or once per replica."""

    PER_WORKER = "PER_WORKER"
    PER_REPLICA = "PER_REPLICA"


class InputOptions:
    """Options for distributed datasets (``tf.distribute.InputOptions``); accepted."""

    def __init__(self, experimental_fetch_to_device=None,
                 experimental_replication_mode=InputReplicationMode.PER_WORKER,
                 experimental_place_dataset_on_device=False,
                 experimental_per_replica_buffer_size=1):
        self.experimental_fetch_to_device = True if experimental_fetch_to_device is None \
            else experimental_fetch_to_device
        self.experimental_replication_mode = experimental_replication_mode
        self.experimental_place_dataset_on_device = experimental_place_dataset_on_device
        self.experimental_per_replica_buffer_size = experimental_per_replica_buffer_size

    def __repr__(self):
        return (f"InputOptions(experimental_fetch_to_device={self.experimental_fetch_to_device}"
                f", experimental_replication_mode={self.experimental_replication_mode!r}, "
                f"experimental_place_dataset_on_device="
                f"{self.experimental_place_dataset_on_device}, "
                f"experimental_per_replica_buffer_size="
                f"{self.experimental_per_replica_buffer_size})")


class RunOptions:
    """Options for ``strategy.run`` (``tf.distribute.RunOptions``); accepted."""

    def __init__(self, experimental_enable_dynamic_batch_size=True,
                 experimental_bucketizing_dynamic_shape=False,
                 experimental_xla_options=None):
        self.experimental_enable_dynamic_batch_size = experimental_enable_dynamic_batch_size
        self.experimental_bucketizing_dynamic_shape = experimental_bucketizing_dynamic_shape
        self.experimental_xla_options = experimental_xla_options


class DistributedValues:
    """The base class of per-replica values. tapeflow runs one replica per process, so
    ``strategy.run`` returns the replica's own values and never makes one of these."""
