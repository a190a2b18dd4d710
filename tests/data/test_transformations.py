"""Dataset transformations against hand-computed expectations."""
import numpy as np
import pytest

import tapeflow as tf

Dataset = tf.data.Dataset


def values(ds):
    return [v.tolist() if isinstance(v, np.ndarray) else v for v in ds.as_numpy_iterator()]


# -- map / filter / reduce -------------------------------------------------------

def test_map_receives_tensors_and_tuple_components_as_arguments():
    seen = []

    def f(x, y):
        seen.append((type(x), type(y)))
        return x + y, tf.cast(x, tf.float32)
    ds = Dataset.from_tensor_slices(([1, 2], [10, 20])).map(f, num_parallel_calls=tf.data.AUTOTUNE)
    assert values(ds) == [(11, 1.0), (22, 2.0)]
    assert seen[0] == (tf.Tensor, tf.Tensor)
    assert ds.element_spec == (tf.TensorSpec((), tf.int32), tf.TensorSpec((), tf.float32))
    assert repr(ds).startswith("<_ParallelMapDataset element_spec=")


def test_map_dict_element_is_one_argument_and_list_result_becomes_tuple():
    ds = Dataset.from_tensor_slices({"a": [1, 2], "b": [3, 4]})
    assert values(ds.map(lambda d: d["a"] * d["b"])) == [3, 8]
    out = ds.map(lambda d: [d["a"], d["b"]])
    assert isinstance(out.element_spec, tuple)
    assert values(out) == [(1, 3), (2, 4)]


def test_map_after_batch_keeps_unknown_batch_dimension():
    ds = Dataset.range(10).batch(4).map(lambda x: tf.cast(x, tf.float32) * 2.0)
    assert ds.element_spec == tf.TensorSpec((None,), tf.float32)
    assert values(ds)[-1] == [16.0, 18.0]


def test_filter_and_predicate_type():
    ds = Dataset.range(10).filter(lambda x: x % 3 == 0)
    assert values(ds) == [0, 3, 6, 9]
    with pytest.raises(ValueError, match="must return a `tf.bool` scalar tensor"):
        values(Dataset.range(3).filter(lambda x: x))


def test_reduce_returns_tensors():
    total = Dataset.range(1, 5).reduce(np.int64(0), lambda s, x: s + x)
    assert total.dtype == tf.int64 and total.numpy() == 10
    s, c = Dataset.range(4).reduce((np.int64(0), np.int64(0)), lambda st, x: (st[0] + x, st[1] + 1))
    assert (s.numpy(), c.numpy()) == (6, 4)
    assert Dataset.range(5).reduce(np.int64(0), lambda x, _: x + 1).numpy() == 5
    # A Python 0 is an int32 tensor: adding int64 elements is a dtype error, as in TF.
    with pytest.raises(tf.errors.InvalidArgumentError):
        Dataset.range(3).reduce(0, lambda s, x: s + x)


def test_apply_take_while_unique_enumerate():
    assert values(Dataset.range(5).apply(lambda d: d.skip(3))) == [3, 4]
    assert values(Dataset.range(10).take_while(lambda x: x < 4)) == [0, 1, 2, 3]
    assert values(Dataset.from_tensor_slices([1, 3, 1, 2, 3]).unique()) == [1, 3, 2]
    en = values(Dataset.from_tensor_slices([7, 8]).enumerate(start=5))
    assert en == [(5, 7), (6, 8)]
    assert Dataset.range(2).enumerate().element_spec[0] == tf.TensorSpec((), tf.int64)


# -- batch / unbatch / padded_batch / rebatch ---------------------------------------

def test_batch_remainder_and_drop_remainder():
    ds = Dataset.range(7)
    assert values(ds.batch(3)) == [[0, 1, 2], [3, 4, 5], [6]]
    assert values(ds.batch(3, drop_remainder=True)) == [[0, 1, 2], [3, 4, 5]]
    assert ds.batch(3).element_spec == tf.TensorSpec((None,), tf.int64)
    assert ds.batch(3, drop_remainder=True).element_spec == tf.TensorSpec((3,), tf.int64)
    sl = Dataset.from_tensor_slices(np.arange(7))  # the sliced fast path
    assert values(sl.batch(3)) == [[0, 1, 2], [3, 4, 5], [6]]
    assert values(sl.batch(3, drop_remainder=True)) == [[0, 1, 2], [3, 4, 5]]


def test_batch_of_nested_structures():
    ds = Dataset.from_tensor_slices({"x": np.arange(10).reshape(5, 2),
                                     "y": ["a", "b", "c", "d", "e"]})
    b = list(ds.map(lambda d: d).batch(2).as_numpy_iterator())
    assert b[0]["x"].tolist() == [[0, 1], [2, 3]]
    assert b[2]["y"].tolist() == [b"e"]
    assert b[0]["x"].dtype == np.int64 or b[0]["x"].dtype == np.int32


def test_batch_of_ragged_elements_raises():
    ds = Dataset.range(1, 4).map(lambda n: tf.fill([n], n)).batch(3)
    with pytest.raises(tf.errors.InvalidArgumentError, match="Cannot batch tensors with "
                       "different shapes in component 0"):
        values(ds)


def test_batch_size_must_be_positive():
    with pytest.raises(tf.errors.InvalidArgumentError):
        Dataset.range(3).batch(0)


def test_unbatch_and_rebatch():
    ds = Dataset.from_tensor_slices(np.arange(12).reshape(6, 2)).batch(4)
    assert values(ds.unbatch())[-1] == [10, 11]
    assert ds.unbatch().element_spec == tf.TensorSpec((2,), tf.int64)
    assert values(Dataset.range(8).batch(4).rebatch(3)) == [[0, 1, 2], [3, 4, 5], [6, 7]]
    assert values(Dataset.range(8).batch(4).rebatch(3, drop_remainder=True)) == \
        [[0, 1, 2], [3, 4, 5]]
    assert values(Dataset.range(6).batch(6).rebatch([1, 2])) == [[0], [1, 2], [3], [4, 5]]


def test_padded_batch():
    ds = Dataset.range(1, 5).map(lambda n: tf.fill([n], n))
    assert values(ds.padded_batch(2)) == [[[1, 0], [2, 2]], [[3, 3, 3, 0], [4, 4, 4, 4]]]
    assert ds.padded_batch(2).element_spec == tf.TensorSpec((None, None), tf.int64)
    fixed = ds.padded_batch(2, padded_shapes=[5], padding_values=np.int64(-1))
    assert values(fixed)[0] == [[1, -1, -1, -1, -1], [2, 2, -1, -1, -1]]
    assert fixed.element_spec == tf.TensorSpec((None, 5), tf.int64)
    # TensorFlow raises DataLossError here, and checks padding values' dtypes up front.
    with pytest.raises(tf.errors.DataLossError, match="pad to a smaller size"):
        values(ds.padded_batch(2, padded_shapes=[2]))
    with pytest.raises(TypeError, match="values type <dtype: 'int32'> does not match type "
                       "<dtype: 'int64'>"):
        ds.padded_batch(2, padding_values=-1)
    with pytest.raises(ValueError, match="should be scalars, but got \\(2,\\)"):
        ds.padded_batch(2, padding_values=np.array([1, 2], np.int64))


def test_padded_batch_of_strings_and_one_padding_value_for_all_components():
    ds = Dataset.from_tensor_slices({"a": [1, 2], "b": ["x", "y"]}).padded_batch(2)
    out = values(ds)[0]["b"]
    assert out.dtype == object and out.tolist() == [b"x", b"y"]
    pairs = Dataset.range(1, 3).map(lambda n: (tf.fill([n], n), n))
    got = values(pairs.padded_batch(2, padding_values=np.int64(7)))[0]
    np.testing.assert_array_equal(got[0], [[1, 7], [2, 2]])


# -- shuffle ---------------------------------------------------------------------------

def test_shuffle_is_a_permutation_and_seed_is_repeatable():
    ds = Dataset.range(100)
    a = values(ds.shuffle(10, seed=42, reshuffle_each_iteration=False))
    b = values(ds.shuffle(10, seed=42, reshuffle_each_iteration=False))
    assert sorted(a) == list(range(100)) and a != list(range(100))
    assert a == b
    fixed = ds.shuffle(10, seed=42, reshuffle_each_iteration=False)
    assert values(fixed) == values(fixed)


def test_shuffle_reshuffles_each_iteration():
    ds = Dataset.range(50).shuffle(50, seed=1)
    first, second = values(ds), values(ds)
    assert sorted(first) == sorted(second) == list(range(50))
    assert first != second
    again = Dataset.range(50).shuffle(50, seed=1)
    assert values(again) == first  # the same seed gives the same sequence of epochs


def test_shuffle_follows_the_global_seed():
    tf.random.set_seed(7)
    try:
        a = values(Dataset.range(30).shuffle(30))
        tf.random.set_seed(7)
        b = values(Dataset.range(30).shuffle(30))
    finally:
        tf.random.set_seed(None)
    assert a == b and sorted(a) == list(range(30)) and a != list(range(30))
    c, d = values(Dataset.range(30).shuffle(30)), values(Dataset.range(30).shuffle(30))
    assert c != d  # no seed at all: a fresh order each time


def test_shuffle_buffer_semantics():
    # With a buffer of 1 nothing moves; with a buffer of k the first output is
    # drawn from the first k inputs only.
    assert values(Dataset.range(10).shuffle(1, seed=0)) == list(range(10))
    for seed in range(20):
        out = values(Dataset.range(100).shuffle(5, seed=seed))
        assert out[0] < 5
        assert all(out[i] < i + 5 for i in range(100))  # never more than buffer-1 ahead
        assert sorted(out) == list(range(100))


def test_shuffle_of_slices_then_batch_is_a_permutation():
    x = np.arange(20)
    ds = Dataset.from_tensor_slices((x, x * 10)).shuffle(20, seed=3).batch(6)
    batches = list(ds.as_numpy_iterator())
    assert [len(b[0]) for b in batches] == [6, 6, 6, 2]
    got = np.concatenate([b[0] for b in batches])
    assert sorted(got.tolist()) == list(range(20)) and got.tolist() != list(range(20))
    np.testing.assert_array_equal(np.concatenate([b[1] for b in batches]), got * 10)


def test_shuffle_repeat_batch_across_epochs():
    ds = Dataset.from_tensor_slices(np.arange(5)).shuffle(5, seed=0).repeat(2).batch(4)
    out = values(ds)
    assert [len(b) for b in out] == [4, 4, 2]
    flat = sum(out, [])
    assert sorted(flat[:5]) == list(range(5)) and sorted(flat[5:]) == list(range(5))


# -- repeat / take / skip ----------------------------------------------------------------

def test_repeat_take_skip():
    ds = Dataset.range(3)
    assert values(ds.repeat(2)) == [0, 1, 2, 0, 1, 2]
    assert values(ds.repeat().take(7)) == [0, 1, 2, 0, 1, 2, 0]
    assert values(ds.take(-1)) == [0, 1, 2]
    assert values(ds.skip(2)) == [2]
    assert values(ds.skip(-1)) == []
    assert values(Dataset.range(0).repeat()) == []
    sl = Dataset.from_tensor_slices(np.arange(10))
    assert values(sl.skip(3).take(4).batch(3)) == [[3, 4, 5], [6]]


# -- window / flat_map / interleave --------------------------------------------------

def test_window_yields_datasets():
    ds = Dataset.range(7).window(3)
    assert len(ds) == 3
    windows = [values(w) for w in ds]
    assert windows == [[0, 1, 2], [3, 4, 5], [6]]
    sliding = Dataset.range(7).window(3, shift=1, drop_remainder=True)
    assert len(sliding) == 5
    assert values(sliding.flat_map(lambda w: w.batch(3)))[-1] == [4, 5, 6]
    strided = Dataset.range(10).window(3, shift=2, stride=2, drop_remainder=True)
    assert [values(w) for w in strided] == [[0, 2, 4], [2, 4, 6], [4, 6, 8]]
    assert [values(w) for w in Dataset.range(6).window(2, shift=3)] == [[0, 1], [3, 4]]
    # the examples of TensorFlow's WindowDataset documentation
    assert [values(w) for w in Dataset.range(7).window(2)] == [[0, 1], [2, 3], [4, 5], [6]]
    w = Dataset.range(7).window(3, 2, 1, True)
    assert [values(x) for x in w] == [[0, 1, 2], [2, 3, 4], [4, 5, 6]] and len(w) == 3
    w = Dataset.range(7).window(3, 1, 2, True)
    assert [values(x) for x in w] == [[0, 2, 4], [1, 3, 5], [2, 4, 6]] and len(w) == 3
    d = [{k: values(v) for k, v in x.items()}
         for x in Dataset.from_tensor_slices({"a": np.arange(4)}).window(2)]
    assert d == [{"a": [0, 1]}, {"a": [2, 3]}]


def test_window_of_tuples_gives_tuples_of_datasets():
    ds = Dataset.from_tensor_slices((np.arange(4), np.arange(4) * 10)).window(2)
    flat = ds.flat_map(lambda x, y: Dataset.zip((x.batch(2), y.batch(2))))
    second = list(flat.as_numpy_iterator())[1]
    assert [second[0].tolist(), second[1].tolist()] == [[2, 3], [20, 30]]


def test_flat_map_and_interleave():
    ds = Dataset.range(3).flat_map(lambda x: Dataset.from_tensors(x).repeat(x))
    assert values(ds) == [1, 2, 2]
    il = Dataset.range(1, 4).interleave(lambda x: Dataset.from_tensors(x).repeat(3),
                                        cycle_length=2, block_length=2)
    assert values(il) == [1, 1, 2, 2, 1, 2, 3, 3, 3]


# -- cache ---------------------------------------------------------------------------------

def test_cache_in_memory_runs_input_once():
    calls = []

    def gen():
        for i in range(4):
            calls.append(i)
            yield i
    ds = Dataset.from_generator(gen, output_signature=tf.TensorSpec((), tf.int32)).cache()
    assert values(ds) == values(ds) == [0, 1, 2, 3]
    assert calls == [0, 1, 2, 3]


def test_cache_partial_pass_caches_nothing():
    calls = []

    def gen():
        for i in range(4):
            calls.append(i)
            yield i
    ds = Dataset.from_generator(gen, output_signature=tf.TensorSpec((), tf.int32)).cache()
    assert values(ds.take(2)) == [0, 1]
    assert values(ds) == [0, 1, 2, 3]
    assert values(ds) == [0, 1, 2, 3]
    assert len(calls) == 2 + 4


def test_cache_to_file_without_pickle(tmp_path):
    path = str(tmp_path / "cache")
    src = Dataset.from_tensor_slices((np.arange(6.0).reshape(3, 2), ["a", "bb", "c"]))
    ds = src.map(lambda x, s: (x, s)).cache(path)
    first = list(ds.as_numpy_iterator())
    assert (tmp_path / "cache.npz").exists()
    with np.load(path + ".npz", allow_pickle=False) as f:  # plain arrays only
        assert "count" in f.files
    # A new pipeline reads the file instead of the input.
    reread = list(Dataset.from_tensor_slices((np.zeros((3, 2)), ["x", "y", "z"])).cache(path)
                  .as_numpy_iterator())
    assert [r[1] for r in reread] == [b"a", b"bb", b"c"]
    np.testing.assert_array_equal(reread[2][0], first[2][0])
    assert reread[0][0].dtype == np.float64


def test_tensorflow_cardinality_and_argument_errors():
    # TensorFlow 2.21's values (tests/parity/test_dataset.py checks them against TF itself).
    card = lambda ds: int(ds.cardinality())  # noqa: E731
    assert card(Dataset.range(10).batch(3, drop_remainder=True).unbatch()) == 9
    assert card(Dataset.range(10).batch(3).unbatch()) == tf.data.UNKNOWN_CARDINALITY
    assert card(Dataset.range(3).repeat().enumerate()) == tf.data.INFINITE_CARDINALITY
    assert card(Dataset.zip((Dataset.range(0), Dataset.range(3).filter(
        lambda x: True)))) == tf.data.UNKNOWN_CARDINALITY
    with pytest.raises(tf.errors.InvalidArgumentError, match="buffer_size must be greater "
                       "than zero or UNKNOWN_CARDINALITY"):
        Dataset.range(3).shuffle(-1)
    assert sorted(values(Dataset.range(5).shuffle(tf.data.UNKNOWN_CARDINALITY))) == \
        [0, 1, 2, 3, 4]
    with pytest.raises(tf.errors.InvalidArgumentError, match="Window shift must be greater"):
        Dataset.range(3).window(2, shift=0)
    with pytest.raises(ValueError, match="matching leading dimension. Encountered both 2 "
                       "and 3"):
        Dataset.from_tensors((np.zeros((2, 2)), np.zeros(3))).unbatch()
    with pytest.raises(ValueError, match="Invalid `batch_sizes`"):
        Dataset.range(3).rebatch(2)
    with pytest.raises(TypeError, match="Python `list` is not supported"):
        Dataset.zip([Dataset.range(3), Dataset.range(2)])
    assert repr(Dataset.range(3).cache()).startswith("<CacheDataset ")


def test_window_of_tuples_passes_through_take_filter_map():
    # regression: '_ArraysDataset' object has no attribute 'shape'
    ds = tf.data.Dataset.from_tensor_slices(([1, 2, 3, 4, 5], [10, 20, 30, 40, 50])).window(2)
    first = next(iter(ds.take(1)))
    assert [list(w.as_numpy_iterator()) for w in first] == [[1, 2], [10, 20]]
    assert len(list(ds.filter(lambda a, b: True))) == 3
    firsts = ds.map(lambda a, b: a)
    assert [list(w.as_numpy_iterator()) for w in firsts] == [[1, 2], [3, 4], [5]]
    pairs = ds.flat_map(lambda a, b: tf.data.Dataset.zip((a, b)).batch(2))
    assert [p[1].tolist() for p in pairs.as_numpy_iterator()] == [[10, 20], [30, 40], [50]]
    with pytest.raises(TypeError, match="as_numpy_iterator"):
        list(ds.take(1).as_numpy_iterator())
