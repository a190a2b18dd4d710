"""tf.function (runs eagerly), tf.print, tf.config and tf.debugging."""
import sys

import numpy as np
import pytest

import tapeflow as tf


# -- tf.function -----------------------------------------------------------------------------

def test_decorator_forms_give_eager_results():
    def f(x):
        return x * x + 1.0

    x = tf.constant([1.0, 2.0])
    eager = f(x).numpy()
    np.testing.assert_array_equal(tf.function(f)(x).numpy(), eager)
    np.testing.assert_array_equal(tf.function()(f)(x).numpy(), eager)
    np.testing.assert_array_equal(tf.function(jit_compile=True, reduce_retracing=True)(f)(x)
                                  .numpy(), eager)

    @tf.function
    def g(x):
        return x * x + 1.0
    np.testing.assert_array_equal(g(x).numpy(), eager)
    assert g.python_function.__name__ == "g"
    assert g.__name__ == "g"


def test_runs_python_every_call():
    calls = []

    @tf.function
    def f(x):
        calls.append(1)
        return x + 1
    f(tf.constant(1))
    f(tf.constant(2))
    assert len(calls) == 2


def test_gradients_through_function():
    v = tf.Variable(3.0)

    @tf.function
    def train_step():
        with tf.GradientTape() as tape:
            loss = v * v
        g = tape.gradient(loss, v)
        v.assign_sub(0.1 * g)
        return loss

    assert float(train_step()) == 9.0
    assert np.isclose(float(v), 2.4)


def test_on_methods():
    class Model:
        def __init__(self):
            self.w = tf.Variable(2.0)

        @tf.function
        def __call__(self, x):
            return x * self.w

        @tf.function(input_signature=[tf.TensorSpec(shape=(None,), dtype=tf.float32)])
        def double(self, x):
            return x * 2.0

    m = Model()
    assert float(m(tf.constant(3.0))) == 6.0
    np.testing.assert_array_equal(m.double(tf.constant([1.0, 2.0])).numpy(), [2.0, 4.0])
    with pytest.raises((TypeError, ValueError)):
        m.double(tf.constant([[1.0]]))
    assert isinstance(Model.__dict__["double"], type(tf.function(lambda: 0)))


def test_input_signature_checks_dtype():
    @tf.function(input_signature=[tf.TensorSpec(shape=[2], dtype=tf.float32)])
    def f(x):
        return x + 1.0
    np.testing.assert_array_equal(f(tf.constant([1.0, 2.0])).numpy(), [2.0, 3.0])
    with pytest.raises(TypeError):
        f(tf.constant([1, 2]))
    with pytest.raises(ValueError):
        f(tf.constant([1.0, 2.0, 3.0]))


def test_get_concrete_function_calls_eagerly():
    @tf.function
    def f(x):
        return x * 3.0
    cf = f.get_concrete_function(tf.TensorSpec([None], tf.float32))
    np.testing.assert_array_equal(cf(tf.constant([1.0])).numpy(), [3.0])


def test_run_functions_eagerly_flag():
    assert tf.config.functions_run_eagerly() is False
    tf.config.run_functions_eagerly(True)
    try:
        assert tf.config.functions_run_eagerly() is True
    finally:
        tf.config.run_functions_eagerly(False)


# -- tf.print --------------------------------------------------------------------------------

def test_print_examples_from_tf_docs(capsys):
    tensor = tf.range(10)
    tf.print(tensor, output_stream=sys.stderr)
    tf.print("tensors:", tensor, {2: tensor * 2}, output_stream=sys.stdout)
    tf.print(tf.range(2), tf.range(2) * 2, output_stream=sys.stderr, sep=",")
    out, err = capsys.readouterr()
    assert err == "[0 1 2 ... 7 8 9]\n[0 1],[0 2]\n"
    assert out == "tensors: [0 1 2 ... 7 8 9] {2: [0 2 4 ... 14 16 18]}\n"


def test_print_default_stream_is_stderr(capsys):
    tf.print(tf.constant([1, 2, 3]))
    out, err = capsys.readouterr()
    assert (out, err) == ("", "[1 2 3]\n")


def test_print_summarize_and_matrices(capsys):
    tf.print(tf.reshape(tf.range(100), (10, 10)), output_stream=sys.stdout)
    tf.print(tf.range(10), summarize=-1, output_stream=sys.stdout)
    tf.print(tf.range(10), summarize=2, output_stream=sys.stdout, end="|\n")
    tf.print(tf.reshape(tf.range(8), (2, 2, 2)), output_stream=sys.stdout)
    out = capsys.readouterr().out
    assert out == ("[[0 1 2 ... 7 8 9]\n [10 11 12 ... 17 18 19]\n [20 21 22 ... 27 28 29]\n"
                   " ...\n [70 71 72 ... 77 78 79]\n [80 81 82 ... 87 88 89]\n"
                   " [90 91 92 ... 97 98 99]]\n"
                   "[0 1 2 3 4 5 6 7 8 9]\n"
                   "[0 1 ... 8 9]|\n"
                   "[[[0 1]\n  [2 3]]\n\n [[4 5]\n  [6 7]]]\n")


def test_print_floats_and_scalars(capsys):
    tf.print(tf.constant([1.5, 2.0, 0.1]), tf.constant(3.0), 7, "text",
             output_stream=sys.stdout)
    tf.print(tf.Variable([1.0, 2.0]), tf.constant([], dtype=tf.float32),
             output_stream=sys.stdout)
    assert capsys.readouterr().out == "[1.5 2 0.1] 3 7 text\n[1 2] []\n"


def test_print_to_file(tmp_path):
    path = tmp_path / "log.txt"
    tf.print(tf.constant([1, 2]), output_stream=f"file://{path}")
    tf.print("again", output_stream=f"file://{path}")
    assert path.read_text() == "[1 2]\nagain\n"


def test_print_returns_none(capsys):
    assert tf.print("x") is None
    capsys.readouterr()


# -- tf.config -------------------------------------------------------------------------------

def test_physical_devices():
    cpus = tf.config.list_physical_devices("CPU")
    assert len(cpus) == 1
    assert cpus[0].name == "/physical_device:CPU:0" and cpus[0].device_type == "CPU"
    assert repr(cpus[0]) == "PhysicalDevice(name='/physical_device:CPU:0', device_type='CPU')"
    assert tf.config.list_physical_devices("GPU") == []
    assert tf.config.list_physical_devices() == cpus


def test_device_setters_are_noops():
    gpus = tf.config.list_physical_devices("GPU")
    for gpu in gpus:
        tf.config.experimental.set_memory_growth(gpu, True)
    tf.config.set_visible_devices([], "GPU")
    tf.config.set_visible_devices(tf.config.list_physical_devices("CPU"))
    tf.config.experimental.set_memory_growth(tf.config.list_physical_devices("CPU")[0], True)
    assert tf.config.get_visible_devices("CPU") == tf.config.list_physical_devices("CPU")


def test_threading_getters_setters():
    th = tf.config.threading
    old = th.get_intra_op_parallelism_threads(), th.get_inter_op_parallelism_threads()
    assert old == (0, 0)
    try:
        th.set_intra_op_parallelism_threads(2)
        th.set_inter_op_parallelism_threads(3)
        assert th.get_intra_op_parallelism_threads() == 2
        assert th.get_inter_op_parallelism_threads() == 3
    finally:
        th.set_intra_op_parallelism_threads(old[0])
        th.set_inter_op_parallelism_threads(old[1])


# -- tf.debugging ----------------------------------------------------------------------------

def test_assert_equal():
    assert tf.debugging.assert_equal(tf.constant([1, 2]), tf.constant([1, 2])) is None
    with pytest.raises(tf.errors.InvalidArgumentError, match="Condition x == y did not hold"):
        tf.debugging.assert_equal(tf.constant([1, 2]), tf.constant([1, 3]), message="oops")


def test_assert_near():
    tf.debugging.assert_near(tf.constant([1.0, 2.0]), tf.constant([1.0, 2.0000001]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="not equal to tolerance"):
        tf.debugging.assert_near(tf.constant([1.0]), tf.constant([1.1]))
    tf.debugging.assert_near(tf.constant([1.0]), tf.constant([1.1]), atol=0.2)


def test_assert_rank():
    tf.debugging.assert_rank(tf.zeros((2, 3)), 2)
    with pytest.raises(ValueError, match="must have rank 1"):
        tf.debugging.assert_rank(tf.zeros((2, 3)), 1)


def test_check_numerics():
    x = tf.constant([1.0, 2.0])
    assert tf.debugging.check_numerics(x, "fine") is x
    with pytest.raises(tf.errors.InvalidArgumentError, match="bad : Tensor had NaN values"):
        tf.debugging.check_numerics(tf.constant([np.nan]), "bad")
    with pytest.raises(tf.errors.InvalidArgumentError, match="Tensor had Inf values"):
        tf.debugging.check_numerics(tf.constant([np.inf], dtype=tf.float32), "bad")


def test_assert_shapes():
    x = tf.zeros((2, 3))
    y = tf.zeros((3,))
    tf.debugging.assert_shapes([(x, ("N", "Q")), (y, ("Q",))])
    tf.debugging.assert_shapes([(x, (2, None))])
    with pytest.raises(ValueError):
        tf.debugging.assert_shapes([(x, ("N", "Q")), (y, ("N",))])
    with pytest.raises(ValueError):
        tf.debugging.assert_shapes([(x, ("N",))])
