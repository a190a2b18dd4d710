"""tf.Variable vs keras.Variable, names under tf.name_scope, sliced assignment errors."""
import numpy as np
import pytest

import tapeflow as tf
from tapeflow import keras


def test_keras_variable_is_not_a_tf_variable_but_works_like_one():
    kv = keras.Variable(np.ones((2,), "float32"))
    assert not isinstance(kv, tf.Variable)           # Keras 3 + TF 2.21
    assert isinstance(tf.Variable(1.0), tf.Variable)
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(kv * kv)
    np.testing.assert_array_equal(tape.gradient(y, kv).numpy(), [2.0, 2.0])
    kv.assign([3.0, 4.0])
    np.testing.assert_array_equal((kv + 1).numpy(), [4.0, 5.0])


def test_keras_variable_names_ignore_tf_name_scope():
    with tf.name_scope("outer"):
        assert tf.Variable(1.0, name="w").name == "outer/w:0"
        assert keras.Variable(1.0, name="w").name == "w"


def test_sliced_assign_of_wrong_shape_raises_invalid_argument_and_keeps_value():
    v = tf.Variable([1.0, 2.0, 3.0])
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"Cannot broadcast input shape \[3\] into final shape \[2\]"):
        v[0:2].assign([1.0, 2.0, 3.0])
    np.testing.assert_array_equal(v.numpy(), [1.0, 2.0, 3.0])
    v[0:2].assign(5.0)  # a scalar broadcasts
    np.testing.assert_array_equal(v.numpy(), [5.0, 5.0, 3.0])


def test_non_persistent_tape_refuses_a_jacobian_after_gradient():
    x = tf.Variable(2.0)
    with tf.GradientTape() as tape:
        y = x * x
    tape.gradient(y, x)
    with pytest.raises(RuntimeError, match="A non-persistent GradientTape can only be used to "
                                           "compute one set of gradients"):
        tape.jacobian(y, x)
