"""tf.strings extras and string + (expected values from TensorFlow 2.21)."""
import pytest

import tapeflow as tf


def test_string_add():
    assert tf.constant("a") + tf.constant("b") == b"ab"
    assert (tf.constant(["a", "b"]) + "c").numpy().tolist() == [b"ac", b"bc"]
    assert ("c" + tf.constant(["a", "b"])).numpy().tolist() == [b"ca", b"cb"]


def test_bytes_split_and_unicode():
    assert tf.strings.bytes_split("hello").numpy().tolist() == [b"h", b"e", b"l", b"l", b"o"]
    assert tf.strings.bytes_split(["hi", "a"]).to_list() == [[b"h", b"i"], [b"a"]]
    cps = tf.strings.unicode_decode("héllo", "UTF-8")
    assert cps.dtype == tf.int32 and cps.numpy().tolist() == [104, 233, 108, 108, 111]
    assert tf.strings.unicode_decode(["héllo", "ab"], "UTF-8").to_list()[1] == [97, 98]
    assert tf.strings.unicode_decode(b"\xff", "UTF-8").numpy().tolist() == [65533]
    with pytest.raises(tf.errors.InvalidArgumentError, match="Invalid formatting"):
        tf.strings.unicode_decode(b"\xff", "UTF-8", errors="strict")
    assert tf.strings.unicode_encode([104, 233, 108], "UTF-8").numpy() == "hél".encode()
    assert tf.strings.unicode_encode(tf.ragged.constant([[104, 233], [108]]), "UTF-8") \
        .numpy().tolist() == ["hé".encode(), b"l"]
    assert tf.strings.unicode_encode([104, 0x110000], "UTF-8").numpy() == b"h\xef\xbf\xbd"
    assert tf.strings.unicode_transcode(["hé"], "UTF-8", "UTF-16-BE").numpy().tolist() == [
        b"\x00h\x00\xe9"]
    cps, offs = tf.strings.unicode_decode_with_offsets("héllo", "UTF-8")
    assert offs.numpy().tolist() == [0, 1, 3, 4, 5]


def test_hash_buckets():
    assert tf.strings.to_hash_bucket_fast(["hello", "world"], 100).numpy().tolist() == [96, 98]
    assert tf.strings.to_hash_bucket_strong(["hello", "world"], 100, key=[1, 2]) \
        .numpy().tolist() == [22, 90]


def test_format_as_string_segment_join():
    assert tf.strings.format("x={} y={}", [1, tf.constant([1.5, 2.0])]).numpy() == \
        b"x=1 y=[1.5 2]"
    assert tf.strings.format("{}", tf.constant([[1, 2], [3, 4]])).numpy() == b"[[1 2]\n [3 4]]"
    assert tf.strings.format("{}", tf.range(20)).numpy() == b"[0 1 2 ... 17 18 19]"
    with pytest.raises(ValueError, match="The template expects 1 tensors"):
        tf.strings.format("{}", [1, 2])
    assert tf.strings.as_string([1.5, 2.25]).numpy().tolist() == [b"1.500000", b"2.250000"]
    assert tf.strings.as_string([1, 22], width=4, fill="0").numpy().tolist() == [b"0001",
                                                                               b"0022"]
    assert tf.strings.as_string([True]).numpy().tolist() == [b"true"]
    assert tf.strings.as_string(3.0, scientific=True).numpy() == b"3.000000e+00"
    assert tf.strings.unsorted_segment_join(["a", "b", "c"], [0, 1, 0], 2, separator=",") \
        .numpy().tolist() == [b"a,c", b"b"]


def test_unicode_split_with_offsets():
    chars, offsets = tf.strings.unicode_split_with_offsets(["héllo", "ab"], "UTF-8")
    assert chars.to_list() == [[b"h", b"\xc3\xa9", b"l", b"l", b"o"], [b"a", b"b"]]
    assert offsets.to_list() == [[0, 1, 3, 4, 5], [0, 1]]
    chars, offsets = tf.strings.unicode_split_with_offsets("héllo", "UTF-8")
    assert offsets.dtype == tf.int64 and offsets.numpy().tolist() == [0, 1, 3, 4, 5]
