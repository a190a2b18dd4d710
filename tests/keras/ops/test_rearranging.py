"""keras/ops/rearranging.py: einops-style rearrange."""
import numpy as np

from tapeflow import keras


def test_split_axis_and_transpose():
    x = np.arange(24).reshape(2, 6, 2)
    out = np.asarray(keras.ops.rearrange(x, "b (h w) c -> b h w c", h=2))
    np.testing.assert_array_equal(out, x.reshape(2, 2, 3, 2))
    y = np.arange(6).reshape(2, 3)
    np.testing.assert_array_equal(np.asarray(keras.ops.rearrange(y, "a b -> b a")), y.T)
