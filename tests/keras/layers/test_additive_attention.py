"""tapeflow.keras.layers.additive_attention: AdditiveAttention against a NumPy reference."""
import numpy as np

from tapeflow import keras


def _softmax(s):
    e = np.exp(s - s.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def test_additive_attention_matches_numpy():
    rng = np.random.default_rng(0)
    q = rng.standard_normal((2, 3, 4)).astype(np.float32)
    v = rng.standard_normal((2, 5, 4)).astype(np.float32)
    layer = keras.layers.AdditiveAttention()
    out, scores = layer([q, v], return_attention_scores=True)
    # Keras: scores = sum(scale * tanh(q + k)) with a learned (dim,) scale; key = value
    scale = np.asarray(layer.trainable_weights[0].numpy())
    assert scale.shape == (4,)
    ref_scores = (scale * np.tanh(q[:, :, None, :] + v[:, None, :, :])).sum(-1)
    w = _softmax(ref_scores)
    np.testing.assert_allclose(scores.numpy(), w, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(out.numpy(), w @ v, rtol=1e-5, atol=1e-6)
    assert out.shape == (2, 3, 4)
    assert len(layer.trainable_weights) == 1     # the scale vector


def test_value_mask_excludes_masked_positions():
    q = np.ones((1, 1, 2), np.float32)
    v = np.arange(6, dtype=np.float32).reshape(1, 3, 2)
    out = keras.layers.AdditiveAttention(use_scale=False)(
        [q, v], mask=[None, np.array([[True, False, False]])])
    np.testing.assert_allclose(out.numpy(), v[:, :1], atol=1e-6)
