"""keras/ops/arrays.py: concatenate, split, take."""
import numpy as np

from tapeflow import keras

ops = keras.ops


def test_concatenate_split_take():
    assert ops.concatenate([np.ones((1, 2)), np.zeros((2, 2))]).shape == (3, 2)
    parts = ops.split(np.arange(6), 3)
    assert [np.asarray(p).tolist() for p in parts] == [[0, 1], [2, 3], [4, 5]]
    np.testing.assert_array_equal(
        np.asarray(ops.take(np.arange(10).reshape(2, 5), np.array([1, 3]), axis=1)),
        [[1, 3], [6, 8]])
