"""CIFAR-10: 50,000 training and 10,000 test 32x32 colour images in 10 classes."""
import os

import numpy as np

from tapeflow.keras.datasets._cifar import data_dir, load_batch
from tapeflow.keras.utils.file_utils import get_file

ORIGIN = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
FILE_HASH = "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce"


def load_data():
    """Loads the CIFAR10 dataset.

    Returns:
      ``(x_train, y_train), (x_test, y_test)``: uint8 images ``(50000, 32, 32, 3)`` /
      ``(10000, 32, 32, 3)`` and uint8 labels ``(50000, 1)`` / ``(10000, 1)``.
    """
    dirname = "cifar-10-batches-py"
    path = get_file(fname=dirname, origin=ORIGIN, untar=True, file_hash=FILE_HASH)
    path = data_dir(path, dirname)
    xs, ys = [], []
    for i in range(1, 6):
        x, y = load_batch(os.path.join(path, f"data_batch_{i}"))
        xs.append(x)
        ys.append(np.asarray(y, dtype=np.uint8))
    x_train = np.concatenate(xs).astype(np.uint8)
    y_train = np.concatenate(ys).reshape(-1, 1)
    x_test, y_test = load_batch(os.path.join(path, "test_batch"))
    x_test = np.asarray(x_test, dtype=np.uint8)
    y_test = np.asarray(y_test, dtype=np.uint8).reshape(-1, 1)
    return ((x_train.transpose(0, 2, 3, 1), y_train),
            (x_test.transpose(0, 2, 3, 1), y_test))
