"""California Housing: 20,640 districts with 8 features, targets are prices in dollars."""
import numpy as np

from tapeflow.keras.datasets._common import ORIGIN_FOLDER
from tapeflow.keras.datasets.boston_housing import split
from tapeflow.keras.utils.file_utils import get_file

ORIGIN = ORIGIN_FOLDER + "california_housing.npz"
FILE_HASH = "1a2e3a52e0398de6463aebe6f4a8da34fb21fbb6b934cf88c3425e766f2a1a6f"


def load_data(version="large", path="california_housing.npz", test_split=0.2, seed=113):
    """Loads the California Housing dataset.

    Args:
      version: ``"large"`` (20,640 samples) or ``"small"`` (the first 600).
      path: file name in the cache.
      test_split: fraction of the data kept for the test split.
      seed: seed of the shuffle before splitting.

    Returns:
      ``(x_train, y_train), (x_test, y_test)``: arrays ``(n, 8)`` and ``(n,)``.

    Raises:
      ValueError: for an invalid ``test_split`` or ``version``.
    """
    if not 0 <= test_split < 1:
        raise ValueError(f"Invalid `test_split` argument: {test_split}. It must be between 0 "
                         "and 1 (exclusive of 1).")
    path = get_file(path, origin=ORIGIN, file_hash=FILE_HASH)
    with np.load(path, allow_pickle=False) as f:
        x, y = f["x"], f["y"]
    if version == "small":
        x, y = x[:600], y[:600]
    elif version != "large":
        raise ValueError("Argument `version` must be one of 'small', 'large'. "
                         f"Received: version={version}")
    return split(x, y, test_split, seed)
