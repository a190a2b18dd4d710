"""keras/layers/masking_utils.py: masks attached to tensors and read back."""
import numpy as np

import tapeflow as tf
from tapeflow import keras
from tapeflow.keras.layers import masking_utils


def test_embedding_mask_is_attached_and_readable():
    y = keras.layers.Embedding(5, 2, mask_zero=True)(tf.constant([[1, 2, 0]]))
    np.testing.assert_array_equal(masking_utils.get_keras_mask(y).numpy(), [[True, True, False]])


def test_set_and_get_round_trip():
    x = tf.constant([[1.0, 2.0]])
    assert masking_utils.get_keras_mask(x) is None
    masking_utils.set_keras_mask(x, tf.constant([[True, False]]))
    np.testing.assert_array_equal(masking_utils.get_keras_mask(x).numpy(), [[True, False]])
