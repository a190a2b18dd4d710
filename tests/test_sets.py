"""tf.sets (expected values from TensorFlow 2.21)."""
import pytest

import tapeflow as tf

A = tf.constant([[1, 2, 3], [4, 5, 6]])
B = tf.constant([[1, 3, 9], [6, 7, 4]])


def test_dense_sets():
    i = tf.sets.intersection(A, B)
    assert i.indices.numpy().tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]]
    assert i.values.numpy().tolist() == [1, 3, 4, 6] and i.dense_shape.numpy().tolist() == [2, 2]
    u = tf.sets.union(A, B)
    assert u.values.numpy().tolist() == [1, 2, 3, 9, 4, 5, 6, 7]
    assert tf.sets.difference(A, B).values.numpy().tolist() == [2, 5]
    assert tf.sets.difference(A, B, aminusb=False).values.numpy().tolist() == [9, 7]
    s = tf.sets.intersection(tf.constant([[b"a", b"b"]]), tf.constant([[b"b", b"c"]]))
    assert s.values.numpy().tolist() == [b"b"]


def test_sparse_and_size():
    sp = tf.sparse.from_dense(tf.constant([[1, 1, 2], [3, 3, 0]]))
    assert tf.sets.size(sp).numpy().tolist() == [2, 1]
    assert tf.sets.union(sp, tf.constant([[5, 5], [1, 2]])).values.numpy().tolist() == [
        1, 2, 5, 1, 2, 3]


def test_errors():
    with pytest.raises(TypeError, match="Expected `SparseTensor`"):
        tf.sets.size(A)
    with pytest.raises(tf.errors.InvalidArgumentError, match="rank 1 < 2"):
        tf.sets.intersection(tf.constant([1, 2]), tf.constant([2]))
    with pytest.raises(TypeError, match="invalid dtype"):
        tf.sets.intersection(tf.constant([[1.0]]), tf.constant([[1.0]]))
