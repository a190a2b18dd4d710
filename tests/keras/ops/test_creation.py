"""keras/ops/creation.py: arange, linspace, eye, tri, full."""
import numpy as np

from tapeflow import keras

ops = keras.ops


def test_values_and_default_dtypes():
    assert ops.arange(5).dtype == "int32"
    np.testing.assert_array_equal(np.asarray(ops.arange(0.0, 1.0, 0.25)), [0, 0.25, 0.5, 0.75])
    assert ops.linspace(0, 1, 5).dtype == "float32"
    np.testing.assert_array_equal(np.asarray(ops.eye(2, 3)), np.eye(2, 3))
    np.testing.assert_array_equal(np.asarray(ops.tri(3)), np.tri(3))
    assert ops.full((2,), 7).dtype == "float32"
