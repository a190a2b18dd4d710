"""Fused dot-product attention against the op-by-op reference: values, gradients (float64
finite differences to second order), masks incl. fully masked rows, and the Keras wiring."""
import numpy as np
import pytest

import tapeflow as tf
from tapeflow import keras
from tapeflow.keras.layers import attention as attention_layer
from tapeflow.ops import attention_ops as A
from tests.gradcheck import check_grads

# (batch, T, S, heads, dim, value_dim)
SHAPES = [(2, 5, 6, 3, 4, 2), (1, 1, 1, 1, 1, 1), (1, 1, 4, 2, 3, 3), (3, 4, 1, 1, 2, 5),
          (1, 6, 3, 2, 2, 2)]


def _inputs(shape, dtype, seed=0):
    b, t, s, n, h, hv = shape
    rng = np.random.default_rng(seed)
    return (rng.standard_normal((b, t, n, h)).astype(dtype),
            rng.standard_normal((b, s, n, h)).astype(dtype),
            rng.standard_normal((b, s, n, hv)).astype(dtype))


def _masks(shape, seed=0):
    """None, a (B, 1, T, S) mask with one fully masked row, and broadcast (T, S), (S,)."""
    b, t, s, n, h, hv = shape
    rng = np.random.default_rng(seed + 1)
    full = rng.random((b, 1, t, s)) > 0.4
    full[0, 0, 0] = False   # a query row whose keys are all masked
    return [None, full, rng.random((t, s)) > 0.3, rng.random((s,)) > 0.5]


def _numpy_attention(q, k, v, keep, scale, zero_masked_rows):
    logits = np.einsum("btnh,bsnh->bnts", q, k) * scale
    if keep is not None:
        keep = np.broadcast_to(keep, logits.shape)
        logits = np.where(keep, logits, -1e9)
    e = np.exp(logits - logits.max(-1, keepdims=True))
    w = e / e.sum(-1, keepdims=True)
    if zero_masked_rows and keep is not None:
        w = w * keep
    return np.einsum("bnts,bsnh->btnh", w, v), w


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("zero_masked_rows", [False, True])
@pytest.mark.parametrize("causal", [False, True])
def test_values_match_reference_float32(shape, zero_masked_rows, causal):
    q, k, v = _inputs(shape, "float32")
    t, s = shape[1], shape[2]
    for mask in _masks(shape):
        out, w = A.dot_product_attention(tf.constant(q), tf.constant(k), tf.constant(v),
                                         mask=mask, scale=0.7, causal=causal,
                                         zero_masked_rows=zero_masked_rows)
        ro, rw = A.attention_reference(tf.constant(q), tf.constant(k), tf.constant(v),
                                       mask=mask, scale=0.7, causal=causal,
                                       zero_masked_rows=zero_masked_rows)
        assert out.dtype == tf.float32 and out.shape == (shape[0], t, shape[3], shape[5])
        assert w.shape == (shape[0], shape[3], t, s)
        np.testing.assert_allclose(out.numpy(), ro.numpy(), rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(w.numpy(), rw.numpy(), rtol=1e-5, atol=1e-7)
        keep = mask
        if causal:
            tri = np.tril(np.ones((t, s), bool))
            keep = tri if keep is None else keep & tri
        no, nw = _numpy_attention(q.astype("f8"), k.astype("f8"), v.astype("f8"), keep, 0.7,
                                  zero_masked_rows)
        np.testing.assert_allclose(out.numpy(), no, rtol=1e-4, atol=1e-5)
        np.testing.assert_allclose(w.numpy(), nw, rtol=1e-4, atol=1e-6)


def test_fully_masked_rows():
    q, k, v = _inputs((2, 3, 4, 2, 2, 2), "float64")
    mask = np.ones((2, 1, 3, 4), bool)
    mask[1, 0, 2] = False
    _, w = A.dot_product_attention(tf.constant(q), tf.constant(k), tf.constant(v), mask=mask)
    np.testing.assert_array_equal(w.numpy()[1, :, 2], 0.25)   # uniform over all keys
    _, w = A.dot_product_attention(tf.constant(q), tf.constant(k), tf.constant(v), mask=mask,
                                   zero_masked_rows=True)
    np.testing.assert_array_equal(w.numpy()[1, :, 2], 0.0)


@pytest.mark.parametrize("shape", SHAPES[:4])
@pytest.mark.parametrize("zero_masked_rows,causal", [(False, False), (True, True),
                                                     (False, True)])
def test_gradients_float64_second_order(shape, zero_masked_rows, causal):
    q, k, v = _inputs(shape, "float64", seed=3)
    for mask in _masks(shape, seed=3)[:2]:
        def f(q, k, v):
            out, w = A.dot_product_attention(q, k, v, mask=mask, scale=0.6, causal=causal,
                                             zero_masked_rows=zero_masked_rows)
            # both outputs reach the loss (the weights non-linearly)
            return tf.reduce_sum(out * out) + tf.reduce_sum(tf.sin(w))
        check_grads(f, [q, k, v], order=2, name=f"attention{shape}")


def test_gradient_of_one_output_alone():
    q, k, v = _inputs((2, 3, 4, 2, 3, 2), "float64", seed=5)
    mask = _masks((2, 3, 4, 2, 3, 2))[1]
    check_grads(lambda q, k, v: A.dot_product_attention(q, k, v, mask=mask)[0], [q, k, v],
                order=1, name="attention out")

    def weights_only(q, k, v):
        return A.dot_product_attention(q, k, v, mask=mask, zero_masked_rows=True)[1]
    check_grads(weights_only, [q, k, v], order=1, name="attention weights")
    tq, tk, tv = (tf.constant(x) for x in (q, k, v))
    with tf.GradientTape() as tape:
        tape.watch(tq)
        tape.watch(tv)
        w = weights_only(tq, tk, tv)
    gq, gv = tape.gradient(w, [tq, tv])
    # value does not reach the weights: TensorFlow's convention, zeros (a connected input)
    np.testing.assert_array_equal(gv.numpy(), 0.0)
    assert gq.shape == q.shape


def test_bad_shapes_raise():
    q, k, v = _inputs((2, 3, 4, 2, 3, 2), "float32")
    with pytest.raises(tf.errors.InvalidArgumentError, match="do not agree"):
        A.dot_product_attention(tf.constant(q), tf.constant(k[:, :, :1]), tf.constant(v))
    with pytest.raises(tf.errors.InvalidArgumentError, match="does not broadcast"):
        A.dot_product_attention(tf.constant(q), tf.constant(k), tf.constant(v),
                                mask=np.ones((3, 3), bool))


def _mha_run(layer_kwargs, call_kwargs, fused, q, v, seed=0):
    attention_layer.FUSED = fused
    try:
        keras.utils.set_random_seed(seed)
        layer = keras.layers.MultiHeadAttention(**layer_kwargs)
        tq, tv = tf.constant(q), tf.constant(v)
        with tf.GradientTape() as tape:
            tape.watch(tq)
            tape.watch(tv)
            res = layer(tq, tv, **call_kwargs)
            outs = res if isinstance(res, tuple) else (res,)
            loss = sum(tf.reduce_sum(tf.sin(o)) for o in outs)
        grads = tape.gradient(loss, [tq, tv] + layer.trainable_weights)
        return [o.numpy() for o in outs], [g.numpy() for g in grads]
    finally:
        attention_layer.FUSED = True


@pytest.mark.parametrize("call_kwargs", [
    {}, {"return_attention_scores": True}, {"use_causal_mask": True},
    {"attention_mask": "mask"}, {"attention_mask": "mask", "return_attention_scores": True},
    {"use_causal_mask": True, "return_attention_scores": True, "training": False}])
@pytest.mark.parametrize("dims", [(2, 5, 6), (1, 1, 1), (1, 4, 1)])
def test_multi_head_attention_fused_matches_unfused(call_kwargs, dims):
    b, t, s = dims
    rng = np.random.default_rng(2)
    q = rng.standard_normal((b, t, 8)).astype("float32")
    v = rng.standard_normal((b, s, 8)).astype("float32")
    call_kwargs = dict(call_kwargs)
    if call_kwargs.get("attention_mask") == "mask":
        mask = rng.random((b, t, s)) > 0.4
        mask[..., 0] = True
        if call_kwargs.get("return_attention_scores"):
            # A fully masked row: the unfused path gives Keras's zero weights here too.
            # (Without scores, Keras's fused path attends uniformly and passes no gradient
            # to that row's logits, which the unfused path does not: see the parity test.)
            mask[0, 0] = False
        call_kwargs["attention_mask"] = mask
    for layer_kwargs in ({"num_heads": 2, "key_dim": 4},
                         {"num_heads": 1, "key_dim": 3, "value_dim": 2, "dropout": 0.3}):
        fo, fg = _mha_run(layer_kwargs, call_kwargs, True, q, v)
        uo, ug = _mha_run(layer_kwargs, call_kwargs, False, q, v)
        for a, b_ in zip(fo + fg, uo + ug):
            np.testing.assert_allclose(a, b_, rtol=2e-5, atol=2e-6)


def test_multi_head_attention_dropout_in_training_falls_back(monkeypatch):
    calls = []
    real = A.dot_product_attention
    monkeypatch.setattr(A, "dot_product_attention",
                        lambda *a, **k: calls.append(1) or real(*a, **k))
    layer = keras.layers.MultiHeadAttention(2, 4, dropout=0.5)
    x = np.ones((1, 3, 4), "float32")
    layer(x, x, training=True)
    assert not calls
    layer(x, x, training=False)
    layer(x, x)
    assert len(calls) == 2


def test_keras_ops_dot_product_attention_fused_values():
    q, k, v = _inputs((2, 5, 6, 2, 4, 3), "float32", seed=7)
    mask = np.random.default_rng(0).random((2, 1, 5, 6)) > 0.3
    mask[1, 0, 3] = False
    for causal in (False, True):
        got = keras.ops.dot_product_attention(q, k, v, mask=mask, is_causal=causal)
        keep = mask & np.tril(np.ones((5, 6), bool)) if causal else mask
        want, _ = _numpy_attention(q.astype("f8"), k.astype("f8"), v.astype("f8"), keep,
                                   1 / np.sqrt(4), False)
        np.testing.assert_allclose(got.numpy(), want, rtol=1e-4, atol=1e-5)
