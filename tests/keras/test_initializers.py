"""keras.initializers, regularizers and constraints."""
import numpy as np
import pytest

import tapeflow as tf
from tapeflow import keras
from tapeflow.keras import constraints, initializers, regularizers


def test_constant_zeros_ones_identity():
    np.testing.assert_array_equal(initializers.Zeros()((2, 2)).numpy(), np.zeros((2, 2)))
    np.testing.assert_array_equal(initializers.Ones()((3,)).numpy(), np.ones(3))
    np.testing.assert_array_equal(initializers.Constant(7)((2,)).numpy(), [7.0, 7.0])
    np.testing.assert_array_equal(initializers.Identity(gain=2.0)((2, 3)).numpy(),
                                  2 * np.eye(2, 3))
    assert initializers.Zeros()((2,)).dtype == tf.float32
    assert initializers.Ones()((2,), dtype="float64").dtype == tf.float64
    with pytest.raises(ValueError, match="2D"):
        initializers.Identity()((2, 2, 2))


def test_seeded_initializers_repeat_and_unseeded_vary():
    a = initializers.GlorotUniform(seed=3)((4, 5)).numpy()
    b = initializers.GlorotUniform(seed=3)((4, 5)).numpy()
    np.testing.assert_array_equal(a, b)
    u = initializers.GlorotUniform()
    assert not np.array_equal(u((4, 5)).numpy(), u((4, 5)).numpy())


@pytest.mark.parametrize("cls,limit_fn", [
    (initializers.GlorotUniform, lambda fi, fo: np.sqrt(6 / (fi + fo))),
    (initializers.HeUniform, lambda fi, fo: np.sqrt(6 / fi)),
    (initializers.LecunUniform, lambda fi, fo: np.sqrt(3 / fi)),
])
def test_uniform_variance_scaling_limits(cls, limit_fn):
    w = cls(seed=0)((200, 300)).numpy()
    limit = limit_fn(200, 300)
    assert np.abs(w).max() <= limit
    np.testing.assert_allclose(w.std(), limit / np.sqrt(3), rtol=0.02)


@pytest.mark.parametrize("cls,std_fn", [
    (initializers.GlorotNormal, lambda fi, fo: np.sqrt(2 / (fi + fo))),
    (initializers.HeNormal, lambda fi, fo: np.sqrt(2 / fi)),
    (initializers.LecunNormal, lambda fi, fo: np.sqrt(1 / fi)),
])
def test_truncated_normal_variance_scaling(cls, std_fn):
    w = cls(seed=0)((200, 300)).numpy()
    std = std_fn(200, 300)
    np.testing.assert_allclose(w.std(), std, rtol=0.03)
    assert np.abs(w).max() <= 2 * std / 0.87962566103423978 + 1e-6


def test_random_normal_uniform_truncated():
    n = initializers.RandomNormal(mean=1.0, stddev=0.5, seed=1)((10000,)).numpy()
    np.testing.assert_allclose([n.mean(), n.std()], [1.0, 0.5], rtol=0.03)
    u = initializers.RandomUniform(minval=-2, maxval=3, seed=1)((10000,)).numpy()
    assert u.min() >= -2 and u.max() < 3
    t = initializers.TruncatedNormal(stddev=1.0, seed=1)((10000,)).numpy()
    assert np.abs(t).max() <= 2.0
    assert initializers.RandomNormal().get_config() == {"mean": 0.0, "stddev": 0.05,
                                                        "seed": None}


def test_orthogonal():
    w = initializers.Orthogonal(seed=0)((5, 3)).numpy()
    np.testing.assert_allclose(w.T @ w, np.eye(3), atol=1e-5)
    w = initializers.Orthogonal(gain=2.0, seed=0)((3, 5)).numpy()
    np.testing.assert_allclose(w @ w.T, 4 * np.eye(3), atol=1e-5)


def test_get_by_name_config_and_instance():
    assert isinstance(initializers.get("glorot_uniform"), initializers.GlorotUniform)
    assert isinstance(initializers.get("he_normal"), initializers.HeNormal)
    assert isinstance(initializers.get("zeros"), initializers.Zeros)
    assert isinstance(initializers.get("Orthogonal"), initializers.Orthogonal)
    init = initializers.Constant(3.0)
    assert initializers.get(init) is init
    restored = initializers.get(initializers.serialize(initializers.VarianceScaling(
        scale=2.0, mode="fan_out", distribution="uniform", seed=4)))
    assert restored.get_config() == {"scale": 2.0, "mode": "fan_out", "distribution": "uniform",
                                     "seed": 4, "input_axes": None, "output_axes": None}
    with pytest.raises(ValueError, match="Could not interpret initializer identifier"):
        initializers.get("nope")


def test_compute_fans_for_conv_kernels():
    assert initializers.compute_fans((3, 3, 4, 8)) == (36, 72)
    assert initializers.compute_fans((5,)) == (5, 5)


def test_set_random_seed_makes_layers_repeatable():
    keras.utils.set_random_seed(42)
    a = keras.layers.Dense(3)
    a.build((None, 2))
    keras.utils.set_random_seed(42)
    b = keras.layers.Dense(3)
    b.build((None, 2))
    np.testing.assert_array_equal(a.kernel.numpy(), b.kernel.numpy())
    with pytest.raises(ValueError, match="Expected `seed` argument to be an integer"):
        keras.utils.set_random_seed(1.5)


def test_regularizers():
    w = tf.constant([[1.0, -2.0], [3.0, -4.0]])
    assert float(regularizers.L1(0.1)(w)) == pytest.approx(1.0)
    assert float(regularizers.L2(0.01)(w)) == pytest.approx(0.3)
    assert float(regularizers.L1L2(l1=0.1, l2=0.01)(w)) == pytest.approx(1.3)
    assert regularizers.L2(0.5).get_config() == {"l2": 0.5}
    assert isinstance(regularizers.get("l2"), regularizers.L2)
    assert regularizers.get("l1").l1 == 0.01
    assert regularizers.get({"class_name": "L1L2", "config": {"l1": 0.0, "l2": 0.2},
                             "module": "keras.regularizers", "registered_name": None}).l2 == 0.2
    with pytest.raises(ValueError, match="non-negative"):
        regularizers.L2(-1.0)


def test_regularizer_gradient():
    w = tf.Variable([1.0, -2.0])
    with tf.GradientTape() as tape:
        loss = regularizers.L2(0.5)(w)
    np.testing.assert_allclose(tape.gradient(loss, w).numpy(), [1.0, -2.0])


def test_constraints():
    w = tf.constant([[3.0, 0.1], [4.0, 0.1]])
    np.testing.assert_allclose(constraints.MaxNorm(2.0)(w).numpy(),
                               [[1.2, 0.1], [1.6, 0.1]], rtol=1e-5)
    np.testing.assert_allclose(constraints.NonNeg()(tf.constant([-1.0, 2.0])).numpy(), [0, 2])
    u = constraints.UnitNorm()(w).numpy()
    np.testing.assert_allclose(np.linalg.norm(u, axis=0), [1.0, 1.0], rtol=1e-5)
    assert isinstance(constraints.get("max_norm"), constraints.MaxNorm)
    assert constraints.MaxNorm(3).get_config() == {"max_value": 3, "axis": 0}


def test_dense_uses_initializers_and_constraints():
    layer = keras.layers.Dense(2, kernel_initializer="ones", bias_initializer=initializers.Constant(
        0.5), kernel_constraint="non_neg")
    layer.build((None, 3))
    np.testing.assert_array_equal(layer.kernel.numpy(), np.ones((3, 2)))
    np.testing.assert_array_equal(layer.bias.numpy(), [0.5, 0.5])
    assert isinstance(layer.kernel.constraint, constraints.NonNeg)


def test_variance_scaling_fans_from_input_and_output_axes():
    # Keras 3.15: with both input_axes and output_axes, the fans are the products of those
    # axes' sizes; with only one given, the usual fans (receptive field times channels).
    shape = (100, 20, 30)
    init = initializers.VarianceScaling(mode="fan_in", distribution="uniform", seed=0,
                                        input_axes=[0], output_axes=[1, 2])
    assert abs(np.abs(init(shape).numpy()).max() - np.sqrt(3 / 100)) < 1e-3
    init = initializers.VarianceScaling(mode="fan_out", distribution="uniform", seed=0,
                                        input_axes=[0], output_axes=[1, 2])
    assert abs(np.abs(init(shape).numpy()).max() - np.sqrt(3 / 600)) < 1e-3
    init = initializers.VarianceScaling(mode="fan_in", distribution="uniform", seed=0,
                                        input_axes=[0])
    assert abs(np.abs(init(shape).numpy()).max() - np.sqrt(3 / 2000)) < 1e-4
    glorot = initializers.GlorotUniform(seed=0, input_axes=[0], output_axes=[1])
    assert glorot.get_config() == {"seed": 0, "input_axes": [0], "output_axes": [1]}
    assert abs(np.abs(glorot((10, 20, 30)).numpy()).max() - np.sqrt(6 / 30)) < 1e-2
