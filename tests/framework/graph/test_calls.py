"""framework/graph/calls.py: Python calls that must run on every replay become graph nodes."""
import numpy as np

import tapeflow as tf


def test_random_draws_are_new_on_every_replay():
    @tf.function
    def f(x):
        return x + tf.random.uniform([3])

    a, b = f(tf.zeros([3])), f(tf.zeros([3]))
    assert f.experimental_get_tracing_count() == 1
    assert not np.array_equal(a.numpy(), b.numpy())


def test_numpy_function_runs_on_every_call():
    calls = []

    def count(x):
        calls.append(1)
        return x * 2

    @tf.function
    def f(x):
        return tf.numpy_function(count, [x], tf.float32)

    for v in (1.0, 2.0, 3.0):
        assert float(f(tf.constant(v))) == 2 * v
    assert len(calls) >= 3 and f.experimental_get_tracing_count() == 1


def test_fused_rnn_gradients_traced_equal_eager_bitwise():
    """Inside a trace with no tape recording the backward pass, the fused RNN ops' NumPy
    gradient rules run as call nodes: the same numbers as eagerly, bit for bit; under an
    outer tape the replay stays differentiable."""
    import numpy as np
    import tapeflow as tf
    from tapeflow import keras
    for layer in (keras.layers.SimpleRNN(3), keras.layers.GRU(3), keras.layers.LSTM(3)):
        keras.utils.set_random_seed(0)
        m = keras.Sequential([keras.Input((5, 2)), layer, keras.layers.Dense(1)])
        rng = np.random.default_rng(0)

        def grads(x):
            with tf.GradientTape() as t:
                y = tf.reduce_sum(m(x, training=True) ** 2)
            return t.gradient(y, m.trainable_variables)
        f = tf.function(grads)
        for _ in range(2):
            x = tf.constant(rng.normal(size=(4, 5, 2)).astype("float32"))
            for a, b in zip(f(x), grads(x)):
                np.testing.assert_array_equal(a.numpy(), b.numpy())
        assert any(op.type == "PyFunc" for op in
                   f.get_concrete_function(x).graph.get_operations())
        # second order through the replayed call node (an outer tape records its ops)
        v = m.trainable_variables[0]
        with tf.GradientTape() as outer:
            g = f(x)[0]
            s = tf.reduce_sum(g * g)
        with tf.GradientTape() as outer_e:
            ge = grads(x)[0]
            se = tf.reduce_sum(ge * ge)
        np.testing.assert_allclose(outer.gradient(s, v).numpy(),
                                   outer_e.gradient(se, v).numpy(), rtol=1e-4, atol=1e-6)
