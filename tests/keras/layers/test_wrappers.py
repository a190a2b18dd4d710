"""tapeflow.keras.layers.wrappers: TimeDistributed, Pipeline, Masking."""
import numpy as np

from tapeflow import keras


def test_time_distributed_applies_the_same_layer_per_step():
    x = np.random.default_rng(0).standard_normal((2, 5, 3)).astype(np.float32)
    dense = keras.layers.Dense(4)
    td = keras.layers.TimeDistributed(dense)
    y = td(x)
    assert y.shape == (2, 5, 4)
    w, b = dense.kernel.numpy(), dense.bias.numpy()
    np.testing.assert_allclose(y.numpy(), x @ w + b, rtol=1e-5, atol=1e-6)
    assert td.compute_output_shape((None, 5, 3)) == (None, 5, 4)


def test_masking_zeroes_masked_steps_and_returns_mask():
    x = np.array([[[1.0, 2.0], [0.0, 0.0], [3.0, 0.0]]], np.float32)
    layer = keras.layers.Masking(mask_value=0.0)
    out = layer(x)
    np.testing.assert_array_equal(out.numpy(), x)
    np.testing.assert_array_equal(np.asarray(layer.compute_mask(x)), [[True, False, True]])


def test_pipeline_chains_layers():
    p = keras.layers.Pipeline([keras.layers.Rescaling(2.0), keras.layers.Rescaling(0.5, offset=1.0)])
    x = np.array([[1.0, 3.0]], np.float32)
    np.testing.assert_allclose(np.asarray(p(x)), x * 2.0 * 0.5 + 1.0)
