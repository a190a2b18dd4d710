"""``tf.data.Options``: accepted for compatibility; only ``experimental_distribute`` acts
(``tf.distribute`` reads its ``auto_shard_policy``)."""
import enum


class AutoShardPolicy(enum.IntEnum):
    """How ``tf.distribute`` splits a dataset between workers.

    OFF: every worker reads the whole dataset. AUTO: FILE if the pipeline reads
    files, else DATA. FILE: each worker reads its share of the input files.
    DATA: each worker reads every element and keeps its own part of it. HINT:
    treated as AUTO.
    """

    OFF = -1
    AUTO = 0
    FILE = 1
    DATA = 2
    HINT = 3


class DistributeOptions:
    """``tf.data.experimental.DistributeOptions``: ``auto_shard_policy`` and ``num_devices``."""

    def __init__(self):
        self.auto_shard_policy = AutoShardPolicy.AUTO
        self.num_devices = None


class _OptionGroup:
    def __init__(self, **defaults):
        self.__dict__.update(defaults)

    def __repr__(self):
        return f"{type(self).__name__}({self.__dict__})"


class Options:
    """Options for a dataset (``deterministic``, ``experimental_optimization`` ...).

    Every attribute can be set; tapeflow's pipelines are deterministic and unoptimised.
    """

    def __init__(self):
        self.deterministic = None
        self.experimental_deterministic = None
        self.experimental_optimization = _OptionGroup()
        self.experimental_distribute = DistributeOptions()
        self.threading = _OptionGroup(private_threadpool_size=None, max_intra_op_parallelism=None)
        self.autotune = _OptionGroup(enabled=True)

    def merge(self, options):
        """Returns a new ``Options`` with ``options``' set values on top of these."""
        out = Options()
        out.__dict__.update(self.__dict__)
        out.__dict__.update({k: v for k, v in options.__dict__.items() if v is not None})
        return out
