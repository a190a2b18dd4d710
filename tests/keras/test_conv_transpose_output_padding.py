"""output_padding on Conv1D/2D/3DTranspose without TensorFlow: output sizes (Keras's
formula), the extra rows being the transposed convolution's continuation, gradients, saving."""
import numpy as np
import pytest

import tapeflow as tf
from gradcheck import check_grads
from tapeflow import keras


@pytest.mark.parametrize("padding,op,expected", [("valid", 1, 12), ("valid", 0, 11),
                                                 ("same", 1, 10), ("same", 0, 9)])
def test_output_length_follows_keras_formula(padding, op, expected):
    layer = keras.layers.Conv1DTranspose(2, 3, strides=2, padding=padding, output_padding=op)
    assert layer(np.ones((1, 5, 1), "float32")).shape == (1, expected, 2)
    assert layer.compute_output_shape((None, 5, 1)) == (None, expected, 2)


def test_output_padding_only_appends_rows():
    x = np.random.default_rng(0).standard_normal((1, 4, 5, 2)).astype("float32")
    plain = keras.layers.Conv2DTranspose(3, 3, strides=2, use_bias=False)
    padded = keras.layers.Conv2DTranspose(3, 3, strides=2, output_padding=1, use_bias=False)
    plain(x)
    padded(x)
    padded.set_weights(plain.get_weights())
    a, b = plain(x).numpy(), padded(x).numpy()
    assert b.shape == (1, 10, 12, 3) and a.shape == (1, 9, 11, 3)
    np.testing.assert_allclose(b[:, :9, :11], a, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(b[:, 9:], 0)


def test_output_padding_gradients_and_config(tmp_path):
    layer = keras.layers.Conv2DTranspose(2, 2, strides=2, output_padding=(1, 0),
                                         dtype="float64")
    x = np.random.default_rng(1).standard_normal((1, 2, 3, 2))
    layer(x)
    check_grads(lambda t: layer(t), [tf.constant(x)], order=2)
    again = keras.layers.Conv2DTranspose.from_config(layer.get_config())
    assert again.output_padding == (1, 0)
    with pytest.raises(ValueError, match="strictly less than"):
        keras.layers.Conv3DTranspose(2, 2, strides=(2, 1, 2), output_padding=1)
