"""RaggedTensor.merge_dims for any axis pair (TensorFlow's answers as expected values; every
pair runs against TensorFlow in tests/parity/test_ragged_fuzz.py)."""
import numpy as np
import pytest

import tapeflow as tf

R3 = [[[1.0, 2.0], [3.0]], [], [[4.0], [5.0, 6.0], []]]


@pytest.mark.parametrize("outer, inner, expected", [
    (0, 1, [[1.0, 2.0], [3.0], [4.0], [5.0, 6.0], []]),
    (1, 2, [[1.0, 2.0, 3.0], [], [4.0, 5.0, 6.0]]),
    (-2, -1, [[1.0, 2.0, 3.0], [], [4.0, 5.0, 6.0]]),
    (1, 1, R3),
])
def test_ragged_results(outer, inner, expected):
    assert tf.ragged.constant(R3).merge_dims(outer, inner).to_list() == expected


def test_merging_every_ragged_dimension_gives_a_dense_tensor():
    out = tf.ragged.constant(R3).merge_dims(0, -1)
    assert isinstance(out, tf.Tensor) and out.numpy().tolist() == [1, 2, 3, 4, 5, 6]
    u = tf.RaggedTensor.from_tensor(tf.reshape(tf.range(12.0), (2, 3, 2)), ragged_rank=1)
    assert u.merge_dims(0, 1).shape.as_list() == [6, 2]
    assert u.merge_dims(1, 2).to_list() == [list(range(6)), list(range(6, 12))]
    r4 = tf.ragged.constant([[[[1], [2, 3]], [[4]]], [[[5, 6]]]])
    assert r4.merge_dims(1, 3).to_list() == [[1, 2, 3, 4], [5, 6]]
    assert r4.merge_dims(2, 3).to_list() == [[[1, 2, 3], [4]], [[5, 6]]]


def test_bad_axes_raise_value_error_with_tensorflows_messages():
    rt = tf.ragged.constant(R3)
    with pytest.raises(ValueError, match=r"Expected outer_axis \(2\) to be less than or equal"):
        rt.merge_dims(2, 1)
    with pytest.raises(ValueError, match="inner_axis=3 out of bounds: expected -3<=inner_axis<3"):
        rt.merge_dims(0, 3)


def test_gradient_reaches_the_flat_values():
    flat = tf.constant([1.0, 2.0, 3.0, 4.0])
    with tf.GradientTape() as tape:
        tape.watch(flat)
        rt = tf.RaggedTensor.from_nested_row_splits(flat, [[0, 2, 3], [0, 1, 3, 4]])
        merged = rt.merge_dims(1, 2)
        y = tf.reduce_sum(merged.flat_values * tf.constant([1.0, 2.0, 3.0, 4.0]))
    assert merged.to_list() == [[1.0, 2.0, 3.0], [4.0]]
    np.testing.assert_allclose(tape.gradient(y, flat).numpy(), [1, 2, 3, 4])
