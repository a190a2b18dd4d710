"""tf.io.decode_csv (expected values and messages from TensorFlow 2.21)."""
import pytest

import tapeflow as tf


def test_columns_and_defaults():
    a, b, c = tf.io.decode_csv(["1,2.5,a", "3,,b"], record_defaults=[[0], [1.0], ["x"]])
    assert (a.dtype, b.dtype, c.dtype) == (tf.int32, tf.float32, tf.string)
    assert a.numpy().tolist() == [1, 3] and b.numpy().tolist() == [2.5, 1.0]
    assert c.numpy().tolist() == [b"a", b"b"]


def test_quoting_delim_select_na():
    a, b = tf.io.decode_csv(['"a,b",c', '"x""y",z'], record_defaults=[[""], [""]])
    assert a.numpy().tolist() == [b"a,b", b'x"y']
    x, y = tf.io.decode_csv("1;2", [[0], [0]], field_delim=";")
    assert x.shape == () and int(y) == 2
    x, z = tf.io.decode_csv(["1,2,3"], [[0], [0]], select_cols=[0, 2])
    assert z.numpy().tolist() == [3]
    n, _ = tf.io.decode_csv(["NA,1"], [[5], [0]], na_value="NA")
    assert n.numpy().tolist() == [5]


def test_errors():
    with pytest.raises(tf.errors.InvalidArgumentError, match="Expect 1 fields but have 2 in "
                                                             "record 0"):
        tf.io.decode_csv(["1,2"], record_defaults=[[0]])
    with pytest.raises(tf.errors.InvalidArgumentError, match="Field 1 in record 0 is not a "
                                                             "valid int32: a"):
        tf.io.decode_csv(["1,a"], record_defaults=[[0], [0]])
    with pytest.raises(tf.errors.InvalidArgumentError, match="Field 1 is required but missing"):
        tf.io.decode_csv(["1,"], record_defaults=[[0], tf.constant([], tf.int32)])
    with pytest.raises(ValueError, match="Length of select_cols and record_defaults"):
        tf.io.decode_csv(["1,2,3"], [[0], [0], [0]], select_cols=[0, 2])
