"""StackedRNNCells and GroupQueryAttention without TensorFlow: behaviour, saving, gradients."""
import numpy as np
import pytest

import tapeflow as tf
from tapeflow import keras


def test_stacked_cells_equal_the_layers_stacked_by_hand():
    x = np.random.default_rng(0).standard_normal((2, 6, 3)).astype("float32")
    stacked = keras.layers.RNN([keras.layers.GRUCell(4), keras.layers.SimpleRNNCell(2)],
                               return_sequences=True)
    y = stacked(x).numpy()
    gru = keras.layers.GRU(4, return_sequences=True)
    rnn = keras.layers.SimpleRNN(2, return_sequences=True)
    rnn(gru(x))
    gru.set_weights(stacked.get_weights()[:3])
    rnn.set_weights(stacked.get_weights()[3:])
    np.testing.assert_allclose(y, rnn(gru(x)).numpy(), rtol=1e-5, atol=1e-6)
    assert isinstance(stacked.cell, keras.layers.StackedRNNCells)
    assert stacked.cell.state_size == [4, 2] and stacked.cell.output_size == 2


def test_stacked_cells_states_are_one_list_per_cell():
    cell = keras.layers.StackedRNNCells([keras.layers.LSTMCell(3), keras.layers.GRUCell(2)])
    out, lstm_states, gru_states = keras.layers.RNN(cell, return_state=True)(
        np.ones((2, 4, 5), "float32"))
    assert out.shape == (2, 2) and [s.shape for s in lstm_states] == [(2, 3), (2, 3)]
    assert [s.shape for s in gru_states] == [(2, 2)]
    np.testing.assert_allclose(gru_states[0].numpy(), out.numpy())
    init = cell.get_initial_state(batch_size=2)
    assert [[s.shape for s in c] for c in init] == [[(2, 3), (2, 3)], [(2, 2)]]
    with pytest.raises(ValueError, match="state_size"):
        keras.layers.StackedRNNCells([keras.layers.Dense(2)])


def test_stacked_cells_model_saves_reloads_and_trains(tmp_path):
    inp = keras.Input((4, 3))
    out = keras.layers.RNN(keras.layers.StackedRNNCells(
        [keras.layers.LSTMCell(4), keras.layers.GRUCell(2)]))(inp)
    model = keras.Model(inp, out)
    x = np.random.default_rng(1).standard_normal((3, 4, 3)).astype("float32")
    path = str(tmp_path / "stacked.keras")
    model.save(path)
    again = keras.models.load_model(path)
    np.testing.assert_allclose(again(x).numpy(), model(x).numpy(), rtol=1e-6)
    model.compile("sgd", "mse")
    before = [w.copy() for w in model.get_weights()]
    model.fit(x, np.zeros((3, 2), "float32"), epochs=1, verbose=0)
    assert all(np.any(a != b) for a, b in zip(before, model.get_weights()))


def _gqa(**kwargs):
    layer = keras.layers.GroupQueryAttention(head_dim=3, num_query_heads=4,
                                             num_key_value_heads=2, **kwargs)
    return layer


def test_gqa_equals_multi_head_attention_with_shared_kv_heads():
    """Each key/value head serves num_query_heads // num_key_value_heads query heads."""
    rng = np.random.default_rng(2)
    q, v = rng.standard_normal((2, 5, 6)).astype("float32"), \
        rng.standard_normal((2, 7, 6)).astype("float32")
    gqa = _gqa()
    gqa(q, v)
    mha = keras.layers.MultiHeadAttention(num_heads=4, key_dim=3)
    mha(q, v)
    wq, bq, wk, bk, wv, bv, wo, bo = gqa.get_weights()
    mha.set_weights([wq, bq, np.repeat(wk, 2, axis=1), np.repeat(bk, 2, axis=0),
                     np.repeat(wv, 2, axis=1), np.repeat(bv, 2, axis=0), wo, bo])
    np.testing.assert_allclose(gqa(q, v).numpy(), mha(q, v).numpy(), rtol=1e-5, atol=1e-6)


def test_gqa_sliding_window_and_causal_scores():
    x = np.random.default_rng(3).standard_normal((1, 6, 4)).astype("float32")
    _, scores = _gqa(sliding_window=2)(x, x, use_causal_mask=True,
                                       return_attention_scores=True)
    s = scores.numpy()[0, 0]
    allowed = np.tril(np.ones((6, 6), bool)) & (np.abs(np.subtract.outer(
        np.arange(6), np.arange(6))) < 2)
    assert np.all(s[~allowed] == 0) and np.allclose(s.sum(-1), 1.0, atol=1e-6)


def test_gqa_saves_reloads_and_differentiates(tmp_path):
    q, v = keras.Input((5, 4)), keras.Input((3, 4))
    model = keras.Model([q, v], _gqa(use_gate=True)(q, v))
    rng = np.random.default_rng(4)
    xs = [rng.standard_normal((2, 5, 4)).astype("float32"),
          rng.standard_normal((2, 3, 4)).astype("float32")]
    path = str(tmp_path / "gqa.keras")
    model.save(path)
    again = keras.models.load_model(path)
    np.testing.assert_allclose(again(xs).numpy(), model(xs).numpy(), rtol=1e-6)
    layer = model.layers[-1]
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(tf.square(model(xs)))
    grads = tape.gradient(loss, model.trainable_weights)
    assert len(grads) == 10 and all(g is not None for g in grads)
    assert keras.layers.GroupQueryAttention.from_config(layer.get_config()).get_config() == \
        layer.get_config()
    with pytest.raises(ValueError, match="divisible"):
        keras.layers.GroupQueryAttention(2, 3, 2)
