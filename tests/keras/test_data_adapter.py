"""The data adapter behind fit/evaluate/predict: batching, shuffling, weights, structures."""
import numpy as np
import pytest

from tapeflow.framework.tensor import Tensor
from tapeflow.keras.trainers import data_adapter as da


def _rows(batches, part=0):
    return np.concatenate([np.asarray(b[part]._value) for b in batches])


def test_every_sample_once_per_epoch_in_each_shuffle_mode():
    x = np.arange(10, dtype="float32")[:, None]
    y = np.arange(10, dtype="int32")
    for shuffle in (False, True, "batch"):
        np.random.seed(3)
        adapter = da.get_adapter(x, y, batch_size=4, shuffle=shuffle)
        assert adapter.num_batches == 3
        batches = list(adapter)
        assert [len(b[0]._value) for b in batches] == [4, 4, 2]
        xs, ys = _rows(batches)[:, 0], _rows(batches, 1)
        assert sorted(xs.tolist()) == list(range(10))
        np.testing.assert_array_equal(xs, ys)  # x and y stay paired
        if shuffle is False:
            assert xs.tolist() == list(range(10))
        if shuffle == "batch":  # whole batches move, their content stays together
            assert {tuple(b[1]._value // 4) for b in batches} <= {(0,) * 4, (1,) * 4, (2,) * 2}


def test_dtypes_structures_and_sample_weights():
    x = {"a": np.ones((6, 2)), "b": [[1, 2]] * 6}  # float64 -> float32, list -> array
    y = [np.zeros(6, "int64"), np.ones((6, 1), "float32")]
    sw = np.arange(6, dtype="float32")
    (bx, by, bsw), = list(da.get_adapter(x, y, sw, batch_size=8))
    assert type(bx["a"]) is Tensor and bx["a"].dtype.name == "float32"
    assert bx["b"].shape == (6, 2)
    assert isinstance(by, list) and by[0].dtype.name == "int64"
    np.testing.assert_array_equal(bsw._value, sw)
    assert da.unpack_x_y_sample_weight((1,)) == (1, None, None)
    assert da.unpack_x_y_sample_weight([1, 2]) == (1, 2, None)
    with pytest.raises(ValueError, match="Data is expected to be in format"):
        da.unpack_x_y_sample_weight((1, 2, 3, 4))


def test_class_weights_for_labels_and_one_hot():
    cw = {0: 0.5, 1: 2.0, 2: 1.0}
    np.testing.assert_array_equal(
        da.class_weight_to_sample_weights(np.array([0, 1, 2, 1]), cw), [0.5, 2.0, 1.0, 2.0])
    np.testing.assert_array_equal(
        da.class_weight_to_sample_weights(np.eye(3)[[2, 0]], cw), [1.0, 0.5])
    np.testing.assert_array_equal(
        da.class_weight_to_sample_weights(np.array([[1], [0]]), {1: 3.0}), [3.0, 1.0])


def test_validation_split_and_errors():
    x, y = np.arange(10.0)[:, None], np.arange(10)
    (tx, ty), (vx, vy) = da.train_validation_split((x, y), 0.25)
    assert ty.tolist() == list(range(7)) and vy.tolist() == [7, 8, 9]
    with pytest.raises(ValueError, match="not sufficient to split"):
        da.train_validation_split((x[:1], y[:1]), 0.5)
    with pytest.raises(ValueError, match="Data cardinality is ambiguous"):
        da.get_adapter(x, y[:3])
    with pytest.raises(ValueError, match="Unexpected value for `x`: None"):
        da.get_adapter(None)


def test_iterables_with_and_without_steps():
    batches = [(np.ones((2, 1)), np.zeros(2)) for _ in range(3)]

    class Batches:  # a re-iterable source with a length, like a tf.data.Dataset
        def __iter__(self):
            return iter(batches)

        def __len__(self):
            return 3

    adapter = da.get_adapter(Batches())
    assert adapter.num_batches == 3 and len(list(adapter)) == 3 and len(list(adapter)) == 3
    gen = iter(batches * 2)
    adapter = da.get_adapter(gen, steps=4)
    assert adapter.num_batches == 4
    assert len(list(adapter)) == 4 and len(list(adapter)) == 2  # carries on, then runs out
    (x_list,), = list(da.get_adapter([np.ones((2, 3))]))
    assert isinstance(x_list, list) and x_list[0].shape == (2, 3)  # structure kept
