"""io/example_decode.py: serialized tf.train.Example / SequenceExample straight to values."""
import numpy as np
import pytest

import tapeflow as tf
from tapeflow.io import example_decode
from tapeflow.io.wire import DecodeError


def _example():
    return tf.train.Example(features=tf.train.Features(feature={
        "i": tf.train.Feature(int64_list=tf.train.Int64List(value=[1, -2])),
        "f": tf.train.Feature(float_list=tf.train.FloatList(value=[0.5])),
        "s": tf.train.Feature(bytes_list=tf.train.BytesList(value=[b"ab"]))}))


def test_decode_features_kinds_and_values():
    out = example_decode.decode_features(_example().SerializeToString())
    assert out["i"][0] == "int64_list" and list(out["i"][1]) == [1, -2]
    assert out["f"][0] == "float_list"
    np.testing.assert_array_equal(out["f"][1], np.array([0.5], np.float32))
    assert out["s"][0] == "bytes_list" and list(out["s"][1]) == [b"ab"]


def test_truncated_bytes_raise_decode_error():
    raw = _example().SerializeToString()
    with pytest.raises(DecodeError):
        example_decode.decode_features(raw[:-3])
