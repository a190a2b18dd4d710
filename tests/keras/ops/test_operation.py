"""keras/ops/operation.py: keras.ops on KerasTensors become nodes of a functional model."""
import numpy as np

from tapeflow import keras


def test_ops_on_keras_tensors_are_symbolic_and_replayed_by_the_model():
    x = keras.Input((3,))
    y = keras.ops.exp(x)
    assert isinstance(y, keras.KerasTensor) and tuple(y.shape) == (None, 3)
    model = keras.Model(x, keras.ops.sum(y, axis=-1))
    data = np.array([[0.0, 1.0, 2.0]], "float32")
    np.testing.assert_allclose(np.asarray(model(data)), np.exp(data).sum(-1), rtol=1e-6)
