"""framework/graph/concrete_function.py: ConcreteFunction's signature, outputs and checks."""
import pytest

import tapeflow as tf


def test_concrete_function_signature_and_outputs():
    @tf.function
    def f(x):
        return {"y": x * 2}

    cf = f.get_concrete_function(tf.TensorSpec([None], tf.float32, name="x"))
    args, kwargs = cf.structured_input_signature
    assert args == (tf.TensorSpec([None], tf.float32, name="x"),) and kwargs == {}
    assert cf.output_dtypes == {"y": tf.float32}
    assert [list(s) for s in [cf.output_shapes["y"]]] == [[None]]
    assert cf(tf.constant([1.0, 2.0]))["y"].numpy().tolist() == [2.0, 4.0]
    with pytest.raises(tf.errors.InvalidArgumentError):
        cf(tf.constant([1, 2]))               # int32 into a float32 signature


def test_unknown_dims_replay_new_shapes_without_retracing():
    """A signature with None dims: once a second concrete shape gives the same graph, every
    further shape replays it (the Python function no longer runs); a graph with a shape baked
    in (a folded tf.shape) keeps one trace per concrete shape. Values always right."""
    import numpy as np
    import tapeflow as tf
    runs = []

    @tf.function(input_signature=[tf.TensorSpec([None, 3], tf.float32)])
    def f(x):
        runs.append(1)
        return tf.reduce_sum(tf.nn.relu(x) * 2.0, axis=1)
    for n in (2, 5, 7, 9, 1):
        x = np.arange(n * 3, dtype="float32").reshape(n, 3) - 4
        np.testing.assert_array_equal(f(tf.constant(x)).numpy(), np.maximum(x, 0).sum(1) * 2)
    assert len(runs) == 2 and f.experimental_get_tracing_count() == 1

    runs.clear()

    @tf.function(reduce_retracing=True)
    def g(x):
        runs.append(1)
        return tf.reshape(x, [-1]) * tf.cast(tf.shape(x)[0], tf.float32)
    for n in (2, 5, 7, 9):
        np.testing.assert_array_equal(g(tf.constant(np.ones((n, 3), "float32"))).numpy(),
                                      np.full(n * 3, n, "float32"))
    assert len(runs) == 4


def test_recursion_into_itself_raises_recursion_error_and_leaves_no_trace_behind():
    import pytest
    import tapeflow as tf
    from tapeflow.framework.graph import func_graph

    @tf.function(autograph=False)
    def h(n):
        return h(n - 1) + 1

    @tf.function
    def f(n):
        return tf.cond(n <= 0, lambda: tf.constant(0), lambda: f(n - 1) + 1)
    for fn in (h, f):
        with pytest.raises(RecursionError):
            fn(tf.constant(3))
        assert func_graph.current() is None
    assert int(tf.function(lambda x: x + 1)(tf.constant(1))) == 2
