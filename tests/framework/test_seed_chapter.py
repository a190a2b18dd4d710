"""The seed chapter (Deep Learning with Python, ch. 3 "First steps with TensorFlow") as tests.

Each test replays one of the chapter's code flows and checks what TensorFlow
prints or returns there.
"""
import os
import re
import runpy

import numpy as np
import pytest

import tapeflow as tf

EXAMPLE = os.path.join(os.path.dirname(__file__), "..", "..", "examples", "linear_classifier.py")


def test_constant_tensors_print_like_tensorflow(capsys):
    t_ones = tf.ones(shape=(2, 2))
    t_zeros = tf.zeros(shape=(2, 1))
    print(t_ones)
    print(t_zeros)
    assert capsys.readouterr().out == (
        "tf.Tensor(\n[[1. 1.]\n [1. 1.]], shape=(2, 2), dtype=float32)\n"
        "tf.Tensor(\n[[0.]\n [0.]], shape=(2, 1), dtype=float32)\n")


def test_random_tensors():
    t_random_normal = tf.random.normal(shape=(3, 1), mean=0., stddev=1.)
    t_random_uniform = tf.random.uniform(shape=(1, 3), minval=0., maxval=1.)
    assert t_random_normal.shape == (3, 1) and t_random_normal.dtype == tf.float32
    assert str(t_random_normal).endswith(", shape=(3, 1), dtype=float32)")
    u = t_random_uniform.numpy()
    assert u.shape == (1, 3) and u.dtype == np.float32
    assert ((u >= 0.0) & (u < 1.0)).all()


def test_tensors_are_not_assignable():
    x = np.ones((2, 2))
    x[0, 0] = 0.0  # NumPy arrays are
    t_ones = tf.ones((2, 2))
    with pytest.raises(TypeError, match="'Tensor' object does not support item assignment"):
        t_ones[0, 0] = 0


def test_variable_flow():
    v = tf.Variable(initial_value=tf.random.normal(shape=(3, 1)))
    assert re.fullmatch(r"<tf.Variable 'Variable:0' shape=\(3, 1\) dtype=float32, numpy=\n"
                        r"array\(\[\[.*\],\n       \[.*\],\n       \[.*\]\], dtype=float32\)>",
                        repr(v))
    assert repr(v.assign(tf.ones((3, 1)))) == (
        "<tf.Variable 'UnreadVariable' shape=(3, 1) dtype=float32, numpy=\n"
        "array([[1.],\n       [1.],\n       [1.]], dtype=float32)>")
    assert repr(v[0, 0].assign(9.)) == (
        "<tf.Variable 'UnreadVariable' shape=(3, 1) dtype=float32, numpy=\n"
        "array([[9.],\n       [1.],\n       [1.]], dtype=float32)>")
    assert repr(v.assign_add(tf.ones((3, 1)))) == (
        "<tf.Variable 'UnreadVariable' shape=(3, 1) dtype=float32, numpy=\n"
        "array([[10.],\n       [ 2.],\n       [ 2.]], dtype=float32)>")
    v.assign_sub(tf.ones((3, 1)))
    np.testing.assert_array_equal(v.numpy(), [[9.0], [1.0], [1.0]])


def test_gradient_tape_on_a_variable():
    input_var = tf.Variable(initial_value=3.)
    with tf.GradientTape() as tape:
        result = tf.square(input_var)
    gradient = tape.gradient(result, input_var)
    assert repr(gradient) == "<tf.Tensor: shape=(), dtype=float32, numpy=6.0>"


def test_gradient_tape_on_a_watched_constant():
    input_const = tf.constant(3.)
    with tf.GradientTape() as tape:
        tape.watch(input_const)
        result = tf.square(input_const)
    gradient = tape.gradient(result, input_const)
    assert str(gradient) == "tf.Tensor(6.0, shape=(), dtype=float32)"
    arbitrary_tensor = tf.constant(value=2.)
    with tf.GradientTape() as tape:
        tape.watch(arbitrary_tensor)
        output = arbitrary_tensor * arbitrary_tensor
    assert str(tape.gradient(output, arbitrary_tensor)) == \
        "tf.Tensor(4.0, shape=(), dtype=float32)"


def _acceleration():
    time = tf.Variable(0.)
    with tf.GradientTape() as outer_tape:
        with tf.GradientTape() as inner_tape:
            position = 4.9 * time ** 2
        speed = inner_tape.gradient(position, time)
    return outer_tape.gradient(speed, time)


def test_second_order_gradients():
    acceleration = _acceleration()
    assert acceleration.dtype == tf.float32 and acceleration.shape == ()
    assert acceleration.numpy() == np.float32(9.8)


def test_second_order_gradient_repr():
    # The article printed numpy=9.8 with NumPy 1.x; TensorFlow 2 with NumPy 2 shows a 0-d
    # tensor's value as a Python float (``.item()``) in the repr and NumPy's text in str.
    acceleration = _acceleration()
    assert repr(acceleration) == "<tf.Tensor: shape=(), dtype=float32, numpy=9.800000190734863>"
    assert str(acceleration) == "tf.Tensor(9.8, shape=(), dtype=float32)"


def test_linear_classifier_converges():
    example = runpy.run_path(EXAMPLE)
    inputs, targets = example["make_data"](samples=1000, seed=0)
    assert inputs.shape == (2000, 2) and inputs.dtype == np.float32
    assert targets.shape == (2000, 1) and targets.dtype == np.float32
    np.testing.assert_allclose(inputs[:1000].mean(axis=0), [0, 3], atol=0.1)
    np.testing.assert_allclose(inputs[1000:].mean(axis=0), [3, 0], atol=0.1)
    history = example["train"](inputs, targets, steps=40, learning_rate=0.1, seed=0)
    losses = history["losses"]
    assert len(losses) == 40 and len(history["params"]) == 40
    assert losses[-1] < 0.05
    assert all(b <= a + 1e-6 for a, b in zip(losses[1:], losses[2:]))  # decreasing after step 1
    w, b = history["params"][-1]
    assert w.shape == (2, 1) and b.shape == (1,)
    accuracy = np.mean((history["predictions"][-1][:, 0] > 0.5) == (targets[:, 0] > 0.5))
    assert accuracy > 0.97


def test_linear_classifier_loss_matches_numpy():
    example = runpy.run_path(EXAMPLE)
    inputs, targets = example["make_data"](samples=200, seed=3)
    history = example["train"](inputs, targets, steps=3, learning_rate=0.1, seed=1)
    # replay the same steps in float32 NumPy from the first step's starting point
    w, b = history["params"][0]
    pred = inputs @ w + b
    loss1 = np.mean((targets - pred) ** 2)
    np.testing.assert_allclose(history["losses"][1], loss1, rtol=1e-5)


def test_linear_classifier_script_prints_each_step(capsys):
    runpy.run_path(EXAMPLE, run_name="__main__")
    lines = capsys.readouterr().out.splitlines()
    steps = [ln for ln in lines if ln.startswith("Loss at step")]
    assert len(steps) == 40
    assert all(re.fullmatch(r"Loss at step \d+: \d+\.\d{4}", ln) for ln in steps)
    assert steps[0].startswith("Loss at step 0: ")
    assert float(steps[-1].split(": ")[1]) < 0.05
