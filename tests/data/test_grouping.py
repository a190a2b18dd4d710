"""group_by_window and bucket_by_sequence_length (expected values from TensorFlow 2.21)."""
import pytest

import tapeflow as tf


def test_group_by_window():
    ds = tf.data.Dataset.range(10).group_by_window(
        key_func=lambda x: x % 2, reduce_func=lambda k, w: w.batch(3), window_size=3)
    assert repr(ds) == ("<_GroupByWindowDataset element_spec=TensorSpec(shape=(None,), "
                        "dtype=tf.int64, name=None)>")
    assert [b.tolist() for b in ds.as_numpy_iterator()] == [[0, 2, 4], [1, 3, 5], [6, 8],
                                                             [7, 9]]


def test_group_by_window_size_func_and_errors():
    ds = tf.data.Dataset.range(6).group_by_window(
        lambda x: x % 2, lambda k, w: w.batch(10), window_size_func=lambda k: k + 2)
    assert [b.tolist() for b in ds.as_numpy_iterator()] == [[0, 2], [1, 3, 5], [4]]
    with pytest.raises(ValueError):
        tf.data.Dataset.range(3).group_by_window(lambda x: x, lambda k, w: w)


def _seq():
    return tf.data.Dataset.from_generator(lambda: ([1] * n for n in [1, 3, 5, 2, 7, 4, 6]),
                                          output_signature=tf.TensorSpec([None], tf.int32))


def test_bucket_by_sequence_length():
    ds = _seq().bucket_by_sequence_length(lambda x: tf.shape(x)[0], bucket_boundaries=[3, 5],
                                          bucket_batch_sizes=[2, 2, 2])
    assert repr(ds.element_spec) == "TensorSpec(shape=(None, None), dtype=tf.int32, name=None)"
    got = [b.tolist() for b in ds.as_numpy_iterator()]
    assert got == [[[1, 0], [1, 1]], [[1, 1, 1, 1, 1, 0, 0], [1] * 7],
                   [[1, 1, 1, 0], [1, 1, 1, 1]], [[1] * 6]]


def test_bucket_errors():
    with pytest.raises(ValueError, match="must equal `len\\(bucket_boundaries\\) \\+ 1`"):
        _seq().bucket_by_sequence_length(lambda x: tf.shape(x)[0], [3, 5], [2, 2])
    ds = _seq().bucket_by_sequence_length(lambda x: tf.shape(x)[0], [3, 5], [2, 2, 2],
                                          pad_to_bucket_boundary=True)
    with pytest.raises(tf.errors.InvalidArgumentError, match="pad_to_bucket_boundary"):
        list(ds)
