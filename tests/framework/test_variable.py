"""tf.Variable: creation, text, assignment (whole, sliced, failed), reads and tapes."""
import numpy as np
import pytest

import tapeflow as tf


def test_repr_and_str():
    v = tf.Variable([[1.0, 2.0], [3.0, 4.0]])
    expect = ("<tf.Variable 'Variable:0' shape=(2, 2) dtype=float32, numpy=\n"
              "array([[1., 2.],\n"
              "       [3., 4.]], dtype=float32)>")
    assert repr(v) == expect
    assert str(v) == expect


def test_scalar_repr():
    assert repr(tf.Variable(3.0)) == \
        "<tf.Variable 'Variable:0' shape=() dtype=float32, numpy=3.0>"
    assert repr(tf.Variable(1)) == "<tf.Variable 'Variable:0' shape=() dtype=int32, numpy=1>"


def test_names():
    assert tf.Variable(1.0).name == "Variable:0"
    assert tf.Variable(1.0, name="w").name == "w:0"
    assert repr(tf.Variable([1.0], name="w")).startswith("<tf.Variable 'w:0' shape=(1,)")


def test_dtypes_and_shape():
    assert tf.Variable(1).dtype == tf.int32
    assert tf.Variable(1.0).dtype == tf.float32
    assert tf.Variable(np.zeros(2)).dtype == tf.float64
    assert tf.Variable([1, 2], dtype=tf.float32).dtype == tf.float32
    v = tf.Variable(tf.zeros((3, 1)))
    assert v.shape == tf.TensorShape([3, 1])
    assert v.trainable
    assert not tf.Variable(1.0, trainable=False).trainable


def test_initial_value_callable_and_missing():
    assert float(tf.Variable(lambda: 5.0)) == 5.0
    with pytest.raises(ValueError):
        tf.Variable()


def test_assign_returns_variable_view():
    v = tf.Variable(tf.zeros((3, 1)))
    r = v.assign(tf.ones((3, 1)))
    assert repr(r) == ("<tf.Variable 'UnreadVariable' shape=(3, 1) dtype=float32, numpy=\n"
                       "array([[1.],\n       [1.],\n       [1.]], dtype=float32)>")
    np.testing.assert_array_equal(v.numpy(), np.ones((3, 1)))


def test_assign_add_sub():
    v = tf.Variable(tf.ones((3, 1)))
    r = v.assign_add(tf.ones((3, 1)))
    assert "numpy=\narray([[2.],\n       [2.],\n       [2.]], dtype=float32)>" in repr(r)
    v.assign_sub(tf.ones((3, 1)))
    np.testing.assert_array_equal(v.numpy(), np.ones((3, 1)))
    # the returned view stays chained to the variable
    v.assign(tf.zeros((3, 1))).assign_add(tf.ones((3, 1)) * 3.0)
    np.testing.assert_array_equal(v.numpy(), np.full((3, 1), 3.0))


def test_read_value_false_returns_none():
    v = tf.Variable([1.0, 2.0])
    assert v.assign([3.0, 4.0], read_value=False) is None
    assert v.assign_add([1.0, 1.0], read_value=False) is None
    assert v.assign_sub([1.0, 1.0], read_value=False) is None
    np.testing.assert_array_equal(v.numpy(), [3.0, 4.0])


def test_sliced_assign():
    v = tf.Variable(tf.ones((3, 1)))
    r = v[0, 0].assign(9.0)
    assert repr(r).startswith("<tf.Variable 'UnreadVariable' shape=(3, 1)")
    np.testing.assert_array_equal(v.numpy(), [[9.0], [1.0], [1.0]])
    v[1:].assign([[5.0], [6.0]])
    np.testing.assert_array_equal(v.numpy(), [[9.0], [5.0], [6.0]])
    v[0, 0].assign(9)  # a Python int into a float variable
    assert v.numpy()[0, 0] == 9.0


def test_wrong_shape_assign_raises_and_keeps_value():
    v = tf.Variable([1.0, 2.0])
    with pytest.raises(ValueError) as e:
        v.assign([1.0, 2.0, 3.0])
    assert str(e.value) == (
        "Cannot assign value to variable ' Variable:0': Shape mismatch.The variable shape "
        "(2,), and the assigned value shape (3,) are incompatible.")
    np.testing.assert_array_equal(v.numpy(), [1.0, 2.0])
    # assign_add/sub never broadcast, not even a scalar: TF's AssignAddVariableOp refuses
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"Cannot update variable with "
                       r"shape \[2\] using a Tensor with shape \[3\], shapes must be equal"):
        v.assign_add([1.0, 2.0, 3.0])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"shape \[\], shapes must be"):
        v.assign_sub(1.0)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"shape \[1,2\], shapes must"):
        v.assign_add([[1.0, 1.0]])
    np.testing.assert_array_equal(v.numpy(), [1.0, 2.0])


def test_wrong_dtype_assign_raises_and_keeps_value():
    v = tf.Variable([1.0, 2.0])
    with pytest.raises(ValueError):
        v.assign(tf.constant([1.0, 2.0], dtype=tf.float64))
    np.testing.assert_array_equal(v.numpy(), [1.0, 2.0])
    iv = tf.Variable([1, 2])
    with pytest.raises(TypeError):
        iv.assign([1.5, 2.5])
    np.testing.assert_array_equal(iv.numpy(), [1, 2])
    assert iv.dtype == tf.int32


def test_item_assignment_raises():
    v = tf.Variable([1.0, 2.0])
    with pytest.raises(TypeError):
        v[0] = 3.0


def test_arithmetic_returns_tensors():
    v = tf.Variable([1.0, 2.0])
    for out in (v + 1.0, 1.0 + v, v * v, v - v, -v, v / 2.0, v ** 2):
        assert type(out) is tf.Tensor
    assert type(tf.matmul(tf.Variable([[1.0]]), tf.Variable([[2.0]]))) is tf.Tensor
    np.testing.assert_array_equal((v * 2.0).numpy(), [2.0, 4.0])


def test_is_not_a_tensor_but_is_tensor_like():
    v = tf.Variable(1.0)
    assert not isinstance(v, tf.Tensor)
    assert tf.is_tensor(v)
    assert type(tf.convert_to_tensor(v)) is tf.Tensor


def test_numpy_is_a_copy():
    v = tf.Variable([1.0, 2.0])
    a = v.numpy()
    a[0] = 100.0
    assert v.numpy()[0] == 1.0


def test_assign_does_not_alias_the_source():
    src = np.array([1.0, 2.0], dtype=np.float32)
    v = tf.Variable([0.0, 0.0])
    v.assign(src)
    src[0] = 50.0
    assert v.numpy()[0] == 1.0


def test_tape_keeps_old_value_after_assign():
    v = tf.Variable(3.0)
    with tf.GradientTape() as tape:
        y = v * v
    v.assign(100.0)
    assert float(tape.gradient(y, v)) == 6.0


def test_integer_variable_not_watched():
    v = tf.Variable([1, 2])
    with tf.GradientTape() as tape:
        y = v * 2
    assert tape.watched_variables() == ()
    assert tape.gradient(y, v) is None


def test_unhashable_and_ref():
    v = tf.Variable(1.0)
    with pytest.raises(TypeError):
        hash(v)
    assert v.ref().deref() is v
    assert {v.ref(): 1}[v.ref()] == 1


def test_read_value_and_value():
    v = tf.Variable([1.0, 2.0])
    assert type(v.read_value()) is tf.Tensor
    assert type(v.value()) is tf.Tensor
    np.testing.assert_array_equal(np.asarray(v), [1.0, 2.0])


def test_set_trainable_is_the_public_switch_keras_uses():
    from tapeflow.framework.variable import set_trainable
    v = tf.Variable(1.0)
    set_trainable(v, False)
    assert v.trainable is False
    with tf.GradientTape() as tape:
        y = v * 2.0
    assert tape.gradient(y, v) is None     # not watched automatically any more
    set_trainable(v, 1)
    assert v.trainable is True
