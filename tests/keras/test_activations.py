"""keras.activations and the activation layers: values, gradients, get/serialize."""
import os
import sys

import numpy as np
import pytest

import tapeflow as tf
from gradcheck import check_grads
from tapeflow import keras
from tapeflow.keras import activations, layers

sys.path.insert(0, os.path.dirname(__file__))
from layer_harness import run_layer_test  # noqa: E402

X = np.array([[-3.0, -1.0, -0.25, 0.5, 2.0, 7.0]])


def _sig(x):
    return 1 / (1 + np.exp(-x))


def _softplus(x):
    return np.log1p(np.exp(x))


REFERENCES = {
    "relu": lambda x: np.maximum(x, 0),
    "sigmoid": _sig,
    "tanh": np.tanh,
    "elu": lambda x: np.where(x > 0, x, np.expm1(x)),
    "selu": lambda x: 1.0507009873554805 * np.where(x > 0, x, 1.6732632423543772 * np.expm1(x)),
    "softplus": _softplus,
    "softsign": lambda x: x / (1 + np.abs(x)),
    "swish": lambda x: x * _sig(x),
    "silu": lambda x: x * _sig(x),
    "leaky_relu": lambda x: np.where(x > 0, x, 0.2 * x),
    "linear": lambda x: x,
    "exponential": np.exp,
    "hard_sigmoid": lambda x: np.clip(x + 3, 0, 6) / 6,
    "relu6": lambda x: np.clip(x, 0, 6),
    "mish": lambda x: x * np.tanh(_softplus(x)),
    "softmax": lambda x: np.exp(x) / np.exp(x).sum(-1, keepdims=True),
}


@pytest.mark.parametrize("name", sorted(REFERENCES))
def test_activation_values(name):
    fn = activations.get(name)
    y = fn(tf.constant(X.astype(np.float32)))
    assert y.dtype == tf.float32
    np.testing.assert_allclose(np.asarray(y), REFERENCES[name](X), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", sorted(set(REFERENCES) - {"linear"}))
def test_activation_gradients(name):
    # Points away from kinks (0 for relu-like, -3/3 for hard_sigmoid, 6 for relu6).
    x = np.array([[-2.1, -0.7, 0.4, 1.3, 2.2]])
    check_grads(activations.get(name), [x], order=2, name=name)


def test_gelu_exact_and_approximate():
    from math import erf, pi, sqrt
    x = np.array([-2.0, -0.5, 0.0, 1.0, 3.0])
    exact = [0.5 * v * (1 + erf(v / sqrt(2))) for v in x]
    approx = 0.5 * x * (1 + np.tanh(sqrt(2 / pi) * (x + 0.044715 * x ** 3)))
    np.testing.assert_allclose(np.asarray(activations.gelu(tf.constant(x), approximate=True)),
                               approx, rtol=1e-6)
    np.testing.assert_allclose(np.asarray(activations.gelu(tf.constant(x))), exact,
                               rtol=1e-3, atol=1e-4)


def test_relu_options():
    x = tf.constant([-2.0, 0.5, 1.0, 4.0])
    np.testing.assert_allclose(activations.relu(x, max_value=2.0).numpy(), [0, 0.5, 1, 2])
    np.testing.assert_allclose(activations.relu(x, negative_slope=0.5).numpy(),
                               [-1, 0.5, 1, 4])
    np.testing.assert_allclose(activations.relu(x, threshold=0.75).numpy(), [0, 0, 1, 4])


def test_get_serialize_deserialize():
    assert activations.get(None) is activations.linear
    assert activations.get("relu") is activations.relu
    assert activations.get(np.tanh) is np.tanh
    assert activations.serialize(activations.relu) == "relu"
    assert activations.deserialize("softmax") is activations.softmax
    with pytest.raises(ValueError, match="Could not interpret activation function identifier"):
        activations.get("nope")


def test_softmax_stable_for_large_logits():
    y = activations.softmax(tf.constant([[1000.0, 1000.0]]))
    np.testing.assert_allclose(y.numpy(), [[0.5, 0.5]])


def test_leaky_relu_slopes_differ_between_function_and_layer():
    x = np.array([[-1.0, 2.0]], np.float32)
    np.testing.assert_allclose(activations.leaky_relu(tf.constant(x)).numpy(), [[-0.2, 2.0]])
    np.testing.assert_allclose(layers.LeakyReLU()(x).numpy(), [[-0.3, 2.0]])
    assert layers.LeakyReLU().get_config()["negative_slope"] == 0.3


def test_leaky_relu_alpha_keyword_warns_and_sets_slope():
    # Keras 3 renamed `alpha` to `negative_slope`; the old keyword still works, with a warning.
    with pytest.warns(UserWarning, match="Argument `alpha` is deprecated. Use `negative_slope`"):
        layer = layers.LeakyReLU(alpha=0.2)
    assert layer.negative_slope == 0.2
    np.testing.assert_allclose(layer(np.array([[-1.0, 2.0]], np.float32)).numpy(), [[-0.2, 2.0]])


def test_activation_layers():
    x = np.array([[-2.0, 0.5, 8.0]], np.float32)
    np.testing.assert_allclose(layers.ReLU(max_value=6.0)(x).numpy(), [[0, 0.5, 6.0]])
    np.testing.assert_allclose(layers.ELU(alpha=0.5)(x).numpy(),
                               [[0.5 * np.expm1(-2.0), 0.5, 8.0]], rtol=1e-6)
    s = layers.Softmax()(x).numpy()
    np.testing.assert_allclose(s.sum(), 1.0, rtol=1e-6)
    masked = layers.Softmax()(x, mask=np.array([[True, True, False]])).numpy()
    np.testing.assert_allclose(masked[0, 2], 0.0, atol=1e-7)
    for cls, kw in [(layers.ReLU, {}), (layers.LeakyReLU, {"negative_slope": 0.1}),
                    (layers.Softmax, {}), (layers.ELU, {})]:
        run_layer_test(cls, kw, input_shape=(2, 3), expected_output_shape=(2, 3),
                       input_data=np.array([[-0.7, 0.4, 1.3], [0.2, -1.1, 0.9]], np.float32))


def test_prelu():
    layer = layers.PReLU()
    y = layer(np.array([[-2.0, 3.0]], np.float32))
    np.testing.assert_array_equal(y.numpy(), [[0.0, 3.0]])
    assert layer.alpha.shape == (2,)
    run_layer_test(layers.PReLU, {"alpha_initializer": keras.initializers.Constant(0.25)},
                   input_shape=(2, 3), expected_output_shape=(2, 3),
                   expected_num_trainable_weights=1,
                   input_data=np.array([[-0.7, 0.4, 1.3], [0.2, -1.1, 0.9]], np.float32))


def test_relu_gradient_at_zero_is_zero_like_tensorflow():
    x = tf.constant([0.0, 1.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.reduce_sum(activations.relu(x))
    np.testing.assert_array_equal(tape.gradient(y, x).numpy(), [0.0, 1.0])
