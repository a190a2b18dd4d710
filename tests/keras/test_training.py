"""compile / fit / evaluate / predict as Keras 3 behaves: logs, return shapes, data forms."""
import numpy as np
import pytest

import tapeflow as tf
from tapeflow import keras
from tapeflow.keras import layers


def _data(n=96, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, 4)).astype("float32")
    y = (x[:, 0] + x[:, 1] > 0).astype("int32")
    return x, y


def _model(units=2, activation="softmax"):
    return keras.Sequential([keras.Input((4,)), layers.Dense(8, activation="relu"),
                             layers.Dense(units, activation=activation)])


def _compiled(metrics=("accuracy",), lr=0.01):
    model = _model()
    model.compile(optimizer=keras.optimizers.RMSprop(lr),
                  loss="sparse_categorical_crossentropy",
                  metrics=list(metrics) if metrics is not None else None)
    return model


class _BatchLogs(keras.callbacks.Callback):
    def on_train_begin(self, logs=None):
        self.batches, self.params_seen = [], dict(self.params)

    def on_train_batch_end(self, batch, logs=None):
        self.batches.append(dict(logs))


def test_history_keys_order_and_python_floats():
    x, y = _data()
    model = _compiled()
    history = model.fit(x, y, epochs=2, batch_size=32, validation_data=(x[:32], y[:32]),
                        verbose=0)
    assert list(history.history) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert all(type(v) is float for vs in history.history.values() for v in vs)
    assert [len(v) for v in history.history.values()] == [2, 2, 2, 2]
    assert history.epoch == [0, 1] and model.history is history
    assert isinstance(history, keras.callbacks.History)


def test_logs_are_running_averages_and_learning_happens():
    x, y = _data(200)
    keras.utils.set_random_seed(1)
    model = _compiled()
    rec = _BatchLogs()
    history = model.fit(x, y, epochs=8, batch_size=32, shuffle=False, callbacks=[rec],
                        verbose=0)
    assert rec.params_seen == {"verbose": 0, "epochs": 8, "steps": 7}
    # The last batch's logs are the epoch's running averages, as in Keras 3.
    assert rec.batches[-1] == {"accuracy": history.history["accuracy"][-1],
                               "loss": history.history["loss"][-1]}
    assert history.history["loss"][-1] < 0.75 * history.history["loss"][0]
    assert history.history["accuracy"][-1] > 0.85


def test_evaluate_return_forms_and_value():
    x, y = _data(100)
    model = _compiled()
    loss, acc = model.evaluate(x, y, batch_size=32, verbose=0)  # 4 batches, the last of 4
    probs = model.predict(x, verbose=0)
    expected = keras.losses.sparse_categorical_crossentropy(y, probs).numpy().mean()
    assert loss == pytest.approx(float(expected), rel=1e-5)
    assert acc == pytest.approx(float(np.mean(probs.argmax(1) == y)))
    d = model.evaluate(x, y, verbose=0, return_dict=True)
    assert list(d) == ["accuracy", "loss"] and d["loss"] == pytest.approx(loss, rel=1e-6)
    bare = _compiled(metrics=None)
    scalar = bare.evaluate(x, y, verbose=0)
    assert type(scalar) is float


def test_predict_structure_and_batching():
    x, _ = _data(70)
    model = _compiled()
    out = model.predict(x, batch_size=32, verbose=0)
    assert isinstance(out, np.ndarray) and out.shape == (70, 2) and out.dtype == np.float32
    np.testing.assert_allclose(out, model(x).numpy(), rtol=1e-6)
    np.testing.assert_allclose(model.predict_on_batch(x[:5]), out[:5], rtol=1e-6)
    inputs = keras.Input((4,))
    h = layers.Dense(3)(inputs)
    multi = keras.Model(inputs, {"a": layers.Dense(1, name="a")(h),
                                 "b": layers.Dense(2, name="b")(h)})
    res = multi.predict(x, verbose=0)
    assert sorted(res) == ["a", "b"] and res["a"].shape == (70, 1) and res["b"].shape == (70, 2)


def test_validation_split_uses_the_last_samples():
    x, y = _data(100)
    model = _compiled()
    rec = _BatchLogs()
    seen = []

    class Val(keras.callbacks.Callback):
        def on_test_batch_begin(self, batch, logs=None):
            seen.append(batch)

    model.fit(x, y, batch_size=32, validation_split=0.2, callbacks=[rec, Val()], verbose=0)
    assert rec.params_seen["steps"] == 3  # 80 training samples
    assert seen == [0]  # 20 validation samples: one batch
    ev = model.evaluate(x[80:], y[80:], verbose=0, return_dict=True)
    assert set(ev) == {"accuracy", "loss"}
    with pytest.raises(ValueError, match="only supported for Tensors or NumPy"):
        model.fit(tf.data.Dataset.from_tensor_slices((x, y)).batch(8), validation_split=0.5,
                  verbose=0)


def test_zero_sample_and_class_weights_leave_weights_unchanged():
    x, y = _data(64)
    model = _compiled(metrics=None)
    before = model.get_weights()
    model.fit(x, y, sample_weight=np.zeros(64, "float32"), verbose=0)
    model.fit(x, y, class_weight={0: 0.0, 1: 0.0}, verbose=0)
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)
    model.fit(x, y, class_weight={0: 1.0, 1: 2.0}, verbose=0)
    assert any(not np.array_equal(a, b) for a, b in zip(before, model.get_weights()))


def test_datasets_generators_and_tensors():
    x, y = _data(64)
    model = _compiled()
    ds = tf.data.Dataset.from_tensor_slices((x, y)).batch(16)
    h = model.fit(ds, epochs=2, validation_data=ds, verbose=0)
    assert list(h.history) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert model.predict(ds, verbose=0).shape == (64, 2)

    def gen():
        while True:
            for i in range(0, 64, 16):
                yield x[i:i + 16], y[i:i + 16]

    rec = _BatchLogs()
    model.fit(gen(), steps_per_epoch=3, epochs=2, callbacks=[rec], verbose=0)
    assert len(rec.batches) == 6 and rec.params_seen["steps"] == 3
    h = model.fit(tf.constant(x), tf.constant(y), batch_size=64, verbose=0)
    assert len(h.history["loss"]) == 1
    with pytest.raises(ValueError, match="`y` should not be passed"):
        model.fit(ds, y, verbose=0)


def test_seeded_fit_is_repeatable_bit_for_bit():
    x, y = _data(96)

    def run():
        keras.utils.set_random_seed(42)
        model = _compiled()
        h = model.fit(x, y, epochs=2, batch_size=16, validation_split=0.25, verbose=0)
        return model.get_weights(), h.history

    w1, h1 = run()
    w2, h2 = run()
    assert h1 == h2
    for a, b in zip(w1, w2):
        np.testing.assert_array_equal(a, b)


def test_on_batch_methods_and_metrics_names():
    x, y = _data(32)
    model = _compiled()
    assert model.metrics_names == ["loss", "compile_metrics"]
    out = model.train_on_batch(x, y)
    assert isinstance(out, list) and len(out) == 2
    d = model.test_on_batch(x, y, return_dict=True)
    assert list(d) == ["accuracy", "loss"]
    model.reset_metrics()
    assert model.get_metrics_result()["loss"] == 0.0


def test_errors_before_compile_and_bad_data():
    model = _model()
    x, y = _data(8)
    with pytest.raises(ValueError, match=r"You must call `compile\(\)` before calling `fit\(\)`"):
        model.fit(x, y)
    with pytest.raises(ValueError, match=r"before calling `evaluate\(\)`"):
        model.evaluate(x, y)
    model.compile(loss="mse")
    with pytest.raises(ValueError, match="Data cardinality is ambiguous"):
        model.fit(x, y[:5], verbose=0)
    nothing = _model()
    nothing.compile(optimizer="sgd")
    with pytest.raises(ValueError, match="No loss to compute"):
        nothing.fit(x, y, verbose=0)


def test_accuracy_resolution_and_metric_names():
    x, y = _data(32)
    binary = _model(1, "sigmoid")
    binary.compile(loss="binary_crossentropy", metrics=["accuracy", "mae"])
    binary.fit(x, y.astype("float32"), verbose=0)
    kinds = [type(m).__name__ for m in binary.metrics[1].metrics]
    assert kinds[0] == "BinaryAccuracy" and [m.name for m in binary.metrics[1].metrics] == \
        ["accuracy", "mae"]
    onehot = _model()
    onehot.compile(loss="categorical_crossentropy",
                   metrics=["acc", keras.metrics.CategoricalAccuracy()])
    h = onehot.fit(x, np.eye(2, dtype="float32")[y], verbose=0)
    assert type(onehot.metrics[1].metrics[0]).__name__ == "CategoricalAccuracy"
    assert list(h.history) == ["acc", "categorical_accuracy", "loss"]
    sparse = _compiled()
    sparse.fit(x, y, verbose=0)
    assert type(sparse.metrics[1].metrics[0]).__name__ == "SparseCategoricalAccuracy"


def _multi_io_model():
    title = keras.Input(shape=(6,), name="title")
    body = keras.Input(shape=(6,), name="text_body")
    features = layers.Concatenate()([title, body])
    features = layers.Dense(8, activation="relu")(features)
    priority = layers.Dense(1, activation="sigmoid", name="priority")(features)
    department = layers.Dense(3, activation="softmax", name="department")(features)
    return keras.Model(inputs=[title, body], outputs=[priority, department])


def test_multi_input_multi_output_lists_and_dicts():
    rng = np.random.default_rng(0)
    n = 64
    title = rng.random((n, 6)).astype("float32")
    body = rng.random((n, 6)).astype("float32")
    priority = rng.random((n, 1)).astype("float32")
    department = np.eye(3, dtype="float32")[rng.integers(0, 3, n)]
    model = _multi_io_model()
    model.compile(optimizer="rmsprop", loss=["mean_squared_error", "categorical_crossentropy"],
                  metrics=[["mean_absolute_error"], ["accuracy"]])
    h = model.fit([title, body], [priority, department], epochs=1, verbose=0)
    assert list(h.history) == ["department_accuracy", "department_loss", "loss",
                               "priority_loss", "priority_mean_absolute_error"]
    total = h.history["department_loss"][0] + h.history["priority_loss"][0]
    assert h.history["loss"][0] == pytest.approx(total, rel=1e-5)
    res = model.evaluate([title, body], [priority, department], verbose=0)
    assert len(res) == 5
    p, d = model.predict([title, body], verbose=0)
    assert p.shape == (n, 1) and d.shape == (n, 3)

    model = _multi_io_model()
    model.compile(optimizer="rmsprop",
                  loss={"priority": "mean_squared_error",
                        "department": "categorical_crossentropy"},
                  loss_weights={"priority": 2.0, "department": 0.5},
                  metrics={"priority": ["mean_absolute_error"], "department": ["accuracy"]})
    h = model.fit({"title": title, "text_body": body},
                  {"priority": priority, "department": department}, verbose=0)
    weighted = 2.0 * h.history["priority_loss"][0] + 0.5 * h.history["department_loss"][0]
    assert h.history["loss"][0] == pytest.approx(weighted, rel=1e-5)
    with pytest.raises(ValueError, match="does not correspond to any model output"):
        bad = _multi_io_model()
        bad.compile(loss={"nope": "mse", "department": "mse"})
        bad.fit([title, body], [priority, department], verbose=0)


class CustomModel(keras.Model):
    """The Keras guide's train_step override."""

    def train_step(self, data):
        x, y = data
        with tf.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compute_loss(y=y, y_pred=y_pred)
        trainable_vars = self.trainable_variables
        gradients = tape.gradient(loss, trainable_vars)
        self.optimizer.apply_gradients(zip(gradients, trainable_vars))
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss)
            else:
                metric.update_state(y, y_pred)
        return {m.name: m.result() for m in self.metrics}


def test_train_step_override():
    x = np.random.random((64, 8)).astype("float32")
    y = np.random.random((64, 1)).astype("float32")
    inputs = keras.Input(shape=(8,))
    model = CustomModel(inputs, layers.Dense(1)(inputs))
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    h = model.fit(x, y, epochs=3, verbose=0)
    assert list(h.history) == ["loss", "mae"]
    assert h.history["loss"][2] < h.history["loss"][0]


class _MetricsOnlyModel(keras.Model):
    """Loss tracking by hand, without a compiled loss (the guide's lower-level example)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.dense = layers.Dense(1)
        self.loss_tracker = keras.metrics.Mean(name="loss")
        self.mae_metric = keras.metrics.MeanAbsoluteError(name="mae")

    def call(self, x):
        return self.dense(x)

    @property
    def metrics(self):
        return [self.loss_tracker, self.mae_metric]

    def train_step(self, data):
        x, y = data
        with tf.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = keras.losses.mean_squared_error(y, y_pred)
        grads = tape.gradient(loss, self.trainable_variables)
        self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
        self.loss_tracker.update_state(loss)
        self.mae_metric.update_state(y, y_pred)
        return {"loss": self.loss_tracker.result(), "mae": self.mae_metric.result()}


def test_custom_metrics_property_without_compiled_loss():
    x = np.random.random((32, 3)).astype("float32")
    y = x.sum(axis=1, keepdims=True)
    model = _MetricsOnlyModel()
    model.compile(optimizer=keras.optimizers.SGD(0.05))
    h = model.fit(x, y, epochs=4, batch_size=8, verbose=0)
    assert list(h.history) == ["loss", "mae"] and h.history["loss"][-1] < h.history["loss"][0]


def test_validation_freq_and_initial_epoch(capsys):
    x, y = _data(64)
    model = _compiled()
    h = model.fit(x, y, epochs=4, validation_data=(x, y), validation_freq=2, verbose=0)
    assert len(h.history["loss"]) == 4 and len(h.history["val_loss"]) == 2
    h = model.fit(x, y, epochs=3, initial_epoch=1, verbose=2)
    assert h.epoch == [1, 2]
    out = capsys.readouterr().out
    assert out.startswith("Epoch 2/3\n") and "Epoch 1/3" not in out


def test_stop_training_from_a_callback_ends_the_epoch():
    x, y = _data(96)
    model = _compiled()

    class Stop(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if batch == 1:
                self.model.stop_training = True

    rec = _BatchLogs()
    h = model.fit(x, y, epochs=5, batch_size=16, callbacks=[Stop(), rec], verbose=0)
    assert len(rec.batches) == 2 and h.epoch == [0]


def test_exhausted_generator_stops_training_with_a_warning():
    x, y = _data(64)
    model = _compiled()

    def gen():
        for i in range(0, 64, 16):
            yield x[i:i + 16], y[i:i + 16]

    with pytest.warns(UserWarning, match="Your input ran out of data"):
        h = model.fit(gen(), epochs=3, verbose=0)
    assert h.epoch == [0]  # the second epoch found no batch
    with pytest.warns(UserWarning, match="ran out of data"):
        h = model.fit(gen(), steps_per_epoch=3, epochs=3, verbose=0)
    assert h.epoch == [0, 1]  # 3 + 1 batches: the second epoch was cut short


class _StepsModel(keras.Model):
    """test_step and predict_step overrides, as the Keras guide shows."""

    def test_step(self, data):
        x, y = data
        y_pred = self(x, training=False)
        loss = self.compute_loss(y=y, y_pred=y_pred)
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss)
            else:
                metric.update_state(y, y_pred)
        return {m.name: m.result() for m in self.metrics}

    def predict_step(self, data):
        x = data[0] if isinstance(data, tuple) else data
        return {"double": self(x, training=False) * 2.0}


def test_test_step_and_predict_step_overrides():
    x, y = _data(40)
    inputs = keras.Input((4,))
    model = _StepsModel(inputs, layers.Dense(2, activation="softmax")(inputs))
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    d = model.evaluate(x, y, batch_size=16, return_dict=True, verbose=0)
    assert list(d) == ["accuracy", "loss"]
    probs = model(x).numpy()
    expected = keras.losses.sparse_categorical_crossentropy(y, probs).numpy().mean()
    # Per-batch losses averaged without batch-size weights (16, 16, 8): the override's choice.
    per_batch = [keras.losses.sparse_categorical_crossentropy(y[i:i + 16], probs[i:i + 16])
                 .numpy().mean() for i in (0, 16, 32)]
    assert d["loss"] == pytest.approx(float(np.mean(per_batch)), rel=1e-5)
    assert d["loss"] != pytest.approx(float(expected), rel=1e-7)
    out = model.predict(x, batch_size=16, verbose=0)
    assert list(out) == ["double"] and out["double"].shape == (40, 2)
    np.testing.assert_allclose(out["double"], 2 * probs, rtol=1e-6)


class _AutoEncoder(keras.Model):
    """Like the book's VAE (chapter 12): fit(x) alone, train_step gets the batch itself."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.dense = layers.Dense(4)
        self.loss_tracker = keras.metrics.Mean(name="total_loss")
        self.seen_types = set()

    def call(self, x):
        return self.dense(x)

    @property
    def metrics(self):
        return [self.loss_tracker]

    def train_step(self, data):
        self.seen_types.add(type(data).__name__)
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(self(data) - data))
        grads = tape.gradient(loss, self.trainable_weights)
        self.optimizer.apply_gradients(zip(grads, self.trainable_weights))
        self.loss_tracker.update_state(loss)
        return {"total_loss": self.loss_tracker.result()}


def test_fit_without_targets_passes_the_batch_itself():
    x, _ = _data(64)
    model = _AutoEncoder()
    model.compile(optimizer=keras.optimizers.Adam(0.01), run_eagerly=True)
    h = model.fit(x, epochs=3, batch_size=16, verbose=0)
    assert list(h.history) == ["total_loss"] and h.history["total_loss"][2] < \
        h.history["total_loss"][0]
    model.fit(tf.data.Dataset.from_tensor_slices(x).batch(16), verbose=0)
    assert model.seen_types == {"Tensor"}


def _fixed(model):
    model.set_weights([np.linspace(-1, 1, int(np.prod(v.shape))).reshape(v.shape)
                       .astype("float32") for v in model.get_weights()])
    return model


def test_on_batch_methods_do_not_accumulate_across_calls():
    # Keras 3: each train_on_batch/test_on_batch reports its own batch only.
    x, y = _data(10)
    model = _fixed(_model(3))
    model.compile(keras.optimizers.SGD(0.0), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    first = model.test_on_batch(x[:5], y[:5])
    second = model.test_on_batch(x[5:], y[5:])
    assert model.test_on_batch(x[5:], y[5:]) == second
    assert model.train_on_batch(x[:5], y[:5]) == first
    assert model.evaluate(x[5:], y[5:], batch_size=5, verbose=0) == second


def test_multi_output_metrics_keep_their_names_and_flatten_losses_first():
    # Keras 3: the metric objects keep their own names ("mae"); only the log keys carry
    # the output prefix, so evaluate lists [loss, per-output losses, then metrics by key].
    a = keras.Input((4,), name="a")
    h = layers.Dense(3, name="h")(a)
    model = _fixed(keras.Model(a, [layers.Dense(1, name="out1")(h),
                                   layers.Dense(2, name="out2", activation="softmax")(h)]))
    model.compile("sgd", loss=["mse", "sparse_categorical_crossentropy"],
                  metrics=[["mae"], ["accuracy"]])
    x, y = _data(8)
    ys = [x[:, :1], y]
    logs = model.evaluate(x, ys, verbose=0, return_dict=True)
    assert sorted(logs) == ["loss", "out1_loss", "out1_mae", "out2_accuracy", "out2_loss"]
    assert [m.name for m in model.metrics[1].metrics] == ["mae", "accuracy"]
    flat = model.evaluate(x, ys, verbose=0)
    assert flat == [logs[k] for k in ("loss", "out1_loss", "out2_loss", "out1_mae",
                                      "out2_accuracy")]


def test_compile_config_before_and_after_compile():
    model = _model()
    assert model.get_compile_config() == {}   # Keras 3: {} before compile
    model.compile("sgd", "mse")
    assert model.get_compile_config()["jit_compile"] is False   # "auto" resolves on CPU
    assert model.jit_compile is False


def test_weighted_metric_keys_and_sorted_epoch_logs():
    # Keras 3: a repeated metric name gets "_1"; a weighted metric whose key is taken is
    # logged as "weighted_<name>"; train and validation keys are sorted together.
    x, y = _data(12)
    model = _fixed(_model(3))
    model.compile("sgd", "sparse_categorical_crossentropy", metrics=["accuracy", "accuracy"],
                  weighted_metrics=["accuracy"])
    h = model.fit(x, y, epochs=1, batch_size=4, verbose=0, validation_data=(x, y),
                  sample_weight=np.linspace(0.5, 1.5, 12))
    assert list(h.history) == ["accuracy", "accuracy_1", "loss", "val_accuracy",
                               "val_accuracy_1", "val_loss", "val_weighted_accuracy",
                               "weighted_accuracy"]
