"""``tf.data``: lazy, streaming input pipelines of NumPy-backed tensors."""
from tapeflow.data.dataset import AUTOTUNE, Dataset  # noqa: F401
from tapeflow.data.dataset import INFINITE as INFINITE_CARDINALITY  # noqa: F401
from tapeflow.data.dataset import UNKNOWN as UNKNOWN_CARDINALITY  # noqa: F401
from tapeflow.data.options import Options  # noqa: F401
from tapeflow.data import experimental  # noqa: F401
from tapeflow.data.readers import TextLineDataset, TFRecordDataset  # noqa: F401

__all__ = ["Dataset", "AUTOTUNE", "INFINITE_CARDINALITY", "UNKNOWN_CARDINALITY", "Options",
           "experimental", "TFRecordDataset", "TextLineDataset"]
