"""Adafactor, Ftrl and Lamb (rules written out by hand as expected values), use_ema and the
SwapEMAWeights callback."""
import numpy as np
import pytest

import tapeflow as tf
from tapeflow import keras

O = keras.optimizers


def _step(opt, w0, g):
    w = tf.Variable(np.array(w0, "float32"))
    opt.apply_gradients([(tf.constant(np.array(g, "float32")), w)])
    return w.numpy(), opt


def test_lamb_first_step_is_the_trust_ratio_times_the_sign():
    w0 = np.array([3.0, 4.0])
    w, _ = _step(O.Lamb(learning_rate=0.1), w0, [0.5, -2.0])
    # step 1: m_hat = g, v_hat = g**2, u = g / (|g| + eps) ~ sign(g); ratio = ||w|| / ||u||
    u = np.array([1.0, -1.0])
    np.testing.assert_allclose(w, w0 - 0.1 * (5.0 / np.sqrt(2.0)) * u, rtol=1e-5)


def test_ftrl_first_step():
    lr, g = 0.1, np.array([0.5, -1.0])
    w, opt = _step(O.Ftrl(learning_rate=lr, l1_regularization_strength=0.02), [0.0, 0.0], g)
    accum = 0.1 + g ** 2
    linear = g    # the weights start at zero
    quadratic = np.sqrt(accum) / lr
    expect = (np.clip(linear, -0.02, 0.02) - linear) / quadratic
    np.testing.assert_allclose(w, expect, rtol=1e-6)
    assert [v.name for v in opt.variables][2:] == ["Variable_0_accumulator", "Variable_0_linear"]


def test_adafactor_factored_second_moment():
    w0 = np.ones((2, 3))
    g = np.arange(6.0).reshape(2, 3) / 6
    w, opt = _step(O.Adafactor(learning_rate=0.01), w0, g)
    assert [tuple(v.shape) for v in opt.variables[2:]] == [(2,), (3,), (2, 3)]
    sq = g ** 2 + 1e-30            # step 1: beta = 0, so the moments are this step's means
    r, c = sq.mean(axis=1), sq.mean(axis=0)
    v = (r / r.mean())[:, None] * c[None, :]
    u = g / np.sqrt(v)
    u /= max(1.0, np.sqrt(np.mean(u ** 2)))
    np.testing.assert_allclose(w, w0 - 1.0 * 0.01 * u, rtol=1e-5)   # rms(w0) = 1


@pytest.mark.parametrize("make", [lambda: O.Adafactor(), lambda: O.Ftrl(beta=0.1),
                                  lambda: O.Lamb(beta_1=0.8)])
def test_config_round_trip_and_get(make):
    opt = make()
    clone = type(opt).from_config(opt.get_config())
    assert clone.get_config() == opt.get_config()
    assert isinstance(O.get(type(opt).__name__.lower()), type(opt))


def test_ftrl_rejects_bad_arguments():
    with pytest.raises(ValueError, match="learning_rate_power"):
        O.Ftrl(learning_rate_power=0.5)
    with pytest.raises(ValueError, match="l1_regularization_strength"):
        O.Ftrl(l1_regularization_strength=-1.0)


def _model():
    keras.utils.set_random_seed(0)
    m = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, kernel_initializer="ones")])
    m.compile(O.SGD(0.1, use_ema=True, ema_momentum=0.5), "mse")
    return m


def test_swap_ema_weights_around_evaluate():
    x = np.random.RandomState(0).randn(16, 2).astype("float32")
    y = x.sum(1, keepdims=True) * 2
    model = _model()
    model.fit(x, y, epochs=2, batch_size=4, verbose=0)
    trained = [w.copy() for w in model.get_weights()]
    average = [v.numpy() for v in model.optimizer._model_variables_moving_average]
    loss_ema = model.evaluate(x, y, verbose=0, callbacks=[keras.callbacks.SwapEMAWeights()])
    for a, b in zip(model.get_weights(), trained):   # swapped back afterwards
        np.testing.assert_allclose(a, b, rtol=1e-6)
    model.set_weights(average)
    np.testing.assert_allclose(loss_ema, model.evaluate(x, y, verbose=0), rtol=1e-5)


def test_swap_ema_weights_requires_use_ema():
    x = np.zeros((4, 2), "float32")
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    model.fit(x, x[:, :1], verbose=0)
    with pytest.raises(ValueError, match="use_ema"):
        model.evaluate(x, x[:, :1], verbose=0, callbacks=[keras.callbacks.SwapEMAWeights()])
