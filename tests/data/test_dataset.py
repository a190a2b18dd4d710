"""Dataset sources, iteration, structure, cardinality and streaming memory."""
import gc
import os
import tracemalloc

import numpy as np
import pytest

import tapeflow as tf
from tapeflow.framework.tensor import Tensor

Dataset = tf.data.Dataset


def values(ds):
    return list(ds.as_numpy_iterator())


# -- from_tensor_slices ---------------------------------------------------------

def test_slices_of_python_list_are_int32_tensors():
    ds = Dataset.from_tensor_slices([1, 2, 3])
    assert repr(ds) == ("<_TensorSliceDataset element_spec=TensorSpec(shape=(), "
                        "dtype=tf.int32, name=None)>")
    items = list(ds)
    assert all(type(t) is Tensor for t in items)
    assert [t.dtype for t in items] == [tf.int32] * 3
    assert str(items[0]) == "tf.Tensor(1, shape=(), dtype=int32)"
    assert values(ds) == [1, 2, 3]


def test_python_floats_become_float32_and_float64_numpy_stays():
    assert Dataset.from_tensor_slices([1.5, 2.0]).element_spec.dtype == tf.float32
    ds = Dataset.from_tensor_slices(np.arange(6.0).reshape(3, 2))
    assert ds.element_spec == tf.TensorSpec((2,), tf.float64)
    first = next(iter(ds))
    assert first.dtype == tf.float64 and first.shape == (2,)
    np.testing.assert_array_equal(first.numpy(), [0.0, 1.0])


def test_tuple_elements_and_copy_semantics():
    x = np.arange(8, dtype=np.float32).reshape(4, 2)
    y = np.array([0, 1, 0, 1], np.int64)
    ds = Dataset.from_tensor_slices((x, y))
    x[0, 0] = 100.0  # TensorFlow copies the data when the dataset is made
    assert ds.element_spec == (tf.TensorSpec((2,), tf.float32), tf.TensorSpec((), tf.int64))
    out = values(ds)
    assert len(out) == 4 and isinstance(out[0], tuple)
    np.testing.assert_array_equal(out[0][0], [0.0, 1.0])
    assert out[3][1] == 1 and out[3][1].dtype == np.int64


def test_dict_and_nested_structures():
    ds = Dataset.from_tensor_slices({"b": [1, 2], "a": (np.zeros((2, 3)), ["x", "y"])})
    spec = ds.element_spec
    assert list(spec) == ["b", "a"]
    assert spec["a"][1] == tf.TensorSpec((), tf.string)
    el = next(iter(ds))
    assert set(el) == {"a", "b"}
    assert el["a"][1].dtype == tf.string
    assert values(ds)[1]["a"][1] == b"y"  # TensorFlow strings are bytes


def test_slices_with_different_first_dimensions_raise():
    with pytest.raises(ValueError, match="Dimensions 3 and 4 are not compatible"):
        Dataset.from_tensor_slices((np.zeros(3), np.zeros(4)))


def test_from_tensors_single_element():
    ds = Dataset.from_tensors(([1, 2, 3], "a"))
    assert len(ds) == 1
    assert ds.element_spec == (tf.TensorSpec((3,), tf.int32), tf.TensorSpec((), tf.string))
    (a, b), = values(ds)
    np.testing.assert_array_equal(a, [1, 2, 3])
    assert b == b"a"


def test_range_is_int64():
    ds = Dataset.range(2, 11, 3)
    assert repr(ds) == ("<_RangeDataset element_spec=TensorSpec(shape=(), dtype=tf.int64, "
                        "name=None)>")
    assert values(ds) == [2, 5, 8]
    assert values(ds)[0].dtype == np.int64
    assert values(Dataset.range(3, output_type=tf.int32))[0].dtype == np.int32
    assert len(Dataset.range(0)) == 0


# -- from_generator ---------------------------------------------------------------

def _pairs():
    for i in range(5):
        yield i, [float(i)] * (i % 3 + 1)


def test_from_generator_with_output_signature():
    ds = Dataset.from_generator(_pairs, output_signature=(
        tf.TensorSpec((), tf.int32), tf.TensorSpec((None,), tf.float32)))
    assert ds.element_spec[1] == tf.TensorSpec((None,), tf.float32)
    assert ds.cardinality().numpy() == tf.data.UNKNOWN_CARDINALITY
    out = values(ds)
    assert [o[0] for o in out] == [0, 1, 2, 3, 4]
    assert out[0][0].dtype == np.int32 and out[4][1].dtype == np.float32
    np.testing.assert_array_equal(out[4][1], [4.0, 4.0])
    # the generator is called again on every iteration
    assert len(values(ds)) == 5


def test_from_generator_legacy_types_and_args():
    def gen(n):
        for i in range(n):
            yield np.full((2,), i)
    ds = Dataset.from_generator(gen, output_types=tf.float64, output_shapes=(2,), args=(3,))
    assert ds.element_spec == tf.TensorSpec((2,), tf.float64)
    assert [v.tolist() for v in values(ds)] == [[0, 0], [1, 1], [2, 2]]


def test_from_generator_wrong_shape_raises_invalid_argument():
    ds = Dataset.from_generator(lambda: iter([[1, 2, 3]]),
                                output_signature=tf.TensorSpec((2,), tf.int32))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"shape \(3,\) where an element "
                       r"of shape \(2,\) was expected"):
        values(ds)


def test_from_generator_requires_signature():
    with pytest.raises(TypeError):
        Dataset.from_generator(_pairs)


# -- zip, concatenate, list_files --------------------------------------------------

def test_zip_tuple_dict_and_varargs():
    a, b = Dataset.range(3), Dataset.range(10, 15)
    assert values(Dataset.zip((a, b))) == [(0, 10), (1, 11), (2, 12)]
    assert len(Dataset.zip((a, b))) == 3
    assert values(Dataset.zip(a, b)) == [(0, 10), (1, 11), (2, 12)]
    d = values(Dataset.zip({"x": a, "y": b}))
    assert d[2] == {"x": 2, "y": 12}
    nested = Dataset.zip((a, Dataset.zip((a, b))))
    assert values(nested)[1] == (1, (1, 11))


def test_concatenate_and_type_mismatch():
    ds = Dataset.range(2).concatenate(Dataset.range(5, 7))
    assert values(ds) == [0, 1, 5, 6] and len(ds) == 4
    with pytest.raises(TypeError):
        Dataset.range(2).concatenate(Dataset.from_tensor_slices([1.0]))


def test_list_files_sorted_without_shuffle(tmp_path):
    for n in ["b.txt", "a.txt", "c.txt", "d.csv"]:
        (tmp_path / n).write_text(n)
    ds = Dataset.list_files(str(tmp_path / "*.txt"), shuffle=False)
    assert ds.element_spec == tf.TensorSpec((), tf.string)
    assert values(ds) == [os.fsencode(str(tmp_path / n)) for n in ["a.txt", "b.txt", "c.txt"]]
    shuffled = values(Dataset.list_files(str(tmp_path / "*.txt"), seed=3))
    assert sorted(shuffled) == values(ds)
    with pytest.raises(tf.errors.InvalidArgumentError, match="No files matched pattern"):
        Dataset.list_files(str(tmp_path / "*.png"))


# -- iteration protocol, cardinality, len -------------------------------------------

def test_iterator_next_and_get_next():
    it = iter(Dataset.range(2))
    assert next(it).numpy() == 0
    assert it.get_next().numpy() == 1
    with pytest.raises(tf.errors.OutOfRangeError):
        it.get_next()
    with pytest.raises(StopIteration):
        next(it)


def test_cardinality_and_len():
    ds = Dataset.range(10)
    c = ds.cardinality()
    assert c.dtype == tf.int64 and c.numpy() == 10
    assert tf.data.experimental.cardinality(ds.batch(3)).numpy() == 4
    assert ds.batch(3, drop_remainder=True).cardinality().numpy() == 3
    assert ds.repeat().cardinality().numpy() == tf.data.INFINITE_CARDINALITY == -1
    assert ds.filter(lambda x: x > 3).cardinality().numpy() == tf.data.UNKNOWN_CARDINALITY == -2
    assert tf.data.experimental.INFINITE_CARDINALITY == -1
    assert tf.data.experimental.UNKNOWN_CARDINALITY == -2
    assert len(ds.take(4)) == 4 and len(ds.skip(4)) == 6 and len(ds.repeat(3)) == 30
    assert len(ds.repeat().take(7)) == 7
    with pytest.raises(TypeError, match="The dataset is infinite."):
        len(ds.repeat())
    with pytest.raises(TypeError, match="The dataset length is unknown."):
        len(ds.filter(lambda x: x > 3))


def test_iter_numpy_yields_plain_arrays():
    ds = Dataset.from_tensor_slices((np.ones((5, 2), np.float32), np.arange(5))).batch(2)
    batches = list(ds._iter_numpy())
    assert len(batches) == 3
    x, y = batches[0]
    assert type(x) is np.ndarray and x.shape == (2, 2) and y.tolist() == [0, 1]


def test_autotune_constants():
    assert tf.data.AUTOTUNE == tf.data.experimental.AUTOTUNE == -1
    assert isinstance(Dataset.range(3).options(), tf.data.Options)


# -- streaming and bounded memory ----------------------------------------------------

def test_generator_pipeline_runs_in_bounded_memory():
    def gen():  # a million elements: never materialised
        for i in range(1_000_000):
            yield np.full((256,), i, np.float32), i % 7
    ds = (Dataset.from_generator(gen, output_signature=(
        tf.TensorSpec((256,), tf.float32), tf.TensorSpec((), tf.int64)))
        .map(lambda x, y: (x * 2.0, y)).batch(64).prefetch(2))
    it = ds._iter_numpy()
    for _ in range(5):  # warm up caches before measuring
        next(it)
    gc.collect()
    tracemalloc.start()
    try:
        base, _ = tracemalloc.get_traced_memory()
        for _ in range(40):  # 2,560 elements, 2.6 MB of data
            x, y = next(it)
        now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert x.shape == (64, 256) and x[0, 0] == 2.0 * (44 * 64)
    # Keeping what passed through would take > 2.6 MB; a stream holds a few 64 kB batches.
    assert now - base < 600_000 and peak - base < 900_000
    it.close()


def test_pipeline_is_lazy():
    calls = []

    def gen():
        for i in range(1_000_000):
            calls.append(i)
            yield i
    ds = Dataset.from_generator(gen, output_signature=tf.TensorSpec((), tf.int64)).batch(4)
    assert calls == []
    first = next(iter(ds.take(1)))
    assert first.numpy().tolist() == [0, 1, 2, 3]
    assert len(calls) <= 5


def test_iterating_a_dataset_inside_tf_function_reads_it_on_every_call(caplog):
    # TensorFlow iterates the dataset on each call; a trace must not bake in its batches.
    ds = tf.data.Dataset.from_tensor_slices(np.arange(8.0, dtype="float32")) \
        .shuffle(8, seed=1, reshuffle_each_iteration=True).batch(4)

    @tf.function
    def first_batch_sum(d):
        for b in d:
            return tf.reduce_sum(b)

    eager = [float(tf.reduce_sum(next(iter(ds)))) for _ in range(6)]
    assert len(set(eager)) > 1            # the order really changes between passes
    with caplog.at_level("WARNING", logger="tapeflow"):
        traced = [float(first_batch_sum(ds)) for _ in range(6)]
    assert len(set(traced)) > 1
    assert "tf.data.Dataset iterated inside the function" in caplog.text
