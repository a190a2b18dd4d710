"""tf.constant / tf.convert_to_tensor: TensorFlow's conversion and dtype rules."""
import numpy as np
import pytest

import tapeflow as tf


@pytest.mark.parametrize("value,dtype", [
    (1.5, tf.float32), (3, tf.int32), (True, tf.bool), (2**31, tf.int64),
    (-2**31, tf.int32), (-2**31 - 1, tf.int64), ([1, 2.5], tf.float32),
    ([1, 2**40], tf.int64), ([[1, 2], [3, 4]], tf.int32), ([], tf.float32),
    (np.array([1, 2]), tf.int64), (np.array([1.0]), tf.float64),
    (np.float64(1.0), tf.float64), (np.float32(1.0), tf.float32), (np.int64(3), tf.int64),
    (np.ones(2, np.uint8), tf.uint8), ((1.0, 2.0), tf.float32), (1 + 2j, tf.complex128),
    ("ab", tf.string),
])
def test_default_dtypes(value, dtype):
    assert tf.constant(value).dtype is dtype
    assert tf.convert_to_tensor(value).dtype is dtype


def test_values_survive():
    assert tf.constant(2**31).numpy() == 2**31
    assert tf.constant([[1, 2], [3, 4]]).numpy().tolist() == [[1, 2], [3, 4]]
    assert tf.constant((1.0, 2.0)).shape == (2,)


def test_requested_dtype():
    assert tf.constant(1, dtype=tf.float32).numpy() == 1.0
    assert tf.constant([1, 2], dtype="float64").dtype is tf.float64
    assert tf.constant(np.array([1.5, 2.5]), dtype=tf.float32).dtype is tf.float32
    assert tf.constant(np.float64(2.0), dtype=tf.float16).dtype is tf.float16
    with pytest.raises(TypeError, match="Cannot convert 3.0 to EagerTensor of dtype int32"):
        tf.constant(3.0, dtype=tf.int32)  # even integral Python floats


@pytest.mark.parametrize("value,dtype", [
    (1.5, tf.int32), ([1.0, 2.5], tf.int64), (1 + 2j, tf.float32), ([1, 0], tf.bool),
    (1.0, tf.bool), ("a", tf.int32), ([1, 2], tf.string),
])
def test_lossy_python_conversion_raises_type_error(value, dtype):
    with pytest.raises(TypeError, match="to EagerTensor of dtype"):
        tf.constant(value, dtype=dtype)


@pytest.mark.parametrize("value,dtype,expected", [
    (300, tf.uint8, 44), (-1, tf.uint32, 4294967295), (2**31, tf.int32, -2**31),
    ([2**40], tf.int32, [0]),
])
def test_python_ints_out_of_range_wrap(value, dtype, expected):
    # TensorFlow 2.21: tf.constant(300, dtype=tf.uint8) -> 44
    np.testing.assert_array_equal(tf.constant(value, dtype=dtype).numpy(), expected)


def test_python_ints_beyond_64_bits_and_mixed_sequences_raise_value_error():
    with pytest.raises(ValueError, match="out-of-range integer"):
        tf.constant(2**70)
    with pytest.raises(ValueError, match="out-of-range integer"):
        tf.constant([2**63], dtype=tf.int64)
    with pytest.raises(ValueError, match="mixed types"):
        tf.constant([1, "a"])


def test_numpy_values_are_cast_like_numpy():
    # TensorFlow: tf.constant(np.array([1.5, 2.7]), dtype=tf.int32) -> [1, 2]
    np.testing.assert_array_equal(tf.constant(np.array([1.5, 2.7]), dtype=tf.int32), [1, 2])
    assert tf.convert_to_tensor(np.float64(2.5), dtype=tf.int64).numpy() == 2
    assert tf.constant(np.array(["a"]), dtype=tf.string).numpy().tolist() == [b"a"]


def test_tensor_with_other_dtype_raises_value_error():
    with pytest.raises(ValueError, match="requested dtype float64 for Tensor with dtype "
                       "float32"):
        tf.convert_to_tensor(tf.constant(1.0), dtype=tf.float64)
    t = tf.constant([1.0])
    assert tf.convert_to_tensor(t) is t and tf.convert_to_tensor(t, tf.float32) is t


def test_dtype_hint_is_only_a_hint():
    assert tf.convert_to_tensor(1, dtype_hint=tf.float32).dtype is tf.float32
    assert tf.convert_to_tensor(1.5, dtype_hint=tf.int32).dtype is tf.float32
    assert tf.convert_to_tensor(np.array([1, 2]), dtype_hint=tf.float32).dtype is tf.int64


def test_unsupported_values_raise_value_error():
    for bad in (None, {"a": 1}, [[1, 2], [3]], object()):
        with pytest.raises(ValueError):
            tf.constant(bad)


def test_lists_of_tensors_are_packed():
    t = tf.constant([tf.constant(1.0), 2.0, tf.constant(3.0)])
    assert t.dtype is tf.float32 and t.numpy().tolist() == [1.0, 2.0, 3.0]
    rows = tf.convert_to_tensor([tf.constant([1, 2]), tf.constant([3, 4])])
    assert rows.shape == (2, 2) and rows.dtype is tf.int32


def test_variables_and_indexed_slices_convert():
    v = tf.Variable([1.0, 2.0])
    t = tf.convert_to_tensor(v)
    assert type(t) is tf.Tensor and t.numpy().tolist() == [1.0, 2.0]
    s = tf.IndexedSlices(tf.constant([[1.0, 1.0], [2.0, 2.0]]), tf.constant([0, 0]),
                         tf.constant([3, 2]))
    assert tf.convert_to_tensor(s).numpy().tolist() == [[3, 3], [0, 0], [0, 0]]


def test_numpy_array_is_not_aliased_by_ops():
    a = np.array([1.0, 2.0], dtype=np.float32)
    t = tf.constant(a) * 2.0
    a[0] = 100.0
    assert t.numpy().tolist() == [2.0, 4.0]


def test_binary_op_dtype_rules():
    f = tf.constant([1.0, 2.0])
    assert (f + 1).dtype is tf.float32 and (1 + f).dtype is tf.float32
    assert (tf.constant([1, 2]) * 2).dtype is tf.int32
    assert (f + np.ones(2)).dtype is tf.float32  # an ndarray takes the tensor's dtype
    with pytest.raises(tf.errors.InvalidArgumentError):
        f + tf.constant([1.0, 2.0], tf.float64)
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.constant([1, 2]) + tf.constant([1.0, 2.0])
    with pytest.raises((tf.errors.InvalidArgumentError, TypeError)):
        tf.constant([1, 2]) + 1.5


def test_cast_truncates_and_wraps():
    assert tf.cast(tf.constant([1.7, -1.7]), tf.int32).numpy().tolist() == [1, -1]
    assert tf.cast(tf.constant(300), tf.uint8).numpy() == 44
    assert tf.cast(tf.constant([0, 2]), tf.bool).numpy().tolist() == [False, True]


def test_linspace_float64_and_one_hot_rows():
    assert tf.linspace(0, 1, 3).dtype is tf.float64
    assert tf.linspace(0, 1, 3).numpy().tolist() == [0.0, 0.5, 1.0]
    assert tf.one_hot([-1, 2], 2).numpy().tolist() == [[0.0, 0.0], [0.0, 0.0]]


def test_strings_are_utf8_bytes():
    t = tf.constant("ab")
    assert t.dtype is tf.string and t.numpy() == b"ab"
    assert str(t) == "tf.Tensor(b'ab', shape=(), dtype=string)"
    assert repr(t) == "<tf.Tensor: shape=(), dtype=string, numpy=b'ab'>"
    v = tf.constant(["a", "\u00e9"])
    assert v.numpy().tolist() == [b"a", b"\xc3\xa9"]
    assert repr(v) == ("<tf.Tensor: shape=(2,), dtype=string, numpy=array([b'a', "
                       "b'\\xc3\\xa9'], dtype=object)>")
    assert tf.constant(np.array(["x", "yz"])).numpy().tolist() == [b"x", b"yz"]
    assert tf.constant(b"raw").numpy() == b"raw"
    assert tf.constant(["q"], dtype=tf.string).numpy().tolist() == [b"q"]


def test_constant_of_a_tensor_keeps_its_dtype():
    t = tf.constant([1.0, 2.0])
    assert tf.constant(t) is t or tf.constant(t).numpy().tolist() == [1.0, 2.0]
    assert tf.constant(t, dtype=tf.float32).dtype is tf.float32
    with pytest.raises(TypeError, match="Expected tensor .* with dtype tf.float64, but got "
                       "dtype tf.float32"):
        tf.constant(t, dtype=tf.float64)


def test_string_lists_keep_trailing_nul_bytes():
    # NumPy's fixed-width "S"/"U" dtypes drop trailing NULs; binary data must survive
    import tapeflow as tf_
    assert tf_.constant([b"\x01\x00"]).numpy().tolist() == [b"\x01\x00"]
    assert tf_.constant([[b"a\x00"], [b"b"]]).numpy().tolist() == [[b"a\x00"], [b"b"]]
    assert tf_.constant(["x", "y\x00"]).numpy().tolist() == [b"x", b"y\x00"]
    assert tf_.convert_to_tensor([b"a\x00"], dtype=tf_.string).numpy().tolist() == [b"a\x00"]


def test_ragged_list_message_is_tensorflows():
    import pytest
    import tapeflow as tf_
    with pytest.raises(ValueError) as e:
        tf_.constant([[0, 1, 2, 3], [4, 5]])
    assert str(e.value) == "Can't convert non-rectangular Python sequence to Tensor."
