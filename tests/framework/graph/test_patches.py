"""framework/graph/patches.py: while tracing, tensors print as TensorFlow's symbolic ones and
variable writes are recorded (then undone) rather than applied at trace time."""
import tapeflow as tf


def test_tensors_print_symbolically_while_tracing_only():
    printed = []

    @tf.function
    def f(x):
        printed.append(str(x))
        return x + 1

    f(tf.constant(1))
    assert printed == ['Tensor("x:0", shape=(), dtype=int32)']
    assert str(tf.constant(1)) == "tf.Tensor(1, shape=(), dtype=int32)"


def test_assign_runs_on_every_call_not_twice_on_the_first():
    v = tf.Variable(0)

    @tf.function
    def bump():
        v.assign_add(1)
        return v.read_value()

    assert [int(bump()) for _ in range(3)] == [1, 2, 3]
