"""Reading CIFAR's Python-pickle batches with a NumPy-only unpickler."""
import os

import numpy as np

from tapeflow.keras.datasets._common import restricted_unpickle


def load_batch(fpath, label_key="labels"):
    """Returns ``(data, labels)`` of one CIFAR batch file; data is ``(n, 3, 32, 32)`` uint8."""
    with open(fpath, "rb") as f:
        d = restricted_unpickle(f.read(), encoding="bytes")
    d = {(k.decode("utf8") if isinstance(k, bytes) else k): v for k, v in d.items()}
    data = np.asarray(d["data"])
    return data.reshape(data.shape[0], 3, 32, 32), d[label_key]


def data_dir(path, dirname):
    """The folder holding the batch files: ``path/dirname`` if present, else ``path``."""
    inner = os.path.join(path, dirname)
    return inner if os.path.isdir(inner) else path
