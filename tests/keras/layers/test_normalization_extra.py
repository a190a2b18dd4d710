"""tapeflow.keras.layers.normalization_extra: Group/Unit/RMS normalization against NumPy."""
import numpy as np

import tapeflow as tf
from tapeflow import keras
from gradcheck import check_grads


def test_unit_and_rms_normalization_match_numpy():
    x = np.random.default_rng(0).standard_normal((3, 5)).astype(np.float32)
    np.testing.assert_allclose(keras.layers.UnitNormalization()(x).numpy(),
                               x / np.linalg.norm(x, axis=-1, keepdims=True), rtol=1e-5)
    rms = keras.layers.RMSNormalization(epsilon=1e-6)(x).numpy()
    ref = x / np.sqrt((x * x).mean(-1, keepdims=True) + 1e-6)
    np.testing.assert_allclose(rms, ref, rtol=1e-5, atol=1e-6)


def test_group_normalization_matches_numpy():
    x = np.random.default_rng(1).standard_normal((2, 3, 4, 6)).astype(np.float32)
    out = keras.layers.GroupNormalization(groups=3, epsilon=1e-3)(x).numpy()
    g = x.reshape(2, 3, 4, 3, 2)
    mean = g.mean(axis=(1, 2, 4), keepdims=True)
    var = g.var(axis=(1, 2, 4), keepdims=True)
    ref = ((g - mean) / np.sqrt(var + 1e-3)).reshape(x.shape)
    np.testing.assert_allclose(out, ref, rtol=1e-4, atol=1e-5)


def test_group_normalization_gradient():
    layer = keras.layers.GroupNormalization(groups=2, dtype="float64")
    x = np.random.default_rng(2).standard_normal((2, 3, 4))
    check_grads(lambda t: layer(t), [x], order=1)
