"""BatchNormalization and LayerNormalization against NumPy references."""
import os
import sys

import numpy as np
import pytest

from tapeflow import keras
from tapeflow.keras import layers

sys.path.insert(0, os.path.dirname(__file__))
from layer_harness import run_layer_test  # noqa: E402


def test_batch_norm_harness_inference_and_training():
    run_layer_test(layers.BatchNormalization, {}, input_shape=(4, 3),
                   expected_output_shape=(4, 3), expected_num_trainable_weights=2,
                   expected_num_non_trainable_weights=2)
    run_layer_test(layers.BatchNormalization, {}, input_shape=(4, 3),
                   expected_output_shape=(4, 3), expected_num_trainable_weights=2,
                   expected_num_non_trainable_weights=2, call_kwargs={"training": True},
                   rtol=1e-4, atol=1e-5)


def test_batch_norm_training_uses_batch_stats_and_updates_moving_stats():
    x = np.random.RandomState(0).normal(3.0, 2.0, (16, 3)).astype(np.float32)
    bn = layers.BatchNormalization()
    y = bn(x, training=True).numpy()
    mean, var = x.mean(0), x.var(0)
    np.testing.assert_allclose(y, (x - mean) / np.sqrt(var + 1e-3), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(bn.moving_mean.numpy(), 0.01 * mean, rtol=1e-5)
    np.testing.assert_allclose(bn.moving_variance.numpy(), 0.99 + 0.01 * var, rtol=1e-5)
    # Inference uses the moving statistics and does not change them.
    before = bn.moving_mean.numpy()
    y_inf = bn(x).numpy()
    np.testing.assert_allclose(y_inf, (x - before) / np.sqrt(bn.moving_variance.numpy() + 1e-3),
                               rtol=1e-5)
    np.testing.assert_array_equal(bn.moving_mean.numpy(), before)


def test_batch_norm_frozen_runs_in_inference_mode():
    bn = layers.BatchNormalization()
    bn.build((None, 2))
    bn.trainable = False
    bn(np.ones((4, 2)) * 5, training=True)
    np.testing.assert_array_equal(bn.moving_mean.numpy(), [0.0, 0.0])


def test_batch_norm_4d_channels_last_and_config():
    x = np.random.RandomState(1).rand(2, 3, 3, 4).astype(np.float32)
    bn = layers.BatchNormalization(momentum=0.9, epsilon=1e-5)
    y = bn(x, training=True).numpy()
    mean, var = x.mean((0, 1, 2)), x.var((0, 1, 2))
    np.testing.assert_allclose(y, (x - mean) / np.sqrt(var + 1e-5), rtol=1e-4, atol=1e-5)
    assert bn.gamma.shape == (4,)
    config = layers.BatchNormalization().get_config()
    assert (config["axis"], config["momentum"], config["epsilon"]) == (-1, 0.99, 0.001)


def test_batch_norm_in_model_follows_fit_training_flag():
    model = keras.Sequential([keras.Input(shape=(2,)), layers.BatchNormalization()])
    model(np.ones((4, 2)) * 3, training=True)
    np.testing.assert_allclose(model.layers[0].moving_mean.numpy(), [0.03, 0.03], rtol=1e-5)


def test_layer_normalization():
    x = np.random.RandomState(2).rand(3, 5).astype(np.float32)
    ln = layers.LayerNormalization()
    y = ln(x).numpy()
    ref = (x - x.mean(-1, keepdims=True)) / np.sqrt(x.var(-1, keepdims=True) + 1e-3)
    np.testing.assert_allclose(y, ref, rtol=1e-4, atol=1e-5)
    run_layer_test(layers.LayerNormalization, {}, input_shape=(2, 3, 4),
                   expected_output_shape=(2, 3, 4), expected_num_trainable_weights=2,
                   rtol=1e-4, atol=1e-5)
    run_layer_test(layers.LayerNormalization, {"axis": [1, 2]}, input_shape=(2, 3, 4),
                   expected_output_shape=(2, 3, 4), expected_num_trainable_weights=2,
                   rtol=1e-4, atol=1e-5)
    assert layers.LayerNormalization().get_config()["epsilon"] == 0.001


def test_layer_normalization_rms_scaling():
    x = np.random.RandomState(3).rand(2, 4).astype(np.float32)
    # Keras 3.15: deprecated with a UserWarning; it divides by the variance's root
    with pytest.warns(UserWarning, match="rms_scaling=True`, which is deprecated"):
        layer = layers.LayerNormalization(rms_scaling=True)
    with pytest.warns(UserWarning, match="keras.ops.rms_normalization"):  # every call, too
        y = layer(x).numpy()
    np.testing.assert_allclose(y, x / np.sqrt(x.var(-1, keepdims=True) + 1e-3), rtol=1e-5)


def test_bad_axis_dimension():
    with pytest.raises(ValueError, match="should have a defined dimension"):
        layers.BatchNormalization(axis=0)(keras.Input(shape=(3,)))
