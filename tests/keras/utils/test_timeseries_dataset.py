import numpy as np
import pytest

import tapeflow as tf
from tapeflow import keras


def test_keras_example_one_indices():
    ds = keras.utils.timeseries_dataset_from_array(np.arange(99), None, sequence_length=10,
                                                   sampling_rate=2, sequence_stride=3,
                                                   batch_size=4)
    batches = list(ds.as_numpy_iterator())
    seqs = np.concatenate(batches)
    assert seqs[0].tolist() == list(range(0, 20, 2))
    assert seqs[1].tolist() == list(range(3, 23, 2))
    assert seqs[-1].tolist() == list(range(78, 98, 2))
    assert len(seqs) == 27 and [len(b) for b in batches][-1] == 3
    # Keras leaves the window length out of the spec, and the repr names its last batch step.
    assert ds.element_spec == tf.TensorSpec((None, None), tf.int64)
    assert repr(ds).startswith("<_BatchDataset element_spec=")


def test_temporal_regression_targets():
    data = np.arange(50, dtype=np.float32)
    ds = keras.utils.timeseries_dataset_from_array(data[:-10], data[10:], sequence_length=10,
                                                   batch_size=16)
    x, y = next(iter(ds))
    assert x.dtype == tf.float32 and x.shape == (16, 10)
    np.testing.assert_array_equal(x.numpy()[0], data[:10])
    assert y.numpy()[0] == data[10] and y.numpy()[3] == data[13]
    assert sum(b[0].shape[0] for b in ds) == 31


def test_start_end_index_multichannel_and_unbatched():
    data = np.arange(40).reshape(20, 2)
    ds = keras.utils.timeseries_dataset_from_array(data, np.arange(20), sequence_length=3,
                                                   start_index=5, end_index=15,
                                                   batch_size=None)
    items = list(ds.as_numpy_iterator())
    assert len(items) == 8
    np.testing.assert_array_equal(items[0][0], data[5:8])
    assert items[0][1] == 5 and items[-1][1] == 12
    assert ds.element_spec[0] == tf.TensorSpec((None, 2), tf.int64)


def test_shuffle_with_seed():
    kw = dict(sequence_length=4, batch_size=100, shuffle=True, seed=11)
    a = next(iter(keras.utils.timeseries_dataset_from_array(np.arange(30), None, **kw))).numpy()
    b = next(iter(keras.utils.timeseries_dataset_from_array(np.arange(30), None, **kw))).numpy()
    np.testing.assert_array_equal(a, b)
    assert sorted(a[:, 0].tolist()) == list(range(27)) and a[:, 0].tolist() != list(range(27))
    np.testing.assert_array_equal(a[:, 1:] - a[:, :-1], 1)


def test_argument_errors():
    with pytest.raises(ValueError, match="sampling_rate"):
        keras.utils.timeseries_dataset_from_array(np.arange(10), None, 3, sampling_rate=0)
    with pytest.raises(ValueError, match="start_index"):
        keras.utils.timeseries_dataset_from_array(np.arange(10), None, 3, start_index=10)
