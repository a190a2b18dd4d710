"""sample_from_datasets and choose_from_datasets (semantics from TensorFlow 2.21)."""
import pytest

import tapeflow as tf


def _a_b():
    return tf.data.Dataset.range(3), tf.data.Dataset.range(10, 13)


def test_choose_from_datasets():
    a, b = _a_b()
    choice = tf.data.Dataset.from_tensor_slices(tf.constant([0, 1, 1, 0], tf.int64))
    assert list(tf.data.Dataset.choose_from_datasets([a, b], choice).as_numpy_iterator()) == \
        [0, 10, 11, 1]
    # stops when the chosen dataset is empty, unless told otherwise
    choice = tf.data.Dataset.from_tensor_slices(tf.constant([0, 0, 0, 0, 1], tf.int64))
    assert list(tf.data.Dataset.choose_from_datasets([a, b], choice)
                .as_numpy_iterator()) == [0, 1, 2]
    assert list(tf.data.Dataset.choose_from_datasets([a, b], choice,
                                                     stop_on_empty_dataset=False)
                .as_numpy_iterator()) == [0, 1, 2, 10]


def test_choose_errors():
    a, b = _a_b()
    with pytest.raises(TypeError, match="must be scalar `tf.int64` tensors"):
        tf.data.Dataset.choose_from_datasets([a, b], tf.data.Dataset.from_tensor_slices([0]))
    bad = tf.data.Dataset.from_tensor_slices(tf.constant([0, 5], tf.int64))
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match="Selector index out of range: 5 >= 2"):
        list(tf.data.Dataset.choose_from_datasets([a, b], bad))


def test_sample_from_datasets():
    tf.random.set_seed(None)   # the draws below assume no global seed (another test may set one)
    a, b = _a_b()
    ds = tf.data.Dataset.sample_from_datasets([a, b], seed=1)
    assert repr(ds) == ("<_DirectedInterleaveDataset element_spec=TensorSpec(shape=(), "
                        "dtype=tf.int64, name=None)>")
    out = list(ds.as_numpy_iterator())
    assert sorted(out) == [0, 1, 2, 10, 11, 12]
    assert [x for x in out if x < 10] == [0, 1, 2]  # each input keeps its order
    assert list(tf.data.Dataset.sample_from_datasets([a, b], seed=1).as_numpy_iterator()) == out
    only_b = tf.data.Dataset.sample_from_datasets([a, b], weights=[0.0, 1.0], seed=3)
    assert list(only_b.as_numpy_iterator()) == [10, 11, 12]
    # Stopping at the first empty input: `a` (3 elements) runs out long before `long_b`.
    long_b = tf.data.Dataset.range(10, 110)
    stop = list(tf.data.Dataset.sample_from_datasets([a, long_b], seed=2,
                                                     stop_on_empty_dataset=True))
    assert [int(x) for x in stop if x < 10] == [0, 1, 2] and len(stop) < 103
    assert len(list(tf.data.Dataset.sample_from_datasets([a, long_b], seed=2))) == 103
    with pytest.raises(ValueError, match="Invalid `weights`"):
        tf.data.Dataset.sample_from_datasets([a, b], weights=[1.0])
