"""StackedRNNCells and GroupQueryAttention against Keras 3.15, with Keras's weights copied:
outputs (states and attention scores included), weight paths, configs, symbolic shapes."""
import numpy as np
import pytest

from parity.layer_parity import (assert_same_weights, build_pair, check_symbolic_and_config,
                                 config_of, data, fresh)


def _cells(k):
    return [k.layers.LSTMCell(4), k.layers.GRUCell(3), k.layers.SimpleRNNCell(2)]


def _same_nested(real, mine, rtol=1e-5, atol=1e-5):
    if isinstance(real, (list, tuple)):
        assert isinstance(mine, (list, tuple)) and len(mine) == len(real)
        for r, m in zip(real, mine):
            _same_nested(r, m, rtol, atol)
        return
    np.testing.assert_allclose(np.asarray(mine), np.asarray(real), rtol=rtol, atol=atol)
    assert np.asarray(mine).dtype == np.asarray(real).dtype


STACKED = {
    "stacked_cells": lambda k: k.layers.RNN(k.layers.StackedRNNCells(_cells(k))),
    "stacked_state_seq": lambda k: k.layers.RNN(k.layers.StackedRNNCells(_cells(k)),
                                                return_state=True, return_sequences=True),
    "cell_list": lambda k: k.layers.RNN(_cells(k), return_state=True),
    "stacked_backwards": lambda k: k.layers.RNN(
        k.layers.StackedRNNCells([k.layers.GRUCell(3), k.layers.GRUCell(2)]),
        go_backwards=True),
}


@pytest.mark.parametrize("case", sorted(STACKED))
def test_stacked_rnn_cells_match_keras(rkeras, case):
    fresh(rkeras)
    x = data(2, 5, 3)
    real, mine = build_pair(rkeras, STACKED[case], x)
    rng = np.random.default_rng(1)
    weights = [rng.standard_normal(w.shape).astype("float32") * 0.5 for w in real.get_weights()]
    real.set_weights(weights)
    mine.set_weights(weights)
    _same_nested(real(x), mine(x))
    assert_same_weights(real, mine)
    assert config_of(mine) == config_of(real)
    shape = mine.compute_output_shape((2, 5, 3))
    assert repr(shape) == repr(real.compute_output_shape((2, 5, 3)))
    fresh(rkeras)
    real_in, mine_in = rkeras.Input((5, 3)), __import__("tapeflow").keras.Input((5, 3))
    r, m = STACKED[case](rkeras)(real_in), STACKED[case](__import__("tapeflow").keras)(mine_in)
    r_shapes = rkeras.tree.map_structure(lambda t: tuple(t.shape), r)
    m_shapes = rkeras.tree.map_structure(lambda t: tuple(t.shape), m)
    assert repr(rkeras.tree.lists_to_tuples(m_shapes)) == \
        repr(rkeras.tree.lists_to_tuples(r_shapes))


def test_stacked_rnn_cells_initial_state_and_config_match_keras(rkeras):
    from tapeflow import keras
    fresh(rkeras)
    x = data(2, 4, 3)
    init = [[data(2, 4, seed=1), data(2, 4, seed=2)], [data(2, 3, seed=3)]]
    make = lambda k: k.layers.RNN(k.layers.StackedRNNCells(  # noqa: E731
        [k.layers.LSTMCell(4), k.layers.GRUCell(3)]), return_state=True)
    real, mine = build_pair(rkeras, make, x)
    _same_nested(real(x, initial_state=init), mine(x, initial_state=init))
    cell_real = rkeras.layers.StackedRNNCells([rkeras.layers.GRUCell(2)])
    cell_mine = keras.layers.StackedRNNCells([keras.layers.GRUCell(2)])
    assert cell_mine.state_size == cell_real.state_size
    assert cell_mine.output_size == cell_real.output_size
    assert repr(cell_mine) == repr(cell_real)
    assert keras.layers.serialize(cell_mine)["class_name"] == "StackedRNNCells"


Q, V = data(2, 5, 8, seed=11), data(2, 6, 8, seed=12)
GQA = {
    "basic": (lambda k: k.layers.GroupQueryAttention(3, 4, 2), {}),
    "mqa_no_bias": (lambda k: k.layers.GroupQueryAttention(4, 4, 1, use_bias=False), {}),
    "gate_window_causal": (lambda k: k.layers.GroupQueryAttention(
        3, 4, 2, use_gate=True, sliding_window=2), {"use_causal_mask": True}),
    "scores": (lambda k: k.layers.GroupQueryAttention(2, 6, 3),
               {"return_attention_scores": True}),
    "attention_mask_scores": (lambda k: k.layers.GroupQueryAttention(2, 2, 2), {
        "attention_mask": np.random.default_rng(0).random((2, 5, 6)) > 0.3,
        "return_attention_scores": True}),
    "key": (lambda k: k.layers.GroupQueryAttention(3, 2, 1), {"key": data(2, 6, 5, seed=13)}),
}


@pytest.mark.parametrize("case", sorted(GQA))
def test_group_query_attention_matches_keras(rkeras, case):
    from tapeflow import keras
    fresh(rkeras)
    make, kwargs = GQA[case]
    real, mine = make(rkeras), make(keras)
    real(Q, V, **kwargs)
    mine(Q, V, **kwargs)
    rng = np.random.default_rng(2)
    weights = [rng.standard_normal(w.shape).astype("float32") * 0.4 for w in real.get_weights()]
    real.set_weights(weights)
    mine.set_weights(weights)
    _same_nested(real(Q, V, **kwargs), mine(Q, V, **kwargs), rtol=1e-4, atol=1e-5)
    assert_same_weights(real, mine)
    assert config_of(mine) == config_of(real)
    assert repr(mine).replace(mine.name, "L") == repr(real).replace(real.name, "L")
    assert mine.compute_output_shape(Q.shape, V.shape) == tuple(
        real.compute_output_shape(Q.shape, V.shape))


def test_group_query_attention_symbolic_and_errors_match_keras(rkeras):
    from tapeflow import keras
    fresh(rkeras)
    rq, rv = rkeras.Input((5, 8)), rkeras.Input((6, 8))
    mq, mv = keras.Input((5, 8)), keras.Input((6, 8))
    r = rkeras.layers.GroupQueryAttention(3, 4, 2)(rq, rv, return_attention_scores=True)
    m = keras.layers.GroupQueryAttention(3, 4, 2)(mq, mv, return_attention_scores=True)
    assert [tuple(t.shape) for t in m] == [tuple(t.shape) for t in r]
    for kwargs in (dict(head_dim=2, num_query_heads=3, num_key_value_heads=2),
                   dict(head_dim=2, num_query_heads=2, num_key_value_heads=1,
                        sliding_window=0)):
        with pytest.raises(ValueError) as real_err:
            rkeras.layers.GroupQueryAttention(**kwargs)
        with pytest.raises(ValueError) as mine_err:
            keras.layers.GroupQueryAttention(**kwargs)
        assert str(mine_err.value) == str(real_err.value)
    assert keras.layers.serialize(keras.layers.GroupQueryAttention(2, 2, 1))["class_name"] == \
        rkeras.layers.serialize(rkeras.layers.GroupQueryAttention(2, 2, 1))["class_name"]


OUTPUT_PADDING = {
    "conv2d_t_valid": (lambda k: k.layers.Conv2DTranspose(4, 3, strides=2, output_padding=1),
                       data(2, 5, 6, 3)),
    "conv2d_t_same": (lambda k: k.layers.Conv2DTranspose(
        4, (3, 2), strides=(3, 2), padding="same", output_padding=(2, 1)), data(2, 5, 6, 3)),
    "conv2d_t_channels_first": (lambda k: k.layers.Conv2DTranspose(
        2, 3, strides=2, output_padding=(0, 1), data_format="channels_first"),
        data(2, 3, 5, 4)),
    "conv1d_t_same": (lambda k: k.layers.Conv1DTranspose(4, 3, strides=2, padding="same",
                                                         output_padding=1), data(2, 7, 3)),
    "conv3d_t": (lambda k: k.layers.Conv3DTranspose(4, 2, strides=2, output_padding=(1, 0, 1)),
                 data(1, 3, 4, 5, 2)),
}


@pytest.mark.parametrize("case", sorted(OUTPUT_PADDING))
def test_conv_transpose_output_padding_matches_keras(rkeras, case):
    from parity.layer_parity import check_layer
    make, x = OUTPUT_PADDING[case]
    check_layer(rkeras, make, x, rtol=1e-4, atol=1e-5)
    check_symbolic_and_config(rkeras, make, x)


def test_conv_transpose_output_padding_errors_match_keras(rkeras):
    from tapeflow import keras
    with pytest.raises(ValueError) as real:
        rkeras.layers.Conv2DTranspose(2, 3, strides=2, output_padding=2)
    with pytest.raises(ValueError) as mine:
        keras.layers.Conv2DTranspose(2, 3, strides=2, output_padding=2)
    assert str(mine.value) == str(real.value)
