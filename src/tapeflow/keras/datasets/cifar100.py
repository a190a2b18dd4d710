"""CIFAR-100: 32x32 colour images in 100 fine classes grouped into 20 coarse ones."""
import os

import numpy as np

from tapeflow.keras.datasets._cifar import data_dir, load_batch
from tapeflow.keras.utils.file_utils import get_file

ORIGIN = "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz"
FILE_HASH = "85cd44d02ba6437773c5bbd22e183051d648de2e7d6b014e1ef29b855ba677a7"


def load_data(label_mode="fine"):
    """Loads the CIFAR100 dataset.

    Args:
      label_mode: ``"fine"`` (100 classes) or ``"coarse"`` (20 super-classes).

    Returns:
      ``(x_train, y_train), (x_test, y_test)``: uint8 images ``(50000, 32, 32, 3)`` /
      ``(10000, 32, 32, 3)`` and labels of shape ``(n, 1)``.

    Raises:
      ValueError: for another ``label_mode``.
    """
    if label_mode not in ["fine", "coarse"]:
        raise ValueError('`label_mode` must be one of `"fine"`, `"coarse"`. '
                         f"Received: label_mode={label_mode}.")
    dirname = "cifar-100-python-target"
    path = get_file(fname=dirname, origin=ORIGIN, extract=True, file_hash=FILE_HASH)
    path = data_dir(path, "cifar-100-python")
    x_train, y_train = load_batch(os.path.join(path, "train"), label_key=label_mode + "_labels")
    x_test, y_test = load_batch(os.path.join(path, "test"), label_key=label_mode + "_labels")
    y_train = np.reshape(np.asarray(y_train), (len(y_train), 1))
    y_test = np.reshape(np.asarray(y_test), (len(y_test), 1))
    return (x_train.transpose(0, 2, 3, 1), y_train), (x_test.transpose(0, 2, 3, 1), y_test)
