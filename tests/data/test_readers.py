"""CsvDataset and make_csv_dataset (expected values from TensorFlow 2.21)."""
import collections

import pytest

import tapeflow as tf


@pytest.fixture
def csv_path(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text('a,b,c\n1,2.5,x\n2,,y\n3,4,"z,w"\n')
    return str(p)


def test_csv_dataset(csv_path):
    ds = tf.data.experimental.CsvDataset(csv_path, [[0], [0.0], [""]], header=True)
    assert repr(ds) == ("<CsvDatasetV2 element_spec=(TensorSpec(shape=(), dtype=tf.int32, "
                        "name=None), TensorSpec(shape=(), dtype=tf.float32, name=None), "
                        "TensorSpec(shape=(), dtype=tf.string, name=None))>")
    assert list(ds.as_numpy_iterator()) == [(1, 2.5, b"x"), (2, 0.0, b"y"), (3, 4.0, b"z,w")]
    sel = tf.data.experimental.CsvDataset(csv_path, [[0], [""]], header=True,
                                          select_cols=[0, 2])
    assert list(sel.as_numpy_iterator())[2] == (3, b"z,w")
    required = tf.data.experimental.CsvDataset(csv_path, [tf.int32, tf.float32, tf.string],
                                               header=True)
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match="Field 1 is required but missing in record!"):
        list(required)


def test_make_csv_dataset(csv_path):
    ds = tf.data.experimental.make_csv_dataset(csv_path, batch_size=2, shuffle=False,
                                               num_epochs=1, label_name="a")
    feats, label = ds.element_spec
    assert isinstance(feats, collections.OrderedDict) and list(feats) == ["b", "c"]
    assert (feats["b"].dtype, feats["c"].dtype, label.dtype) == (tf.float32, tf.string,
                                                                 tf.int32)
    batches = list(ds.as_numpy_iterator())
    assert [b[1].tolist() for b in batches] == [[1, 2], [3]]
    assert batches[0][0]["b"].tolist() == [2.5, 0.0]
    with pytest.raises(ValueError, match="`label_name` provided must be one of the columns"):
        tf.data.experimental.make_csv_dataset(csv_path, batch_size=2, label_name="zz")


def test_make_csv_dataset_repeats_and_shuffles(csv_path):
    ds = tf.data.experimental.make_csv_dataset(csv_path, batch_size=3, num_epochs=2,
                                               shuffle_seed=1)
    rows = sorted(v for b in ds.as_numpy_iterator() for v in b["a"].tolist())
    assert rows == [1, 1, 2, 2, 3, 3]


def test_experimental_tfrecord_writer(tmp_path):
    p = str(tmp_path / "d.tfrecord")
    ds = tf.data.Dataset.from_tensor_slices([b"a", b"bc", b""])
    tf.data.experimental.TFRecordWriter(p, "GZIP").write(ds)
    assert list(tf.data.TFRecordDataset(p, "GZIP").as_numpy_iterator()) == [b"a", b"bc", b""]
    with pytest.raises(TypeError, match="scalar `DT_STRING`"):
        tf.data.experimental.TFRecordWriter(p).write(tf.data.Dataset.range(3))


def test_make_csv_dataset_forever_drops_the_remainder(csv_path):
    # num_epochs=None repeats forever, so batches are all full (TensorFlow: static batch size)
    ds = tf.data.experimental.make_csv_dataset(csv_path, batch_size=2, shuffle=False)
    assert ds.element_spec["a"].shape == (2,)
    assert [b["a"].tolist() for b in ds.take(2).as_numpy_iterator()] == [[1, 2], [3, 1]]
    assert tf.data.Dataset.from_tensors(tf.SparseTensor([[0]], [1], [2])).element_spec \
        .value_type is tf.SparseTensor
