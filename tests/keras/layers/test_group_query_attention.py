"""keras/layers/group_query_attention.py: GroupedQueryAttention."""
import numpy as np
import pytest

from tapeflow import keras


def test_shapes_and_scores_are_distributions():
    layer = keras.layers.GroupedQueryAttention(head_dim=4, num_query_heads=4,
                                               num_key_value_heads=2)
    q = np.random.default_rng(1).random((2, 3, 8)).astype("float32")
    v = np.random.default_rng(2).random((2, 5, 8)).astype("float32")
    out, scores = layer(q, v, return_attention_scores=True)
    assert out.shape == (2, 3, 8) and scores.shape == (2, 4, 3, 5)
    np.testing.assert_allclose(np.asarray(scores).sum(-1), 1.0, rtol=1e-5)


def test_query_heads_must_divide_into_groups():
    with pytest.raises(ValueError, match="divisible by `num_key_value_heads`"):
        keras.layers.GroupedQueryAttention(head_dim=4, num_query_heads=3, num_key_value_heads=2)
