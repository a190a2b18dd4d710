"""tapeflow.framework.graph.subgraph: control-flow branches/bodies traced inside tf.function
(captures of enclosing tensors, variable reads and writes)."""
import numpy as np
import pytest

import tapeflow as tf


def test_cond_branches_capture_enclosing_tensors_and_differentiate():
    @tf.function
    def f(x, flag):
        y = x * 3.0                                   # captured by both branches
        return tf.cond(flag, lambda: tf.reduce_sum(y * x), lambda: tf.reduce_sum(y - x))

    x = tf.constant([1.0, 2.0])
    assert float(f(x, tf.constant(True))) == 15.0      # 3*(1+4)
    assert float(f(x, tf.constant(False))) == 6.0      # 2*(1+2)
    with tf.GradientTape() as tape:
        tape.watch(x)
        out = f(x, tf.constant(True))
    np.testing.assert_allclose(tape.gradient(out, x).numpy(), [6.0, 12.0])   # d(3x^2) = 6x


def test_while_body_assign_add_then_read():
    v = tf.Variable(1.0)

    @tf.function
    def h(n):
        def body(i, acc):
            v.assign_add(1.0)
            return i + 1, acc + v.read_value()
        return tf.while_loop(lambda i, acc: i < n, body, (tf.constant(0), tf.constant(0.0)))[1]

    assert float(h(tf.constant(3))) == 2.0 + 3.0 + 4.0
    assert float(v) == 4.0


def test_while_body_reads_and_writes_a_variable():
    v = tf.Variable(1.0)

    @tf.function
    def g(n):
        def body(i, acc):
            v.assign(v * 2.0)                           # write inside the sub-graph
            return i + 1, acc + v
        return tf.while_loop(lambda i, acc: i < n, body, (tf.constant(0), tf.constant(0.0)))[1]

    assert float(g(tf.constant(3))) == 2.0 + 4.0 + 8.0
    assert float(v) == 8.0
    assert float(g(tf.constant(1))) == 16.0             # the same graph sees the new value
