"""tf.autograph's small API: to_graph, trace, set_verbosity, experimental.Feature and
set_loop_options, do_not_convert."""
import tapeflow as tf


def double_if_positive(x):
    if x > 0:
        x = x * 2
    return x


def test_to_graph_converts_control_flow_over_tensors():
    g = tf.autograph.to_graph(double_if_positive)
    assert int(g(tf.constant(3))) == 6 and int(g(tf.constant(-3))) == -3
    f = tf.function(g, input_signature=[tf.TensorSpec([], tf.int32)])
    assert int(f(tf.constant(4))) == 8 and int(f(tf.constant(-4))) == -4


def test_trace_prints_and_options_are_accepted(capsys):
    tf.autograph.trace("hello", 1)
    assert capsys.readouterr().out == "hello 1\n"
    assert tf.autograph.set_verbosity(3) is None
    assert tf.autograph.experimental.set_loop_options(parallel_iterations=3) is None
    names = [f.name for f in tf.autograph.experimental.Feature]
    assert names[0] == "ALL" and "LISTS" in names and len(names) == 7


def test_do_not_convert_leaves_the_function_alone():
    @tf.autograph.experimental.do_not_convert
    def f(x):
        return x + 1
    assert f.__ag_do_not_convert__ and int(f(tf.constant(1))) == 2
    assert tf.autograph.experimental.do_not_convert()(f) is f
