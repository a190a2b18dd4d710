"""tf.function tracing semantics (TensorFlow's guide "Better performance with tf.function")."""
import logging

import numpy as np
import pytest

import tapeflow as tf


def test_traces_once_per_dtype_and_shape_and_python_value(capsys):
    @tf.function
    def f(x):
        print("Tracing with", x)
        tf.print("Executing with", x)
        return x * 2

    assert int(f(tf.constant(1))) == 2
    assert int(f(tf.constant(2))) == 4
    np.testing.assert_array_equal(f(tf.constant([1, 2])).numpy(), [2, 4])
    assert int(f(2)) == 4
    assert int(f(2)) == 4
    assert int(f(3)) == 6
    assert f.experimental_get_tracing_count() == 4
    out = capsys.readouterr()
    assert out.out.splitlines() == [
        'Tracing with Tensor("x:0", shape=(), dtype=int32)',
        'Tracing with Tensor("x:0", shape=(2,), dtype=int32)',
        "Tracing with 2", "Tracing with 3"]
    assert out.err.splitlines() == ["Executing with 1", "Executing with 2",
                                    "Executing with [1 2]", "Executing with 2",
                                    "Executing with 2", "Executing with 3"]


def test_float64_is_a_new_signature():
    @tf.function
    def f(x):
        return x + 1
    f(tf.constant(1.0))
    f(tf.constant(2.0))
    f(tf.constant(1.0, tf.float64))
    assert f.experimental_get_tracing_count() == 2


def test_replay_does_not_run_python_and_gives_new_values():
    calls = []

    @tf.function
    def f(x, y):
        calls.append(1)
        return tf.reduce_sum(tf.matmul(x, y) + 1.0, axis=0)

    rng = np.random.default_rng(0)
    for _ in range(3):
        a = rng.normal(size=(3, 4)).astype(np.float32)
        b = rng.normal(size=(4, 2)).astype(np.float32)
        np.testing.assert_allclose(f(tf.constant(a), tf.constant(b)).numpy(),
                                   (a @ b + 1).sum(0), rtol=1e-5)
    assert len(calls) == 1


def test_structured_outputs_and_python_leaves():
    @tf.function
    def f(x):
        return {"a": x, "b": [x * 2, 3], "c": None}
    out = f(tf.constant(1.0))
    assert float(out["a"]) == 1.0 and float(out["b"][0]) == 2.0
    assert out["b"][1].dtype == tf.int32 and int(out["b"][1]) == 3
    assert out["c"] is None


def test_variables_are_captured_by_reference():
    v = tf.Variable(1.0)

    @tf.function
    def f(x):
        return v * x

    assert float(f(tf.constant(2.0))) == 2.0
    v.assign(3.0)
    assert float(f(tf.constant(2.0))) == 6.0
    assert f.experimental_get_tracing_count() == 1


def test_assign_runs_every_call_not_during_tracing():
    v = tf.Variable(0)

    @tf.function
    def inc():
        return v.assign_add(1)

    assert int(inc()) == 1
    assert int(inc()) == 2
    assert int(v) == 2


def test_variable_created_on_first_call_only():
    class Count():
        def __init__(self):
            self.count = None

        @tf.function
        def __call__(self):
            if self.count is None:
                self.count = tf.Variable(0)
            return self.count.assign_add(1)

    c = Count()
    assert int(c()) == 1
    assert int(c()) == 2
    assert c.__call__.experimental_get_tracing_count() == 2   # TensorFlow traces twice


def test_creating_a_variable_every_trace_raises_value_error():
    @tf.function
    def f(x):
        v = tf.Variable(1.0)
        return v + x
    with pytest.raises(ValueError, match="singleton tf.Variables created on the first call"):
        f(tf.constant(1.0))


def test_leaked_tensor_raises_type_error():
    leak = []

    @tf.function
    def f(x):
        y = x + 1
        leak.append(y)
        return y
    assert int(f(tf.constant(1))) == 2
    with pytest.raises(TypeError, match="out of scope"):
        leak[0] + 1


def test_input_signature_mismatch_raises_type_error():
    @tf.function(input_signature=[tf.TensorSpec([None], tf.int32)])
    def g(x):
        return x + 1
    np.testing.assert_array_equal(g(tf.constant([1, 2])).numpy(), [2, 3])
    np.testing.assert_array_equal(g(tf.constant([1, 2, 3])).numpy(), [2, 3, 4])
    assert g.experimental_get_tracing_count() == 1
    for bad in (tf.constant([1.0]), tf.constant([[1]]), 3):
        with pytest.raises(TypeError, match="Binding inputs to tf.function failed"):
            g(bad)


def test_reduce_retracing_relaxes_shapes(capsys):
    @tf.function(reduce_retracing=True)
    def r(x):
        print("Tracing with", x)
        return x * 2
    for n in (3, 5, 7):
        np.testing.assert_array_equal(r(tf.range(n)).numpy(), np.arange(n) * 2)
    assert r.experimental_get_tracing_count() == 2
    assert capsys.readouterr().out.splitlines() == [
        'Tracing with Tensor("x:0", shape=(3,), dtype=int32)',
        'Tracing with Tensor("x:0", shape=(None,), dtype=int32)']


def test_shape_dependent_python_is_right_for_every_shape():
    @tf.function(reduce_retracing=True)
    def f(x):
        return tf.reshape(x, [x.shape[0] * 2, -1])
    for n in (2, 3, 4):
        assert f(tf.zeros([n, 4])).shape == (2 * n, 2)


def test_string_arguments():
    @tf.function
    def f(x, name):
        return tf.strings.join([x, name]) if hasattr(tf, "strings") else x
    assert f(tf.constant("ab"), "c").numpy() == b"abc"
    assert f.experimental_get_tracing_count() == 1


def test_concrete_function():
    @tf.function
    def f(x):
        return x * 2.0
    cf = f.get_concrete_function(tf.TensorSpec([None], tf.float32))
    sig = cf.structured_input_signature
    assert sig == ((tf.TensorSpec([None], tf.float32, name="x"),), {})
    assert repr(cf.structured_outputs) == "<tf.Tensor 'mul:0' shape=(None,) dtype=float32>"
    np.testing.assert_array_equal(cf(tf.constant([1.0, 2.0, 3.0])).numpy(), [2.0, 4.0, 6.0])
    assert [op.type for op in cf.graph.get_operations()] == ["Placeholder", "Mul"]
    with pytest.raises(tf.errors.InvalidArgumentError, match="expected to be a float tensor"):
        cf(tf.constant([1]))
    assert f.get_concrete_function(tf.TensorSpec([None], tf.float32)) is cf
    assert f.experimental_get_tracing_count() == 1


def test_pretty_printed_concrete_signatures():
    @tf.function
    def s(x, name):
        return x
    s(tf.constant(1), "a")
    assert s.pretty_printed_concrete_signatures() == (
        "Input Parameters:\n"
        "  x (POSITIONAL_OR_KEYWORD): TensorSpec(shape=(), dtype=tf.int32, name=None)\n"
        "  name (POSITIONAL_OR_KEYWORD): Literal['a']\n"
        "Output Type:\n"
        "  TensorSpec(shape=(), dtype=tf.int32, name=None)\n"
        "Captures:\n"
        "  None")


def test_run_functions_eagerly_runs_python_every_call():
    calls = []

    @tf.function
    def f(x):
        calls.append(1)
        return x + 1
    tf.config.run_functions_eagerly(True)
    try:
        f(tf.constant(1))
        f(tf.constant(1))
    finally:
        tf.config.run_functions_eagerly(False)
    assert len(calls) == 2 and f.experimental_get_tracing_count() == 0


def test_methods_trace_per_instance():
    class M():
        def __init__(self, k):
            self.k = tf.Variable(k)

        @tf.function
        def __call__(self, x):
            return x * self.k

    a, b = M(2.0), M(3.0)
    assert float(a(tf.constant(1.0))) == 2.0
    assert float(b(tf.constant(1.0))) == 3.0
    assert float(a(tf.constant(2.0))) == 4.0
    assert a.__call__.experimental_get_tracing_count() == 1


def test_value_read_in_python_falls_back_to_eager(caplog):
    @tf.function(autograph=False)
    def f(x):
        if float(tf.reduce_sum(x)) > 0:
            return x * 2.0
        return -x

    with caplog.at_level(logging.WARNING, logger="tapeflow"):
        np.testing.assert_array_equal(f(tf.constant([1.0])).numpy(), [2.0])
        np.testing.assert_array_equal(f(tf.constant([-1.0])).numpy(), [1.0])
    assert sum("runs eagerly" in r.message for r in caplog.records) == 1


def test_random_ops_draw_again_each_call():
    @tf.function
    def f():
        return tf.random.uniform([4])
    a, b = f().numpy(), f().numpy()
    assert not np.array_equal(a, b)
    assert f.experimental_get_tracing_count() == 1


def test_nested_functions():
    @tf.function
    def inner(x):
        return x * 3.0

    @tf.function
    def outer(x):
        return inner(x) + 1.0
    assert float(outer(tf.constant(1.0))) == 4.0
    assert float(outer(tf.constant(2.0))) == 7.0
    assert outer.experimental_get_tracing_count() == 1


def test_gradient_tape_inside_a_traced_step():
    w = tf.Variable([[1.0], [2.0]])

    @tf.function
    def step(x, y):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean((tf.matmul(x, w) - y) ** 2)
        g = tape.gradient(loss, w)
        w.assign_sub(0.1 * g)
        return loss

    def eager(wv, x, y):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean((tf.matmul(x, wv) - y) ** 2)
        wv.assign_sub(0.1 * tape.gradient(loss, wv))
        return loss

    w2 = tf.Variable([[1.0], [2.0]])
    rng = np.random.default_rng(1)
    for _ in range(4):
        x = tf.constant(rng.normal(size=(5, 2)).astype(np.float32))
        y = tf.constant(rng.normal(size=(5, 1)).astype(np.float32))
        np.testing.assert_allclose(float(step(x, y)), float(eager(w2, x, y)), rtol=1e-6)
        np.testing.assert_allclose(w.numpy(), w2.numpy(), rtol=1e-6)
    assert step.experimental_get_tracing_count() == 1


def test_gradient_through_a_traced_call_first_and_second_order():
    @tf.function
    def f(x):
        return tf.reduce_sum(tf.sin(x) * x)

    x = tf.constant([0.5, 1.5], tf.float64)
    f(x)
    with tf.GradientTape() as t2:
        t2.watch(x)
        with tf.GradientTape() as t1:
            t1.watch(x)
            y = f(x)
        g = t1.gradient(y, x)
    h = t2.gradient(g, x)
    xv = x.numpy()
    np.testing.assert_allclose(g.numpy(), np.cos(xv) * xv + np.sin(xv))
    np.testing.assert_allclose(h.numpy(), 2 * np.cos(xv) - xv * np.sin(xv))


def test_gradient_with_respect_to_a_captured_variable():
    v = tf.Variable(2.0)

    @tf.function
    def f(x):
        return v * v * x

    with tf.GradientTape() as tape:
        y = f(tf.constant(3.0))
    assert float(tape.gradient(y, v)) == 12.0


def test_a_trace_that_falls_back_is_counted():
    @tf.function(autograph=False)
    def f(x):
        return x * 2 if bool(x > 0) else -x
    f(tf.constant(1))
    f(tf.constant(-1))
    assert f.experimental_get_tracing_count() == 1


def test_debugging_checks_run_on_every_call():
    @tf.function
    def f(x):
        tf.debugging.assert_positive(x, message="must be positive")
        return tf.debugging.check_numerics(tf.math.log(x), "log")
    assert float(f(tf.constant(1.0))) == 0.0
    with pytest.raises(tf.errors.InvalidArgumentError, match="must be positive"):
        f(tf.constant(-1.0))
    np.testing.assert_allclose(float(f(tf.constant(2.0))), np.log(2.0), rtol=1e-6)
