"""SparseTensor elements in tf.data (expected values from TensorFlow 2.21)."""
import tapeflow as tf


def _st():
    return tf.sparse.SparseTensor(indices=[[0, 0], [1, 2]], values=[1, 2], dense_shape=[3, 4])


def test_slices_batch_unbatch_of_sparse():
    ds = tf.data.Dataset.from_tensor_slices(_st())
    assert repr(ds.element_spec) == "SparseTensorSpec(TensorShape([4]), tf.int32)"
    rows = list(ds)
    assert [r.indices.numpy().tolist() for r in rows] == [[[0]], [[2]], []]
    assert rows[2].indices.shape == (0, 1)
    b = list(ds.batch(2))
    assert b[0].indices.numpy().tolist() == [[0, 0], [1, 2]]
    assert b[0].dense_shape.numpy().tolist() == [2, 4]
    assert b[1].dense_shape.numpy().tolist() == [1, 4]
    assert [r.values.numpy().tolist() for r in ds.batch(2).unbatch()] == [[1], [2], []]
    # as_numpy_iterator densifies sparse components (TensorFlow 2.21 does)
    assert next(ds.as_numpy_iterator()).tolist() == [1, 0, 0, 0]


def test_sparse_with_dense_components_and_map():
    ds = tf.data.Dataset.from_tensor_slices(([1, 2, 3], _st())).batch(2)
    assert repr(ds.element_spec) == ("(TensorSpec(shape=(None,), dtype=tf.int32, name=None), "
                                     "SparseTensorSpec(TensorShape([None, 4]), tf.int32))")
    dense = tf.data.Dataset.from_tensor_slices(_st()).map(tf.sparse.to_dense)
    assert [d.tolist() for d in dense.as_numpy_iterator()] == [[1, 0, 0, 0], [0, 0, 2, 0],
                                                               [0, 0, 0, 0]]
    one = tf.data.Dataset.from_tensors(_st())
    assert repr(one.element_spec) == "SparseTensorSpec(TensorShape([3, 4]), tf.int32)"


def test_parse_example_varlen_through_a_pipeline():
    ex = tf.train.Example(features=tf.train.Features(feature={
        "v": tf.train.Feature(int64_list=tf.train.Int64List(value=[1, 2, 3]))}))
    ds = tf.data.Dataset.from_tensors(ex.SerializeToString()).repeat(2).map(
        lambda s: tf.io.parse_single_example(s, {"v": tf.io.VarLenFeature(tf.int64)})["v"])
    out = list(ds.batch(2))
    assert out[0].dense_shape.numpy().tolist() == [2, 3]
