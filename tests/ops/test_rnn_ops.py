"""The fused LSTM op (ops/rnn_ops.py) against the step-by-step loop of tapeflow ops."""
import itertools

import numpy as np
import pytest

import tapeflow as tf
from gradcheck import check_grads
from tapeflow.keras.layers import rnn as rnn_module
from tapeflow.keras.layers.rnn import GRU, LSTM, SimpleRNN
from tapeflow.ops import rnn_ops


def _inputs(steps, batch, units, dtype=np.float64, seed=0):
    rng = np.random.RandomState(seed)
    return [rng.standard_normal(s).astype(dtype) for s in
            [(steps, batch, 4 * units), (batch, units), (batch, units), (units, 4 * units)]]


def _mask(steps, batch, seed=1):
    m = np.random.RandomState(seed).random_sample((steps, batch)) > 0.4
    m[:, 0] = False            # a fully masked row
    return m


@pytest.mark.parametrize("steps,batch,units,masked,zero_output,reverse", [
    (1, 1, 1, False, False, False), (3, 2, 1, True, False, True), (4, 3, 2, True, True, False),
    (1, 2, 3, True, False, False), (5, 1, 2, False, False, True)])
def test_lstm_sequence_gradcheck(steps, batch, units, masked, zero_output, reverse):
    mask = _mask(steps, batch) if masked else None

    def f(p, h0, c0, r):
        y, h, c = rnn_ops.lstm_sequence(p, h0, c0, r, mask, zero_output, reverse)
        return tf.concat([tf.reshape(y, [-1]), tf.reshape(h, [-1]), tf.reshape(c, [-1])], 0)
    check_grads(f, _inputs(steps, batch, units), order=2, name="_FusedLSTMSequence")


@pytest.mark.parametrize("masked,zero_output,reverse", [
    (False, False, False), (True, False, True), (True, True, False), (False, False, True)])
def test_lstm_sequence_matches_reference_float32(masked, zero_output, reverse):
    steps, batch, units = 7, 3, 5
    xs = [tf.constant(a) for a in _inputs(steps, batch, units, np.float32)]
    mask = _mask(steps, batch) if masked else None
    ws = [np.random.RandomState(s).standard_normal(o).astype(np.float32)
          for s, o in zip((5, 6, 7), [(steps, batch, units), (batch, units), (batch, units)])]
    results = []
    for fn in (rnn_ops.lstm_sequence, rnn_ops.lstm_reference):
        with tf.GradientTape() as tape:
            for x in xs:
                tape.watch(x)
            outs = fn(*xs, mask=mask, zero_output=zero_output, reverse=reverse)
            loss = sum(tf.reduce_sum(o * w) for o, w in zip(outs, ws))
        results.append([o.numpy() for o in outs] + [g.numpy() for g in tape.gradient(loss, xs)])
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def _layer_run(fused, layer_kwargs, x, mask, init, seed=3, cls=LSTM):
    old = rnn_module.FUSED
    rnn_module.FUSED = fused
    try:
        tf.keras.utils.set_random_seed(seed)
        layer = cls(layer_kwargs.pop("units"), **layer_kwargs)
        xt = tf.constant(x)
        states = None if init is None else [tf.constant(s) for s in init]
        with tf.GradientTape() as tape:
            tape.watch(xt)
            if states:
                for s in states:
                    tape.watch(s)
            out = layer(xt, mask=None if mask is None else tf.constant(mask),
                        initial_state=states, training=True)
            outs = list(out) if isinstance(out, (list, tuple)) else [out]
            loss = sum(tf.reduce_sum(o * (k + 1.5) * tf.sin(o)) for k, o in enumerate(outs))
        srcs = [xt] + list(layer.trainable_weights) + (states or [])
        grads = tape.gradient(loss, srcs)
        return [o.numpy() for o in outs] + [g.numpy() for g in grads]
    finally:
        rnn_module.FUSED = old


CASES = list(itertools.product(
    [LSTM, GRU, SimpleRNN],
    [(1, 1, 1, 1), (2, 1, 3, 1), (3, 5, 2, 4)],      # batch, steps, features, units
    [False, True],                                    # masked (with a fully masked row)
    [False, True],                                    # go_backwards
    [False, True],                                    # return_sequences
    [False, True]))                                   # return_state


@pytest.mark.parametrize("cls,shape,masked,go_backwards,return_sequences,return_state", CASES)
def test_layer_fused_equals_unfused(cls, shape, masked, go_backwards, return_sequences,
                                    return_state):
    batch, steps, feats, units = shape
    rng = np.random.RandomState(sum(shape))
    x = rng.standard_normal((batch, steps, feats)).astype(np.float32)
    mask = None
    if masked:
        mask = rng.random_sample((batch, steps)) > 0.3
        mask[0] = False
    init = None if steps == 1 else [rng.standard_normal((batch, units)).astype(np.float32)
                                    for _ in range(2 if cls is LSTM else 1)]
    kw = dict(units=units, go_backwards=go_backwards, return_sequences=return_sequences,
              return_state=return_state, zero_output_for_mask=masked and steps > 2)
    got = _layer_run(True, dict(kw), x, mask, init, cls=cls)
    want = _layer_run(False, dict(kw), x, mask, init, cls=cls)
    assert len(got) == len(want)
    for a, b in zip(got, want):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("cls,use_bias", [(LSTM, True), (GRU, True), (GRU, False),
                                          (SimpleRNN, False)])
def test_layer_fused_with_input_dropout_equals_unfused(cls, use_bias):
    x = np.random.RandomState(0).standard_normal((4, 6, 3)).astype(np.float32)
    kw = dict(units=2, dropout=0.3, return_sequences=True, use_bias=use_bias)
    for a, b in zip(_layer_run(True, dict(kw), x, None, None, cls=cls),
                    _layer_run(False, dict(kw), x, None, None, cls=cls)):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_lstm_sequence_rejects_mismatched_shapes():
    p, h0, c0, r = _inputs(2, 3, 4)
    with pytest.raises(tf.errors.InvalidArgumentError, match="LSTM shapes"):
        rnn_ops.lstm_sequence(p, h0[:, :3], c0, r)


def _gru_inputs(steps, batch, units, dtype=np.float64, seed=0):
    rng = np.random.RandomState(seed)
    return [rng.standard_normal(s).astype(dtype) for s in
            [(steps, batch, 3 * units), (batch, units), (units, 3 * units), (3 * units,)]]


@pytest.mark.parametrize("steps,batch,units,masked,zero_output,reverse", [
    (1, 1, 1, False, False, False), (3, 2, 1, True, False, True), (4, 3, 2, True, True, False),
    (1, 2, 3, True, False, False), (5, 1, 2, False, False, True)])
def test_gru_sequence_gradcheck(steps, batch, units, masked, zero_output, reverse):
    mask = _mask(steps, batch) if masked else None

    def f(p, h0, r, br):
        y, h = rnn_ops.gru_sequence(p, h0, r, br, mask, zero_output, reverse)
        return tf.concat([tf.reshape(y, [-1]), tf.reshape(h, [-1])], 0)
    check_grads(f, _gru_inputs(steps, batch, units), order=2, name="_FusedGRUSequence")


@pytest.mark.parametrize("masked,zero_output,reverse", [
    (False, False, False), (True, False, True), (True, True, False)])
def test_gru_sequence_matches_reference_float32(masked, zero_output, reverse):
    steps, batch, units = 7, 3, 5
    xs = [tf.constant(a) for a in _gru_inputs(steps, batch, units, np.float32)]
    mask = _mask(steps, batch) if masked else None
    ws = [np.random.RandomState(s).standard_normal(o).astype(np.float32)
          for s, o in zip((5, 6), [(steps, batch, units), (batch, units)])]
    results = []
    for fn in (rnn_ops.gru_sequence, rnn_ops.gru_reference):
        with tf.GradientTape() as tape:
            for x in xs:
                tape.watch(x)
            outs = fn(*xs, mask=mask, zero_output=zero_output, reverse=reverse)
            loss = sum(tf.reduce_sum(o * w) for o, w in zip(outs, ws))
        results.append([o.numpy() for o in outs] + [g.numpy() for g in tape.gradient(loss, xs)])
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_gru_reset_before_and_recurrent_dropout_use_the_unfused_loop():
    assert not rnn_module.RNN._fusable(GRU(2, reset_after=False).cell, training=False)
    assert not rnn_module.RNN._fusable(LSTM(2, recurrent_dropout=0.5).cell, training=True)
    assert rnn_module.RNN._fusable(LSTM(2, recurrent_dropout=0.5).cell, training=False)
    assert not rnn_module.RNN._fusable(LSTM(2, activation="relu").cell, training=False)
    assert not rnn_module.RNN._fusable(SimpleRNN(2, activation="relu").cell, training=False)


@pytest.mark.parametrize("cls,name", [(LSTM, "lstm_sequence"), (GRU, "gru_sequence"),
                                      (SimpleRNN, "simple_rnn_sequence")])
def test_builtin_layers_use_the_fused_op(monkeypatch, cls, name):
    calls = []
    real = getattr(rnn_ops, name)
    monkeypatch.setattr(rnn_ops, name, lambda *a, **k: calls.append(1) or real(*a, **k))
    cls(3, go_backwards=True)(np.ones((2, 4, 5), np.float32))
    assert calls == [1]


@pytest.mark.parametrize("steps,batch,units,masked,zero_output,reverse", [
    (1, 1, 1, False, False, False), (3, 2, 1, True, False, True), (4, 3, 2, True, True, False),
    (5, 1, 2, False, False, True)])
def test_simple_rnn_sequence_gradcheck(steps, batch, units, masked, zero_output, reverse):
    mask = _mask(steps, batch) if masked else None
    rng = np.random.RandomState(0)
    args = [rng.standard_normal(s) for s in [(steps, batch, units), (batch, units),
                                              (units, units)]]

    def f(p, h0, r):
        y, h = rnn_ops.simple_rnn_sequence(p, h0, r, mask, zero_output, reverse)
        return tf.concat([tf.reshape(y, [-1]), tf.reshape(h, [-1])], 0)
    check_grads(f, args, order=2, name="_FusedSimpleRNNSequence")
