"""keras/layers/call_utils.py: what Layer.__call__ does around call(): input casting, masks."""
import numpy as np

from tapeflow import keras


def test_inputs_are_cast_to_the_layer_compute_dtype():
    assert keras.layers.Dense(2)(np.ones((1, 3), np.float64)).dtype == "float32"
    assert keras.layers.Dense(2, dtype="float16")(np.ones((1, 3), np.float32)).dtype == "float16"


def test_symbolic_call_builds_and_returns_keras_tensor():
    x = keras.Input((3,))
    layer = keras.layers.Dense(2)
    y = layer(x)
    assert layer.built and tuple(y.shape) == (None, 2)
