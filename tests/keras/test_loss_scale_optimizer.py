"""keras.optimizers.LossScaleOptimizer and compile's wrapping of mixed_float16 models (Keras 3)."""
import numpy as np
import pytest

import tapeflow as tf
from tapeflow import keras
from tapeflow.keras import layers, optimizers


def test_dynamic_scale_grows_after_finite_steps_and_halves_on_overflow():
    v = tf.Variable([1.0, 2.0])
    opt = optimizers.LossScaleOptimizer(optimizers.SGD(0.1), initial_scale=8.0,
                                        dynamic_growth_steps=2)
    assert opt.name == "loss_scale_optimizer"
    with tf.GradientTape() as tape:
        loss = opt.scale_loss(tf.reduce_sum(v * v))
    grads = tape.gradient(loss, [v])
    np.testing.assert_array_equal(grads[0].numpy(), [16.0, 32.0])   # 8 * 2v
    opt.apply(grads, [v])
    np.testing.assert_allclose(v.numpy(), [0.8, 1.6])                # unscaled: 2v
    assert int(opt.iterations.numpy()) == 1 and int(opt.step_counter.numpy()) == 1
    opt.apply_gradients([(tf.constant([1.0, 1.0]), v)])
    assert float(opt.dynamic_scale.numpy()) == 16.0 and int(opt.step_counter.numpy()) == 0
    before = v.numpy()
    opt.apply_gradients([(tf.constant([np.inf, 1.0]), v)])
    np.testing.assert_array_equal(v.numpy(), before)                 # step skipped
    assert float(opt.dynamic_scale.numpy()) == 8.0 and int(opt.iterations.numpy()) == 2
    assert opt.scale_loss(tf.constant(1.0, "float16")).dtype == tf.float16


def test_learning_rate_and_config_forward_to_inner_optimizer():
    opt = optimizers.LossScaleOptimizer(optimizers.Adam(0.01))
    np.testing.assert_allclose(float(opt.learning_rate.numpy()), 0.01)
    opt.learning_rate = 0.5
    np.testing.assert_allclose(float(opt.inner_optimizer.learning_rate.numpy()), 0.5)
    config = opt.get_config()
    assert "learning_rate" not in config
    assert config["initial_scale"] == 2.0 ** 15 and config["dynamic_growth_steps"] == 2000
    assert config["inner_optimizer"]["class_name"] == "Adam"
    again = optimizers.deserialize(optimizers.serialize(opt))
    assert type(again) is optimizers.LossScaleOptimizer
    assert type(again.inner_optimizer) is optimizers.Adam
    with pytest.raises(ValueError, match="dynamic=False"):
        optimizers.LossScaleOptimizer(optimizers.SGD(), dynamic=False)


def test_compile_wraps_the_optimizer_of_a_mixed_float16_model():
    keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        model = keras.Sequential([keras.Input(shape=(3,)), layers.Dense(4, activation="relu"),
                                  layers.Dense(1, dtype="float32")])
        model.compile(optimizer="sgd", loss="mse")
        assert type(model.optimizer) is optimizers.LossScaleOptimizer
        assert type(model.optimizer.inner_optimizer) is optimizers.SGD
        x = np.random.normal(size=(8, 3)).astype("float32")
        history = model.fit(x, x[:, :1], batch_size=4, epochs=2, verbose=0)
        assert all(np.isfinite(history.history["loss"]))
        assert int(model.optimizer.iterations.numpy()) == 4
        model.compile(optimizer="sgd", loss="mse", auto_scale_loss=False)
        assert type(model.optimizer) is optimizers.SGD
    finally:
        keras.mixed_precision.set_global_policy("float32")
    plain = keras.Sequential([layers.Dense(1)])
    plain.compile(optimizer="sgd", loss="mse")
    assert type(plain.optimizer) is optimizers.SGD


def test_fit_honours_loss_scale_factor():
    # scale_loss multiplies the loss, apply divides the gradients: the same weights result.
    x = np.random.normal(size=(8, 3)).astype("float32")
    results = []
    for factor in (None, 1024.0):
        model = keras.Sequential([keras.Input(shape=(3,)), layers.Dense(1, kernel_initializer="ones")])
        model.compile(optimizer=optimizers.SGD(0.1, loss_scale_factor=factor), loss="mse")
        history = model.fit(x, x[:, :1], batch_size=8, epochs=2, verbose=0)
        results.append((model.layers[0].kernel.numpy(), history.history["loss"]))
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-5)
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-5)


def test_overflowing_float16_backward_pass_skips_the_step_without_warnings():
    keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        model = keras.Sequential([keras.Input(shape=(3,)),
                                  layers.Dense(4, kernel_initializer="ones"),
                                  layers.Dense(1, dtype="float32", kernel_initializer="ones")])
        model.compile(optimizer="adam", loss="mse")
        x = np.full((8, 3), 30.0, "float32")
        before = [w.numpy() for w in model.weights]
        model.fit(x, np.zeros((8, 1), "float32"), batch_size=8, epochs=1, verbose=0)
        # loss ~ 360**2, times 2**15: the float16 gradient is inf, so the step is skipped
        assert float(model.optimizer.dynamic_scale.numpy()) == 2.0 ** 14
        assert int(model.optimizer.iterations.numpy()) == 0
        for a, w in zip(before, model.weights):
            np.testing.assert_array_equal(a, w.numpy())
    finally:
        keras.mixed_precision.set_global_policy("float32")
