"""keras/layers/conv_lstm.py: ConvLSTM1D/2D/3D output shapes."""
import numpy as np

from tapeflow import keras


def test_output_shapes_follow_padding_and_return_sequences():
    x = np.random.default_rng(0).random((2, 3, 5, 5, 1)).astype("float32")
    assert keras.layers.ConvLSTM2D(4, 3, padding="same", return_sequences=True)(x).shape == \
        (2, 3, 5, 5, 4)
    assert keras.layers.ConvLSTM2D(4, 3)(x).shape == (2, 3, 3, 4)
    assert keras.layers.ConvLSTM1D(2, 3)(x[..., 0, :]).shape == (2, 3, 2)
