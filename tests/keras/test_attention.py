"""MultiHeadAttention and EinsumDense: Keras 3 weight shapes, values against NumPy, masks,
gradients, functional API and config round trip."""
import numpy as np
import pytest

import tapeflow as tf
from gradcheck import check_grads
from tapeflow import keras
from tapeflow.keras.layers.attention import Attention, EinsumDense, MultiHeadAttention

B, T, S, D, H, K = 2, 4, 5, 6, 3, 2


def _data(dtype="float32", seed=0):
    rng = np.random.RandomState(seed)
    return (rng.uniform(-1, 1, (B, T, D)).astype(dtype),
            rng.uniform(-1, 1, (B, S, D)).astype(dtype))


def _reference(layer, q, v, k=None, mask=None):
    """NumPy multi-head attention with the layer's weights; returns (output, scores)."""
    k = v if k is None else k
    wq, bq, wk, bk, wv, bv, wo, bo = [w.numpy().astype(np.float64) for w in layer.weights]
    qp = np.einsum("btd,dnh->btnh", q, wq) + bq
    kp = np.einsum("bsd,dnh->bsnh", k, wk) + bk
    vp = np.einsum("bsd,dnh->bsnh", v, wv) + bv
    logits = np.einsum("bsnh,btnh->bnts", kp, qp / np.sqrt(wq.shape[-1]))
    if mask is not None:
        logits = np.where(mask[:, None], logits, logits - 1e9)
    e = np.exp(logits - logits.max(-1, keepdims=True))
    p = e / e.sum(-1, keepdims=True)
    out = np.einsum("bnts,bsnh->btnh", p, vp)
    return np.einsum("btnh,nhd->btd", out, wo) + bo, p


def _layer(**kwargs):
    layer = MultiHeadAttention(num_heads=H, key_dim=K, **kwargs)
    q, v = _data()
    layer(q, v)
    rng = np.random.RandomState(1)
    layer.set_weights([rng.uniform(-0.5, 0.5, w.shape) for w in layer.weights])
    return layer


def test_weight_shapes_names_and_output_shape():
    layer = MultiHeadAttention(num_heads=H, key_dim=K, value_dim=3)
    q, v = _data()
    out = layer(q, v)
    assert out.shape == (B, T, D) and out.dtype == tf.float32
    assert [tuple(w.shape) for w in layer.weights] == [
        (D, H, K), (H, K), (D, H, K), (H, K), (D, H, 3), (H, 3), (H, 3, D), (D,)]
    assert [w.name for w in layer.weights] == ["kernel", "bias"] * 4
    assert [sub.name for sub in (layer.query_dense, layer.key_dense, layer.value_dense,
                                 layer.output_dense)] == \
        ["query", "key", "value", "attention_output"]
    assert layer.count_params() == 2 * (D * H * K + H * K) + (D * H * 3 + H * 3) + (H * 3 * D + D)
    nobias = MultiHeadAttention(num_heads=H, key_dim=K, use_bias=False, output_shape=7)
    assert nobias(q, v).shape == (B, T, 7)
    assert len(nobias.weights) == 4


def test_values_match_numpy_reference():
    layer = _layer()
    q, v = _data()
    out, scores = layer(q, v, return_attention_scores=True)
    ref, p = _reference(layer, q.astype(np.float64), v.astype(np.float64))
    assert scores.shape == (B, H, T, S)
    np.testing.assert_allclose(out.numpy(), ref, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(scores.numpy(), p, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(scores.numpy().sum(-1), 1.0, rtol=1e-6)
    # A distinct key.
    k = np.random.RandomState(3).uniform(-1, 1, (B, S, D)).astype("float32")
    np.testing.assert_allclose(layer(q, v, key=k).numpy(),
                               _reference(layer, q, v, k)[0], rtol=1e-5, atol=1e-5)


def test_padding_and_causal_masks():
    layer = _layer()
    q, v = _data()
    mask = np.ones((B, T, S), bool)
    mask[0, :, 3:] = False
    out, scores = layer(q, v, attention_mask=mask, return_attention_scores=True)
    np.testing.assert_allclose(scores.numpy()[0, :, :, 3:], 0.0, atol=1e-12)
    np.testing.assert_allclose(scores.numpy().sum(-1), 1.0, rtol=1e-6)
    np.testing.assert_allclose(out.numpy(), _reference(layer, q, v, mask=mask)[0],
                               rtol=1e-5, atol=1e-5)
    # The book's (batch, 1, S) padding mask broadcasts over queries.
    pad = tf.constant(mask[:, :1, :])
    np.testing.assert_allclose(layer(q, v, attention_mask=pad).numpy(), out.numpy(),
                               rtol=1e-6)
    # Causal: query i sees keys 0..i.
    x = q[:, :, :]
    _, sc = layer(x, x, use_causal_mask=True, return_attention_scores=True)
    upper = np.triu(np.ones((T, T), bool), 1)
    assert np.all(sc.numpy()[:, :, upper] == 0)
    np.testing.assert_allclose(sc.numpy()[:, :, 0, 0], 1.0)
    causal = np.broadcast_to(~upper, (B, T, T))
    np.testing.assert_allclose(layer(x, x, use_causal_mask=True).numpy(),
                               _reference(layer, x, x, mask=causal)[0], rtol=1e-5, atol=1e-5)


def test_keras_masks_from_embedding_are_used():
    tokens = np.array([[3, 1, 0, 0], [2, 2, 4, 0]])
    emb = keras.layers.Embedding(5, D, mask_zero=True)
    x = emb(tokens)
    layer = MultiHeadAttention(num_heads=H, key_dim=K)
    _, scores = layer(x, x, return_attention_scores=True)
    assert np.all(scores.numpy()[0, :, :2, 2:] == 0)
    assert np.all(scores.numpy()[1, :, :3, 3] == 0)


def test_gradients_wrt_inputs_first_and_second_order():
    layer = MultiHeadAttention(num_heads=2, key_dim=2, dtype="float64")
    q, v = _data("float64")
    layer(q, v)
    check_grads(lambda a, b: layer(a, b), [q, v], order=2)
    mask = np.tril(np.ones((B, T, S), bool))
    check_grads(lambda a, b: layer(a, b, attention_mask=mask), [q, v], order=1)


def test_gradients_wrt_weights():
    layer = MultiHeadAttention(num_heads=2, key_dim=2, dtype="float64")
    q, v = _data("float64")
    layer(q, v)
    rng = np.random.RandomState(5)
    dy = rng.standard_normal((B, T, D))
    with tf.GradientTape() as tape:
        out = layer(q, v)
    grads = tape.gradient(out, layer.trainable_weights, output_gradients=tf.constant(dy))
    assert all(g is not None for g in grads)
    eps = 1e-6
    for w, g in zip(layer.trainable_weights, grads):
        u = rng.standard_normal(w.shape)
        w0 = w.numpy()
        w.assign(w0 + eps * u)
        plus = layer(q, v).numpy()
        w.assign(w0 - eps * u)
        minus = layer(q, v).numpy()
        w.assign(w0)
        numeric = np.sum(dy * (plus - minus) / (2 * eps))
        np.testing.assert_allclose(np.sum(np.asarray(g) * u), numeric, rtol=1e-5, atol=1e-7)


def test_functional_api_and_training_step():
    qi = keras.Input(shape=(T, D))
    vi = keras.Input(shape=(S, D))
    layer = MultiHeadAttention(num_heads=H, key_dim=K)
    out = layer(qi, vi)
    assert out.shape == (None, T, D)
    sym, sym_scores = layer(qi, vi, return_attention_scores=True)
    assert sym_scores.shape == (None, H, T, S)
    model = keras.Model([qi, vi], keras.layers.Dense(1)(out))
    q, v = _data()
    np.testing.assert_allclose(model([q, v]).numpy(),
                               model.layers[-1](layer(q, v)).numpy(), rtol=1e-6)
    model.compile(optimizer="sgd", loss="mse")
    before = [w.numpy().copy() for w in layer.weights]
    model.fit([q, v], np.ones((B, T, 1), "float32"), epochs=1, verbose=0)
    assert any(not np.allclose(b, w.numpy()) for b, w in zip(before, layer.weights))


def test_self_attention_book_encoder_pattern():
    # Chapter 11: attention(inputs, inputs, attention_mask=mask[:, tf.newaxis, :]).
    inputs = keras.Input(shape=(None,), dtype="int64")
    x = keras.layers.Embedding(10, 8)(inputs)
    x = MultiHeadAttention(num_heads=2, key_dim=8)(x, x)
    x = keras.layers.GlobalMaxPooling1D()(x)
    outputs = keras.layers.Dense(1, activation="sigmoid")(x)
    model = keras.Model(inputs, outputs)
    assert model(np.array([[1, 2, 3], [4, 5, 0]])).shape == (2, 1)


def test_dropout_only_in_training():
    layer = _layer(dropout=0.5, seed=3)
    q, v = _data()
    a = layer(q, v).numpy()
    np.testing.assert_array_equal(a, layer(q, v, training=False).numpy())
    assert not np.allclose(a, layer(q, v, training=True).numpy())


def test_config_round_trip_and_build_config():
    layer = MultiHeadAttention(num_heads=4, key_dim=8, value_dim=5, dropout=0.1, use_bias=False,
                               output_shape=(3,), attention_axes=(1,), name="mha")
    config = layer.get_config()
    assert config["num_heads"] == 4 and config["key_dim"] == 8 and config["value_dim"] == 5
    assert config["output_shape"] == (3,) and config["attention_axes"] == (1,)
    clone = MultiHeadAttention.from_config(config)
    assert clone.get_config() == config
    q, v = _data()
    layer(q, v)
    build = layer.get_build_config()
    assert build == {"shapes_dict": {"query_shape": (B, T, D), "value_shape": (B, S, D),
                                     "key_shape": (B, S, D)}}
    clone.build_from_config(build)
    assert [w.shape for w in clone.weights] == [w.shape for w in layer.weights]
    ser = keras.layers.deserialize(keras.layers.serialize(layer))
    assert isinstance(ser, MultiHeadAttention) and ser.get_config()["num_heads"] == 4


def test_attention_over_two_axes():
    layer = MultiHeadAttention(num_heads=2, key_dim=2, attention_axes=(1, 2))
    x = np.random.RandomState(0).standard_normal((2, 3, 4, 5)).astype("float32")
    out, scores = layer(x, x, return_attention_scores=True)
    assert out.shape == (2, 3, 4, 5)
    assert scores.shape == (2, 2, 3, 4, 3, 4)
    np.testing.assert_allclose(scores.numpy().sum(axis=(-2, -1)), 1.0, rtol=1e-5)


def test_missing_value_raises():
    with pytest.raises(ValueError, match="value"):
        MultiHeadAttention(num_heads=2, key_dim=2)(np.zeros((1, 2, 3), "float32"))


def test_einsum_dense():
    layer = EinsumDense("ab,bc->ac", output_shape=4, bias_axes="c")
    x = np.random.RandomState(0).standard_normal((3, 5)).astype("float32")
    y = layer(x)
    assert [tuple(w.shape) for w in layer.weights] == [(5, 4), (4,)]
    np.testing.assert_allclose(y.numpy(), x @ layer.kernel.numpy() + layer.bias.numpy(),
                               rtol=1e-5, atol=1e-6)
    layer2 = EinsumDense("abc,cde->abde", output_shape=(None, 2, 3), bias_axes="de")
    assert layer2(np.zeros((2, 7, 5), "float32")).shape == (2, 7, 2, 3)
    # Keras 3: output_shape as given, a None kept even where the input carries the size
    assert layer2.compute_output_shape((None, 7, 5)) == (None, None, 2, 3)
    assert EinsumDense.from_config(layer2.get_config()).get_config()["equation"] == \
        "abc,cde->abde"


def _softmax(x):
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def test_dot_attention_values_masks_and_scale():
    q, v = _data()
    k = np.random.RandomState(4).uniform(-1, 1, (B, S, D)).astype("float32")
    layer = Attention(use_scale=True)
    out, scores = layer([q, v, k], return_attention_scores=True)
    assert [w.name for w in layer.weights] == ["scale"]
    layer.scale.assign(0.5)
    p = _softmax(0.5 * np.einsum("bqd,bvd->bqv", q, k))
    out, scores = layer([q, v, k], return_attention_scores=True)
    np.testing.assert_allclose(scores.numpy(), p, rtol=1e-5)
    np.testing.assert_allclose(out.numpy(), p @ v, rtol=1e-5, atol=1e-6)
    # Value mask: masked keys get zero weight; query mask zeroes output rows.
    v_mask = np.array([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]], bool)
    q_mask = np.array([[1, 1, 1, 0], [1, 1, 1, 1]], bool)
    out, scores = Attention()([q, v], mask=[q_mask, v_mask], return_attention_scores=True)
    logits = np.where(v_mask[:, None, :], np.einsum("bqd,bvd->bqv", q, v), -1e9)
    np.testing.assert_allclose(scores.numpy(), _softmax(logits), rtol=1e-5, atol=1e-7)
    np.testing.assert_array_equal(out.numpy()[0, 3], 0.0)
    _, causal = Attention()([q, q], use_causal_mask=True, return_attention_scores=True)
    assert np.all(causal.numpy()[:, np.triu(np.ones((T, T), bool), 1)] == 0)


def test_concat_attention_and_gradients():
    q, v = _data("float64")
    layer = Attention(score_mode="concat", dtype="float64")
    out = layer([q, v])
    layer.concat_score_weight.assign(0.7)
    logits = 0.7 * np.tanh(q[:, :, None, :] + v[:, None, :, :]).sum(-1)
    np.testing.assert_allclose(layer([q, v]).numpy(), _softmax(logits) @ v, rtol=1e-10)
    assert out.shape == (B, T, D)
    check_grads(lambda a, b: layer([a, b]), [q, v], order=2)


def test_attention_functional_config_and_errors():
    qi, vi = keras.Input((T, D)), keras.Input((S, D))
    layer = Attention(use_scale=True, dropout=0.2)
    assert layer([qi, vi]).shape == (None, T, D)
    config = layer.get_config()
    assert config["use_scale"] is True and config["score_mode"] == "dot"
    assert config["dropout"] == 0.2
    assert Attention.from_config(config).get_config() == config
    with pytest.raises(ValueError, match="list of inputs"):
        Attention()(np.zeros((1, 2, 3), "float32"))
    with pytest.raises(ValueError, match="score_mode"):
        Attention(score_mode="add")


def test_book_transformer_encoder_parameter_count():
    class TransformerEncoder(keras.layers.Layer):
        def __init__(self, embed_dim, dense_dim, num_heads, **kwargs):
            super().__init__(**kwargs)
            self.attention = MultiHeadAttention(num_heads=num_heads, key_dim=embed_dim)
            self.dense_proj = keras.Sequential([keras.layers.Dense(dense_dim, activation="relu"),
                                                keras.layers.Dense(embed_dim)])
            self.layernorm_1 = keras.layers.LayerNormalization()
            self.layernorm_2 = keras.layers.LayerNormalization()

        def call(self, inputs, mask=None):
            if mask is not None:
                mask = mask[:, tf.newaxis, :]
            attention_output = self.attention(inputs, inputs, attention_mask=mask)
            proj_input = self.layernorm_1(inputs + attention_output)
            return self.layernorm_2(proj_input + self.dense_proj(proj_input))

    inputs = keras.Input(shape=(None,), dtype="int64")
    x = keras.layers.Embedding(50, 8, mask_zero=True)(inputs)
    encoder = TransformerEncoder(8, 16, 2)
    x = encoder(x)
    outputs = keras.layers.Dense(1)(keras.layers.GlobalMaxPooling1D()(x))
    model = keras.Model(inputs, outputs)
    # Keras: MHA 3 * (8*2*8 + 2*8) + (2*8*8 + 8) = 568; dense_proj 280; two LayerNorms 32.
    assert encoder.count_params() == 880
    assert model(np.array([[1, 2, 0], [3, 0, 0]])).shape == (2, 1)


def test_model_save_and_load_round_trip(tmp_path):
    qi, vi = keras.Input((T, D)), keras.Input((S, D))
    x = MultiHeadAttention(num_heads=2, key_dim=3)(qi, vi)
    model = keras.Model([qi, vi], Attention(use_scale=True)([x, vi]))
    q, v = _data()
    path = str(tmp_path / "attention.keras")
    model.save(path)
    loaded = keras.models.load_model(path)
    np.testing.assert_array_equal(loaded([q, v]).numpy(), model([q, v]).numpy())


def test_compute_output_shape():
    layer = MultiHeadAttention(num_heads=2, key_dim=4, output_shape=(3,))
    assert layer.compute_output_shape((None, 7, 6), (None, 9, 6)) == (None, 7, 3)
    assert MultiHeadAttention(2, 4).compute_output_shape((2, 7, 6), (2, 9, 6)) == (2, 7, 6)
    with pytest.raises(ValueError, match="last dimension"):
        layer.compute_output_shape((None, 7, 6), (None, 9, 5))


def test_query_rows_with_every_key_masked_follow_keras():
    # Keras 3: such a row gets all-zero scores (and a zero context) when the scores are
    # returned, but attends uniformly to every key otherwise (its fused attention path).
    mha = keras.layers.MultiHeadAttention(num_heads=1, key_dim=2)
    q = np.random.RandomState(0).rand(1, 3, 4).astype("float32")
    mask = np.array([[[1, 1, 0], [1, 0, 0], [0, 0, 0]]], bool)
    out, scores = mha(q, q, attention_mask=mask, return_attention_scores=True)
    np.testing.assert_allclose(scores.numpy()[0, 0, 2], np.zeros(3))
    np.testing.assert_allclose(out.numpy()[0, 2], np.zeros(4), atol=1e-7)  # zero biases
    fused = mha(q, q, attention_mask=mask).numpy()
    context = mha._value_dense(q).numpy()[0].mean(0)  # (heads, dim), uniform over keys
    expected = mha._output_dense(context[None, None]).numpy()[0, 0]
    np.testing.assert_allclose(fused[0, 2], expected, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(fused[0, :2], out.numpy()[0, :2], rtol=1e-6)
