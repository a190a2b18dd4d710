"""keras/preprocessing/sequence.py: the legacy module path of pad_sequences."""
import numpy as np

from tapeflow import keras


def test_legacy_path_pads():
    out = keras.preprocessing.sequence.pad_sequences([[1], [2, 3]], padding="post")
    np.testing.assert_array_equal(out, [[1, 0], [2, 3]])
