"""keras/utils/sequence_utils.py: pad_sequences."""
import numpy as np

from tapeflow import keras


def test_pre_padding_and_truncation_by_default():
    out = keras.utils.pad_sequences([[1, 2, 3], [4]], maxlen=2)
    assert out.dtype == np.int32
    np.testing.assert_array_equal(out, [[2, 3], [0, 4]])
    post = keras.utils.pad_sequences([[1, 2, 3], [4]], padding="post", truncating="post", value=9)
    np.testing.assert_array_equal(post, [[1, 2, 3], [4, 9, 9]])
