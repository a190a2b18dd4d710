"""framework/graph/graph_exec.py: the generated replay drops dead nodes, and a call under a
tape runs the nodes through the op mechanism (so the tape sees them)."""
import numpy as np

import tapeflow as tf


def test_dead_nodes_are_dropped_from_the_replay():
    @tf.function
    def f(x):
        unused = tf.exp(x) * 3.0      # nothing uses it and it changes nothing
        del unused
        return x + 1.0

    cf = f.get_concrete_function(tf.TensorSpec([2], tf.float32))
    ops = [op.type for op in cf.graph.get_operations()]
    assert ops == ["Placeholder", "Exp", "Mul", "AddV2"]        # recorded ...
    calls = [line for line in cf.graph.source.splitlines() if "= F" in line]
    assert len(calls) == 1                                      # ... only AddV2 is replayed
    np.testing.assert_allclose(f(tf.constant([1.0, 2.0])).numpy(), [2.0, 3.0])


def test_a_tape_around_a_replay_sees_the_ops():
    @tf.function
    def f(x):
        return x * x * x

    x = tf.Variable(2.0)
    f(x)                                       # traced and replayed once
    with tf.GradientTape() as outer:
        with tf.GradientTape() as inner:
            y = f(x)
        dy = inner.gradient(y, x)
    assert float(dy) == 12.0 and float(outer.gradient(dy, x)) == 12.0
