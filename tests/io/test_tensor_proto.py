"""tf.io.serialize_tensor / parse_tensor (expected bytes from TensorFlow 2.21)."""
import numpy as np
import pytest

import tapeflow as tf

CASES = [
    (lambda: tf.constant([[1.0, 2.0], [3.0, 4.0]]),
     "08011208120208021202080222100000803f000000400000404000008040"),
    (lambda: tf.constant(3), "08031200220403000000"),
    (lambda: tf.constant([b"a", b"bc"]), "080712041202080242016142026263"),
    (lambda: tf.constant([True, False]), "080a12041202080222020100"),
    (lambda: tf.constant(1.5, tf.float16), "081312002202003e"),
    (lambda: tf.constant([], tf.int64), "080912021200"),
]


@pytest.mark.parametrize("make, hexbytes", CASES)
def test_bytes_and_round_trip(make, hexbytes):
    t = make()
    s = tf.io.serialize_tensor(t)
    assert s.dtype == tf.string and s.shape == ()
    assert s.numpy().hex() == hexbytes
    back = tf.io.parse_tensor(s, t.dtype)
    assert back.dtype == t.dtype and back.shape == t.shape
    assert np.array_equal(back.numpy(), t.numpy())


def test_typed_value_fields_fill_like_tensorflow():
    # dtype int32, shape [3], int_val: [7] -> [7, 7, 7]
    proto = b"\x08\x03" + b"\x12\x04\x12\x02\x08\x03" + b"\x3a\x01\x07"
    assert tf.io.parse_tensor(proto, tf.int32).numpy().tolist() == [7, 7, 7]


def test_errors():
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"Type mismatch between parsed tensor \(float\) and dtype \(int32\)"):
        tf.io.parse_tensor(tf.io.serialize_tensor([1.0]), tf.int32)
    with pytest.raises(tf.errors.InvalidArgumentError, match="base64: /w=="):
        tf.io.parse_tensor(b"\xff", tf.int32)


def test_decode_raw():
    out = tf.io.decode_raw(tf.constant([b"\x01\x00\x02\x00", b"\x03\x00\x04\x00"]), tf.int16)
    assert out.dtype == tf.int16 and out.numpy().tolist() == [[1, 2], [3, 4]]
    assert tf.io.decode_raw(b"\x00\x00\x00\x01", tf.int32, little_endian=False).numpy() \
        .tolist() == [1]
    with pytest.raises(tf.errors.InvalidArgumentError, match="same size"):
        tf.io.decode_raw([b"\x01\x00", b"\x01"], tf.int16)
    with pytest.raises(tf.errors.InvalidArgumentError, match="not a multiple of 2"):
        tf.io.decode_raw([b"\x01\x00\x01"], tf.int16)


def test_base64_web_safe():
    enc = tf.io.encode_base64([b"hello?>", b""])
    assert enc.numpy().tolist() == [b"aGVsbG8_Pg", b""]
    assert tf.io.encode_base64([b"hello?>"], pad=True).numpy().tolist() == [b"aGVsbG8_Pg=="]
    assert tf.io.decode_base64(enc).numpy().tolist() == [b"hello?>", b""]
    with pytest.raises(tf.errors.InvalidArgumentError, match="Invalid character"):
        tf.io.decode_base64([b"a+b/"])
