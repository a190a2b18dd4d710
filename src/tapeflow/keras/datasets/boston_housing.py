"""Boston Housing: 506 samples of 13 features, targets are median prices in k$."""
import numpy as np

from tapeflow.keras.datasets._common import ORIGIN_FOLDER
from tapeflow.keras.utils.file_utils import get_file

ORIGIN = ORIGIN_FOLDER + "boston_housing.npz"
FILE_HASH = "f553886a1f8d56431e820c5b82552d9d95cfcb96d1e678153f8839538947dff5"


def load_data(path="boston_housing.npz", test_split=0.2, seed=113):
    """Loads the Boston Housing dataset.

    Args:
      path: file name in the cache.
      test_split: fraction of the data kept for the test split.
      seed: seed of the shuffle before splitting.

    Returns:
      ``(x_train, y_train), (x_test, y_test)``: float64 arrays ``(n, 13)`` and ``(n,)``.
    """
    assert 0 <= test_split < 1
    path = get_file(path, origin=ORIGIN, file_hash=FILE_HASH)
    with np.load(path, allow_pickle=False) as f:
        x, y = f["x"], f["y"]
    return split(x, y, test_split, seed)


def split(x, y, test_split, seed):
    """Shuffles with ``RandomState(seed)`` and splits off the last ``test_split`` fraction."""
    rng = np.random.RandomState(seed)
    indices = np.arange(len(x))
    rng.shuffle(indices)
    x, y = x[indices], y[indices]
    cut = int(len(x) * (1 - test_split))
    return (np.array(x[:cut]), np.array(y[:cut])), (np.array(x[cut:]), np.array(y[cut:]))
