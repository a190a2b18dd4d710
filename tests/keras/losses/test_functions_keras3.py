"""keras/losses/functions_keras3.py: dice and categorical_focal_crossentropy as functions."""
import numpy as np
import pytest

from tapeflow import keras


def test_function_values_match_keras():
    assert float(keras.losses.dice(np.array([[1.0, 0, 1]]), np.array([[1.0, 0, 0]]))) == \
        pytest.approx(1 / 3, rel=1e-6)
    out = keras.losses.categorical_focal_crossentropy(np.array([[0.0, 1, 0]]),
                                                      np.array([[0.2, 0.7, 0.1]]))
    assert out.shape == (1,)
    np.testing.assert_allclose(np.asarray(out), [0.00802519], rtol=1e-5)   # Keras 3.15
