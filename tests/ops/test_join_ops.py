"""ops/join_ops.py: concat, stack, unstack and split (their gradient checks are in
test_array_ops.py with the other array ops)."""
import numpy as np
import pytest

import tapeflow as tf


def test_split_then_concat_and_unstack_then_stack_round_trip():
    x = tf.constant(np.arange(24.0).reshape(2, 3, 4))
    parts = tf.split(x, [1, 3], axis=2)
    assert [p.shape.as_list() for p in parts] == [[2, 3, 1], [2, 3, 3]]
    np.testing.assert_array_equal(tf.concat(parts, axis=-1).numpy(), x.numpy())
    rows = tf.unstack(x, axis=1)
    assert len(rows) == 3
    np.testing.assert_array_equal(tf.stack(rows, axis=1).numpy(), x.numpy())


def test_mixed_dtypes_and_bad_axes_are_refused_as_tensorflow():
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.concat([tf.constant([1]), tf.constant([1.0])], 0)
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.concat([tf.constant([1]), tf.constant([2])], 3)
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.split(tf.zeros((5,)), 2)
