"""tf.function: traced once per signature, replayed with the eager results."""

import numpy as np
import pytest

import tapeflow as tf


# -- tf.function -----------------------------------------------------------------------------

def test_decorator_forms_give_eager_results():
    def f(x):
        return x * x + 1.0

    x = tf.constant([1.0, 2.0])
    eager = f(x).numpy()
    np.testing.assert_array_equal(tf.function(f)(x).numpy(), eager)
    np.testing.assert_array_equal(tf.function()(f)(x).numpy(), eager)
    np.testing.assert_array_equal(tf.function(jit_compile=True, reduce_retracing=True)(f)(x)
                                  .numpy(), eager)

    @tf.function
    def g(x):
        return x * x + 1.0
    np.testing.assert_array_equal(g(x).numpy(), eager)
    assert g.python_function.__name__ == "g"
    assert g.__name__ == "g"


def test_runs_python_once_per_signature():
    calls = []

    @tf.function
    def f(x):
        calls.append(1)
        return x + 1
    assert int(f(tf.constant(1))) == 2
    assert int(f(tf.constant(2))) == 3      # replayed: the Python body does not run
    assert len(calls) == 1


def test_gradients_through_function():
    v = tf.Variable(3.0)

    @tf.function
    def train_step():
        with tf.GradientTape() as tape:
            loss = v * v
        g = tape.gradient(loss, v)
        v.assign_sub(0.1 * g)
        return loss

    assert float(train_step()) == 9.0
    assert np.isclose(float(v), 2.4)


def test_on_methods():
    class Model:
        def __init__(self):
            self.w = tf.Variable(2.0)

        @tf.function
        def __call__(self, x):
            return x * self.w

        @tf.function(input_signature=[tf.TensorSpec(shape=(None,), dtype=tf.float32)])
        def double(self, x):
            return x * 2.0

    m = Model()
    assert float(m(tf.constant(3.0))) == 6.0
    np.testing.assert_array_equal(m.double(tf.constant([1.0, 2.0])).numpy(), [2.0, 4.0])
    with pytest.raises((TypeError, ValueError)):
        m.double(tf.constant([[1.0]]))
    assert isinstance(Model.__dict__["double"], type(tf.function(lambda: 0)))


def test_input_signature_checks_dtype():
    @tf.function(input_signature=[tf.TensorSpec(shape=[2], dtype=tf.float32)])
    def f(x):
        return x + 1.0
    np.testing.assert_array_equal(f(tf.constant([1.0, 2.0])).numpy(), [2.0, 3.0])
    with pytest.raises(TypeError):
        f(tf.constant([1, 2]))
    with pytest.raises(TypeError, match="Binding inputs to tf.function failed"):
        f(tf.constant([1.0, 2.0, 3.0]))


def test_get_concrete_function_with_a_relaxed_spec():
    @tf.function
    def f(x):
        return x * 3.0
    cf = f.get_concrete_function(tf.TensorSpec([None], tf.float32))
    np.testing.assert_array_equal(cf(tf.constant([1.0])).numpy(), [3.0])


def test_run_functions_eagerly_flag():
    assert tf.config.functions_run_eagerly() is False
    tf.config.run_functions_eagerly(True)
    try:
        assert tf.config.functions_run_eagerly() is True
    finally:
        tf.config.run_functions_eagerly(False)
