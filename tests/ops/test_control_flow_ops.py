"""Control flow (cond, case, switch_case, while_loop, map_fn, scan, foldl/foldr,
vectorized_map, TensorArray, py_function/numpy_function): values eagerly and inside
tf.function (where later calls replay the graph), and gradients against finite
differences, first and second order, eager and through traced functions."""
import logging

import numpy as np
import pytest

import tapeflow as tf
from gradcheck import check_grads


def _both(fn):
    """fn eagerly and fn under tf.function (traced on a first call with other values)."""
    return [fn, tf.function(fn)]


# -- cond / case / switch_case ---------------------------------------------------------------

def f_cond(x):
    return tf.cond(tf.reduce_sum(x) > 0, lambda: tf.sin(x) * x, lambda: x * x * x)


@pytest.mark.parametrize("mode", ["eager", "traced"])
def test_cond_values_and_gradients(mode):
    f = tf.function(f_cond) if mode == "traced" else f_cond
    f(tf.constant([0.1, 0.2], tf.float64))   # the trace: the other calls replay
    for x in ([0.5, 1.5], [-0.5, -1.5]):
        x = np.array(x)
        ref = np.sin(x) * x if x.sum() > 0 else x ** 3
        np.testing.assert_allclose(f(tf.constant(x)).numpy(), ref)
        check_grads(f, [x], order=2)


def test_cond_traced_both_branches_once(capsys):
    @tf.function
    def f(x):
        return tf.cond(x > 0, lambda: (print("true") or x * 2), lambda: (print("false") or -x))
    assert int(f(tf.constant(3))) == 6
    assert int(f(tf.constant(-3))) == 3
    assert capsys.readouterr().out.splitlines() == ["true", "false"]
    assert f.experimental_get_tracing_count() == 1


def test_cond_argument_errors():
    with pytest.raises(TypeError, match="'false_fn' argument required"):
        tf.cond(True, lambda: 1)
    with pytest.raises(ValueError, match="truth value"):
        tf.cond(tf.constant([True, False]), lambda: 1, lambda: 2)


def test_cond_branch_assigns_a_variable():
    v = tf.Variable(0.0)

    @tf.function
    def f(x):
        tf.cond(x > 0, lambda: v.assign_add(x), lambda: v.assign_sub(1.0))
        return v.read_value()
    assert float(f(tf.constant(2.0))) == 2.0
    assert float(f(tf.constant(-2.0))) == 1.0
    assert float(f(tf.constant(3.0))) == 4.0


def test_cond_gradient_with_respect_to_a_variable_in_a_traced_step():
    w = tf.Variable(2.0)

    @tf.function
    def step(x):
        with tf.GradientTape() as tape:
            y = tf.cond(x > 0, lambda: w * w * x, lambda: w * x)
        return tape.gradient(y, w)
    assert float(step(tf.constant(3.0))) == 12.0
    assert float(step(tf.constant(-3.0))) == -3.0
    assert step.experimental_get_tracing_count() == 1


def test_switch_case_and_case():
    for f in _both(lambda i: tf.switch_case(i, [lambda: tf.constant(10), lambda: tf.constant(20)],
                                            default=lambda: tf.constant(-1))):
        assert [int(f(tf.constant(i))) for i in (0, 1, 5, -1)] == [10, 20, -1, -1]
    assert int(tf.switch_case(tf.constant(5), [lambda: 1, lambda: 2])) == 2

    def c(x):
        return tf.case([(x < 0, lambda: -x), (x < 10, lambda: x * 2)], default=lambda: x)
    for f in _both(c):
        assert [int(f(tf.constant(v))) for v in (-3, 3, 30)] == [3, 6, 30]
    # eagerly TensorFlow does not check exclusive=True: the first true predicate wins
    assert int(tf.case([(tf.constant(True), lambda: 1), (tf.constant(True), lambda: 2)],
                       exclusive=True)) == 1


def test_switch_case_gradient():
    def f(x):
        return tf.switch_case(tf.cast(x[0] > 0, tf.int32), [lambda: x * x, lambda: tf.exp(x)])
    for g in _both(f):
        check_grads(g, [np.array([0.5, 0.2])], order=2)
        check_grads(g, [np.array([-0.5, 0.2])], order=2)


# -- while_loop ------------------------------------------------------------------------------

def f_while(x):
    def body(i, y):
        return i + 1, tf.sin(y) * 1.5 + x
    return tf.while_loop(lambda i, y: i < 3, body, (tf.constant(0), x))[1]


@pytest.mark.parametrize("mode", ["eager", "traced"])
def test_while_loop_values_and_gradients(mode):
    f = tf.function(f_while) if mode == "traced" else f_while
    f(tf.constant([0.1], tf.float64))
    x = np.array([0.3, -0.7])
    y = x.copy()
    for _ in range(3):
        y = np.sin(y) * 1.5 + x
    np.testing.assert_allclose(f(tf.constant(x)).numpy(), y)
    check_grads(f, [x], order=2)


def test_while_loop_data_dependent_trip_count_is_not_baked():
    @tf.function
    def f(n):
        return tf.while_loop(lambda i, s: i < n, lambda i, s: (i + 1, s + i), (0, 0))
    assert [int(f(tf.constant(n))[1]) for n in (4, 6, 0)] == [6, 15, 0]
    assert f.experimental_get_tracing_count() == 1


def test_while_loop_maximum_iterations_and_structures():
    i, = tf.while_loop(lambda i: i < 100, lambda i: (i + 1,), [0], maximum_iterations=5)
    assert int(i) == 5
    out = tf.while_loop(lambda d: d["a"] < 3, lambda d: {"a": d["a"] + 1, "b": d["b"] * 2},
                        [{"a": 0, "b": 1.0}])
    assert int(out[0]["a"]) == 3 and float(out[0]["b"]) == 8.0
    with pytest.raises(ValueError, match="'loop_vars' must be provided"):
        tf.while_loop(lambda i: i < 3, lambda i: i + 1, [])


def test_while_loop_gradient_inside_a_traced_step_is_traced(caplog):
    """A tape inside the traced function differentiating through a traced while_loop: the
    gradient is one graph node (the loop recomputed under a tape on every replay); traced
    once, values and gradients as eagerly for other trip counts; a tensor that is both a
    loop variable and a capture gets the sum of both paths; second order through the call."""
    w = tf.Variable(1.5)

    def step(n, x):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = tf.while_loop(lambda i, y: i < n, lambda i, y: (i + 1, y * w + x), (0, x))[1]
            loss = tf.reduce_sum(y * y)
        return loss, tape.gradient(loss, [w, x])
    traced = tf.function(step)
    with caplog.at_level(logging.WARNING, logger="tapeflow"):
        for n, xs in ((3, [1.0, 2.0]), (2, [0.5, -1.0]), (5, [0.1, 0.2])):
            x = tf.constant(xs)
            (le, ge), (lt, gt) = step(tf.constant(n), x), traced(tf.constant(n), x)
            assert float(lt) == float(le)
            for a, b in zip(gt, ge):
                np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-6)
    assert not caplog.records and traced.experimental_get_tracing_count() == 1
    x = tf.constant([1.0, 2.0])
    with tf.GradientTape() as outer:
        g = traced(tf.constant(3), x)[1][0]
    with tf.GradientTape() as outer_e:
        ge = step(tf.constant(3), x)[1][0]
    np.testing.assert_allclose(outer.gradient(g, w).numpy(), outer_e.gradient(ge, w).numpy(),
                               rtol=1e-5)


# -- map_fn, scan, folds ------------------------------------------------------------------------

def test_map_fn_scan_folds_values():
    x = tf.constant([1, 2, 3])
    for f in _both(lambda x: tf.map_fn(lambda e: e * e, x)):
        np.testing.assert_array_equal(f(x).numpy(), [1, 4, 9])
    for f in _both(lambda x: tf.scan(lambda a, e: a + e, x)):
        np.testing.assert_array_equal(f(x).numpy(), [1, 3, 6])
    np.testing.assert_array_equal(tf.scan(lambda a, e: a + e, x, reverse=True).numpy(),
                                  [6, 5, 3])
    np.testing.assert_array_equal(tf.scan(lambda a, e: a * e, x, initializer=10).numpy(),
                                  [10, 20, 60])
    assert int(tf.foldl(lambda a, e: a * 10 + e, x)) == 123
    assert int(tf.foldr(lambda a, e: a * 10 + e, x)) == 321
    np.testing.assert_array_equal(tf.vectorized_map(lambda e: e + 1, x).numpy(), [2, 3, 4])
    a, b = tf.map_fn(lambda e: (e[0], e[1] * 2.0),
                     (tf.constant([1.0, 2.0]), tf.constant([3.0, 4.0])))
    np.testing.assert_array_equal(b.numpy(), [6.0, 8.0])
    out = tf.map_fn(lambda e: tf.cast(e, tf.float32), x, fn_output_signature=tf.float32)
    assert out.dtype == tf.float32
    with pytest.raises(tf.errors.InvalidArgumentError, match="TensorArray dtype is float32"):
        tf.map_fn(lambda e: e * 2, x, fn_output_signature=tf.float32)
    assert tf.map_fn(lambda e: e, tf.zeros([0, 2])).shape == (0, 2)


def test_map_fn_scan_fold_gradients():
    check_grads(lambda x: tf.map_fn(lambda e: tf.sin(e) * e, x), [np.array([0.3, 1.2])])
    check_grads(lambda x: tf.scan(lambda a, e: a * e + tf.sin(a), x), [np.array([0.3, 1.2, 0.7])])
    check_grads(lambda x: tf.foldl(lambda a, e: a * e, x), [np.array([0.3, 1.2, 0.7])])
    check_grads(tf.function(lambda x: tf.foldr(lambda a, e: a * e + e, x)),
                [np.array([0.3, 1.2, 0.7])])


# -- TensorArray ------------------------------------------------------------------------------

def test_tensor_array():
    ta = tf.TensorArray(tf.float32, size=2)
    ta = ta.write(0, 1.0).write(1, [2.0][0])
    assert int(ta.size()) == 2
    np.testing.assert_array_equal(ta.stack().numpy(), [1.0, 2.0])
    with pytest.raises(tf.errors.OutOfRangeError, match="not resizeable"):
        ta.write(3, 1.0)
    with pytest.raises(tf.errors.InvalidArgumentError, match="TensorArray dtype is int32"):
        tf.TensorArray(tf.int32, size=1).write(0, 1.5)
    grown = tf.TensorArray(tf.float32, size=0, dynamic_size=True).write(2, [1.0])
    np.testing.assert_array_equal(grown.stack().numpy(), [[0.0], [0.0], [1.0]])
    u = tf.TensorArray(tf.int32, size=3).unstack(tf.constant([[1, 2], [3, 4], [5, 6]]))
    np.testing.assert_array_equal(u.gather([2, 0]).numpy(), [[5, 6], [1, 2]])
    np.testing.assert_array_equal(u.concat().numpy(), [1, 2, 3, 4, 5, 6])


def test_tensor_array_in_a_traced_python_loop():
    @tf.function
    def f(x):
        ta = tf.TensorArray(tf.float32, size=0, dynamic_size=True)
        for i in range(3):
            ta = ta.write(i, x * float(i))
        return ta.stack()
    np.testing.assert_array_equal(f(tf.constant(2.0)).numpy(), [0.0, 2.0, 4.0])
    np.testing.assert_array_equal(f(tf.constant(3.0)).numpy(), [0.0, 3.0, 6.0])
    check_grads(lambda x: tf.TensorArray(tf.float64, size=2).write(0, x * x).write(
        1, tf.sin(x)).stack(), [np.array(0.7)])


# -- py_function / numpy_function -------------------------------------------------------------

def test_py_function_runs_each_call_and_is_differentiable():
    calls = []

    def py(x):
        calls.append(1)
        return x * x

    @tf.function
    def f(x):
        return tf.py_function(py, [x], tf.float64) + 1.0
    assert float(f(tf.constant(2.0, tf.float64))) == 5.0
    assert float(f(tf.constant(3.0, tf.float64))) == 10.0
    assert len(calls) == 3   # the trace, then once per call
    check_grads(f, [np.array(1.3)], order=1)


def test_numpy_function():
    @tf.function
    def f(x):
        return tf.numpy_function(lambda a: np.sort(a), [x], tf.float32)
    np.testing.assert_array_equal(f(tf.constant([3.0, 1.0, 2.0])).numpy(), [1.0, 2.0, 3.0])
    np.testing.assert_array_equal(f(tf.constant([0.0, 5.0, -2.0])).numpy(), [-2.0, 0.0, 5.0])
    a, b = tf.py_function(lambda x: (x, x + 1), [tf.constant(1.0)], [tf.float32, tf.float32])
    assert float(b) == 2.0
