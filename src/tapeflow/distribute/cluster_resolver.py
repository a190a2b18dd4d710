"""``tf.distribute.cluster_resolver``: where the workers are."""
from tapeflow.distribute.strategies import (  # noqa: F401
    ClusterSpec, MPIClusterResolver, TFConfigClusterResolver, TPUClusterResolver)

__all__ = ["ClusterSpec", "MPIClusterResolver", "TFConfigClusterResolver", "TPUClusterResolver"]
