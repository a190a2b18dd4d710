"""tf.SparseTensor and tf.sparse (expected values and messages from TensorFlow 2.21)."""
import numpy as np
import pytest

import tapeflow as tf
from gradcheck import check_grads


def _st():
    return tf.sparse.SparseTensor(indices=[[0, 0], [1, 2]], values=[1, 2], dense_shape=[3, 4])


def test_construction_and_repr():
    st = _st()
    assert st.shape == (3, 4) and st.dtype == tf.int32
    assert st.indices.dtype == tf.int64 and st.dense_shape.dtype == tf.int64
    assert repr(st) == str(st) == (
        "SparseTensor(indices=tf.Tensor(\n[[0 0]\n [1 2]], shape=(2, 2), dtype=int64), "
        "values=tf.Tensor([1 2], shape=(2,), dtype=int32), dense_shape=tf.Tensor([3 4], "
        "shape=(2,), dtype=int64))")
    assert tf.SparseTensor is tf.sparse.SparseTensor
    assert not isinstance(st, tf.Tensor)
    with pytest.raises(ValueError, match="Dimensions 1 and 2 are not compatible"):
        tf.SparseTensor([[0]], [1.0, 2.0], [3])
    assert repr(tf.SparseTensorSpec([3, 4], tf.int32)) == \
        "SparseTensorSpec(TensorShape([3, 4]), tf.int32)"


def test_to_dense_and_from_dense():
    assert tf.sparse.to_dense(_st()).numpy().tolist() == [[1, 0, 0, 0], [0, 0, 2, 0],
                                                          [0, 0, 0, 0]]
    assert tf.sparse.to_dense(_st(), default_value=-1).numpy()[0].tolist() == [1, -1, -1, -1]
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"indices\[1\] = \[0,0\] is out "
                                                             "of order"):
        tf.sparse.to_dense(tf.SparseTensor([[1, 0], [0, 0]], [1.0, 2.0], [2, 2]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="is out of bounds"):
        tf.sparse.to_dense(tf.SparseTensor([[5]], [1], [3]))
    sp = tf.sparse.from_dense([[0, 1], [2, 0]])
    assert sp.indices.numpy().tolist() == [[0, 1], [1, 0]] and sp.values.numpy().tolist() == [
        1, 2]
    s = tf.sparse.from_dense(tf.constant([["a", ""]]))
    assert s.values.numpy().tolist() == [b"a"]


def test_ops():
    st = _st()
    assert tf.sparse.add(st, st).values.numpy().tolist() == [2, 4]
    assert tf.sparse.add(st, tf.ones((3, 4), tf.int32)).numpy()[1].tolist() == [1, 1, 3, 1]
    assert tf.sparse.add(st, st, threshold=3).indices.numpy().tolist() == [[1, 2]]
    assert int(tf.sparse.reduce_sum(st)) == 3
    assert tf.sparse.reduce_sum(st, axis=1).numpy().tolist() == [1, 2, 0]
    assert tf.sparse.reduce_sum(st, axis=1, keepdims=True).shape == (3, 1)
    out = tf.sparse.reduce_sum(st, axis=1, output_is_sparse=True)
    assert out.indices.numpy().tolist() == [[0], [1]] and out.dense_shape.numpy().tolist() == [3]
    r = tf.sparse.reorder(tf.SparseTensor([[1, 0], [0, 0]], [1.0, 2.0], [2, 2]))
    assert r.indices.numpy().tolist() == [[0, 0], [1, 0]] and r.values.numpy().tolist() == [
        2.0, 1.0]
    rs = tf.sparse.reshape(st, [-1, 2])
    assert rs.indices.numpy().tolist() == [[0, 0], [3, 0]]
    assert rs.dense_shape.numpy().tolist() == [6, 2]
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.sparse.reshape(st, [5, 2])
    assert tf.sparse.transpose(st).indices.numpy().tolist() == [[0, 0], [2, 1]]
    assert tf.sparse.concat(0, [st, st]).dense_shape.numpy().tolist() == [6, 4]
    assert tf.sparse.expand_dims(st, 0).dense_shape.numpy().tolist() == [1, 3, 4]
    assert tf.sparse.retain(st, [True, False]).values.numpy().tolist() == [1]
    assert tf.sparse.slice(st, [0, 0], [2, 2]).dense_shape.numpy().tolist() == [2, 2]
    filled, empty = tf.sparse.fill_empty_rows(st, 0)
    assert empty.numpy().tolist() == [False, False, True]
    assert filled.indices.numpy().tolist() == [[0, 0], [1, 2], [2, 0]]
    assert (st * 2).values.numpy().tolist() == [2, 4]
    assert tf.sparse.eye(2).values.numpy().tolist() == [1.0, 1.0]
    assert tf.sparse.map_values(tf.math.square, st).values.numpy().tolist() == [1, 4]
    with pytest.raises(TypeError, match="unsupported operand"):
        st + st


def test_sparse_dense_matmul():
    sp = tf.SparseTensor([[0, 0], [1, 1]], [1.0, 2.0], [2, 2])
    assert tf.sparse.sparse_dense_matmul(sp, tf.ones((2, 3))).numpy().tolist() == [
        [1, 1, 1], [2, 2, 2]]
    with pytest.raises(tf.errors.InvalidArgumentError, match="inner dimension does not match"):
        tf.sparse.sparse_dense_matmul(_st(), tf.ones((3, 3), tf.int32))
    a = tf.SparseTensor([[0, 1], [2, 0]], [3.0, 4.0], [3, 2])
    b = np.arange(6.0).reshape(3, 2)
    assert np.allclose(tf.sparse.sparse_dense_matmul(a, b.astype(np.float32),
                                                     adjoint_a=True).numpy(),
                       tf.sparse.to_dense(a).numpy().T @ b)


IDX = [[0, 1], [1, 0], [2, 2]]


def test_gradients_flow_to_values_and_dense():
    rng = np.random.default_rng(0)
    vals = rng.standard_normal(3)
    dense = rng.standard_normal((3, 2))

    def matmul(v, d):
        return tf.sparse.sparse_dense_matmul(tf.SparseTensor(IDX, v, [3, 3]), d)

    check_grads(matmul, [vals, dense], order=2)
    check_grads(lambda v: tf.sparse.to_dense(tf.SparseTensor(IDX, v, [3, 3])), [vals], order=2)
    check_grads(lambda v: tf.sparse.reduce_sum(tf.SparseTensor(IDX, v, [3, 3]), axis=0),
                [vals], order=2)
    check_grads(lambda v: tf.sparse.add(tf.SparseTensor(IDX, v, [3, 3]),
                                        tf.SparseTensor(IDX, v * v, [3, 3])).values,
                [vals], order=2)
    check_grads(lambda d: tf.sparse.from_dense(d * d).values, [dense + 3.0], order=2)
