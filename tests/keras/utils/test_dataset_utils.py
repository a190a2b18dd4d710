import numpy as np
import pytest

import tapeflow as tf
from tapeflow import keras


def test_split_array_keras_example():
    data = np.random.random(size=(1000, 4))
    left_ds, right_ds = keras.utils.split_dataset(data, left_size=0.8)
    assert int(left_ds.cardinality()) == 800 and int(right_ds.cardinality()) == 200
    left = np.stack(list(left_ds.as_numpy_iterator()))
    np.testing.assert_array_equal(left, data[:800])
    assert left_ds.element_spec == tf.TensorSpec((4,), tf.float64)


def test_split_tuple_of_arrays_with_shuffle_and_sizes():
    x, y = np.arange(10), np.arange(10) * 10
    left, right = keras.utils.split_dataset((x, y), left_size=3, right_size=5, shuffle=True,
                                            seed=2)
    lv, rv = list(left.as_numpy_iterator()), list(right.as_numpy_iterator())
    assert len(lv) == 3 and len(rv) == 5
    assert all(b == a * 10 for a, b in lv + rv)
    assert set(a for a, _ in lv).isdisjoint(a for a, _ in rv)
    again = keras.utils.split_dataset((x, y), left_size=3, right_size=5, shuffle=True, seed=2)
    assert list(again[0].as_numpy_iterator()) == lv


def test_split_batched_dataset_keeps_batch_size():
    ds = tf.data.Dataset.from_tensor_slices((np.arange(10), np.arange(10) % 2)).batch(4)
    left, right = keras.utils.split_dataset(ds, right_size=0.3)
    assert len(left) == 2 and len(right) == 1
    lb = [b[0].tolist() for b in left.as_numpy_iterator()]
    assert lb == [[0, 1, 2, 3], [4, 5, 6]]
    assert [b[0].tolist() for b in right.as_numpy_iterator()] == [[7, 8, 9]]


def test_split_errors():
    with pytest.raises(ValueError, match="At least one of the `left_size` or `right_size`"):
        keras.utils.split_dataset(np.zeros((4, 2)))
    with pytest.raises(ValueError, match="left_size"):
        keras.utils.split_dataset(np.zeros((4, 2)), left_size=1.5)
    with pytest.raises(TypeError):
        keras.utils.split_dataset("not data", left_size=0.5)
