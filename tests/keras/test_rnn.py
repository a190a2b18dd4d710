"""Recurrent layers: SimpleRNN, LSTM, GRU (and their cells), RNN, Bidirectional."""
import os
import sys

import numpy as np
import pytest

import tapeflow as tf
from gradcheck import check_grads
from tapeflow import keras
from tapeflow.keras.layers.bidirectional import Bidirectional
from tapeflow.keras.layers.rnn import (GRU, LSTM, RNN, GRUCell, LSTMCell, SimpleRNN,
                                       SimpleRNNCell)

sys.path.insert(0, os.path.dirname(__file__))
from layer_harness import run_layer_test  # noqa: E402


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


# -- NumPy references (Keras 3 maths) -------------------------------------------------------
def ref_simple_rnn(x, kernel, rec, bias, h=None):
    h = np.zeros((x.shape[0], rec.shape[0])) if h is None else h
    outs = []
    for t in range(x.shape[1]):
        h = np.tanh(x[:, t] @ kernel + h @ rec + bias)
        outs.append(h)
    return np.stack(outs, 1), [h]


def ref_lstm(x, kernel, rec, bias, h=None, c=None):
    u = rec.shape[0]
    h = np.zeros((x.shape[0], u)) if h is None else h
    c = np.zeros((x.shape[0], u)) if c is None else c
    outs = []
    for t in range(x.shape[1]):
        z = x[:, t] @ kernel + h @ rec + bias
        i, f, g, o = (z[:, k * u:(k + 1) * u] for k in range(4))  # Keras gate order i, f, c, o
        c = _sigmoid(f) * c + _sigmoid(i) * np.tanh(g)
        h = _sigmoid(o) * np.tanh(c)
        outs.append(h)
    return np.stack(outs, 1), [h, c]


def ref_gru(x, kernel, rec, bias, reset_after=True, h=None):
    u = rec.shape[0]
    h = np.zeros((x.shape[0], u)) if h is None else h
    outs = []
    for t in range(x.shape[1]):
        if reset_after:
            xp = x[:, t] @ kernel + bias[0]
            rp = h @ rec + bias[1]
            z = _sigmoid(xp[:, :u] + rp[:, :u])         # Keras gate order z, r, h
            r = _sigmoid(xp[:, u:2 * u] + rp[:, u:2 * u])
            hh = np.tanh(xp[:, 2 * u:] + r * rp[:, 2 * u:])
        else:
            xp = x[:, t] @ kernel + bias
            rp = h @ rec[:, :2 * u]
            z = _sigmoid(xp[:, :u] + rp[:, :u])
            r = _sigmoid(xp[:, u:2 * u] + rp[:, u:])
            hh = np.tanh(xp[:, 2 * u:] + (r * h) @ rec[:, 2 * u:])
        h = z * h + (1 - z) * hh
        outs.append(h)
    return np.stack(outs, 1), [h]


def _random_weights(layer, rng, scale=0.5):
    ws = [rng.uniform(-scale, scale, w.shape) for w in layer.get_weights()]
    layer.set_weights(ws)
    return ws


LAYERS = [(SimpleRNN, ref_simple_rnn, 1), (LSTM, ref_lstm, 2), (GRU, ref_gru, 1)]
RNG = np.random.RandomState(0)
X = RNG.uniform(-1, 1, (3, 5, 2)).astype("float32")


# -- shapes ---------------------------------------------------------------------------------
@pytest.mark.parametrize("cls,ref,n_states", LAYERS)
@pytest.mark.parametrize("return_sequences", [False, True])
@pytest.mark.parametrize("return_state", [False, True])
def test_output_shapes(cls, ref, n_states, return_sequences, return_state):
    layer = cls(4, return_sequences=return_sequences, return_state=return_state)
    out = layer(X)
    seq_shape = (3, 5, 4) if return_sequences else (3, 4)
    sym = cls(4, return_sequences=return_sequences, return_state=return_state)(
        keras.Input((None, 2)))
    if return_state:
        assert len(out) == 1 + n_states
        assert [tuple(o.shape) for o in out] == [seq_shape] + [(3, 4)] * n_states
        sym_seq = (None, None, 4) if return_sequences else (None, 4)
        assert [o.shape for o in sym] == [sym_seq] + [(None, 4)] * n_states
    else:
        assert tuple(out.shape) == seq_shape
        assert out.dtype == tf.float32
        assert sym.shape == ((None, None, 4) if return_sequences else (None, 4))


def test_weights_shapes_names_and_initial_values():
    lstm = LSTM(3)
    lstm(X)
    assert [w.name for w in lstm.weights] == ["kernel", "recurrent_kernel", "bias"]
    assert [tuple(w.shape) for w in lstm.weights] == [(2, 12), (3, 12), (12,)]
    # unit_forget_bias: the forget gate's block of the bias starts at one.
    np.testing.assert_array_equal(lstm.weights[2].numpy(), [0] * 3 + [1] * 3 + [0] * 6)
    rec = lstm.weights[1].numpy()  # orthogonal init of a (3, 12) matrix: orthonormal rows
    np.testing.assert_allclose(rec @ rec.T, np.eye(3), atol=1e-5)
    gru = GRU(3)
    gru(X)
    assert [tuple(w.shape) for w in gru.weights] == [(2, 9), (3, 9), (2, 9)]
    gru2 = GRU(3, reset_after=False)
    gru2(X)
    assert tuple(gru2.weights[2].shape) == (9,)
    rnn = SimpleRNN(3, use_bias=False)
    rnn(X)
    assert [tuple(w.shape) for w in rnn.weights] == [(2, 3), (3, 3)]
    assert LSTM(5).units == 5 and GRU(2).reset_after is True
    assert lstm.count_params() == 2 * 12 + 3 * 12 + 12


# -- values against NumPy --------------------------------------------------------------------
@pytest.mark.parametrize("cls,ref,n_states", LAYERS)
def test_values_match_reference(cls, ref, n_states):
    layer = cls(4, return_sequences=True, return_state=True)
    layer(X)
    ws = _random_weights(layer, np.random.RandomState(1))
    out = layer(X)
    seq, states = ref(X.astype(np.float64), *ws)
    np.testing.assert_allclose(out[0].numpy(), seq, rtol=1e-5, atol=1e-6)
    for got, want in zip(out[1:], states):
        np.testing.assert_allclose(got.numpy(), want, rtol=1e-5, atol=1e-6)
    last = cls(4)
    last(X)
    last.set_weights(ws)
    np.testing.assert_allclose(last(X).numpy(), seq[:, -1], rtol=1e-5, atol=1e-6)


def test_gru_reset_before_matches_reference():
    layer = GRU(3, reset_after=False, return_sequences=True)
    layer(X)
    ws = _random_weights(layer, np.random.RandomState(2))
    seq, _ = ref_gru(X.astype(np.float64), *ws, reset_after=False)
    np.testing.assert_allclose(layer(X).numpy(), seq, rtol=1e-5, atol=1e-6)


def test_initial_state_and_go_backwards():
    layer = LSTM(3, return_sequences=True)
    layer(X)
    ws = _random_weights(layer, np.random.RandomState(3))
    h0 = RNG.uniform(-1, 1, (3, 3)).astype("float32")
    c0 = RNG.uniform(-1, 1, (3, 3)).astype("float32")
    out = layer(X, initial_state=[h0, c0])
    seq, _ = ref_lstm(X.astype(np.float64), *ws, h=h0, c=c0)
    np.testing.assert_allclose(out.numpy(), seq, rtol=1e-5, atol=1e-6)
    back = LSTM(3, return_sequences=True, go_backwards=True)
    back(X)
    back.set_weights(ws)
    # go_backwards reads the sequence from the end and returns outputs in that order.
    seq_rev, _ = ref_lstm(X[:, ::-1].astype(np.float64), *ws)
    np.testing.assert_allclose(back(X).numpy(), seq_rev, rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError):
        layer(X, initial_state=[h0])


def test_cells_single_step():
    x_t = X[:, 0]
    for cell, ref in ((SimpleRNNCell(4), ref_simple_rnn), (LSTMCell(4), ref_lstm),
                      (GRUCell(4), ref_gru)):
        states = [np.zeros((3, 4), "float32")] * (2 if isinstance(cell, LSTMCell) else 1)
        out, new = cell(x_t, states)
        ws = [w.numpy().astype(np.float64) for w in cell.weights]
        seq, ref_states = ref(X[:, :1].astype(np.float64), *ws)
        np.testing.assert_allclose(out.numpy(), seq[:, 0], rtol=1e-5, atol=1e-6)
        assert len(new) == len(ref_states)
    assert LSTMCell(4).state_size == [4, 4] and GRUCell(4).state_size == 4


def test_generic_rnn_wrapper_with_cell_and_custom_cell():
    rnn = RNN(LSTMCell(4), return_sequences=True)
    out = rnn(X)
    assert tuple(out.shape) == (3, 5, 4)
    ws = [w.numpy().astype(np.float64) for w in rnn.weights]
    np.testing.assert_allclose(out.numpy(), ref_lstm(X.astype(np.float64), *ws)[0],
                               rtol=1e-5, atol=1e-6)

    class MinimalCell(keras.layers.Layer):
        def __init__(self, units, **kwargs):
            super().__init__(**kwargs)
            self.units = units
            self.state_size = units

        def build(self, input_shape):
            self.kernel = self.add_weight(shape=(input_shape[-1], self.units), name="kernel")
            self.recurrent = self.add_weight(shape=(self.units, self.units), name="rec")

        def call(self, inputs, states):
            h = tf.matmul(inputs, self.kernel) + tf.matmul(states[0], self.recurrent)
            return h, [h]

    custom = RNN(MinimalCell(3), return_state=True)
    out, state = custom(X)
    k, r = (w.numpy().astype(np.float64) for w in custom.weights)
    h = np.zeros((3, 3))
    for t in range(5):
        h = X[:, t] @ k + h @ r
    np.testing.assert_allclose(out.numpy(), h, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(state.numpy(), h, rtol=1e-5, atol=1e-6)


# -- gradients ---------------------------------------------------------------------------------
@pytest.mark.parametrize("cls,kwargs,order", [
    (SimpleRNN, {}, 2), (LSTM, {}, 1), (GRU, {}, 1), (GRU, {"reset_after": False}, 1),
    (LSTM, {"go_backwards": True, "return_sequences": True}, 1)])
def test_gradients_wrt_inputs_and_weights(cls, kwargs, order):
    x = np.random.RandomState(4).uniform(-1, 1, (2, 3, 2))
    layer = cls(3, dtype="float64", **kwargs)
    layer(x)
    _random_weights(layer, np.random.RandomState(5))
    weights = layer.trainable_weights

    def f(x, *ws):
        for v, w in zip(weights, ws):
            v._tensor = w
        return layer(x)
    check_grads(f, [x] + [w.numpy() for w in weights], order=order, name=cls.__name__)


def test_gradient_with_mask_and_bidirectional():
    x = np.random.RandomState(6).uniform(-1, 1, (2, 4, 2))
    mask = np.array([[True, True, True, False], [True, False, False, False]])
    layer = Bidirectional(LSTM(2, return_sequences=True, dtype="float64"), dtype="float64")
    layer(x)
    weights = layer.trainable_weights
    assert len(weights) == 6

    def f(x, *ws):
        for v, w in zip(weights, ws):
            v._tensor = w
        return layer(x, mask=mask)
    check_grads(f, [x] + [w.numpy() for w in weights], order=1, name="Bidirectional")


def test_tape_gradient_flows_to_all_weights():
    layer = GRU(4)
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(layer(X))
    grads = tape.gradient(y, layer.trainable_weights)
    assert [tuple(g.shape) for g in grads] == [(2, 12), (4, 12), (2, 12)]
    assert all(np.any(g.numpy() != 0) for g in grads)


# -- masking -------------------------------------------------------------------------------------
@pytest.mark.parametrize("cls,ref,n_states", LAYERS)
def test_mask_carries_state_and_repeats_output(cls, ref, n_states):
    ids = np.array([[3, 1, 4, 0, 0], [2, 0, 0, 0, 0], [5, 6, 7, 8, 9]])
    emb = keras.layers.Embedding(10, 2, mask_zero=True)
    layer = cls(3, return_sequences=True, return_state=True)
    out = layer(emb(ids))
    seq, *states = (o.numpy() for o in out)
    vecs = emb(ids).numpy().astype(np.float64)
    ws = [w.numpy().astype(np.float64) for w in layer.weights]
    for b, n in enumerate([3, 1, 5]):
        ref_seq, ref_states = ref(vecs[b:b + 1, :n], *ws)
        np.testing.assert_allclose(seq[b, :n], ref_seq[0], rtol=1e-5, atol=1e-6)
        # Masked steps repeat the last unmasked output; the states are carried over.
        np.testing.assert_allclose(seq[b, n:], np.repeat(ref_seq[0, -1:], 5 - n, 0),
                                   rtol=1e-5, atol=1e-6)
        for got, want in zip(states, ref_states):
            np.testing.assert_allclose(got[b], want[0], rtol=1e-5, atol=1e-6)
    # The sequence output keeps the mask; the last-step output has none.
    from tapeflow.keras.layers.masking_utils import get_keras_mask
    np.testing.assert_array_equal(get_keras_mask(out[0]).numpy(), ids != 0)
    assert get_keras_mask(cls(3)(emb(ids))) is None


def test_mask_in_sequential_model_matches_unpadded():
    model = keras.Sequential([keras.Input((None,), dtype="int32"),
                              keras.layers.Embedding(10, 4, mask_zero=True),
                              LSTM(5), keras.layers.Dense(1)])
    padded = model(np.array([[4, 2, 7, 0, 0]])).numpy()
    unpadded = model(np.array([[4, 2, 7]])).numpy()
    np.testing.assert_allclose(padded, unpadded, rtol=1e-5, atol=1e-6)


# -- Bidirectional -------------------------------------------------------------------------------
def test_bidirectional_concat_values_and_names():
    bi = Bidirectional(GRU(3, return_sequences=True))
    out = bi(X)
    assert tuple(out.shape) == (3, 5, 6)
    assert bi.forward_layer.name.startswith("forward_gru")
    assert bi.backward_layer.name.startswith("backward_gru")
    assert bi.backward_layer.go_backwards and not bi.forward_layer.go_backwards
    fw_w = [w.numpy().astype(np.float64) for w in bi.forward_layer.weights]
    bw_w = [w.numpy().astype(np.float64) for w in bi.backward_layer.weights]
    x64 = X.astype(np.float64)
    np.testing.assert_allclose(out.numpy()[..., :3], ref_gru(x64, *fw_w)[0], rtol=1e-5,
                               atol=1e-6)
    # The backward half is back in time order: step t saw x[t:] read from the end.
    np.testing.assert_allclose(out.numpy()[..., 3:], ref_gru(x64[:, ::-1], *bw_w)[0][:, ::-1],
                               rtol=1e-5, atol=1e-6)
    last = Bidirectional(GRU(3))
    last(X)
    last.set_weights(bi.get_weights())
    np.testing.assert_allclose(last(X).numpy()[:, :3], out.numpy()[:, -1, :3], rtol=1e-6)
    np.testing.assert_allclose(last(X).numpy()[:, 3:], out.numpy()[:, 0, 3:], rtol=1e-6)


@pytest.mark.parametrize("mode,width", [("sum", 3), ("mul", 3), ("ave", 3), ("concat", 6)])
def test_bidirectional_merge_modes(mode, width):
    bi = Bidirectional(SimpleRNN(3), merge_mode=mode)
    out = bi(X)
    assert tuple(out.shape) == (3, width)
    sym = Bidirectional(SimpleRNN(3), merge_mode=mode)(keras.Input((5, 2)))
    assert sym.shape == (None, width)
    pair = Bidirectional(SimpleRNN(3), merge_mode=None)
    pair(X)
    pair.set_weights(bi.get_weights())
    a, b = (t.numpy() for t in pair(X))
    want = {"sum": a + b, "mul": a * b, "ave": (a + b) / 2,
            "concat": np.concatenate([a, b], -1)}[mode]
    np.testing.assert_allclose(out.numpy(), want, rtol=1e-6, atol=1e-7)


def test_bidirectional_return_state_and_mask():
    bi = Bidirectional(LSTM(3, return_state=True, return_sequences=True))
    out = bi(X)
    assert [tuple(o.shape) for o in out] == [(3, 5, 6)] + [(3, 3)] * 4
    sym = Bidirectional(LSTM(3, return_state=True))(keras.Input((None, 2)))
    assert [s.shape for s in sym] == [(None, 6)] + [(None, 3)] * 4
    ids = np.array([[1, 2, 0], [3, 0, 0]])
    emb = keras.layers.Embedding(5, 2, mask_zero=True)
    seq = Bidirectional(GRU(2, return_sequences=True))(emb(ids)).numpy()
    # Under Bidirectional, masked steps of a returned sequence are zeros.
    np.testing.assert_array_equal(seq[0, 2], 0)
    np.testing.assert_array_equal(seq[1, 1:], 0)
    assert np.all(seq[0, :2] != 0)


def test_bidirectional_errors():
    with pytest.raises(ValueError, match="Invalid merge mode"):
        Bidirectional(LSTM(2), merge_mode="max")
    with pytest.raises(ValueError):
        Bidirectional("lstm")
    with pytest.raises(ValueError, match="go_backwards"):
        Bidirectional(LSTM(2), backward_layer=LSTM(2))


# -- config, dropout, stateful, errors ----------------------------------------------------------
@pytest.mark.parametrize("layer", [
    lambda: SimpleRNN(3, activation="relu", return_sequences=True, dropout=0.2),
    lambda: LSTM(3, recurrent_activation="hard_sigmoid", unit_forget_bias=False,
                 return_state=True, go_backwards=True),
    lambda: GRU(3, reset_after=False, recurrent_dropout=0.1, seed=7),
    lambda: RNN(GRUCell(2), return_sequences=True),
    lambda: Bidirectional(LSTM(2, return_sequences=True), merge_mode="sum"),
])
def test_config_round_trip(layer):
    layer = layer()
    y = layer(X)
    config = layer.get_config()
    clone = type(layer).from_config(config)
    clone(X)  # a wrapped layer's config carries its build config once built
    assert clone.get_config() == config
    restored = keras.layers.deserialize(keras.layers.serialize(layer))
    assert type(restored) is type(layer)
    restored(X)
    restored.set_weights(layer.get_weights())
    for a, b in zip(tf.nest.flatten(restored(X)), tf.nest.flatten(y)):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-6)


def test_lstm_config_keys():
    config = LSTM(4).get_config()
    for key, value in [("units", 4), ("activation", "tanh"),
                       ("recurrent_activation", "sigmoid"), ("unit_forget_bias", True),
                       ("return_sequences", False), ("return_state", False),
                       ("go_backwards", False), ("stateful", False), ("unroll", False),
                       ("dropout", 0.0), ("recurrent_dropout", 0.0), ("seed", None),
                       ("zero_output_for_mask", False)]:
        assert config[key] == value, key
    assert config["recurrent_initializer"]["class_name"] == "Orthogonal"
    assert "cell" not in config
    assert GRU(2).get_config()["reset_after"] is True
    assert LSTM(2, use_cudnn=False, unroll=True).unroll is True


def test_dropout_only_in_training():
    layer = LSTM(4, dropout=0.5, recurrent_dropout=0.5, seed=1)
    a = layer(X).numpy()
    np.testing.assert_array_equal(a, layer(X).numpy())
    b = layer(X, training=True).numpy()
    c = layer(X, training=True).numpy()
    assert not np.allclose(a, b) and not np.allclose(b, c)


def test_stateful_keeps_states_between_calls():
    layer = GRU(3, stateful=True)
    layer(X[:, :2])
    ws = _random_weights(layer, np.random.RandomState(8))
    layer.reset_states()
    layer(X[:, :2])
    second = layer(X[:, 2:]).numpy()
    np.testing.assert_allclose(second, ref_gru(X.astype(np.float64), *ws)[0][:, -1],
                               rtol=1e-5, atol=1e-6)
    layer.reset_states()
    np.testing.assert_allclose(layer(X[:, 2:]).numpy(),
                               ref_gru(X[:, 2:].astype(np.float64), *ws)[0][:, -1],
                               rtol=1e-5, atol=1e-6)


def test_invalid_arguments():
    with pytest.raises(ValueError, match="units"):
        LSTM(0)
    with pytest.raises(ValueError, match="dropout"):
        GRU(2, dropout=1.5)
    with pytest.raises(TypeError):
        SimpleRNN(2, not_an_argument=1)
    with pytest.raises(ValueError):
        SimpleRNN(2)(np.zeros((2, 3), "float32"))


def test_layer_harness_simple_rnn():
    run_layer_test(SimpleRNN, {"units": 3, "return_sequences": True}, input_shape=(2, 4, 3),
                   expected_output_shape=(2, 4, 3), expected_num_trainable_weights=3,
                   grad_order=1)


# -- learning --------------------------------------------------------------------------------------
def test_lstm_learns_to_sum_a_sequence():
    keras.utils.set_random_seed(0)
    rng = np.random.RandomState(0)
    x = rng.uniform(-1, 1, (256, 8, 1)).astype("float32")
    y = x.sum(axis=(1, 2))[:, None].astype("float32")
    model = keras.Sequential([keras.Input((8, 1)), LSTM(8), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.Adam(0.02), loss="mse")
    history = model.fit(x, y, epochs=25, batch_size=32, verbose=0)
    baseline = float(np.var(y))
    assert history.history["loss"][-1] < 0.02 * baseline, (history.history["loss"], baseline)


def test_return_types_and_stateful_errors():
    out = LSTM(2, return_state=True)(X)
    assert isinstance(out, tuple) and len(out) == 3  # Keras 3: ``output, *states``
    pair = Bidirectional(GRU(2, return_state=True), merge_mode=None)(X)
    assert isinstance(pair, tuple) and [tuple(t.shape) for t in pair] == [(3, 2)] * 4
    with pytest.raises(AttributeError, match="Layer must be stateful."):
        Bidirectional(GRU(2)).reset_states()
    with pytest.raises(ValueError, match="batch size must be static"):
        LSTM(2, stateful=True)(keras.Input((4, 2)))
    stateful = LSTM(2, stateful=True)(keras.Input((4, 2), batch_size=3))
    assert stateful.shape == (3, 2)


def test_book_ch11_bidirectional_model_params_and_fit():
    model = keras.Sequential([keras.Input((None,), dtype="int64"),
                              keras.layers.Embedding(50, 16, mask_zero=True),
                              Bidirectional(LSTM(8)), keras.layers.Dropout(0.5),
                              keras.layers.Dense(1, activation="sigmoid")])
    # 2 directions x 4 gates x (16 inputs + 8 recurrent + 1 bias) x 8 units
    assert model.layers[1].count_params() == 2 * 4 * (16 + 8 + 1) * 8
    rng = np.random.RandomState(0)
    ids = rng.randint(1, 50, (64, 6))
    ids[:32, 4:] = 0  # padded
    y = (ids[:, 0] > 25).astype("float32")[:, None]
    model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(ids, y, epochs=4, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]


def test_functional_initial_state_and_saving(tmp_path):
    x = keras.Input((5, 2))
    h, c = keras.Input((4,)), keras.Input((4,))
    model = keras.Model([x, h, c], LSTM(4)(x, initial_state=[h, c]))
    hs, cs = (RNG.uniform(-1, 1, (3, 4)).astype("float32") for _ in range(2))
    lstm = model.layers[-1]
    np.testing.assert_allclose(model([X, hs, cs]).numpy(),
                               lstm(X, initial_state=[hs, cs]).numpy(), rtol=1e-6)
    assert not np.allclose(model([X, hs, cs]).numpy(), lstm(X).numpy())

    seq = keras.Sequential([keras.Input((None,), dtype="int64"),
                            keras.layers.Embedding(20, 4, mask_zero=True),
                            Bidirectional(LSTM(3, return_sequences=True)), GRU(2),
                            keras.layers.Dense(1)])
    ids = np.array([[1, 2, 3, 0], [4, 5, 0, 0]])
    path = str(tmp_path / "rnn.keras")
    seq.save(path)
    loaded = keras.models.load_model(path)
    np.testing.assert_array_equal(loaded(ids).numpy(), seq(ids).numpy())
    assert loaded.layers[1].forward_layer.name.startswith("forward_lstm")


def test_dropout_of_one_is_ignored_and_cell_dropout_in_training():
    # Keras applies dropout only for 0 < rate < 1.
    layer = SimpleRNN(3, dropout=1.0, recurrent_dropout=1.0)
    np.testing.assert_array_equal(layer(X, training=True).numpy(), layer(X).numpy())
    cell = LSTMCell(3, dropout=0.5, seed=0)
    states = [np.zeros((3, 3), "float32")] * 2
    a, _ = cell(X[:, 0], states, training=True)
    b, _ = cell(X[:, 0], states, training=True)  # the mask is kept until reset
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    cell.reset_dropout_mask()
    c, _ = cell(X[:, 0], states, training=False)
    d, _ = cell(X[:, 0], states)
    np.testing.assert_array_equal(c.numpy(), d.numpy())
    assert not np.allclose(a.numpy(), c.numpy())


def test_reachable_as_keras_layers():
    for name in ("RNN", "SimpleRNN", "LSTM", "GRU", "SimpleRNNCell", "LSTMCell", "GRUCell",
                 "Bidirectional"):
        assert getattr(keras.layers, name).__name__ == name
    assert keras.layers.LSTM is LSTM and keras.layers.Bidirectional is Bidirectional
