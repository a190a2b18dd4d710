"""Chapter 13 (best practices for the real world), run unchanged on small synthetic data.

The listings are the book's, with ``import tapeflow as tf`` / ``from tapeflow import keras`` in place
of the TensorFlow imports. KerasTuner is not part of tapeflow: its search is replaced by a plain
loop over the same hyperparameter values, and the book's ``get_best_epoch`` /
``get_best_trained_model`` run as written.
"""
import numpy as np
import pytest

import tapeflow as tf
from tapeflow import keras
from tapeflow.keras import layers


def _mnist_like(n_train=240, n_test=60):
    """uint8 (n, 28, 28) images whose class decides which row band is bright, like mnist.load_data()."""
    rng = np.random.default_rng(0)

    def make(n):
        y = rng.integers(0, 10, size=n).astype("uint8")
        x = rng.integers(0, 60, size=(n, 28, 28)).astype("uint8")
        for digit in range(10):
            x[y == digit, 2 + 2 * digit: 4 + 2 * digit, :] = 255
        return x, y

    return make(n_train), make(n_test)


def test_hyperparameter_loop_best_epoch_and_ensembling():
    (x_train, y_train), (x_test, y_test) = _mnist_like()
    x_train = x_train.reshape((-1, 28 * 28)).astype("float32") / 255
    x_test = x_test.reshape((-1, 28 * 28)).astype("float32") / 255
    x_train_full = x_train[:]
    y_train_full = y_train[:]
    num_val_samples = 60
    x_train, x_val = x_train[:-num_val_samples], x_train[-num_val_samples:]
    y_train, y_val = y_train[:-num_val_samples], y_train[-num_val_samples:]

    def build_model(hp):
        units = hp["units"]
        model = keras.Sequential([
            layers.Dense(units, activation="relu"),
            layers.Dense(10, activation="softmax")
        ])
        optimizer = hp["optimizer"]
        model.compile(
            optimizer=optimizer,
            loss="sparse_categorical_crossentropy",
            metrics=["accuracy"])
        return model

    # tuner.search(...) replaced by a loop over the same search space
    results = []
    for units in (16, 32):
        for optimizer in ("rmsprop", "adam"):
            hp = {"units": units, "optimizer": optimizer}
            model = build_model(hp)
            callbacks = [keras.callbacks.EarlyStopping(monitor="val_loss", patience=5)]
            history = model.fit(
                x_train, y_train,
                batch_size=32,
                epochs=3,
                validation_data=(x_val, y_val),
                callbacks=callbacks,
                verbose=0)
            results.append((min(history.history["val_loss"]), hp))
    results.sort(key=lambda r: r[0])
    top_n = 2
    best_hps = [hp for _, hp in results[:top_n]]
    assert len(best_hps) == 2 and set(best_hps[0]) == {"units", "optimizer"}

    def get_best_epoch(hp):
        model = build_model(hp)
        callbacks = [
            keras.callbacks.EarlyStopping(
                monitor="val_loss", mode="min", patience=2)
        ]
        history = model.fit(
            x_train, y_train,
            validation_data=(x_val, y_val),
            epochs=6,
            batch_size=32,
            callbacks=callbacks,
            verbose=0)
        val_loss = history.history["val_loss"]
        best_epoch = val_loss.index(min(val_loss)) + 1
        print(f"Best epoch: {best_epoch}")
        return best_epoch

    def get_best_trained_model(hp):
        best_epoch = get_best_epoch(hp)
        model = build_model(hp)
        model.fit(
            x_train_full, y_train_full,
            batch_size=32, epochs=int(best_epoch * 1.2), verbose=0)
        return model

    best_models = []
    for hp in best_hps:
        model = get_best_trained_model(hp)
        loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
        assert isinstance(loss, float) and 0.0 <= accuracy <= 1.0
        best_models.append(model)
    assert max(m.evaluate(x_test, y_test, verbose=0)[1] for m in best_models) > 0.5

    # model ensembling (13.1.3)
    preds_a = best_models[0].predict(x_val, verbose=0)
    preds_b = best_models[1].predict(x_val, verbose=0)
    final_preds = 0.5 * (preds_a + preds_b)
    assert final_preds.shape == (60, 10)
    np.testing.assert_allclose(final_preds.sum(axis=1), 1.0, rtol=1e-5)
    final_preds = 0.7 * preds_a + 0.3 * preds_b
    assert final_preds.dtype == np.float32


def test_early_stopping_best_epoch_uses_list_of_floats():
    model = keras.Sequential([layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    x = np.random.normal(size=(32, 3)).astype("float32")
    history = model.fit(x, x[:, :1], validation_data=(x, x[:, :1]), epochs=3, verbose=0)
    val_loss = history.history["val_loss"]
    assert type(val_loss) is list and all(type(v) is float for v in val_loss)
    assert val_loss.index(min(val_loss)) + 1 in (1, 2, 3)


def test_convert_to_tensor_dtypes():
    np_array = np.zeros((2, 2))
    tf_tensor = tf.convert_to_tensor(np_array)
    assert tf_tensor.dtype == tf.float64
    assert repr(tf_tensor.dtype) == "tf.float64"

    np_array = np.zeros((2, 2))
    tf_tensor = tf.convert_to_tensor(np_array, dtype="float32")
    assert tf_tensor.dtype == tf.float32


def test_mixed_precision_training():
    keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        assert keras.mixed_precision.global_policy().name == "mixed_float16"
        inputs = keras.Input(shape=(28 * 28,))
        features = layers.Dense(64, activation="relu")(inputs)
        outputs = layers.Dense(10, activation="softmax", dtype="float32")(features)
        model = keras.Model(inputs, outputs)
        dense = model.layers[1]
        assert dense.dtype_policy.name == "mixed_float16"
        assert dense.compute_dtype == "float16" and dense.variable_dtype == "float32"
        assert dense.kernel.dtype == tf.float32
        assert features.dtype == "float16"
        assert model.layers[2].compute_dtype == "float32"

        (x_train, y_train), _ = _mnist_like(160, 10)
        x_train = x_train.reshape((-1, 28 * 28)).astype("float32") / 255
        model.compile(optimizer="rmsprop",
                      loss="sparse_categorical_crossentropy",
                      metrics=["accuracy"])
        # Keras 3 wraps a mixed_float16 model's optimizer in dynamic loss scaling
        assert isinstance(model.optimizer, keras.optimizers.LossScaleOptimizer)
        assert isinstance(model.optimizer.inner_optimizer, keras.optimizers.RMSprop)
        history = model.fit(x_train, y_train, epochs=3, batch_size=32, verbose=0)
        losses = history.history["loss"]
        assert all(np.isfinite(losses)) and losses[-1] < losses[0]
        preds = model.predict(x_train[:4], verbose=0)
        assert preds.dtype == np.float32 and preds.shape == (4, 10)
        assert dense.kernel.dtype == tf.float32
        feature_model = keras.Model(inputs, features)
        assert feature_model.predict(x_train[:2], verbose=0).dtype == np.float16
    finally:
        keras.mixed_precision.set_global_policy("float32")
    assert keras.mixed_precision.global_policy().name == "float32"
    assert layers.Dense(2).compute_dtype == "float32"
