"""``tf.data.experimental``: AUTOTUNE, cardinality and its constants."""
from tapeflow.data.dataset import AUTOTUNE, INFINITE as INFINITE_CARDINALITY  # noqa: F401
from tapeflow.data.dataset import UNKNOWN as UNKNOWN_CARDINALITY  # noqa: F401
from tapeflow.data.options import AutoShardPolicy, DistributeOptions  # noqa: F401


def cardinality(dataset):
    """Returns the cardinality of ``dataset`` as an int64 scalar Tensor.

    ``INFINITE_CARDINALITY`` (-1) if infinite, ``UNKNOWN_CARDINALITY`` (-2) if unknown.
    """
    return dataset.cardinality()


__all__ = ["AUTOTUNE", "INFINITE_CARDINALITY", "UNKNOWN_CARDINALITY", "cardinality",
           "AutoShardPolicy", "DistributeOptions"]
