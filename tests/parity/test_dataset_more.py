"""tf.data parity for the file readers and the newer combinators: the same pipelines in
tapeflow and TensorFlow give the same elements, element_specs, reprs and exception classes.
(Random choices in sample_from_datasets differ by design: only their semantics are compared.)"""
import pytest

import tapeflow as tf


def _run(fn, lib, *args):
    try:
        ds = fn(lib, *args)
    except Exception as e:  # noqa: BLE001
        return ("raises at build", type(e).__name__)
    out = [repr(ds).replace("tapeflow", "tf"), repr(ds.element_spec)]
    try:
        out.append(repr(list(ds.as_numpy_iterator())))
    except Exception as e:  # noqa: BLE001
        out.append(("raises", type(e).__name__))
    return out


TITANIC = """survived,sex,age,n_siblings_spouses,parch,fare,class,deck,embark_town,alone
0,male,22.0,1,0,7.25,Third,unknown,Southampton,n
1,female,38.0,1,0,71.2833,First,C,Cherbourg,n
1,female,26.0,0,0,7.925,Third,unknown,Southampton,y
1,female,35.0,1,0,53.1,First,C,Southampton,n
0,male,28.0,0,0,8.4583,Third,unknown,Queenstown,y
"""
TITANIC_TYPES = ["int32", "string", "float32", "int32", "int32", "float32", "string",
                 "string", "string", "string"]


@pytest.fixture
def files(tmp_path):
    (tmp_path / "titanic.csv").write_text(TITANIC)
    (tmp_path / "t.csv").write_text('a,b,c\n1,2.5,x\n2,,y\n3,4,"z,w"\n')
    (tmp_path / "t.txt").write_bytes(b"line1\nline2\r\n\nlast")
    return str(tmp_path)


def _seq(lib):
    return lib.data.Dataset.from_generator(
        lambda: ([1] * n for n in [1, 3, 5, 2, 7, 4, 6]),
        output_signature=lib.TensorSpec([None], lib.int32))


def _sp(lib):
    return lib.SparseTensor(indices=[[0, 0], [1, 2]], values=[1, 2], dense_shape=[3, 4])


PIPELINES = {
    # the tf.data guide's text and CSV cells
    "guide_survivors": lambda lib, d: lib.data.TextLineDataset(d + "/titanic.csv").skip(1)
    .filter(lambda line: lib.not_equal(lib.strings.substr(line, 0, 1), "0")),
    "guide_interleave": lambda lib, d: lib.data.Dataset.from_tensor_slices(
        [d + "/titanic.csv", d + "/t.csv"]).interleave(lib.data.TextLineDataset, cycle_length=2),
    "guide_make_csv": lambda lib, d: lib.data.experimental.make_csv_dataset(
        d + "/titanic.csv", batch_size=4, label_name="survived", shuffle=False).take(2),
    "guide_make_csv_select": lambda lib, d: lib.data.experimental.make_csv_dataset(
        d + "/titanic.csv", batch_size=4, label_name="survived", shuffle=False,
        select_columns=["class", "fare", "survived"]).take(1),
    "guide_csv_types": lambda lib, d: lib.data.experimental.CsvDataset(
        d + "/titanic.csv", [getattr(lib, t) for t in TITANIC_TYPES], header=True),
    "guide_csv_select": lambda lib, d: lib.data.experimental.CsvDataset(
        d + "/titanic.csv", record_defaults=[lib.float32] * 2, header=True, select_cols=[2, 5]),
    "guide_ragged_fill": lambda lib, d: lib.data.Dataset.range(5).map(
        lambda x: lib.fill([lib.cast(x, lib.int32)], x)).ragged_batch(2),
    "text_lines": lambda lib, d: lib.data.TextLineDataset(d + "/t.txt"),
    "text_lines_skip": lambda lib, d: lib.data.TextLineDataset([d + "/t.txt"] * 2).skip(1),
    "csv_defaults": lambda lib, d: lib.data.experimental.CsvDataset(
        d + "/t.csv", [[0], [0.0], [""]], header=True),
    "csv_select": lambda lib, d: lib.data.experimental.CsvDataset(
        d + "/t.csv", [[0], [""]], header=True, select_cols=[0, 2]),
    "csv_required": lambda lib, d: lib.data.experimental.CsvDataset(
        d + "/t.csv", [lib.int32, lib.float32, lib.string], header=True),
    "make_csv": lambda lib, d: lib.data.experimental.make_csv_dataset(
        d + "/t.csv", batch_size=2, shuffle=False, num_epochs=1),
    "make_csv_label": lambda lib, d: lib.data.experimental.make_csv_dataset(
        d + "/t.csv", batch_size=2, shuffle=False, num_epochs=1, label_name="a"),
    "make_csv_bad_label": lambda lib, d: lib.data.experimental.make_csv_dataset(
        d + "/t.csv", batch_size=2, label_name="zz"),
    "choose": lambda lib, d: lib.data.Dataset.choose_from_datasets(
        [lib.data.Dataset.range(3), lib.data.Dataset.range(10, 13)],
        lib.data.Dataset.from_tensor_slices(lib.constant([0, 1, 1, 0, 0, 0], lib.int64))),
    "choose_no_stop": lambda lib, d: lib.data.Dataset.choose_from_datasets(
        [lib.data.Dataset.range(3), lib.data.Dataset.range(10, 13)],
        lib.data.Dataset.from_tensor_slices(lib.constant([0, 0, 0, 0, 1], lib.int64)),
        stop_on_empty_dataset=False),
    "choose_out_of_range": lambda lib, d: lib.data.Dataset.choose_from_datasets(
        [lib.data.Dataset.range(3)], lib.data.Dataset.from_tensor_slices(
            lib.constant([0, 5], lib.int64))),
    "choose_int32": lambda lib, d: lib.data.Dataset.choose_from_datasets(
        [lib.data.Dataset.range(3)], lib.data.Dataset.from_tensor_slices([0])),
    "group_by_window": lambda lib, d: lib.data.Dataset.range(10).group_by_window(
        key_func=lambda x: x % 2, reduce_func=lambda k, w: w.batch(3), window_size=3),
    "bucket": lambda lib, d: _seq(lib).bucket_by_sequence_length(
        lambda x: lib.shape(x)[0], bucket_boundaries=[3, 5], bucket_batch_sizes=[2, 2, 2]),
    "bucket_drop": lambda lib, d: _seq(lib).bucket_by_sequence_length(
        lambda x: lib.shape(x)[0], [3, 5], [2, 2, 2], drop_remainder=True),
    "bucket_bad_sizes": lambda lib, d: _seq(lib).bucket_by_sequence_length(
        lambda x: lib.shape(x)[0], [3, 5], [2, 2]),
    "sparse_slices": lambda lib, d: lib.data.Dataset.from_tensor_slices(_sp(lib)),
    "sparse_batch": lambda lib, d: lib.data.Dataset.from_tensor_slices(_sp(lib)).batch(2),
    "sparse_unbatch": lambda lib, d: lib.data.Dataset.from_tensor_slices(_sp(lib)).batch(
        2).unbatch(),
    "sparse_with_dense": lambda lib, d: lib.data.Dataset.from_tensor_slices(
        ([1, 2, 3], _sp(lib))).batch(2),
    "sparse_from_tensors": lambda lib, d: lib.data.Dataset.from_tensors(_sp(lib)),
    "window_tuple_map": lambda lib, d: lib.data.Dataset.from_tensor_slices(
        ([1, 2, 3], [4, 5, 6])).window(2).map(lambda a, b: b).flat_map(lambda w: w.batch(2)),
    "window_tuple_take": lambda lib, d: lib.data.Dataset.from_tensor_slices(
        ([1, 2, 3], [4, 5, 6])).window(2).take(1).flat_map(
            lambda a, b: lib.data.Dataset.zip((a, b))),
}


@pytest.mark.parametrize("name", sorted(PIPELINES))
def test_pipeline(rtf, files, name):
    assert _run(PIPELINES[name], tf, files) == _run(PIPELINES[name], rtf, files)


def test_spec_value_types(rtf):
    for lib in (tf, rtf):
        sp = lib.SparseTensor(indices=[[0, 0]], values=[1], dense_shape=[2, 2])
        names = (lib.data.Dataset.from_tensors(sp).element_spec.value_type.__name__,
                 lib.TensorSpec([2]).value_type.__name__,
                 lib.RaggedTensorSpec([None, None], lib.int32).value_type.__name__)
        assert names == ("SparseTensor", "Tensor", "RaggedTensor")


def test_save_load_round_trip_each_own_format(rtf, tmp_path):
    out = []
    for name, lib in (("tp", tf), ("tf", rtf)):
        ds = lib.data.Dataset.from_tensor_slices(({"a": [1, 2, 3]}, [b"x", b"y", b"zz"]))
        ds.save(str(tmp_path / name))
        back = lib.data.Dataset.load(str(tmp_path / name))
        out.append((repr(back.element_spec), repr(list(back.as_numpy_iterator()))))
    assert out[0] == out[1]


def test_tfrecord_dataset_of_examples(rtf, tmp_path):
    p = str(tmp_path / "ex.tfrecord")
    with rtf.io.TFRecordWriter(p) as w:
        for i in range(4):
            w.write(rtf.train.Example(features=rtf.train.Features(feature={
                "x": rtf.train.Feature(float_list=rtf.train.FloatList(value=[i, i + 0.5])),
                "y": rtf.train.Feature(int64_list=rtf.train.Int64List(value=[i]))})
            ).SerializeToString())
    res = []
    for lib in (tf, rtf):
        spec = {"x": lib.io.FixedLenFeature([2], lib.float32),
                "y": lib.io.FixedLenFeature([], lib.int64)}
        ds = lib.data.TFRecordDataset(p).batch(2).map(lambda s: lib.io.parse_example(s, spec))
        res.append(repr(list(ds.as_numpy_iterator())))
    assert res[0] == res[1]


def test_sample_from_datasets_semantics(rtf):
    for lib in (tf, rtf):
        ds = lib.data.Dataset.sample_from_datasets(
            [lib.data.Dataset.range(3), lib.data.Dataset.range(10, 13)], seed=1)
        out = list(ds.as_numpy_iterator())
        assert sorted(out) == [0, 1, 2, 10, 11, 12]
        assert int(ds.cardinality()) == -2
        assert repr(ds) == ("<_DirectedInterleaveDataset element_spec=TensorSpec(shape=(), "
                            "dtype=tf.int64, name=None)>")
        only = lib.data.Dataset.sample_from_datasets(
            [lib.data.Dataset.range(3), lib.data.Dataset.range(10, 13)], weights=[0.0, 1.0])
        assert list(only.as_numpy_iterator()) == [10, 11, 12]
