"""tf.ragged and tapeflow's ops on RaggedTensors: elementwise, reductions, concat/stack,
gradients through the flat values (expected values from TensorFlow 2.21)."""
import numpy as np
import pytest

import tapeflow as tf
from gradcheck import check_grads

SPLITS = [0, 4, 4, 7, 8, 8]


def _rt():
    return tf.ragged.constant([[3, 1, 4, 1], [], [5, 9, 2], [6], []])


def test_elementwise():
    rt = _rt()
    assert (rt + 1).to_list() == [[4, 2, 5, 2], [], [6, 10, 3], [7], []]
    assert tf.add(rt, 3).to_list()[2] == [8, 12, 5]
    assert (rt * rt).to_list()[0] == [9, 1, 16, 1]
    assert tf.math.abs(-rt).to_list() == rt.to_list()
    f = tf.math.sqrt(tf.cast(rt, tf.float32))
    assert f.dtype == tf.float32 and f.row_splits.numpy().tolist() == SPLITS
    assert (rt == 1).to_list()[0] == [False, True, False, True]
    assert (rt + tf.constant([[1], [2], [3], [4], [5]])).to_list()[2] == [8, 12, 5]
    with pytest.raises(tf.errors.InvalidArgumentError):
        rt + tf.ragged.constant([[1], [2]])
    assert tf.ragged.map_flat_values(tf.one_hot, rt, 3).shape.as_list() == [5, None, 3]


def test_reductions():
    rt = _rt()
    assert tf.reduce_sum(rt, axis=1).numpy().tolist() == [9, 0, 16, 6, 0]
    assert tf.reduce_sum(rt, axis=0).numpy().tolist() == [14, 10, 6, 1]
    assert int(tf.reduce_sum(rt)) == 31
    m = tf.reduce_mean(rt, axis=1)
    assert m.dtype == tf.float64 and np.isnan(m.numpy()[1])
    assert tf.reduce_max(rt, axis=1).numpy().tolist() == [4, -2**31, 9, 6, -2**31]
    assert tf.reduce_min(rt, axis=1).numpy().tolist()[0] == 1


def test_concat_stack():
    rt = _rt()
    assert tf.concat([rt, tf.ragged.constant([[7, 8]])], axis=0).to_list()[-1] == [7, 8]
    assert tf.concat([rt, rt], axis=1).to_list()[2] == [5, 9, 2, 5, 9, 2]
    s0 = tf.stack([rt, rt], axis=0)
    assert s0.ragged_rank == 2 and s0.to_list()[1] == rt.to_list()
    s1 = tf.stack([rt, rt], axis=1)
    assert s1.to_list()[0] == [[3, 1, 4, 1], [3, 1, 4, 1]]
    assert tf.ragged.range([3, 1]).to_list() == [[0, 1, 2], [0]]
    assert tf.ragged.boolean_mask([[1, 2], [3, 4]], [[True, False], [False, True]]).to_list() \
        == [[1], [4]]


def test_gradients_reach_flat_values():
    vals = np.random.default_rng(0).standard_normal(8)

    def rt_of(v):
        return tf.RaggedTensor.from_row_splits(v, SPLITS)

    check_grads(lambda v: tf.reduce_sum(rt_of(v) * rt_of(v), axis=1), [vals], order=2)
    check_grads(lambda v: tf.reduce_sum(rt_of(v), axis=0), [vals], order=2)
    check_grads(lambda v: tf.ragged.map_flat_values(tf.math.sin, rt_of(v)).flat_values,
                [vals], order=2)
    check_grads(lambda v: tf.concat([rt_of(v), rt_of(v * 2.0)], axis=1).flat_values, [vals],
                order=2)
    check_grads(lambda v: tf.reduce_mean(rt_of(v), axis=0), [vals], order=2)


def test_ragged_in_tf_data():
    rt = _rt()
    ds = tf.data.Dataset.from_tensor_slices(rt)
    assert repr(ds.element_spec) == "RaggedTensorSpec(TensorShape([None]), tf.int32, 0, " \
        "tf.int64)"
    assert [x.numpy().tolist() for x in ds] == rt.to_list()
    b = list(ds.batch(2))
    assert [x.to_list() for x in b] == [[[3, 1, 4, 1], []], [[5, 9, 2], [6]], [[]]]
    assert [x.numpy().tolist() for x in ds.batch(2).unbatch()] == rt.to_list()
    seq = tf.data.Dataset.from_generator(lambda: ([1] * n for n in [1, 3, 2]),
                                         output_signature=tf.TensorSpec([None], tf.int32))
    rb = seq.ragged_batch(2)
    assert repr(rb.element_spec) == "RaggedTensorSpec(TensorShape([None, None]), tf.int32, 1, " \
        "tf.int64)"
    assert [x.to_list() for x in rb] == [[[1], [1, 1, 1]], [[1, 1]]]
    dr = seq.apply(tf.data.experimental.dense_to_ragged_batch(2))
    assert [x.to_list() for x in dr] == [[[1], [1, 1, 1]], [[1, 1]]]


def test_guide_operations_dispatch_to_ragged():
    rt = _rt()
    assert tf.tile(rt, [1, 2]).to_list()[2] == [5, 9, 2, 5, 9, 2]
    assert tf.ones_like(rt).to_list()[0] == [1, 1, 1, 1]
    assert tf.where(rt > 2, rt, 0).to_list()[0] == [3, 0, 4, 0]
    q = tf.ragged.constant([["a", "b"], ["c"]])
    emb = tf.nn.embedding_lookup(tf.reshape(tf.range(8.0), [4, 2]), tf.ragged.constant(
        [[0, 3], [1]]))
    assert emb.to_list() == [[[0.0, 1.0], [6.0, 7.0]], [[2.0, 3.0]]]
    assert tf.strings.reduce_join(q, axis=1, separator="-").numpy().tolist() == [b"a-b", b"c"]
    assert tf.strings.join([q, q], separator="+").to_list() == [[b"a+a", b"b+b"], [b"c+c"]]
    assert tf.concat([tf.fill([2, 1], "#"), q], axis=1).to_list()[1] == [b"#", b"c"]


def test_broadcasting_against_inner_dimensions():
    x = tf.ragged.constant([[[1, 2], [3, 4]], [[5, 6]]], ragged_rank=1)
    assert (x + tf.constant([[10]])).to_list() == [[[11, 12], [13, 14]], [[15, 16]]]
    y = tf.ragged.constant([[[1], [2]], [], [[3]]], ragged_rank=1)
    assert (y + tf.constant([10, 20])).to_list()[0] == [[11, 21], [12, 22]]
    with pytest.raises(ValueError, match="Unable to broadcast"):
        x + tf.constant([[1, 2], [3, 4], [5, 6]])
    sp = tf.SparseTensor([[0, 0], [2, 0], [2, 1]], ["a", "b", "c"], [3, 3])
    assert tf.RaggedTensor.from_sparse(sp).to_list() == [[b"a"], [], [b"b", b"c"]]
    assert tf.reduce_max(tf.ragged.constant([[1.0], []]), axis=1).numpy()[1] == \
        np.finfo(np.float32).min


def test_gather_rows():
    rt = tf.ragged.constant([[1, 2], [3], [4, 5, 6]])
    assert tf.gather(rt, [2, 0]).to_list() == [[4, 5, 6], [1, 2]]
    assert tf.gather_nd(rt, [[2], [0]]).to_list() == [[4, 5, 6], [1, 2]]
    assert rt[::-1].to_list() == [[4, 5, 6], [3], [1, 2]]
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.gather(rt, [3])


def test_reductions_of_ragged_rank_two():
    r = tf.ragged.constant([[[1.0, 2.0], [3.0]], [[4.0]], [], [[5.0, 6.0, 7.0], [], [8.0, 9.0]]])
    assert tf.reduce_sum(r, axis=1).to_list() == [[4, 2], [4], [], [13, 15, 7]]
    assert tf.reduce_sum(r, axis=0).to_list() == [[10, 8, 7], [3], [8, 9]]
    assert tf.reduce_sum(r, axis=2).to_list() == [[3, 3], [4], [], [18, 0, 17]]
    vals = np.random.default_rng(2).standard_normal(9)

    def f(v):
        rr = tf.RaggedTensor.from_nested_row_lengths(v, ([2, 1, 0, 3], [2, 1, 1, 3, 0, 2]))
        return tf.reduce_sum(rr * rr, axis=1).flat_values
    check_grads(f, [vals], order=2)
