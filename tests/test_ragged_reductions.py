"""Ragged reductions with keepdims and over several axes (TensorFlow's answers as expected
values; the full table runs against TensorFlow in tests/parity/test_ragged_fuzz.py)."""
import numpy as np
import pytest

import tapeflow as tf

RT = [[1.0, 2.0], [3.0], [], [4.0, 5.0, 6.0]]
R3 = [[[1.0, 2.0], [3.0]], [], [[4.0], [5.0, 6.0], []]]


def test_keepdims_on_a_rank_2_ragged_tensor_gives_dense_results():
    rt = tf.ragged.constant(RT)
    assert tf.reduce_sum(rt, axis=0, keepdims=True).numpy().tolist() == [[8.0, 7.0, 6.0]]
    assert tf.reduce_sum(rt, axis=1, keepdims=True).numpy().tolist() == [[3], [3], [0], [15]]
    assert tf.reduce_sum(rt, keepdims=True).shape.as_list() == [1, 1]


@pytest.mark.parametrize("axis, shape, values", [
    (0, [1, 3, None], [[[5.0, 2.0], [8.0, 6.0], []]]),
    (1, [3, 1, None], [[[4.0, 2.0]], [[]], [[9.0, 6.0]]]),
    (2, [3, None, 1], [[[3.0], [3.0]], [], [[4.0], [11.0], [0.0]]]),
    (-1, [3, None, 1], [[[3.0], [3.0]], [], [[4.0], [11.0], [0.0]]]),
])
def test_keepdims_keeps_a_uniform_length_1_axis(axis, shape, values):
    out = tf.reduce_sum(tf.ragged.constant(R3), axis=axis, keepdims=True)
    assert out.shape.as_list() == shape
    assert out.to_list() == values


def test_several_axes_and_means():
    r3 = tf.ragged.constant(R3)
    out = tf.reduce_max(r3, axis=(0, 2), keepdims=True)
    assert out.shape.as_list() == [1, 3, 1]
    rt = tf.ragged.constant([[1, -2], [-4], [], []])
    assert tf.reduce_mean(rt, axis=(0, 1)).numpy() == pytest.approx(-5 / 3)  # not a mean of means
    assert tf.reduce_mean(tf.ragged.constant([[[1, 2]]]), axis=-1).dtype == tf.float64
    assert tf.reduce_max(tf.ragged.constant([[]], dtype=tf.float32)).numpy() == -np.inf


def test_keepdims_reduction_is_differentiable():
    flat = tf.constant([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    with tf.GradientTape() as tape:
        tape.watch(flat)
        rt = tf.RaggedTensor.from_nested_row_splits(flat, [[0, 2, 2, 5], [0, 2, 3, 4, 6, 6]])
        out = tf.reduce_mean(rt, axis=1, keepdims=True)
        y = tf.reduce_sum(out.flat_values * tf.range(1.0, 1.0 + 4.0))
    # outer row 0 holds [f0, f1], [f2]: column means (f0+f2)/2, f1; outer row 2 holds
    # [f3], [f4, f5], []: (f3+f4)/2, f5; weighted 1, 2, 3, 4
    assert out.shape.as_list() == [3, 1, None]
    np.testing.assert_allclose(tape.gradient(y, flat).numpy(), [0.5, 2, 0.5, 1.5, 1.5, 4])
