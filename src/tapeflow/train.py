"""``tf.train``: checkpoints (``Checkpoint``, ``CheckpointManager``, ``latest_checkpoint``,
``list_variables``, ``load_checkpoint``) and the ``Example`` protocol messages. Loaded on
first use of ``tf.train``."""
from tapeflow.io.example import (  # noqa: F401
    BytesList, Example, Feature, FeatureList, FeatureLists, Features, FloatList, Int64List,
    SequenceExample)
from tapeflow.tracking.checkpoint import (  # noqa: F401
    Checkpoint, CheckpointLoadStatus, InitializationOnlyStatus)
from tapeflow.tracking.checkpoint_management import (  # noqa: F401
    CheckpointManager, CheckpointReader, latest_checkpoint, list_variables, load_checkpoint,
    load_variable)


class CheckpointOptions:
    """Options for saving and restoring checkpoints (accepted; none changes anything here).

    Args:
      experimental_io_device: ignored (one process, local files).
      experimental_enable_async_checkpoint: ignored (saves are synchronous).
    """

    def __init__(self, experimental_io_device=None, experimental_enable_async_checkpoint=False,
                 experimental_write_callbacks=None, enable_async=False,
                 experimental_skip_slot_variables=False, experimental_sharding_callback=None):
        self.experimental_io_device = experimental_io_device
        self.experimental_enable_async_checkpoint = experimental_enable_async_checkpoint
        self.enable_async = enable_async


def __getattr__(name):
    if name == "ClusterSpec":   # tf.train.ClusterSpec, defined with tf.distribute's resolvers
        from tapeflow.distribute.strategies import ClusterSpec
        return ClusterSpec
    raise AttributeError(f"module 'tapeflow.train' has no attribute {name!r}")


__all__ = ["Checkpoint", "ClusterSpec", "CheckpointManager", "CheckpointOptions", "CheckpointReader",
           "latest_checkpoint", "list_variables", "load_checkpoint", "load_variable",
           "BytesList", "Example", "Feature", "FeatureList", "FeatureLists", "Features",
           "FloatList", "Int64List", "SequenceExample"]
