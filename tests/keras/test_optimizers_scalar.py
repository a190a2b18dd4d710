"""Optimizers on 0-d variables (the NumPy rules once failed: 'return arrays must be of
ArrayType'); the numbers are TensorFlow 2.21's for two steps of gradient 0.5 from 1.0."""
import numpy as np
import pytest

import tapeflow as tf
from tapeflow import keras

EXPECTED = {"Adam": 0.998, "RMSprop": 0.99454355, "SGD": 0.855, "Adagrad": 0.99850935,
            "AdamW": 0.99799204, "Nadam": 0.9981636, "Adamax": 0.998, "Lion": 0.998,
            "Adadelta": 0.99999714}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_two_steps_on_a_scalar_variable(name):
    opt = getattr(keras.optimizers, name)(**({"learning_rate": 0.1, "momentum": 0.9}
                                             if name == "SGD" else {}))
    v = tf.Variable(1.0)
    w = tf.Variable([1.0, 1.0])
    for _ in range(2):
        opt.apply_gradients([(tf.constant(0.5), v), (tf.constant([0.5, 0.5]), w)])
    assert v.shape == () and v.dtype == tf.float32
    np.testing.assert_allclose(v.numpy(), EXPECTED[name], rtol=1e-5)
    np.testing.assert_allclose(w.numpy(), [EXPECTED[name]] * 2, rtol=1e-5)
    assert all(s.shape == np.shape(r) for s, r in zip(opt.variables[2:], opt.variables[2:]))
