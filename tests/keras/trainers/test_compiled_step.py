"""keras/trainers/compiled_step.py.

Model.fit/evaluate/predict run their steps through tf.function unless run_eagerly=True
(Keras's default; jit_compile=True means the same): per batch signature the first call runs
eagerly, the second traces, and its replay is checked against the eager step; later calls
replay. The results are exactly the eager ones."""
import numpy as np
import pytest

from tapeflow import keras

L = keras.layers


@pytest.mark.parametrize("name, layers, shape", [
    ("dense_dropout", lambda: [L.Dense(16, activation="relu"), L.Dropout(0.5),
                               L.Dense(3, activation="softmax")], (8,)),
    ("norms", lambda: [L.Dense(16), L.BatchNormalization(), L.LayerNormalization()], (8,)),
    ("conv", lambda: [L.Conv2D(4, 3, padding="same", activation="relu"), L.MaxPooling2D(),
                      L.Flatten(), L.Dense(2)], (8, 8, 3)),
    ("lstm", lambda: [L.LSTM(5), L.Dense(2)], (6, 4)),
])
def test_compiled_predict_equals_eager(name, layers, shape):
    keras.utils.set_random_seed(0)
    m = keras.Sequential([keras.Input(shape)] + layers())
    rng = np.random.default_rng(1)
    x = rng.normal(size=(70,) + shape).astype("float32")
    m.compile(optimizer="adam", loss="mse", run_eagerly=True)
    eager = m.predict(x, batch_size=32, verbose=0)
    m.compile(optimizer="adam", loss="mse", jit_compile=True)
    compiled = m.predict(x, batch_size=32, verbose=0)
    np.testing.assert_array_equal(compiled, eager)
    again = m.predict(x[::-1].copy(), batch_size=32, verbose=0)   # replays the graphs
    np.testing.assert_allclose(again, eager[::-1], rtol=1e-6, atol=1e-6)
    step = m._compiled_steps["predict"]
    # batches of 32 (the first call eager, the second traced); the last 6 twice: traced
    # on the second predict
    assert step.experimental_get_tracing_count() == 2


@pytest.mark.parametrize("optimizer", ["sgd", "rmsprop", "adam"])
@pytest.mark.parametrize("dropout", [False, True])
def test_fit_and_evaluate_compiled_give_the_eager_results(optimizer, dropout, caplog):
    import logging

    def run(**kw):
        keras.utils.set_random_seed(0)
        layers = [keras.Input((8,)), L.Dense(16, activation="relu")]
        layers += [L.Dropout(0.3, seed=1)] if dropout else []
        layers += [L.BatchNormalization(), L.Dense(3, activation="softmax")]
        m = keras.Sequential(layers)
        m.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"], **kw)
        rng = np.random.default_rng(0)
        x = rng.normal(size=(100, 8)).astype("float32")
        y = rng.integers(0, 3, 100)
        h = m.fit(x, y, epochs=2, batch_size=32, verbose=0).history
        return h, m.evaluate(x, y, verbose=0), [w.numpy() for w in m.weights], m
    with caplog.at_level(logging.WARNING, logger="tapeflow"):
        eager = run(run_eagerly=True)
        compiled = run(jit_compile=True)
    assert compiled[0] == eager[0] and compiled[1] == eager[1]
    for a, b in zip(compiled[2], eager[2]):
        np.testing.assert_array_equal(a, b)
    assert not [r for r in caplog.records if "differs" in r.message or "eagerly" in r.message]
    step = compiled[3]._compiled_steps["train"]
    assert step.experimental_get_tracing_count() == 2   # 32, then the last 4 (epoch 2)


def test_custom_train_step_compiled_is_checked():
    class Custom(keras.Model):
        def train_step(self, data):
            x, y = data
            with keras.backend.GradientTape() if hasattr(keras.backend, "GradientTape") \
                    else __import__("tapeflow").GradientTape() as tape:
                loss = self.compute_loss(x=x, y=y, y_pred=self(x, training=True))
            grads = tape.gradient(loss, self.trainable_variables)
            self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
            return {"loss": loss}

    def run(**kw):
        keras.utils.set_random_seed(0)
        inp = keras.Input((4,))
        m = Custom(inp, L.Dense(1)(inp))
        m.compile(optimizer="sgd", loss="mse", **kw)
        x = np.random.default_rng(0).normal(size=(48, 4)).astype("float32")
        return m.fit(x, x.sum(1), epochs=2, batch_size=16, verbose=0).history
    assert run(jit_compile=True) == run(run_eagerly=True)


class _Bypass(keras.layers.Layer):
    """Computes from its input's array outside the op mechanism (a trace bakes it in)."""

    def call(self, x):
        import tapeflow as tf
        return x + tf.constant(x._value.sum(axis=1, keepdims=True))


def test_compiled_predict_that_replays_wrong_falls_back_to_eager(caplog):
    import logging
    m = keras.Sequential([keras.Input((3,)), _Bypass()])
    x = np.arange(60, dtype="float32").reshape(20, 3)
    m.compile(loss="mse", run_eagerly=True)
    eager = m.predict(x, batch_size=5, verbose=0)
    m.compile(loss="mse", jit_compile=True)
    with caplog.at_level(logging.WARNING, logger="tapeflow"):
        compiled = m.predict(x, batch_size=5, verbose=0)
    np.testing.assert_array_equal(compiled, eager)
    assert any("differs from the eager one" in r.message for r in caplog.records)


@pytest.mark.parametrize("optimizer", ["sgd", "adam", "rmsprop"])
def test_custom_training_loop_under_tf_function_equals_eager(optimizer):
    """TensorFlow's canonical loop: tape, apply_gradients and metric updates inside one
    @tf.function step; traced once, bit-identical to running the step eagerly."""
    import tapeflow as tf

    def run(compiled):
        keras.utils.set_random_seed(0)
        model = keras.Sequential([keras.Input((8,)), L.Dense(16, activation="relu"),
                                  L.Dropout(0.2, seed=3), L.BatchNormalization(), L.Dense(3)])
        opt = keras.optimizers.get(optimizer)
        loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
        acc, mean = keras.metrics.SparseCategoricalAccuracy(), keras.metrics.Mean()

        def step(x, y):
            with tf.GradientTape() as tape:
                logits = model(x, training=True)
                loss = loss_fn(y, logits)
            grads = tape.gradient(loss, model.trainable_variables)
            opt.apply_gradients(zip(grads, model.trainable_variables))
            acc.update_state(y, logits)
            mean.update_state(loss)
            return loss, acc.result()
        f = tf.function(step) if compiled else step
        rng = np.random.default_rng(0)
        out = []
        for _ in range(5):
            x = tf.constant(rng.normal(size=(16, 8)).astype("float32"))
            y = tf.constant(rng.integers(0, 3, 16))
            loss, a = f(x, y)
            out.append((float(loss), float(a)))
        count = f.experimental_get_tracing_count() if compiled else 1
        return out, float(mean.result()), [w.numpy() for w in model.weights], count
    eager, compiled = run(False), run(True)
    assert compiled[:2] == eager[:2] and compiled[3] == 1
    for a, b in zip(compiled[2], eager[2]):
        np.testing.assert_array_equal(a, b)


# -- the default path (no run_eagerly, no jit_compile) against run_eagerly=True ------------

class _WeightLog(keras.callbacks.Callback):
    """Reads the weights after every batch (a callback sees the replayed updates)."""

    def __init__(self):
        super().__init__()
        self.seen = []

    def on_train_batch_end(self, batch, logs=None):
        self.seen.append([w.copy() for w in self.model.get_weights()])


def _multi_output():
    inp = keras.Input((6,), name="x")
    h = L.Dense(8, activation="tanh")(inp)
    a = L.Dense(3, activation="softmax", name="cls")(h)
    b = L.Dense(1, name="reg")(L.Dropout(0.25, seed=7)(h))
    return keras.Model(inp, [a, b])


_CASES = {
    "dense_dropout_bn": dict(
        build=lambda: keras.Sequential([keras.Input((6,)), L.Dense(16, activation="relu"),
                                        L.Dropout(0.3, seed=2), L.BatchNormalization(),
                                        L.Dense(3, activation="softmax")]),
        compile=dict(optimizer="rmsprop", loss="sparse_categorical_crossentropy",
                     metrics=["accuracy"]),
        shape=(6,), y=lambda r, n: r.integers(0, 3, n)),
    "conv": dict(
        build=lambda: keras.Sequential([keras.Input((6, 6, 2)), L.Conv2D(3, 3, padding="same",
                                                                         activation="relu"),
                                        L.MaxPooling2D(), L.Flatten(), L.Dense(2)]),
        compile=dict(optimizer="adam", loss="mse", metrics=["mae"]),
        shape=(6, 6, 2), y=lambda r, n: r.normal(size=(n, 2)).astype("float32")),
    "rnn": dict(
        build=lambda: keras.Sequential([keras.Input((5, 3)), L.LSTM(4, return_sequences=True),
                                        L.GRU(3), L.Dense(1)]),
        compile=dict(optimizer="sgd", loss="mse"),
        shape=(5, 3), y=lambda r, n: r.normal(size=(n, 1)).astype("float32")),
    "multi_output": dict(
        build=_multi_output,
        compile=dict(optimizer="adam", loss=["sparse_categorical_crossentropy", "mse"],
                     loss_weights=[1.0, 0.5], metrics=[["accuracy"], ["mae"]]),
        shape=(6,), y=lambda r, n: (r.integers(0, 3, n),
                                    r.normal(size=(n, 1)).astype("float32"))),
}


def _train(case, sample_weight, **kw):
    c = _CASES[case]
    keras.utils.set_random_seed(0)
    m = c["build"]()
    m.compile(**c["compile"], **kw)
    r = np.random.default_rng(0)
    n = 40
    x = r.normal(size=(n,) + c["shape"]).astype("float32")
    y = c["y"](r, n)
    sw = r.uniform(0.5, 1.5, n).astype("float32") if sample_weight else None
    log = _WeightLog()
    h = m.fit(x, y, sample_weight=sw, epochs=3, batch_size=8, verbose=0, callbacks=[log],
              validation_data=(x[:16], y if not isinstance(y, tuple) else y)
              if False else None).history
    ev = m.evaluate(x, y, sample_weight=sw, batch_size=16, verbose=0)
    pred = m.predict(x, batch_size=16, verbose=0)
    return h, ev, pred, m.get_weights(), log.seen, m


@pytest.mark.parametrize("sample_weight", [False, True])
@pytest.mark.parametrize("case", sorted(_CASES))
def test_default_fit_is_compiled_and_equals_eager(case, sample_weight, caplog):
    import logging
    with caplog.at_level(logging.WARNING, logger="tapeflow"):
        eager = _train(case, sample_weight, run_eagerly=True)
        compiled = _train(case, sample_weight)
    assert not caplog.records, [r.message for r in caplog.records]
    assert compiled[0] == eager[0] and compiled[1] == eager[1]
    for a, b in zip(nest_flat(compiled[2]), nest_flat(eager[2])):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(compiled[3], eager[3]):
        np.testing.assert_array_equal(a, b)
    assert len(compiled[4]) == len(eager[4]) == 15
    for ws, we in zip(compiled[4], eager[4]):   # what a callback reads after each batch
        for a, b in zip(ws, we):
            np.testing.assert_array_equal(a, b)
    m = compiled[5]
    assert "train" in m._compiled_steps and not eager[5].__dict__.get("_compiled_steps")
    # batches of 8: the first call eager, the second traced, the third a checked replay,
    # then replays
    assert m._compiled_steps["train"]._seen == {
        next(iter(m._compiled_steps["train"]._seen)): 3}
    assert m._compiled_steps["train"].experimental_get_tracing_count() == 1


def nest_flat(x):
    return list(x) if isinstance(x, (list, tuple)) else [x]


def test_jit_compile_true_means_the_default_path():
    keras.utils.set_random_seed(0)
    m = keras.Sequential([keras.Input((3,)), L.Dense(2)])
    m.compile(optimizer="sgd", loss="mse", jit_compile=True)
    x = np.ones((32, 3), "float32")
    m.fit(x, x[:, :2], batch_size=8, verbose=0)
    assert m._compiled_steps["train"].experimental_get_tracing_count() == 1
    assert m.jit_compile is True
    m.compile(optimizer="sgd", loss="mse")
    assert m.jit_compile is False and m.run_eagerly is False   # "auto" resolves on CPU


def test_run_functions_eagerly_makes_fit_eager():
    import tapeflow as tf
    m = keras.Sequential([keras.Input((3,)), L.Dense(2)])
    m.compile(optimizer="sgd", loss="mse")
    x = np.ones((32, 3), "float32")
    tf.config.run_functions_eagerly(True)
    try:
        m.fit(x, x[:, :2], batch_size=8, verbose=0)
    finally:
        tf.config.run_functions_eagerly(False)
    assert m._compiled_steps["train"].experimental_get_tracing_count() == 0


def test_validation_and_class_weight_equal_eager():
    def run(**kw):
        keras.utils.set_random_seed(0)
        m = keras.Sequential([keras.Input((4,)), L.Dense(8, activation="relu"),
                              L.Dense(2, activation="softmax")])
        m.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"], **kw)
        r = np.random.default_rng(3)
        x = r.normal(size=(48, 4)).astype("float32")
        y = r.integers(0, 2, 48)
        h = m.fit(x, y, batch_size=8, epochs=2, verbose=0, validation_split=0.25,
                  class_weight={0: 1.0, 1: 3.0}).history
        return h, m.get_weights()
    eager, compiled = run(run_eagerly=True), run()
    assert compiled[0] == eager[0]
    for a, b in zip(compiled[1], eager[1]):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("case", ["stateful_lstm", "masked_gru", "noise_regularizers", "auc"])
def test_models_the_replay_cannot_capture_still_equal_eager(case):
    """Steps a replay would get wrong (a stateful RNN's states, a mask computed in NumPy are
    baked into the trace) are caught by the check and run eagerly; the trace itself changes
    no Python state (the stateful states, a layer's losses). Others replay. Either way the
    results are the eager ones."""
    rng = np.random.default_rng(0)

    def build():
        if case == "stateful_lstm":
            return keras.Sequential([keras.Input((4, 3), batch_size=8),
                                     L.LSTM(4, stateful=True), L.Dense(1)]), "mse", []
        if case == "masked_gru":
            return keras.Sequential([keras.Input((6,), dtype="int32"),
                                     L.Embedding(20, 4, mask_zero=True), L.GRU(3),
                                     L.Dense(1)]), "mse", []
        if case == "noise_regularizers":
            return keras.Sequential([keras.Input((4, 3)), L.Flatten(),
                                     L.GaussianNoise(0.1, seed=3),
                                     L.Dense(8, activation="relu", kernel_regularizer="l2"),
                                     L.ActivityRegularization(l1=0.01), L.Dense(1)]), "mse", []
        return keras.Sequential([keras.Input((4, 3)), L.Flatten(),
                                 L.Dense(1, activation="sigmoid")]), "binary_crossentropy", \
            [keras.metrics.AUC(), keras.metrics.Precision()]
    if case == "masked_gru":
        x = rng.integers(0, 20, (40, 6)).astype("int32")
    else:
        x = rng.normal(size=(40, 4, 3)).astype("float32")
    y = rng.integers(0, 2, (40, 1)).astype("float32")

    def run(**kw):
        keras.utils.set_random_seed(0)
        m, loss, metrics = build()
        m.compile(optimizer="adam", loss=loss, metrics=metrics, **kw)
        h = m.fit(x, y, batch_size=8, epochs=3, verbose=0, shuffle=False).history
        return ({k.split("_1")[0]: v for k, v in h.items()}, m.get_weights(),
                m.predict(x, batch_size=8, verbose=0))
    eager, compiled = run(run_eagerly=True), run()
    assert compiled[0] == eager[0]
    for a, b in zip(compiled[1] + [compiled[2]], eager[1] + [eager[2]]):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("layer", [
    lambda: L.GaussianNoise(0.2, seed=3), lambda: L.GaussianDropout(0.3, seed=4),
    lambda: L.AlphaDropout(0.3, seed=5), lambda: L.Dropout(0.3, seed=6)])
def test_noise_layers_replay_new_draws_equal_to_eager(layer, caplog):
    """Noise and dropout draws are graph nodes (a new draw on every replay, the generator
    untouched by the trace): the compiled fit replays (no fallback) and equals eager."""
    import logging
    rng = np.random.default_rng(0)
    x = rng.normal(size=(48, 6)).astype("float32")
    y = rng.normal(size=(48, 1)).astype("float32")

    def run(**kw):
        keras.utils.set_random_seed(0)
        m = keras.Sequential([keras.Input((6,)), L.Dense(8), layer(), L.Dense(1)])
        m.compile(optimizer="sgd", loss="mse", **kw)
        h = m.fit(x, y, batch_size=8, epochs=2, verbose=0).history
        return h, m.get_weights(), m
    with caplog.at_level(logging.WARNING, logger="tapeflow"):
        eager, compiled = run(run_eagerly=True), run()
    assert not caplog.records, [r.message for r in caplog.records]
    assert compiled[0] == eager[0]
    for a, b in zip(compiled[1], eager[1]):
        np.testing.assert_array_equal(a, b)
    assert compiled[2]._compiled_steps["train"]._seen[
        next(iter(compiled[2]._compiled_steps["train"]._seen))] == 3
