"""keras/layers/reversible_embedding.py: an Embedding that also projects back to logits."""
import numpy as np

from tapeflow import keras


def test_forward_lookup_and_reverse_projection_share_weights():
    layer = keras.layers.ReversibleEmbedding(10, 4)
    emb = layer(np.array([[1, 2]]))
    table = np.asarray(layer.embeddings)
    np.testing.assert_array_equal(np.asarray(emb)[0], table[[1, 2]])
    h = np.random.default_rng(0).random((3, 4)).astype("float32")
    logits = layer(h, reverse=True)
    assert logits.shape == (3, 10)
    np.testing.assert_allclose(np.asarray(logits), h @ table.T, rtol=1e-5)
