"""The fused LSTM op (ops/rnn_ops.py) against the step-by-step loop of tapeflow ops."""
import itertools

import numpy as np
import pytest

import tapeflow as tf
from gradcheck import check_grads
from tapeflow.keras.layers import rnn as rnn_module
from tapeflow.keras.layers.rnn import LSTM
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


def _layer_run(fused, layer_kwargs, x, mask, init, seed=3):
    old = rnn_module.FUSED
    rnn_module.FUSED = fused
    try:
        tf.keras.utils.set_random_seed(seed)
        layer = LSTM(layer_kwargs.pop("units"), **layer_kwargs)
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
    [(1, 1, 1, 1), (2, 1, 3, 1), (3, 5, 2, 4)],      # batch, steps, features, units
    [False, True],                                    # masked (with a fully masked row)
    [False, True],                                    # go_backwards
    [False, True],                                    # return_sequences
    [False, True]))                                   # return_state


@pytest.mark.parametrize("shape,masked,go_backwards,return_sequences,return_state", CASES)
def test_lstm_layer_fused_equals_unfused(shape, masked, go_backwards, return_sequences,
                                         return_state):
    batch, steps, feats, units = shape
    rng = np.random.RandomState(sum(shape))
    x = rng.standard_normal((batch, steps, feats)).astype(np.float32)
    mask = None
    if masked:
        mask = rng.random_sample((batch, steps)) > 0.3
        mask[0] = False
    init = None if steps == 1 else [rng.standard_normal((batch, units)).astype(np.float32)
                                    for _ in range(2)]
    kw = dict(units=units, go_backwards=go_backwards, return_sequences=return_sequences,
              return_state=return_state, zero_output_for_mask=masked and steps > 2)
    got = _layer_run(True, dict(kw), x, mask, init)
    want = _layer_run(False, dict(kw), x, mask, init)
    assert len(got) == len(want)
    for a, b in zip(got, want):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_lstm_layer_fused_with_input_dropout_equals_unfused():
    x = np.random.RandomState(0).standard_normal((4, 6, 3)).astype(np.float32)
    kw = dict(units=2, dropout=0.3, return_sequences=True)
    for a, b in zip(_layer_run(True, dict(kw), x, None, None),
                    _layer_run(False, dict(kw), x, None, None)):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_lstm_sequence_rejects_mismatched_shapes():
    p, h0, c0, r = _inputs(2, 3, 4)
    with pytest.raises(tf.errors.InvalidArgumentError, match="LSTM shapes"):
        rnn_ops.lstm_sequence(p, h0[:, :3], c0, r)
