"""tf.custom_gradient: user gradients, several inputs, variables, nested tapes."""
import numpy as np
import pytest

import tapeflow as tf
from gradcheck import check_grads


@tf.custom_gradient
def log1pexp(x):
    e = tf.exp(x)

    def grad(dy):
        return dy * (1 - 1 / (1 + e))
    return tf.math.log(1 + e), grad


def test_stable_gradient_from_tf_docs():
    x = tf.constant(100.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = log1pexp(x)
    assert float(y) == float("inf")  # exp(100) overflows float32, as in TensorFlow
    assert float(tape.gradient(y, x)) == 1.0  # the hand-written gradient stays finite


def test_user_gradient_replaces_the_real_one():
    @tf.custom_gradient
    def clip_grad(x):
        def grad(dy):
            return tf.constant(7.0) * dy
        return x * x, grad

    x = tf.constant(3.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = clip_grad(x)
    assert float(y) == 9.0
    assert float(tape.gradient(y, x)) == 7.0


def test_two_inputs():
    @tf.custom_gradient
    def mul(a, b):
        def grad(dy):
            return dy * b * 10.0, dy * a * 100.0
        return a * b, grad

    a = tf.constant(2.0)
    b = tf.constant(3.0)
    with tf.GradientTape() as tape:
        tape.watch([a, b])
        y = mul(a, b)
    ga, gb = tape.gradient(y, [a, b])
    assert float(ga) == 30.0 and float(gb) == 200.0


def test_identity_function_output_is_a_new_tensor():
    @tf.custom_gradient
    def scaled_identity(x):
        return x, lambda dy: dy * 3.0

    x = tf.constant([1.0, 2.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = scaled_identity(x)
    assert y is not x
    np.testing.assert_allclose(tape.gradient(y, x).numpy(), [3.0, 3.0])


def test_without_tape_returns_value():
    @tf.custom_gradient
    def f(x):
        return x * 2.0, lambda dy: dy
    assert float(f(tf.constant(2.0))) == 4.0
    assert float(f(2.0)) == 4.0


def test_variables_form():
    w = tf.Variable(2.0)

    @tf.custom_gradient
    def linear(x):
        def grad(dy, variables=None):
            assert variables is not None and len(variables) == 1 and variables[0] is w
            return dy * w * 10.0, [dy * x * 100.0]
        return x * w, grad

    x = tf.constant(3.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = linear(x)
    gx, gw = tape.gradient(y, [x, w])
    assert float(gx) == 20.0 and float(gw) == 300.0


def test_second_order_through_the_gradient_function():
    @tf.custom_gradient
    def cube(x):
        def grad(dy):
            return dy * 3.0 * x * x
        return x * x * x, grad

    x = tf.constant(2.0)
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = cube(x)
        g = inner.gradient(y, x)
    assert float(g) == 12.0
    assert float(outer.gradient(g, x)) == 12.0  # d/dx 3x^2 = 6x


def test_gradcheck_on_custom_op():
    @tf.custom_gradient
    def softplus(x):
        def grad(dy):
            return dy * tf.sigmoid(x)
        return tf.math.log(1.0 + tf.exp(x)), grad

    check_grads(softplus, [np.array([-1.0, 0.3, 2.0])], order=2)


def test_wrong_number_of_gradients_raises():
    @tf.custom_gradient
    def f(a, b):
        return a * b, lambda dy: dy

    a = tf.constant(1.0)
    b = tf.constant(2.0)
    with tf.GradientTape() as tape:
        tape.watch([a, b])
        y = f(a, b)
    with pytest.raises(ValueError):
        tape.gradient(y, [a, b])


def test_keeps_function_name():
    @tf.custom_gradient
    def my_op(x):
        return x, lambda dy: dy
    assert my_op.__name__ == "my_op"
