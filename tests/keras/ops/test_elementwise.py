"""keras/ops/elementwise.py: clip, round (half to even), trunc, isclose."""
import numpy as np

from tapeflow import keras

ops = keras.ops


def test_rounding_clipping_and_closeness():
    np.testing.assert_array_equal(np.asarray(ops.round(np.array([0.5, 1.5, 2.5]))), [0, 2, 2])
    np.testing.assert_array_equal(np.asarray(ops.trunc(np.array([-1.5, 1.5]))), [-1, 1])
    np.testing.assert_array_equal(np.asarray(ops.clip(np.array([-2.0, 0.5, 3.0]), 0, 1)),
                                  [0, 0.5, 1])
    assert bool(np.asarray(ops.isclose(np.array([1.0]), np.array([1.0 + 1e-9])))[0])
