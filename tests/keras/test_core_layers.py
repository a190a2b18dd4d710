"""Core layers: shapes, weights, NumPy references with fixed weights, gradients, configs."""
import os
import sys

import numpy as np
import pytest

import tapeflow as tf
from tapeflow import keras
from tapeflow.keras import layers

sys.path.insert(0, os.path.dirname(__file__))
from layer_harness import run_layer_test  # noqa: E402


@pytest.fixture(autouse=True)
def _fresh_names():
    keras.backend.clear_session()


def test_dense_harness():
    run_layer_test(layers.Dense, {"units": 4, "activation": "tanh"}, input_shape=(2, 3),
                   expected_output_shape=(2, 4), expected_num_trainable_weights=2)


def test_dense_no_bias_and_3d_input():
    run_layer_test(layers.Dense, {"units": 5, "use_bias": False}, input_shape=(2, 3, 4),
                   expected_output_shape=(2, 3, 5), expected_num_trainable_weights=1)


def test_dense_matches_numpy_with_fixed_weights():
    layer = layers.Dense(2, activation="relu")
    layer.build((None, 3))
    k = np.array([[1.0, -1.0], [2.0, 0.5], [-3.0, 1.0]], np.float32)
    b = np.array([0.5, -0.25], np.float32)
    layer.set_weights([k, b])
    x = np.array([[1.0, 2.0, 3.0], [0.0, -1.0, 0.5]], np.float32)
    np.testing.assert_allclose(layer(x).numpy(), np.maximum(x @ k + b, 0), rtol=1e-6)


def test_dense_weights_and_names():
    layer = layers.Dense(3)
    assert layer.name == "dense"
    assert layers.Dense(3).name == "dense_1"
    layer(np.zeros((1, 4)))
    assert [w.path for w in layer.weights] == ["dense/kernel", "dense/bias"]
    assert [w.name for w in layer.weights] == ["kernel", "bias"]
    assert layer.kernel.shape == (4, 3)
    assert layer.kernel.dtype == "float32"
    np.testing.assert_array_equal(layer.bias.numpy(), np.zeros(3, np.float32))
    assert layer.count_params() == 15


def test_dense_rejects_wrong_last_dimension():
    layer = layers.Dense(2, name="my_dense")
    layer(np.ones((2, 3)))
    with pytest.raises(ValueError) as e:
        layer(np.ones((2, 4)))
    assert str(e.value) == (
        "Input 0 with name 'None' of layer 'my_dense' is incompatible with the layer: expected "
        "axis -1 of input "
        "shape to have value 3, but received input with shape (2, 4)")


def test_dense_invalid_units():
    with pytest.raises(ValueError, match="units"):
        layers.Dense(0)


def test_dense_casts_float64_and_lists_to_float32():
    layer = layers.Dense(2)
    assert layer(np.ones((1, 3), np.float64)).dtype == tf.float32
    assert layer([[1.0, 2.0, 3.0]]).dtype == tf.float32
    assert layer(tf.constant(np.ones((1, 3)))).dtype == tf.float32


def test_activation_layer():
    y = run_layer_test(layers.Activation, {"activation": "sigmoid"}, input_shape=(2, 3),
                       expected_output_shape=(2, 3))
    assert float(np.min(y.numpy())) > 0


def test_dropout_training_and_inference():
    layer = layers.Dropout(0.5, seed=1)
    x = np.ones((200, 10), np.float32)
    np.testing.assert_array_equal(layer(x).numpy(), x)
    y = layer(x, training=True).numpy()
    assert set(np.unique(y)) == {0.0, 2.0}
    assert 0.4 < float((y == 0).mean()) < 0.6
    run_layer_test(layers.Dropout, {"rate": 0.3}, input_shape=(2, 3),
                   expected_output_shape=(2, 3))


def test_dropout_rate_validation():
    with pytest.raises(ValueError, match="rate"):
        layers.Dropout(1.5)


def test_flatten_reshape_permute_repeat():
    run_layer_test(layers.Flatten, {}, input_shape=(2, 3, 4), expected_output_shape=(2, 12))
    run_layer_test(layers.Reshape, {"target_shape": (4, 3)}, input_shape=(2, 3, 4),
                   expected_output_shape=(2, 4, 3))
    run_layer_test(layers.Reshape, {"target_shape": (-1, 2)}, input_shape=(2, 3, 4),
                   expected_output_shape=(2, 6, 2))
    y = run_layer_test(layers.Permute, {"dims": (2, 1)}, input_shape=(2, 3, 4),
                       expected_output_shape=(2, 4, 3))
    assert y.shape == (2, 4, 3)
    y = run_layer_test(layers.RepeatVector, {"n": 3}, input_shape=(2, 4),
                       expected_output_shape=(2, 3, 4))
    np.testing.assert_array_equal(y.numpy()[:, 0], y.numpy()[:, 2])


def test_flatten_values_and_reshape_error():
    x = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    np.testing.assert_array_equal(layers.Flatten()(x).numpy(), x.reshape(2, 12))
    np.testing.assert_array_equal(layers.Permute((2, 1))(x).numpy(), x.transpose(0, 2, 1))
    with pytest.raises(ValueError, match="total size"):
        layers.Reshape((5,))(keras.Input(shape=(3, 4)))


def test_lambda_and_identity():
    # An anonymous function cannot be deserialized (code is never loaded from configs).
    y = run_layer_test(layers.Lambda, {"function": lambda t: t * 2.0}, input_shape=(2, 3),
                       expected_output_shape=(2, 3), check_serialization=False)
    assert y.shape == (2, 3)
    run_layer_test(layers.Identity, {}, input_shape=(2, 3), expected_output_shape=(2, 3))


def test_embedding():
    run_layer_test(layers.Embedding, {"input_dim": 5, "output_dim": 3}, input_shape=(2, 4),
                   input_dtype="int32", expected_output_shape=(2, 4, 3),
                   expected_num_trainable_weights=1)
    layer = layers.Embedding(4, 2, mask_zero=True)
    table = np.arange(8, dtype=np.float32).reshape(4, 2)
    layer.build()
    layer.set_weights([table])
    idx = np.array([[0, 3, 1]])
    np.testing.assert_array_equal(layer(idx).numpy(), table[idx])
    np.testing.assert_array_equal(layer.compute_mask(idx).numpy(), [[False, True, True]])
    assert layers.Embedding(4, 2).compute_mask(idx) is None


def test_embedding_gradient_flows_to_table():
    layer = layers.Embedding(4, 2)
    idx = np.array([0, 2, 2])
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(layer(idx))
    g = tf.convert_to_tensor(tape.gradient(y, layer.embeddings))
    np.testing.assert_array_equal(g.numpy(), [[1, 1], [0, 0], [2, 2], [0, 0]])


def test_dense_config_matches_keras():
    config = layers.Dense(3, activation="relu", name="d").get_config()
    assert config["name"] == "d"
    assert config["units"] == 3
    assert config["activation"] == "relu"
    assert config["kernel_initializer"] == {
        "module": "keras.initializers", "class_name": "GlorotUniform",
        "config": {"seed": None, "input_axes": None, "output_axes": None},
        "registered_name": None}
    assert config["bias_initializer"]["class_name"] == "Zeros"
    assert config["kernel_regularizer"] is None


def test_embedding_mask_propagates_to_layers_that_take_a_mask():
    seen = []

    class MaskProbe(keras.layers.Layer):
        def call(self, x, mask=None):
            seen.append(None if mask is None else np.asarray(mask).tolist())
            return x

    tokens = keras.Input(shape=(3,), dtype="int32")
    x = layers.Embedding(5, 2, mask_zero=True)(tokens)
    x = layers.Dense(2)(x)          # supports masking: passes it on
    y = MaskProbe()(x)
    model = keras.Model(tokens, y)
    seen.clear()
    model(np.array([[1, 0, 2], [0, 0, 3]]))
    assert seen == [[[True, False, True], [False, False, True]]]
    seen.clear()
    model(np.array([[1, 1, 1]]))
    assert seen == [[[True, True, True]]]
    softmax = layers.Softmax()(np.array([[1.0, 2.0]], np.float32), mask=np.array([[True, False]]))
    np.testing.assert_allclose(softmax.numpy(), [[1.0, 0.0]], atol=1e-7)


def test_dense_accepts_integer_inputs():
    layer = layers.Dense(2, kernel_initializer="ones")
    y = layer(np.array([[1, 2, 3]], np.uint8))
    assert y.dtype == tf.float32
    np.testing.assert_array_equal(y.numpy(), [[6.0, 6.0]])


@pytest.mark.parametrize("activation,op", [("relu", "_FusedMatMul"), (None, "_FusedMatMul"),
                                           ("sigmoid", None)])
def test_dense_fuses_bias_and_relu_into_one_op_with_the_unfused_values(activation, op):
    layer = layers.Dense(5, activation=activation, bias_initializer="random_normal")
    x = tf.constant(np.random.default_rng(0).standard_normal((4, 3)).astype("float32"))
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = layer(x)
        loss = tf.reduce_sum(y * y)
    names = [r.op.name for r in tape._records]
    assert (names[0] == op) if op else "_FusedMatMul" not in names
    got = tape.gradient(loss, [x] + layer.trainable_weights)
    act = keras.activations.get(activation)
    with tf.GradientTape() as tape:
        tape.watch(x)
        want_y = act(tf.matmul(x, layer.kernel) + layer.bias)
        loss = tf.reduce_sum(want_y * want_y)
    want = tape.gradient(loss, [x] + layer.trainable_weights)
    np.testing.assert_allclose(y.numpy(), want_y.numpy(), rtol=1e-6, atol=1e-6)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g.numpy(), w.numpy(), rtol=1e-5, atol=1e-6)


def test_dense_on_3d_inputs_fuses_over_the_flattened_rows():
    layer = layers.Dense(5, activation="relu", bias_initializer="random_normal")
    x = tf.constant(np.random.default_rng(1).standard_normal((2, 3, 4)).astype("float32"))
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = layer(x)
    assert "_FusedMatMul" in [r.op.name for r in tape._records]
    want = np.maximum(x.numpy() @ layer.kernel.numpy() + layer.bias.numpy(), 0)
    assert y.shape == (2, 3, 5)
    np.testing.assert_allclose(y.numpy(), want, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(tape.gradient(y, x).numpy(),
                               (want > 0) @ layer.kernel.numpy().T, rtol=1e-6, atol=1e-6)


def test_reshape_to_a_different_size_is_a_value_error():
    # Keras 3 raises ValueError naming the per-sample shapes (not the reshape op's error)
    with pytest.raises(ValueError, match=r"input_shape=\(3, 5\), target_shape=\(4, 4\)"):
        layers.Reshape((4, 4))(np.ones((2, 3, 5), "float32"))
