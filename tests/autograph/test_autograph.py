"""AutoGraph-lite: Python control flow over tensors inside tf.function behaves as
TensorFlow's AutoGraph makes it behave (traced once, right for every later input)."""
import logging

import numpy as np
import pytest

import tapeflow as tf


def test_if_for_while_on_tensors_trace_once():
    @tf.function
    def g(x):
        if x > 0:
            y = x * 2
        else:
            y = -x
        s = 0
        for i in tf.range(x):
            s += i
        while s > 10:
            s -= 3
        return y, s

    for v, want in ((5, (10, 10)), (-5, (5, 0)), (7, (14, 9)), (3, (6, 3))):
        assert tuple(int(t) for t in g(tf.constant(v))) == want
    assert g.experimental_get_tracing_count() == 1


def test_python_conditions_stay_python(capsys):
    @tf.function
    def f(x, training):
        if training:
            print("training branch traced")
            x = x * 2.0
        n = 0
        for i in range(3):
            n += i
        return x + n
    assert float(f(tf.constant(1.0), True)) == 5.0
    assert float(f(tf.constant(1.0), False)) == 4.0
    assert capsys.readouterr().out == "training branch traced\n"


def test_both_branches_are_traced_like_tensorflow(capsys):
    @tf.function
    def f(x):
        if tf.reduce_sum(x) > 0:
            print("then")
            y = x + 1.0
        else:
            print("else")
            y = x - 1.0
        return y
    np.testing.assert_array_equal(f(tf.constant([1.0])).numpy(), [2.0])
    np.testing.assert_array_equal(f(tf.constant([-1.0])).numpy(), [-2.0])
    assert capsys.readouterr().out.splitlines() == ["then", "else"]


def test_gradient_through_converted_if():
    w = tf.Variable(3.0)

    @tf.function
    def step(x):
        with tf.GradientTape() as tape:
            if x > 0:
                y = w * w * x
            else:
                y = w * x
        return tape.gradient(y, w)
    assert float(step(tf.constant(2.0))) == 12.0
    assert float(step(tf.constant(-2.0))) == -2.0
    assert step.experimental_get_tracing_count() == 1


def test_early_return_is_left_alone_and_falls_back(caplog):
    @tf.function
    def f(x):
        if x > 0:
            return x
        return -x
    with caplog.at_level(logging.WARNING, logger="tapeflow"):
        assert int(f(tf.constant(3))) == 3
        assert int(f(tf.constant(-3))) == 3
    assert any("runs eagerly" in r.message for r in caplog.records)


def test_autograph_false_is_not_converted(caplog):
    @tf.function(autograph=False)
    def f(x):
        if x > 0:
            y = x
        else:
            y = -x
        return y
    with caplog.at_level(logging.WARNING, logger="tapeflow"):
        assert int(f(tf.constant(-3))) == 3
    assert any("runs eagerly" in r.message for r in caplog.records)


def test_to_code_shows_the_rewrite():
    def f(x):
        while x > 0:
            x = x - 1
        return x
    code = tf.autograph.to_code(f)
    assert "ag__.while_stmt" in code
    assert tf.autograph.experimental.do_not_convert(f) is f


def test_closures_and_defaults_survive_conversion():
    k = tf.constant(10)

    @tf.function
    def f(x, scale=2):
        if x > 0:
            x = x * scale + k
        return x
    assert int(f(tf.constant(1))) == 12
    assert int(f(tf.constant(-1))) == -1


_SCALE = 2.0


def _scaled(x):
    if x > 0:            # converted: the function's globals are read when it runs
        x = x * _SCALE
    return x


def test_converted_function_reads_its_module_globals_at_call_time():
    import tapeflow as tf
    global _SCALE
    assert float(tf.function(_scaled)(tf.constant(1.0))) == 2.0
    _SCALE = 5.0
    try:
        assert float(tf.function(_scaled)(tf.constant(1.0))) == 5.0   # a new trace
    finally:
        _SCALE = 2.0
    assert "ag__" not in globals()   # the rewrite does not touch the module's namespace
