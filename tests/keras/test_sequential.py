"""keras.Sequential: construction, add/pop, deferred build, layers, config, clone."""
import numpy as np
import pytest

import tapeflow as tf
from tapeflow import keras
from tapeflow.keras import layers


@pytest.fixture(autouse=True)
def _fresh_names():
    keras.backend.clear_session()


def test_sequential_with_input_is_built_at_once():
    model = keras.Sequential([keras.Input(shape=(3,)), layers.Dense(4), layers.Dense(2)])
    assert model.built and model.name == "sequential"
    assert [l.name for l in model.layers] == ["dense", "dense_1"]  # no InputLayer
    assert len(model.weights) == 4
    assert model.layers[1].output.shape == (None, 2)
    assert model.inputs[0].shape == (None, 3)
    assert model.outputs[0].shape == (None, 2)


def test_deferred_build_on_first_call():
    model = keras.Sequential([layers.Dense(4, activation="relu"), layers.Dense(1)])
    assert not model.built and model.weights == []
    y = model(np.ones((2, 3), np.float32))
    assert y.shape == (2, 1) and model.built
    assert len(model.weights) == 4
    assert model.layers[0].kernel.shape == (3, 4)
    # Another batch size still works.
    assert model(np.ones((5, 3), np.float32)).shape == (5, 1)


def test_build_and_add_pop():
    model = keras.Sequential()
    model.add(layers.Dense(8))
    model.add(layers.Dense(2))
    model.build((None, 5))
    assert model.built and model.count_params() == 5 * 8 + 8 + 8 * 2 + 2
    popped = model.pop()
    assert popped.name == "dense_1"
    assert len(model.layers) == 1
    assert model(np.ones((1, 5))).shape == (1, 8)
    with pytest.raises(ValueError, match="Only instances of `keras.Layer`"):
        model.add("dense")


def test_input_shape_argument_on_first_layer():
    model = keras.Sequential([layers.Dense(2, input_shape=(4,))])
    assert model.built and model.inputs[0].shape == (None, 4)


def test_call_matches_layer_by_layer():
    model = keras.Sequential([keras.Input(shape=(3,)), layers.Dense(4, activation="tanh"),
                              layers.Dense(2)])
    x = np.random.RandomState(0).rand(3, 3).astype(np.float32)
    np.testing.assert_allclose(model(x).numpy(), model.layers[1](model.layers[0](x)).numpy(),
                               rtol=1e-6)


def test_gradients_through_sequential():
    model = keras.Sequential([keras.Input(shape=(2,)), layers.Dense(3), layers.Dense(1)])
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(model(np.ones((4, 2), np.float32)))
    grads = tape.gradient(loss, model.trainable_weights)
    assert [g.shape for g in grads] == [w.shape for w in model.trainable_weights]


def test_config_round_trip_and_clone():
    model = keras.Sequential([keras.Input(shape=(3,)), layers.Dense(4, activation="relu"),
                              layers.Dropout(0.2), layers.Dense(1)], name="seq")
    config = model.get_config()
    assert config["name"] == "seq"
    assert [c["class_name"] for c in config["layers"]] == ["InputLayer", "Dense", "Dropout",
                                                            "Dense"]
    restored = keras.Sequential.from_config(config)
    assert restored.built and len(restored.weights) == 4
    restored.set_weights(model.get_weights())
    x = np.random.rand(2, 3)
    np.testing.assert_allclose(restored(x).numpy(), model(x).numpy(), rtol=1e-6)
    clone = keras.models.clone_model(model)
    assert clone.built and clone.layers[0] is not model.layers[0]
    assert [type(l) for l in clone.layers] == [type(l) for l in model.layers]


def test_frozen_sequential_layer():
    model = keras.Sequential([keras.Input(shape=(2,)), layers.Dense(2), layers.Dense(1)])
    model.layers[0].trainable = False
    assert len(model.trainable_weights) == 2
    assert len(model.non_trainable_weights) == 2
    model.trainable = False
    assert model.trainable_weights == []


def test_sequential_as_a_layer_in_sequential():
    inner = keras.Sequential([layers.Dense(3), layers.Dense(2)])
    outer = keras.Sequential([keras.Input(shape=(4,)), inner, layers.Dense(1)])
    assert len(outer.weights) == 6
    assert outer(np.ones((2, 4))).shape == (2, 1)


def test_unbuilt_sequential_has_no_inputs_and_names_must_be_unique():
    model = keras.Sequential([layers.Dense(2, name="a")])
    with pytest.raises(AttributeError,  # as Keras 3: hasattr(model, "inputs") is False
                       match="Sequential model 'sequential' has no defined inputs yet"):
        model.inputs
    assert not hasattr(model, "input_shape")
    with pytest.raises(ValueError, match="should have unique names"):
        model.add(layers.Dense(3, name="a"))
    model.build((None, 4))
    assert model.input_shape == (None, 4) and model.output_shape == (None, 2)
    with pytest.raises(ValueError, match="cannot build it with input_shape"):
        model.build((None, 5))
    assert model.get_config()["build_input_shape"] == (None, 4)
