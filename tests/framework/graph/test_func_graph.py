"""framework/graph/func_graph.py: the active trace, and values read into Python."""
import logging

import tapeflow as tf
from tapeflow.framework.graph import func_graph


def test_current_is_the_active_trace_only_while_tracing():
    seen = []

    @tf.function
    def f(x):
        seen.append(func_graph.current() is not None)
        return x + 1

    assert func_graph.current() is None
    f(tf.constant(1))
    f(tf.constant(2))                          # replayed: the Python body does not run
    assert seen == [True] and func_graph.current() is None


def test_a_traced_value_read_into_python_makes_the_signature_eager(caplog):
    calls = []

    @tf.function
    def f(x):
        calls.append(1)
        return x * 2 if float(x) > 0 else -x

    with caplog.at_level(logging.WARNING, logger="tapeflow"):
        assert float(f(tf.constant(3.0))) == 6.0
        assert float(f(tf.constant(-3.0))) == 3.0   # eager: the branch follows the value
    assert "runs eagerly" in caplog.text
