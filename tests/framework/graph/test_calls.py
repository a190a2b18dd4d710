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
