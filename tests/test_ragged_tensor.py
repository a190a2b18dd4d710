"""tf.RaggedTensor: constructors, partitions, indexing, printing (expected values from
TensorFlow 2.21)."""
import numpy as np
import pytest

import tapeflow as tf


def _rt():
    return tf.ragged.constant([[3, 1, 4, 1], [], [5, 9, 2], [6], []])


def test_constant_and_printing():
    rt = _rt()
    assert repr(rt) == str(rt) == "<tf.RaggedTensor [[3, 1, 4, 1], [], [5, 9, 2], [6], []]>"
    assert rt.shape == tf.TensorShape([5, None]) and rt.dtype == tf.int32
    assert rt.ragged_rank == 1
    assert repr(tf.ragged.constant([[1.5, 2], [3]])) == "<tf.RaggedTensor [[1.5, 2.0], [3.0]]>"
    r3 = tf.ragged.constant([[[1, 2], [3]], [[4]]])
    assert r3.ragged_rank == 2 and repr(r3.shape) == "TensorShape([2, None, None])"
    r1 = tf.ragged.constant([[[1, 2], [3, 4]], [[5, 6]]], ragged_rank=1)
    assert repr(r1.shape) == "TensorShape([2, None, 2])"
    assert repr(r1) == "<tf.RaggedTensor [[[1, 2],\n  [3, 4]], [[5, 6]]]>"
    with pytest.raises(ValueError, match="same nesting depth"):
        tf.ragged.constant([[1, [2]]])
    assert not isinstance(rt, tf.Tensor)


def test_factories_agree():
    v = [3, 1, 4, 1, 5, 9, 2]
    want = [[3, 1, 4, 1], [], [5, 9, 2]]
    R = tf.RaggedTensor
    for rt in (R.from_row_splits(v, [0, 4, 4, 7]), R.from_row_lengths(v, [4, 0, 3]),
               R.from_value_rowids(v, [0, 0, 0, 0, 2, 2, 2]), R.from_row_starts(v, [0, 4, 4]),
               R.from_row_limits(v, [4, 4, 7])):
        assert rt.to_list() == want
    assert R.from_value_rowids(v, [0, 0, 0, 0, 2, 2, 2], nrows=4).to_list() == want + [[]]
    u = R.from_uniform_row_length([3, 1, 4, 1, 5, 9], 2)
    assert u.shape == (3, 2) and repr(u) == "<tf.RaggedTensor [[3, 1],\n [4, 1],\n [5, 9]]>"
    nested = R.from_nested_row_splits([1, 2, 3, 4, 5], ([0, 2, 3], [0, 2, 3, 5]))
    assert nested.to_list() == [[[1, 2], [3]], [[4, 5]]]
    assert R.from_nested_row_lengths([1, 2, 3, 4, 5], ([2, 1], [2, 1, 2])).to_list() == \
        nested.to_list()
    assert R.from_tensor([[1, 0, 0], [2, 3, 0]], padding=0).to_list() == [[1], [2, 3]]
    assert R.from_tensor([[1, 0, 0], [2, 3, 0]], lengths=[1, 2]).to_list() == [[1], [2, 3]]
    with pytest.raises(tf.errors.InvalidArgumentError, match="do not form a valid"):
        R.from_row_splits([1, 2], [0, 3])


def test_partitions_and_conversions():
    rt = _rt()
    assert rt.row_splits.numpy().tolist() == [0, 4, 4, 7, 8, 8]
    assert rt.row_lengths().numpy().tolist() == [4, 0, 3, 1, 0]
    assert rt.value_rowids().numpy().tolist() == [0, 0, 0, 0, 2, 2, 2, 3]
    assert int(rt.nrows()) == 5 and rt.bounding_shape().numpy().tolist() == [5, 4]
    assert rt.row_starts().numpy().tolist() == [0, 4, 4, 7, 8]
    assert rt.to_tensor().numpy()[2].tolist() == [5, 9, 2, 0]
    assert rt.to_tensor(default_value=-1, shape=[5, 2]).numpy()[1].tolist() == [-1, -1]
    sp = rt.to_sparse()
    assert sp.dense_shape.numpy().tolist() == [5, 4] and sp.indices.numpy()[4].tolist() == [2, 0]
    assert rt.merge_dims(0, 1).numpy().tolist() == [3, 1, 4, 1, 5, 9, 2, 6]
    spec = tf.RaggedTensorSpec.from_value(rt)
    assert repr(spec) == "RaggedTensorSpec(TensorShape([5, None]), tf.int32, 1, tf.int64)"
    assert spec.is_compatible_with(rt)


def test_indexing():
    rt = _rt()
    assert rt[0].numpy().tolist() == [3, 1, 4, 1] and rt[-1].shape == (0,)
    assert rt[1:3].to_list() == [[], [5, 9, 2]]
    assert rt[:, :2].to_list() == [[3, 1], [], [5, 9], [6], []]
    assert int(rt[2, 1]) == 9
    with pytest.raises(ValueError, match="Cannot index into an inner ragged dimension"):
        rt[:, 0]
    with pytest.raises(IndexError, match="Row key 10 out of bounds"):
        rt[10]
    assert tf.ragged.constant([[[1, 2], [3]], [[4]]])[0].to_list() == [[1, 2], [3]]
