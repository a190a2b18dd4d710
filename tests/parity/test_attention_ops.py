"""Fused attention (MultiHeadAttention, keras.ops.dot_product_attention) against Keras 3 on
TensorFlow: outputs, returned scores and gradients, with masks incl. fully masked rows."""
import numpy as np
import pytest

import tapeflow as tf
from tapeflow import keras

RNG = np.random.default_rng(11)
Q = RNG.standard_normal((2, 5, 8)).astype("float32")
V = RNG.standard_normal((2, 6, 8)).astype("float32")
MASK = RNG.random((2, 5, 6)) > 0.4
MASK[0, 1] = False   # a query row with every key masked

CASES = {
    "plain": {}, "scores": {"return_attention_scores": True},
    "causal": {"use_causal_mask": True},
    "mask": {"attention_mask": MASK},
    "mask_scores": {"attention_mask": MASK, "return_attention_scores": True},
    "causal_scores": {"use_causal_mask": True, "return_attention_scores": True},
}


def _grads(framework, layer, call_kwargs):
    q, v = framework.constant(Q), framework.constant(V)
    with framework.GradientTape() as tape:
        tape.watch(q)
        tape.watch(v)
        res = layer(q, v, **call_kwargs)
        outs = res if isinstance(res, tuple) else (res,)
        loss = sum(framework.reduce_sum(framework.sin(o)) for o in outs)
    grads = tape.gradient(loss, [q, v] + list(layer.trainable_weights))
    return [np.asarray(o) for o in outs], [np.asarray(g) for g in grads]


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("dropout", [0.0, 0.2])
def test_multi_head_attention_outputs_and_gradients(rtf, rkeras, case, dropout):
    real = rkeras.layers.MultiHeadAttention(2, 4, dropout=dropout)
    mine = keras.layers.MultiHeadAttention(2, 4, dropout=dropout)
    real(Q, V)
    mine(Q, V)
    mine.set_weights(real.get_weights())
    ro, rg = _grads(rtf, real, CASES[case])
    mo, mg = _grads(tf, mine, CASES[case])
    assert len(ro) == len(mo)
    for a, b in zip(ro + rg, mo + mg):
        assert a.dtype == b.dtype and a.shape == b.shape
        np.testing.assert_allclose(b, a, rtol=1e-4, atol=2e-6)


@pytest.mark.parametrize("causal", [False, True])
def test_keras_ops_dot_product_attention(rkeras, causal):
    q = RNG.standard_normal((2, 5, 2, 4)).astype("float32")
    k = RNG.standard_normal((2, 6, 2, 4)).astype("float32")
    v = RNG.standard_normal((2, 6, 2, 3)).astype("float32")
    mask = RNG.random((2, 1, 5, 6)) > 0.3
    mask[0, 0, 2] = False
    want = np.asarray(rkeras.ops.dot_product_attention(q, k, v, mask=mask, is_causal=causal))
    got = keras.ops.dot_product_attention(q, k, v, mask=mask, is_causal=causal)
    assert got.dtype == tf.float32
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-5, atol=1e-6)
