"""Normalization, recurrent and attention layers against Keras 3, same weights."""
import numpy as np
import pytest

from tapeflow import keras
from parity.layer_parity import (assert_same_outputs, build_pair, check_layer,
                                 check_symbolic_and_config, config_of, data, paths_of, plain)

X2 = data(4, 5)
X3 = data(2, 5, 3, seed=1)
IMG = data(4, 3, 3, 5, seed=2)

NORM = {
    "batch_norm": (lambda k: k.layers.BatchNormalization(), X2),
    "batch_norm_images": (lambda k: k.layers.BatchNormalization(momentum=0.9, epsilon=1e-3,
                                                                center=False), IMG),
    "batch_norm_axis1": (lambda k: k.layers.BatchNormalization(axis=1, scale=False), X3),
}


@pytest.mark.parametrize("case", sorted(NORM))
def test_batch_normalization_inference_and_one_training_step(rkeras, case):
    make, x = NORM[case]
    # training=True: batch statistics out, moving averages updated once (compared after).
    real, mine = check_layer(rkeras, make, x, training=True, rtol=1e-4, atol=1e-5)
    assert [w.trainable for w in mine.weights] == [w.trainable for w in real.weights]


LAYER_NORM = {
    "layer_norm": (lambda k: k.layers.LayerNormalization(), X3),
    "layer_norm_two_axes": (lambda k: k.layers.LayerNormalization(axis=[1, 2],
                                                                  epsilon=1e-5), X3),
    "layer_norm_no_center": (lambda k: k.layers.LayerNormalization(center=False), X2),
}


@pytest.mark.parametrize("case", sorted(LAYER_NORM))
def test_layer_normalization_matches_keras(rkeras, case):
    make, x = LAYER_NORM[case]
    check_layer(rkeras, make, x, rtol=1e-4, atol=1e-5)


@pytest.mark.filterwarnings("ignore:You passed `rms_scaling=True`:UserWarning")
def test_layer_normalization_rms_scaling_warns_and_matches_keras(rkeras):
    def make(k):
        with pytest.warns(UserWarning, match="rms_scaling=True`, which is deprecated"):
            return k.layers.LayerNormalization(rms_scaling=True)
    check_layer(rkeras, make, X2 + 1, rtol=1e-4, atol=1e-5)
    for k in (rkeras, keras):
        with pytest.warns(UserWarning, match="keras.ops.rms_normalization"):
            make(k)(X2)


RNN_KWARGS = {
    "last": {},
    "sequences": dict(return_sequences=True),
    "state": dict(return_state=True),
    "all_backwards": dict(return_sequences=True, return_state=True, go_backwards=True),
}


@pytest.mark.parametrize("kind", ["SimpleRNN", "LSTM", "GRU"])
@pytest.mark.parametrize("variant", sorted(RNN_KWARGS))
def test_recurrent_layer_matches_keras(rkeras, kind, variant):
    check_layer(rkeras, lambda k: getattr(k.layers, kind)(4, **RNN_KWARGS[variant]), X3,
                rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("make", [
    lambda k: k.layers.GRU(4, reset_after=False),
    lambda k: k.layers.LSTM(4, activation="relu", unit_forget_bias=False),
    lambda k: k.layers.SimpleRNN(3, activation="relu", use_bias=False),
], ids=["gru_reset_before", "lstm_relu", "simple_rnn_relu_no_bias"])
def test_recurrent_layer_options_match_keras(rkeras, make):
    check_layer(rkeras, make, X3, rtol=1e-4, atol=1e-5)


def test_gru_defaults_to_reset_after(rkeras):
    real, mine = build_pair(rkeras, lambda k: k.layers.GRU(4), X3)
    assert mine.get_config()["reset_after"] is real.get_config()["reset_after"] is True
    assert tuple(mine.weights[2].shape) == tuple(real.weights[2].shape) == (2, 12)


@pytest.mark.parametrize("make", [
    lambda k: k.layers.Bidirectional(k.layers.LSTM(4, name="rnn")),
    lambda k: k.layers.Bidirectional(k.layers.GRU(4, return_sequences=True, name="rnn")),
    lambda k: k.layers.Bidirectional(k.layers.SimpleRNN(4, name="rnn"), merge_mode="sum"),
    lambda k: k.layers.Bidirectional(k.layers.LSTM(3, return_state=True, name="rnn")),
], ids=["lstm_concat", "gru_sequences", "simple_rnn_sum", "lstm_states"])
def test_bidirectional_matches_keras(rkeras, make):
    check_layer(rkeras, make, X3, rtol=1e-4, atol=1e-5)


Q = data(2, 4, 6, seed=3)
V = data(2, 5, 6, seed=4)


@pytest.mark.parametrize("kwargs", [
    dict(num_heads=2, key_dim=3),
    dict(num_heads=2, key_dim=3, value_dim=4, output_shape=5, use_bias=False),
    dict(num_heads=1, key_dim=6, attention_axes=(1,)),
], ids=["default", "value_dim_output_shape_no_bias", "one_head_axes"])
def test_multi_head_attention_output_and_scores(rkeras, kwargs):
    real, mine = build_pair(rkeras, lambda k: k.layers.MultiHeadAttention(**kwargs), Q, value=V)
    assert_same_outputs(real(Q, V, return_attention_scores=True),
                        mine(Q, V, return_attention_scores=True), rtol=1e-4, atol=1e-5)
    assert_same_outputs(real(Q, V, key=V * 2), mine(Q, V, key=V * 2), rtol=1e-4, atol=1e-5)
    mask = np.tril(np.ones((4, 5), bool))[None].repeat(2, 0)
    assert_same_outputs(real(Q, V, attention_mask=mask), mine(Q, V, attention_mask=mask),
                        rtol=1e-4, atol=1e-5)
    assert_same_outputs(real(Q, Q, use_causal_mask=True), mine(Q, Q, use_causal_mask=True),
                        rtol=1e-4, atol=1e-5)
    assert paths_of(mine) == paths_of(real)
    assert mine.count_params() == real.count_params()
    assert config_of(mine) == config_of(real)
    assert (plain(mine.compute_output_shape(Q.shape, V.shape))
            == plain(real.compute_output_shape(Q.shape, V.shape)))


def test_unbuilt_configs_match_keras(rkeras):
    makes = [lambda k: k.layers.MultiHeadAttention(2, 3, output_shape=5),
             lambda k: k.layers.BatchNormalization(), lambda k: k.layers.LayerNormalization(),
             lambda k: k.layers.LSTM(2), lambda k: k.layers.SimpleRNN(2),
             lambda k: k.layers.GRU(2, dropout=0.1)]
    for make in makes:
        real, mine = make(rkeras).get_config(), make(keras).get_config()
        real.pop("name"), mine.pop("name")
        assert plain(mine) == plain(real)
        assert list(mine) == list(real)  # printed in the same order


WRONG_SHAPES = {
    "lstm_rank2": (lambda k: k.layers.LSTM(2), None, X2),
    "gru_wrong_features": (lambda k: k.layers.GRU(2), X3, data(2, 5, 4)),
    "batch_norm_wrong_features": (lambda k: k.layers.BatchNormalization(), X2, data(4, 6)),
}


@pytest.mark.parametrize("case", sorted(WRONG_SHAPES))
def test_wrong_input_shape_raises_the_same_class(rkeras, case):
    make, first, bad = WRONG_SHAPES[case]
    errors = []
    for k in (rkeras, keras):
        layer = make(k)
        if first is not None:
            layer(first)
        with pytest.raises(Exception) as info:
            layer(bad)
        errors.append(info.type.__name__)
    assert errors[1] == errors[0]


SYMBOLIC = {**NORM, **LAYER_NORM}


@pytest.mark.parametrize("case", sorted(SYMBOLIC))
def test_symbolic_call_config_and_repr_match_keras(rkeras, case):
    make, x = SYMBOLIC[case]
    check_symbolic_and_config(rkeras, make, x)


IDS = np.array([[3, 1, 4, 0, 0], [2, 7, 0, 0, 0], [5, 9, 2, 6, 5]])


def _masked_models(rkeras, body):
    models = []
    for k in (rkeras, keras):
        inputs = k.Input((5,), dtype="int32")
        models.append(k.Model(inputs, body(k, k.layers.Embedding(10, 6, mask_zero=True)(inputs))))
    models[1].set_weights(models[0].get_weights())
    return models


@pytest.mark.parametrize("body", [
    lambda k, x: k.layers.LSTM(4)(x),
    lambda k, x: k.layers.GRU(4, return_sequences=True)(x),
    lambda k, x: k.layers.SimpleRNN(4, go_backwards=True)(x),
    lambda k, x: k.layers.GlobalAveragePooling1D()(
        k.layers.Bidirectional(k.layers.LSTM(3, return_sequences=True))(x)),
    lambda k, x: k.layers.MultiHeadAttention(2, 3)(x, x),
], ids=["lstm", "gru_sequences", "simple_rnn_backwards", "bidirectional_pooled", "mha"])
def test_embedding_mask_flows_like_keras(rkeras, body):
    real, mine = _masked_models(rkeras, body)
    assert_same_outputs(real(IDS), mine(IDS), rtol=1e-4, atol=1e-6)


def test_attention_rows_with_every_key_masked_match_keras(rkeras):
    # Keras 3: zero scores when they are returned, uniform attention otherwise.
    real, mine = build_pair(rkeras, lambda k: k.layers.MultiHeadAttention(2, 3), Q, value=V)
    mask = np.ones((2, 4, 5), bool)
    mask[:, 1] = False
    mask[0, 3, 2:] = False
    assert_same_outputs(real(Q, V, attention_mask=mask), mine(Q, V, attention_mask=mask),
                        rtol=1e-4, atol=1e-6)
    assert_same_outputs(real(Q, V, attention_mask=mask, return_attention_scores=True),
                        mine(Q, V, attention_mask=mask, return_attention_scores=True),
                        rtol=1e-4, atol=1e-6)
