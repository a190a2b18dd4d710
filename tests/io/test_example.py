"""tf.train.Example and its parts: protobuf's wire format and Python surface (expected
bytes and text were produced by TensorFlow 2.21's protobuf)."""
import numpy as np
import pytest

import tapeflow as tf
from tapeflow.io.wire import DecodeError


def _float_example():
    return tf.train.Example(features=tf.train.Features(feature={
        "a": tf.train.Feature(float_list=tf.train.FloatList(value=[1.0, 2.0]))}))


def test_bytes_match_protobuf():
    assert _float_example().SerializeToString().hex() == \
        "0a130a110a0161120c120a0a080000803f00000040"
    assert tf.train.Int64List(value=[-1]).SerializeToString() == \
        b"\n\n\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01"
    assert tf.train.Feature(int64_list=tf.train.Int64List(value=[])).SerializeToString() == \
        b"\x1a\x00"
    assert tf.train.Features(feature={"a": tf.train.Feature()}).SerializeToString() == \
        b"\n\x05\n\x01a\x12\x00"


def test_round_trip_and_equality():
    ex = tf.train.Example(features=tf.train.Features(feature={
        "b": tf.train.Feature(bytes_list=tf.train.BytesList(value=[b"ab", b"\x00"])),
        "i": tf.train.Feature(int64_list=tf.train.Int64List(value=[1, -1, 2**62])),
        "f": tf.train.Feature(float_list=tf.train.FloatList(value=[0.5]))}))
    back = tf.train.Example.FromString(ex.SerializeToString())
    assert back == ex
    assert list(back.features.feature["i"].int64_list.value) == [1, -1, 2**62]
    assert back.features.feature["b"].WhichOneof("kind") == "bytes_list"
    other = tf.train.Example()
    assert other.ParseFromString(ex.SerializeToString()) == len(ex.SerializeToString())
    assert other == ex and other != _float_example()


def test_text_format():
    assert str(_float_example()) == ('features {\n  feature {\n    key: "a"\n    value {\n'
                                     '      float_list {\n        value: 1\n        value: 2\n'
                                     '      }\n    }\n  }\n}\n')
    fl = tf.train.FloatList(value=[0.1, 1e20, 123456789.0, float("nan"), -0.0])
    assert str(fl) == ("value: 0.1\nvalue: 1e+20\nvalue: 123456792\nvalue: nan\n"
                       "value: -0\n")
    assert str(tf.train.BytesList(value=[b"a\x00\xff\n'\""])) == \
        'value: "a\\000\\377\\n\\\'\\""\n'
    assert str(tf.train.Example()) == ""


def test_presence_follows_protobuf():
    f = tf.train.Feature()
    f.bytes_list  # reading does not set the oneof
    assert f.WhichOneof("kind") is None and f.SerializeToString() == b""
    f.bytes_list.value.append(b"x")
    assert f.WhichOneof("kind") == "bytes_list"
    f.int64_list.value.append(3)  # setting another member clears the first
    assert f.WhichOneof("kind") == "int64_list" and not f.HasField("bytes_list")
    ex = tf.train.Example()
    ex.features.feature["k"].float_list.value.extend([1.0, 2.0])
    assert ex.HasField("features") and ex == _float_example().__class__.FromString(
        ex.SerializeToString())


def test_values_are_checked_like_protobuf():
    assert list(tf.train.FloatList(value=[0.1]).value) == [float(np.float32(0.1))]
    assert list(tf.train.Int64List(value=np.array([1, 2])).value) == [1, 2]
    with pytest.raises(TypeError, match="cannot be interpreted as an integer"):
        tf.train.Int64List(value=[1.5])
    with pytest.raises(TypeError, match="got a boolean"):
        tf.train.Int64List(value=[True])
    with pytest.raises(ValueError, match="Value out of range"):
        tf.train.Int64List(value=[2**63])
    with pytest.raises(TypeError, match="expected bytes, str found"):
        tf.train.BytesList(value=["a"])
    with pytest.raises(ValueError, match='has no "foo" field'):
        tf.train.Example(foo=1)
    with pytest.raises(AttributeError):
        tf.train.Example().features = tf.train.Features()


def test_corrupt_bytes():
    with pytest.raises(DecodeError, match="Error parsing message with type "
                                          "'tensorflow.Example'"):
        tf.train.Example.FromString(b"\xff\xff")


def test_unpacked_repeated_numbers_are_accepted():
    # proto2 writers may emit repeated numbers unpacked: one tagged value each
    raw = b"\x08\x05\x08\x06"
    assert list(tf.train.Int64List.FromString(raw).value) == [5, 6]
    raw = b"\x0d" + np.float32(1.5).tobytes()
    assert list(tf.train.FloatList.FromString(raw).value) == [1.5]


def test_sequence_example_round_trip():
    se = tf.train.SequenceExample(
        context=tf.train.Features(feature={"c": tf.train.Feature(
            int64_list=tf.train.Int64List(value=[1]))}),
        feature_lists=tf.train.FeatureLists(feature_list={"s": tf.train.FeatureList(feature=[
            tf.train.Feature(float_list=tf.train.FloatList(value=[1.0])),
            tf.train.Feature(float_list=tf.train.FloatList(value=[2.0]))])}))
    back = tf.train.SequenceExample.FromString(se.SerializeToString())
    assert back == se
    assert len(back.feature_lists.feature_list["s"].feature) == 2
