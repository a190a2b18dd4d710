"""Rescaling and Normalization (with adapt)."""
import os
import sys

import numpy as np
import pytest

import tapeflow as tf
from tapeflow import keras
from tapeflow.keras import layers

sys.path.insert(0, os.path.dirname(__file__))
from layer_harness import run_layer_test  # noqa: E402


def test_rescaling():
    x = np.array([[0, 127, 255]], np.uint8)
    y = layers.Rescaling(1.0 / 255)(x)
    assert y.dtype == tf.float32
    np.testing.assert_allclose(y.numpy(), x / 255.0, rtol=1e-6)
    np.testing.assert_allclose(layers.Rescaling(2.0, offset=-1.0)(np.ones((1, 2))).numpy(),
                               [[1.0, 1.0]])
    run_layer_test(layers.Rescaling, {"scale": 0.5, "offset": 1.0}, input_shape=(2, 3),
                   expected_output_shape=(2, 3))


def test_normalization_adapt():
    data = np.random.RandomState(0).normal(5.0, 3.0, (100, 3)).astype(np.float32)
    norm = layers.Normalization()
    norm.adapt(data)
    np.testing.assert_allclose(norm.adapt_mean.numpy(), data.mean(0), rtol=1e-5)
    np.testing.assert_allclose(norm.adapt_variance.numpy(), data.var(0), rtol=1e-5)
    y = norm(data).numpy()
    np.testing.assert_allclose(y.mean(0), np.zeros(3), atol=1e-5)
    np.testing.assert_allclose(y.std(0), np.ones(3), rtol=1e-4)
    # Keras 3: mean, variance and an int64 count (which adapt leaves at 0)
    assert [w.path for w in norm.non_trainable_weights] == [
        "normalization/mean", "normalization/variance", "normalization/count"]
    assert norm.trainable_weights == [] and norm.count.dtype == "int64"


def test_normalization_adapt_from_batches_and_invert():
    data = np.arange(12, dtype=np.float32).reshape(6, 2)
    norm = layers.Normalization()
    norm.adapt(iter([data[:3], data[3:]]))
    np.testing.assert_allclose(norm.adapt_mean.numpy(), data.mean(0), rtol=1e-6)
    inv = layers.Normalization(mean=data.mean(0), variance=data.var(0), invert=True)
    z = (data - data.mean(0)) / data.std(0)
    np.testing.assert_allclose(inv(z).numpy(), data, rtol=1e-5, atol=1e-5)


def test_normalization_fixed_stats():
    norm = layers.Normalization(mean=2.0, variance=4.0)
    np.testing.assert_allclose(norm(np.array([[4.0, 0.0]])).numpy(), [[1.0, -1.0]])
    run_layer_test(layers.Normalization, {"mean": 1.0, "variance": 4.0}, input_shape=(2, 3),
                   expected_output_shape=(2, 3))
    with pytest.raises(ValueError, match="both `mean` and `variance`"):
        layers.Normalization(mean=1.0)


def test_normalization_in_a_model():
    data = np.random.RandomState(1).rand(20, 4).astype(np.float32)
    norm = layers.Normalization()
    norm.adapt(data)
    model = keras.Sequential([keras.Input(shape=(4,)), norm, layers.Dense(1)])
    assert model(data).shape == (20, 1)
