"""tf.data parity: the same pipeline built in tapeflow and in TensorFlow yields the same
element_spec, repr, cardinality and elements (structure, dtypes, shapes, values)."""
import numpy as np
import pytest

import tapeflow as tf


def same(a, b, path="element"):
    """Asserts that two as_numpy_iterator() outputs (nests of NumPy values) agree."""
    assert type(a) is type(b), f"{path}: {type(a)} vs {type(b)}"
    if isinstance(a, dict):
        assert list(a) == list(b), path
        for k in a:
            same(a[k], b[k], f"{path}[{k!r}]")
    elif isinstance(a, (tuple, list)):
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b)):
            same(x, y, f"{path}[{i}]")
    elif isinstance(a, np.ndarray):
        assert a.dtype == b.dtype and a.shape == b.shape, f"{path}: {a!r} vs {b!r}"
        np.testing.assert_array_equal(a, b, err_msg=path)
    else:
        assert a == b, f"{path}: {a!r} vs {b!r}"
        if isinstance(a, np.generic):
            assert a.dtype == b.dtype, path


def _gen():
    for i in range(4):
        yield np.arange(i, dtype=np.int32), float(i)


def _gen_dict():
    for i in range(3):
        yield {"x": [i, i + 1], "name": f"n{i}"}


def _pipelines(lib):
    """Named pipelines built from ``lib`` (tapeflow or tensorflow): name -> dataset."""
    D = lib.data.Dataset
    x = np.arange(20, dtype=np.float32).reshape(10, 2)
    y = np.arange(10, dtype=np.int64) % 3
    ragged = D.range(1, 6).map(lambda n: lib.fill([n], n))
    return {
        "slices_list": D.from_tensor_slices([1, 2, 3]),
        "slices_float_list": D.from_tensor_slices([[1.5, 2.0], [3.0, 4.0]]),
        "slices_f64": D.from_tensor_slices(np.ones((3, 2))),
        "slices_tuple": D.from_tensor_slices((x, y)),
        "slices_dict": D.from_tensor_slices({"b": [1, 2], "a": (np.zeros((2, 3)), ["x", "y"])}),
        "slices_strings": D.from_tensor_slices(["ab", "c"]),
        "slices_bool": D.from_tensor_slices(np.array([True, False])),
        "slices_nested": D.from_tensor_slices(((x, y), {"z": y})),
        "from_tensors": D.from_tensors(([1, 2], "s")),
        "range1": D.range(5),
        "range3": D.range(2, 11, 3),
        "range_neg": D.range(5, 0, -2),
        "range_int32": D.range(3, output_type=lib.int32),
        "range_empty": D.range(0),
        "gen": D.from_generator(_gen, output_signature=(
            lib.TensorSpec(shape=(None,), dtype=lib.int32),
            lib.TensorSpec(shape=(), dtype=lib.float32))),
        "gen_dict": D.from_generator(_gen_dict, output_signature={
            "x": lib.TensorSpec((2,), lib.int64), "name": lib.TensorSpec((), lib.string)}),
        "gen_legacy": D.from_generator(lambda: iter([[1, 2], [3, 4]]), output_types=lib.int64,
                                       output_shapes=(2,)),
        "map_tuple": D.from_tensor_slices((x, y)).map(lambda a, b: (a * 2.0, b + 1)),
        "map_to_dict": D.from_tensor_slices((x, y)).map(lambda a, b: {"f": a, "l": b}),
        "map_list_out": D.range(3).map(lambda a: [a, a * 2]),
        "map_scalar_py": D.range(3).map(lambda a: (a, 1.5)),
        "map_cast": D.range(4).map(lambda a: lib.cast(a, lib.float32) / 2.0),
        "map_dict_in": D.from_tensor_slices({"a": [1, 2], "b": [3, 4]}).map(
            lambda d: d["a"] + d["b"]),
        "map_parallel": D.range(4).map(lambda a: a * a, num_parallel_calls=lib.data.AUTOTUNE),
        "filter": D.range(10).filter(lambda a: a % 3 == 0),
        "filter_tuple": D.from_tensor_slices((x, y)).filter(lambda a, b: b > 0),
        "batch": D.range(10).batch(4),
        "batch_drop": D.range(10).batch(4, drop_remainder=True),
        "batch_exact": D.range(8).batch(4),
        "batch_tuple": D.from_tensor_slices((x, y)).batch(3),
        "batch_dict": D.from_tensor_slices({"a": x, "b": y}).batch(4, drop_remainder=True),
        "batch_gen": D.from_generator(lambda: iter([1, 2, 3]),
                                      output_signature=lib.TensorSpec((), lib.int32)).batch(2),
        "batch_batch": D.range(12).batch(2).batch(3),
        "batch_strings": D.from_tensor_slices(["a", "bb", "ccc"]).batch(2),
        "padded_batch": ragged.padded_batch(2),
        "padded_batch_shape": ragged.padded_batch(2, padded_shapes=[6],
                                                 padding_values=lib.constant(-1, lib.int64)),
        "padded_batch_drop": ragged.padded_batch(2, drop_remainder=True),
        "padded_batch_tuple": ragged.map(lambda v: (v, lib.size(v))).padded_batch(
            3, padded_shapes=([None], [])),
        "unbatch": D.range(10).batch(3).unbatch(),
        "unbatch_tuple": D.from_tensor_slices((x, y)).batch(4).unbatch(),
        "unbatch_tensors": D.from_tensors(np.arange(6).reshape(3, 2)).unbatch(),
        "repeat": D.range(3).repeat(2),
        "repeat_take": D.range(3).repeat().take(7),
        "take": D.range(10).take(3),
        "take_all": D.range(4).take(-1),
        "take_more": D.range(4).take(10),
        "skip": D.range(10).skip(7),
        "skip_more": D.range(4).skip(10),
        "skip_all": D.range(4).skip(-1),
        "zip": D.zip((D.range(3), D.from_tensor_slices(["a", "b", "c", "d"]))),
        "zip_args": D.zip(D.range(3), D.range(5, 7)),
        "zip_dict": D.zip({"p": D.range(2), "q": D.range(2).map(lambda a: a * 10)}),
        "zip_nested": D.zip((D.range(2), (D.range(2), D.range(3)))),
        "concatenate": D.range(3).concatenate(D.range(10, 12)),
        "enumerate": D.from_tensor_slices(["a", "b"]).enumerate(),
        "enumerate_start": D.from_tensor_slices((x, y)).take(3).enumerate(start=5),
        "window_flat_map": D.range(7).window(3, shift=1, drop_remainder=True).flat_map(
            lambda w: w.batch(3)),
        "window_partial": D.range(7).window(3).flat_map(lambda w: w.batch(3)),
        "window_stride": D.range(10).window(3, shift=2, stride=2).flat_map(
            lambda w: w.batch(3)),
        "window_tuple": D.from_tensor_slices((x, y)).window(4, drop_remainder=True).flat_map(
            lambda a, b: D.zip((a.batch(4), b.batch(4)))),
        "flat_map": D.range(3).flat_map(lambda a: D.range(a)),
        "cache": D.range(5).map(lambda a: a + 1).cache(),
        "prefetch": D.range(5).prefetch(2),
        "prefetch_autotune": D.range(5).batch(2).prefetch(lib.data.AUTOTUNE),
        "take_while": D.range(10).take_while(lambda a: a < 4),
        "unique": D.from_tensor_slices([1, 2, 1, 3, 2]).unique(),
        "interleave": D.range(1, 4).interleave(lambda a: D.from_tensors(a).repeat(a),
                                               cycle_length=2, block_length=1),
        "shuffle_whole_input": D.range(10).shuffle(lib.data.UNKNOWN_CARDINALITY).batch(20).map(
            lambda b: lib.sort(b)),
        "shuffle_then_batch_shape": D.range(10).shuffle(10, seed=1).batch(4).map(
            lambda b: lib.shape(b)),
        "rebatch": D.range(10).batch(4).rebatch(3),
    }


NAMES = sorted(_pipelines(tf))


@pytest.fixture(scope="module")
def pipelines():
    from tests.parity.conftest import REAL_TF
    return _pipelines(tf), _pipelines(REAL_TF)


@pytest.mark.parametrize("name", NAMES)
def test_pipeline_matches(name, pipelines):
    ours, theirs = pipelines[0][name], pipelines[1][name]
    assert repr(ours.element_spec) == repr(theirs.element_spec)
    assert repr(ours) == repr(theirs)
    assert int(ours.cardinality()) == int(theirs.cardinality())
    assert ours.cardinality().dtype.name == theirs.cardinality().dtype.name
    got, want = list(ours.as_numpy_iterator()), list(theirs.as_numpy_iterator())
    same(got, want)


@pytest.mark.parametrize("name", NAMES)
def test_iteration_yields_tensors_of_the_same_dtypes_and_shapes(name, pipelines, rtf):
    ours, theirs = pipelines[0][name], pipelines[1][name]
    a = [tf.nest.map_structure(lambda t: f"{type(t).__name__} {t.dtype.name} {t.shape}", e)
         for e in ours]
    b = [rtf.nest.map_structure(lambda t: f"Tensor {t.dtype.name} {t.shape}", e)
         for e in theirs if all(isinstance(t, rtf.Tensor) for t in rtf.nest.flatten(e))]
    assert a == b


# -- cardinality of pipelines that are not iterated (some are infinite) -----------------

CARDINALITY = {
    "repeat_forever": lambda D: D.range(5).repeat(),
    "repeat_minus_one": lambda D: D.range(5).repeat(-1),
    "repeat_zero": lambda D: D.range(5).repeat(0),
    "infinite_take": lambda D: D.range(5).repeat().take(3),
    "infinite_skip": lambda D: D.range(5).repeat().skip(3),
    "infinite_batch": lambda D: D.range(5).repeat().batch(2),
    "unknown_take_zero": lambda D: D.range(5).filter(lambda x: True).take(0),
    "unknown_repeat_zero": lambda D: D.range(5).filter(lambda x: True).repeat(0),
    "infinite_filter": lambda D: D.range(5).repeat().filter(lambda x: True),
    "infinite_window": lambda D: D.range(5).repeat().window(2),
    "window_drop": lambda D: D.range(10).window(3, shift=2, stride=2, drop_remainder=True),
    "flat_map": lambda D: D.range(5).window(2).flat_map(lambda w: w),
    "zip_infinite_unknown": lambda D: D.zip((D.range(5).repeat(),
                                             D.range(3).filter(lambda x: True))),
    "zip_empty_unknown": lambda D: D.zip((D.range(0), D.range(3).filter(lambda x: True))),
    "zip_infinite": lambda D: D.zip((D.range(5).repeat(), D.range(3).repeat())),
    "zip_finite": lambda D: D.zip((D.range(5), D.range(3).repeat(), D.range(4))),
    "concat_infinite": lambda D: D.range(5).repeat().concatenate(D.range(3)),
    "concat_unknown_infinite": lambda D: D.range(5).filter(lambda x: True).concatenate(
        D.range(5).repeat()),
    "chain": lambda D: D.range(5).shuffle(2).cache().prefetch(1).map(lambda x: x),
    "take_skip_repeat": lambda D: D.range(3).take(2).skip(1).repeat(2).prefetch(1),
    "take_while": lambda D: D.range(5).take_while(lambda x: True),
    "unique": lambda D: D.range(5).unique(),
    "rebatch": lambda D: D.range(5).batch(2).rebatch(2),
    "enumerate": lambda D: D.range(5).enumerate(),
    "enumerate_infinite": lambda D: D.range(5).repeat().enumerate(),
    "enumerate_unknown": lambda D: D.range(5).filter(lambda x: True).enumerate(),
    "interleave": lambda D: D.range(5).interleave(lambda x: D.range(x)),
    "range_negative": lambda D: D.range(-3),
    "batch_drop": lambda D: D.range(3).batch(2, drop_remainder=True),
    "unbatch_unknown_lead": lambda D: D.range(10).batch(3).unbatch(),
    "unbatch_known_lead": lambda D: D.range(10).batch(3, drop_remainder=True).unbatch(),
    "unbatch_infinite": lambda D: D.range(3).repeat().batch(2, drop_remainder=True).unbatch(),
    "unbatch_empty": lambda D: D.range(4).batch(2, drop_remainder=True).repeat(0).unbatch(),
    "unbatch_zero_lead": lambda D: D.from_tensors(np.zeros((0, 2))).unbatch(),
    "generator": lambda D: D.from_generator(lambda: iter([1]), output_types="int32"),
}


@pytest.mark.parametrize("name", sorted(CARDINALITY))
def test_cardinality(name, rtf):
    ours, theirs = CARDINALITY[name](tf.data.Dataset), CARDINALITY[name](rtf.data.Dataset)
    assert int(ours.cardinality()) == int(theirs.cardinality())
    assert int(tf.data.experimental.cardinality(ours)) == int(theirs.cardinality())
    assert repr(ours.element_spec) == repr(theirs.element_spec)


def test_constants_and_len(rtf):
    for name in ("AUTOTUNE", "INFINITE_CARDINALITY", "UNKNOWN_CARDINALITY"):
        assert getattr(tf.data, name) == getattr(rtf.data, name)
        assert getattr(tf.data.experimental, name) == getattr(rtf.data.experimental, name)
    assert len(tf.data.Dataset.range(7).batch(2)) == len(rtf.data.Dataset.range(7).batch(2))
    for make in (lambda D: D.range(3).repeat(), lambda D: D.range(3).filter(lambda x: True)):
        with pytest.raises(TypeError) as want:
            len(make(rtf.data.Dataset))
        with pytest.raises(TypeError, match=str(want.value)):
            len(make(tf.data.Dataset))


# -- errors: the same exception class (and message where it is stable) -----------------

ERRORS = {
    "slices_mismatch": lambda lib: lib.data.Dataset.from_tensor_slices(([1, 2, 3], [1, 2])),
    "slices_scalar": lambda lib: lib.data.Dataset.from_tensor_slices(5),
    "batch_zero": lambda lib: lib.data.Dataset.range(3).batch(0),
    "batch_negative": lambda lib: lib.data.Dataset.range(3).batch(-1),
    "padded_batch_zero": lambda lib: lib.data.Dataset.range(3).padded_batch(0),
    "concat_dtypes": lambda lib: lib.data.Dataset.range(3).concatenate(
        lib.data.Dataset.range(3).map(lambda x: lib.cast(x, lib.int32))),
    "concat_structure": lambda lib: lib.data.Dataset.range(3).concatenate(
        lib.data.Dataset.from_tensor_slices(([1], [2]))),
    "shuffle_zero": lambda lib: lib.data.Dataset.range(3).shuffle(0),
    "shuffle_minus_one": lambda lib: list(lib.data.Dataset.range(3).shuffle(-1)),
    "unbatch_mixed_leads": lambda lib: lib.data.Dataset.from_tensors(
        (np.zeros((2, 2)), np.zeros(3))).unbatch(),
    "window_size": lambda lib: lib.data.Dataset.range(3).window(0),
    "window_shift": lambda lib: lib.data.Dataset.range(3).window(2, shift=0),
    "window_stride": lambda lib: lib.data.Dataset.range(3).window(2, stride=-1),
    "unbatch_scalar": lambda lib: lib.data.Dataset.range(3).unbatch(),
    "rebatch_scalar": lambda lib: lib.data.Dataset.range(3).rebatch(2),
    "padding_value_dtype": lambda lib: lib.data.Dataset.range(3).map(
        lambda x: lib.fill([x], x)).padded_batch(2, padding_values=-1),
    "padding_value_float64": lambda lib: lib.data.Dataset.range(3).map(
        lambda x: ([x], 1.5)).padded_batch(2, padding_values=(np.int64(1), np.float64(2))),
    "padding_value_shape": lambda lib: lib.data.Dataset.range(3).padded_batch(
        2, padded_shapes=[], padding_values=np.array([1, 2], np.int64)),
    "generator_no_signature": lambda lib: lib.data.Dataset.from_generator(lambda: iter([1])),
    "zip_list": lambda lib: lib.data.Dataset.zip(lib.data.Dataset.range(3), [1, 2]),
    "zip_list_of_datasets": lambda lib: lib.data.Dataset.zip(
        [lib.data.Dataset.range(3), lib.data.Dataset.range(2)]),
    # raised while iterating
    "batch_ragged_generator": lambda lib: list(lib.data.Dataset.from_generator(
        lambda: iter([[1], [1, 2]]), output_signature=lib.TensorSpec((None,), lib.int32)
    ).batch(2)),
    "batch_ragged_rank2": lambda lib: list(lib.data.Dataset.from_generator(
        lambda: iter([np.zeros((1, 2)), np.zeros((2, 1))]),
        output_signature=lib.TensorSpec(None, lib.float64)).batch(2)),
    "pad_too_small": lambda lib: list(lib.data.Dataset.range(1, 4).map(
        lambda x: lib.fill([x], x)).padded_batch(3, padded_shapes=[2])),
    "generator_shape": lambda lib: list(lib.data.Dataset.from_generator(
        lambda: iter([[1, 2]]), output_signature=lib.TensorSpec((), lib.int32))),
    "generator_type": lambda lib: list(lib.data.Dataset.from_generator(
        lambda: iter(["a"]), output_signature=lib.TensorSpec((), lib.int32))),
    "window_as_numpy": lambda lib: list(lib.data.Dataset.range(3).window(2).as_numpy_iterator()),
    "get_next_at_end": lambda lib: [it.get_next() for it in [iter(lib.data.Dataset.range(1))]
                                    for _ in range(2)],
}
# Messages that carry TensorFlow's internal names (op names, module paths) are compared
# up to the first such name.
MESSAGE_UP_TO = {"window_as_numpy": "produce values of type", "generator_type": " was a."}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_errors(name, rtf):
    with pytest.raises(Exception) as want:
        ERRORS[name](rtf)
    with pytest.raises(Exception) as got:
        ERRORS[name](tf)
    assert type(got.value).__name__ == type(want.value).__name__
    theirs = str(want.value.message if hasattr(want.value, "message") else want.value)
    ours = str(got.value.message if hasattr(got.value, "message") else got.value)
    theirs = theirs.split(" [Op:")[0].split("\nTraceback")[0]
    if "}} " in theirs:
        theirs = theirs.split("}} ", 1)[1]
    if name in MESSAGE_UP_TO:
        cut = MESSAGE_UP_TO[name]
        theirs = theirs[:theirs.index(cut) + len(cut)]
        ours = ours[:len(theirs)]
    assert ours == theirs


# -- other user-visible behaviour -------------------------------------------------------

def test_shuffle_yields_the_same_elements_and_shapes(rtf):
    def make(lib):
        return lib.data.Dataset.range(20).shuffle(5, seed=3).batch(6)
    ours, theirs = list(make(tf).as_numpy_iterator()), list(make(rtf).as_numpy_iterator())
    assert [b.shape for b in ours] == [b.shape for b in theirs]
    assert sorted(np.concatenate(ours).tolist()) == sorted(np.concatenate(theirs).tolist())
    assert repr(make(tf)) == repr(make(rtf))


def test_window_elements_are_datasets(rtf):
    for lib in (tf, rtf):
        w = lib.data.Dataset.from_tensor_slices({"a": [1, 2, 3]}).window(2)
        first = next(iter(w))
        yield_ = (repr(w), repr(w.element_spec), type(first).__name__, repr(first["a"]),
                  [list(d["a"].as_numpy_iterator()) for d in w])
        if lib is tf:
            ours = yield_
        else:
            theirs = yield_
    assert ours[:2] == theirs[:2]
    assert ours[2] == "dict" and theirs[2] == "dict"
    assert ours[3:] == theirs[3:]


def test_iterator_get_next_and_element_spec(rtf):
    for lib in (tf, rtf):
        it = iter(lib.data.Dataset.from_tensor_slices(([1, 2], ["a", "b"])))
        assert repr(it.element_spec) == ("(TensorSpec(shape=(), dtype=tf.int32, name=None), "
                                         "TensorSpec(shape=(), dtype=tf.string, name=None))")
        a, b = it.get_next()
        assert repr(a) == "<tf.Tensor: shape=(), dtype=int32, numpy=1>"
        assert repr(b) == "<tf.Tensor: shape=(), dtype=string, numpy=b'a'>"
        next(it)
        with pytest.raises(StopIteration):
            next(it)


@pytest.mark.parametrize("case", ["sum", "float", "tuple_dict", "count"])
def test_reduce(case, rtf):
    def run(lib):
        D = lib.data.Dataset
        if case == "sum":
            return D.range(5).reduce(np.int64(0), lambda s, x: s + x)
        if case == "float":
            return D.from_tensor_slices([1.5, 2.5]).reduce(0.0, lambda s, x: s + x)
        if case == "tuple_dict":
            return D.range(3).reduce(
                (lib.constant(0, lib.int64), {"a": lib.constant(1.0)}),
                lambda s, x: (s[0] + x, {"a": s[1]["a"] * 2.0}))
        return D.from_tensor_slices((["a", "b", "c"], [1, 2, 3])).reduce(
            0, lambda s, e: s + 1)
    assert repr(run(tf)) == repr(run(rtf))


def test_as_numpy_iterator_types(rtf):
    def make(lib):
        return lib.data.Dataset.from_tensor_slices(
            {"s": ["ab", "c"], "i": [1, 2], "f": np.array([[1.0], [2.0]])})
    ours, theirs = list(make(tf).as_numpy_iterator()), list(make(rtf).as_numpy_iterator())
    same(ours, theirs)
    assert repr(ours) == repr(theirs)


# -- keras.utils dataset builders --------------------------------------------------------

def _batches(ds):
    return [repr(ds.element_spec), repr(ds), int(ds.cardinality()),
            list(ds.as_numpy_iterator())]


_SERIES = np.arange(40, dtype=np.float32).reshape(20, 2)
TIMESERIES = {
    "targets": lambda T: T(_SERIES, np.arange(20) * 10, sequence_length=5, batch_size=4),
    "no_targets": lambda T: T(_SERIES, None, sequence_length=5, batch_size=4),
    "stride_rate": lambda T: T(_SERIES, np.arange(20), sequence_length=3, sequence_stride=2,
                               sampling_rate=2, batch_size=3),
    "unbatched": lambda T: T(_SERIES, np.arange(20), sequence_length=3, batch_size=None),
    "unbatched_no_targets": lambda T: T(_SERIES, None, sequence_length=3, batch_size=None),
    "start_end": lambda T: T(_SERIES, np.arange(20), sequence_length=4, start_index=3,
                             end_index=15, batch_size=5),
    "1d_ints": lambda T: T(np.arange(10), np.arange(10), sequence_length=3, batch_size=4),
    "short_targets": lambda T: T(np.arange(10), np.arange(10)[3:], sequence_length=3,
                                 batch_size=4),
    "python_list": lambda T: T(list(range(10)), None, sequence_length=3, batch_size=4),
    "too_long": lambda T: T(np.arange(10.0), None, sequence_length=11, batch_size=4),
    "default_batch": lambda T: T(np.arange(300), None, sequence_length=3),
}


@pytest.mark.parametrize("name", sorted(TIMESERIES))
def test_timeseries_dataset_from_array(name, rkeras):
    from tapeflow import keras
    ours = _batches(TIMESERIES[name](keras.utils.timeseries_dataset_from_array))
    theirs = _batches(TIMESERIES[name](rkeras.utils.timeseries_dataset_from_array))
    assert ours[:3] == theirs[:3]
    same(ours[3], theirs[3])


TIMESERIES_ERRORS = {
    "sampling_rate": dict(sequence_length=3, sampling_rate=0),
    "sequence_stride": dict(sequence_length=3, sequence_stride=0),
    "start_negative": dict(sequence_length=3, start_index=-1),
    "end_too_far": dict(sequence_length=3, end_index=10),
    "end_before_start": dict(sequence_length=3, start_index=5, end_index=4),
    "start_too_far": dict(sequence_length=3, start_index=10),
    "rate_too_big": dict(sequence_length=3, sampling_rate=10),
    "stride_too_big": dict(sequence_length=3, sequence_stride=10),
}


@pytest.mark.parametrize("name", sorted(TIMESERIES_ERRORS))
def test_timeseries_errors(name, rkeras):
    from tapeflow import keras
    with pytest.raises(Exception) as want:
        rkeras.utils.timeseries_dataset_from_array(np.arange(10), None,
                                                   **TIMESERIES_ERRORS[name])
    with pytest.raises(Exception) as got:
        keras.utils.timeseries_dataset_from_array(np.arange(10), None, **TIMESERIES_ERRORS[name])
    assert type(got.value) is type(want.value)
    assert str(got.value) == str(want.value)


def test_timeseries_shuffle_keeps_the_windows(rkeras):
    from tapeflow import keras

    def run(K):
        ds = K.utils.timeseries_dataset_from_array(_SERIES, np.arange(20) * 10,
                                                   sequence_length=5, batch_size=4,
                                                   shuffle=True, seed=1)
        items = list(ds.as_numpy_iterator())
        return (repr(ds.element_spec), [b[0].shape for b in items],
                sorted(np.concatenate([b[1] for b in items]).tolist()))
    assert run(keras) == run(rkeras)


@pytest.fixture(scope="module")
def text_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("texts")
    for c, texts in {"neg": ["bad movie", "awful\nreally", "meh"],
                     "pos": ["great", "loved it!", "wow wow", "Été"]}.items():
        (root / c).mkdir()
        for i, s in enumerate(texts):
            (root / c / f"{i}.txt").write_text(s, encoding="utf-8")
    (root / "pos" / "skip.md").write_text("not a text file")
    (root / "unused").mkdir()
    return str(root)


TEXT_DIRS = {
    "int": {}, "categorical": {"label_mode": "categorical"},
    "binary_named": {"label_mode": "binary", "class_names": ["neg", "pos"]},
    "no_label_mode": {"label_mode": None}, "no_labels": {"labels": None},
    "unbatched": {"batch_size": None}, "max_length": {"max_length": 4},
    "class_order": {"class_names": ["pos", "neg"]},
    "explicit_labels": {"labels": [0, 1, 0, 1, 1, 0, 1]},
    "training": {"validation_split": 0.3, "subset": "training", "seed": 1},
    "validation": {"validation_split": 0.3, "subset": "validation", "seed": 1},
    "batch_of_two": {"batch_size": 2},
}


@pytest.mark.parametrize("name", sorted(TEXT_DIRS))
def test_text_dataset_from_directory(name, text_dir, rkeras):
    from tapeflow import keras

    def run(K):
        ds = K.utils.text_dataset_from_directory(text_dir, shuffle=False, verbose=False,
                                                 **TEXT_DIRS[name])
        return _batches(ds) + [ds.class_names]
    ours, theirs = run(keras), run(rkeras)
    assert ours[:3] == theirs[:3] and ours[4] == theirs[4]
    same(ours[3], theirs[3])


@pytest.mark.parametrize("kw", [{"label_mode": "bad"}, {"class_names": ["a"]},
                                {"labels": "bad"}, {"validation_split": 0.2},
                                {"label_mode": "binary"}])  # 3 folders: one empty
def test_text_dataset_errors(kw, text_dir, rkeras):
    from tapeflow import keras
    with pytest.raises(Exception) as want:
        rkeras.utils.text_dataset_from_directory(text_dir, verbose=False, **kw)
    with pytest.raises(Exception) as got:
        keras.utils.text_dataset_from_directory(text_dir, verbose=False, **kw)
    assert type(got.value) is type(want.value)
    assert str(got.value) == str(want.value)


@pytest.fixture(scope="module")
def image_dir(tmp_path_factory):
    Image = pytest.importorskip("PIL.Image")  # tapeflow reads image files with Pillow
    root = tmp_path_factory.mktemp("images")
    rng = np.random.RandomState(0)
    for c, n in {"cats": 3, "dogs": 2, "zebras": 2}.items():
        (root / c).mkdir()
        for i in range(n):
            Image.fromarray(rng.randint(0, 255, (6 + i, 8, 3), dtype=np.uint8)).save(
                str(root / c / f"{i}.png"))
    return str(root)


IMAGE_DIRS = {
    "int": {}, "categorical": {"label_mode": "categorical"},
    "resize_down": {"image_size": (4, 5)}, "resize_up": {"image_size": (12, 16)},
    "rgba": {"color_mode": "rgba"}, "unbatched": {"batch_size": None},
    "no_labels": {"labels": None},
    "crop": {"crop_to_aspect_ratio": True, "image_size": (4, 4)},
    "pad": {"pad_to_aspect_ratio": True, "image_size": (4, 4)},
    "nearest": {"interpolation": "nearest", "image_size": (3, 3)},
    "nearest_crop": {"interpolation": "nearest", "image_size": (3, 3),
                     "crop_to_aspect_ratio": True},
    "nearest_same_size": {"interpolation": "nearest"},
    "class_order": {"class_names": ["dogs", "cats", "zebras"]},
    "channels_first": {"data_format": "channels_first", "image_size": (3, 3)},
}


@pytest.mark.parametrize("name", sorted(IMAGE_DIRS))
def test_image_dataset_from_directory(name, image_dir, rkeras):
    from tapeflow import keras

    def run(K):
        kw = {"batch_size": 4, "image_size": (6, 8), **IMAGE_DIRS[name]}
        ds = K.utils.image_dataset_from_directory(image_dir, shuffle=False, verbose=False, **kw)
        return [repr(ds.element_spec), repr(ds), ds.class_names, int(ds.cardinality()),
                list(ds.as_numpy_iterator())]
    ours, theirs = run(keras), run(rkeras)
    assert ours[:4] == theirs[:4]
    assert len(ours[4]) == len(theirs[4])
    for a, b in zip(ours[4], theirs[4]):
        for x, y in zip(a if isinstance(a, tuple) else (a,), b if isinstance(b, tuple) else (b,)):
            assert x.dtype == y.dtype and x.shape == y.shape
            np.testing.assert_allclose(x, y, rtol=1e-5, atol=1e-3)
