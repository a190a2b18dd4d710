"""tf.io.parse_single_example / parse_example (expected values from TensorFlow 2.21)."""
import numpy as np
import pytest

import tapeflow as tf


def _serialized():
    return tf.train.Example(features=tf.train.Features(feature={
        "a": tf.train.Feature(int64_list=tf.train.Int64List(value=[1, 2])),
        "s": tf.train.Feature(bytes_list=tf.train.BytesList(value=[b"x"])),
        "f": tf.train.Feature(float_list=tf.train.FloatList(value=[1.0, 2.0, 3.0, 4.0]))})
    ).SerializeToString()


FEATURES = {"a": tf.io.FixedLenFeature([2], tf.int64), "s": tf.io.VarLenFeature(tf.string),
            "f": tf.io.FixedLenFeature([2, 2], tf.float32)}


def test_single():
    r = tf.io.parse_single_example(_serialized(), FEATURES)
    assert list(r) == ["s", "a", "f"]  # sparse keys first, then dense, each sorted
    assert r["a"].dtype == tf.int64 and r["a"].numpy().tolist() == [1, 2]
    assert r["f"].shape == (2, 2) and r["f"].dtype == tf.float32
    assert repr(r["s"]) == (
        "SparseTensor(indices=tf.Tensor([[0]], shape=(1, 1), dtype=int64), values=tf.Tensor("
        "[b'x'], shape=(1,), dtype=string), dense_shape=tf.Tensor([1], shape=(1,), "
        "dtype=int64))")


def test_batch():
    r = tf.io.parse_example(tf.constant([_serialized(), _serialized()]), FEATURES)
    assert r["a"].shape == (2, 2) and r["f"].shape == (2, 2, 2)
    assert r["s"].indices.numpy().tolist() == [[0, 0], [1, 0]]
    assert r["s"].dense_shape.numpy().tolist() == [2, 1]


def test_defaults_and_missing():
    r = tf.io.parse_single_example(_serialized(), {
        "zz": tf.io.FixedLenFeature([2], tf.float32, default_value=[1.0, 2.0]),
        "vv": tf.io.VarLenFeature(tf.int64)})
    assert r["zz"].numpy().tolist() == [1.0, 2.0]
    assert r["vv"].indices.shape == (0, 1) and r["vv"].dense_shape.numpy().tolist() == [0]
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"Feature: zz \(data type: float\) is required"):
        tf.io.parse_single_example(_serialized(), {"zz": tf.io.FixedLenFeature([2],
                                                                               tf.float32)})


def test_mismatches():
    with pytest.raises(tf.errors.InvalidArgumentError, match="Some int64_list slice"):
        tf.io.parse_single_example(_serialized(), {"a": tf.io.FixedLenFeature([3], tf.int64)})
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match="Data type: int64 but expected type: float"):
        tf.io.parse_single_example(_serialized(), {"a": tf.io.FixedLenFeature([2],
                                                                              tf.float32)})
    with pytest.raises(tf.errors.InvalidArgumentError, match="not in the list of allowed"):
        tf.io.parse_single_example(_serialized(), {"a": tf.io.FixedLenFeature([2], tf.int32)})


def test_in_a_dataset_pipeline(tmp_path):
    p = str(tmp_path / "d.tfrecord")
    with tf.io.TFRecordWriter(p) as w:
        for _ in range(3):
            w.write(_serialized())
    ds = tf.data.TFRecordDataset(p).map(
        lambda s: tf.io.parse_single_example(s, {"a": FEATURES["a"], "f": FEATURES["f"]}))
    got = list(ds.as_numpy_iterator())
    assert len(got) == 3 and np.array_equal(got[0]["f"], [[1, 2], [3, 4]])


def test_feature_reprs():
    assert repr(tf.io.FixedLenFeature([2], tf.int64)) == \
        "FixedLenFeature(shape=[2], dtype=tf.int64, default_value=None)"
    assert repr(tf.io.VarLenFeature(tf.int64)) == "VarLenFeature(dtype=tf.int64)"


def test_sequence_examples():
    F = tf.train
    s = F.SequenceExample(
        context=F.Features(feature={"len": F.Feature(int64_list=F.Int64List(value=[2]))}),
        feature_lists=F.FeatureLists(feature_list={
            "tok": F.FeatureList(feature=[F.Feature(int64_list=F.Int64List(value=[1, 2])),
                                          F.Feature(int64_list=F.Int64List(value=[3, 4]))]),
            "w": F.FeatureList(feature=[F.Feature(bytes_list=F.BytesList(value=[b"a"])),
                                        F.Feature(bytes_list=F.BytesList(value=[b"b", b"c"]))])})
    ).SerializeToString()
    ctx_spec = {"len": tf.io.FixedLenFeature([], tf.int64)}
    seq_spec = {"tok": tf.io.FixedLenSequenceFeature([2], tf.int64),
                "w": tf.io.VarLenFeature(tf.string)}
    ctx, seq = tf.io.parse_single_sequence_example(s, ctx_spec, seq_spec)
    assert int(ctx["len"]) == 2 and seq["tok"].numpy().tolist() == [[1, 2], [3, 4]]
    assert seq["w"].indices.numpy().tolist() == [[0, 0], [1, 0], [1, 1]]
    ctx, seq, lengths = tf.io.parse_sequence_example([s, s], ctx_spec, seq_spec)
    assert seq["tok"].shape == (2, 2, 2) and lengths["tok"].numpy().tolist() == [2, 2]
    assert seq["w"].dense_shape.numpy().tolist() == [2, 2, 2]
    with pytest.raises(tf.errors.InvalidArgumentError, match="is required"):
        tf.io.parse_single_sequence_example(
            s, sequence_features={"zz": tf.io.FixedLenSequenceFeature([2], tf.int64)})
