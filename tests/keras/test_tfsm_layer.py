"""keras.layers.TFSMLayer over tapeflow's model.export and over TensorFlow's fixtures."""
import os

import numpy as np
import pytest

import tapeflow as tf
from tapeflow import keras

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures", "saved_models")


def _exported(tmp_path):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="relu"),
                              keras.layers.Dense(3, activation="softmax")])
    d = str(tmp_path / "exp")
    model.export(d, verbose=False)
    return model, d


def test_serve_and_serving_default_endpoints(tmp_path):
    model, d = _exported(tmp_path)
    x = np.random.default_rng(0).normal(size=(5, 3)).astype("float32")
    layer = keras.layers.TFSMLayer(d)
    np.testing.assert_allclose(layer(x).numpy(), model(x).numpy(), rtol=1e-6)
    out = keras.layers.TFSMLayer(d, call_endpoint="serving_default")(x)
    assert list(out) == ["output_0"]
    np.testing.assert_allclose(out["output_0"].numpy(), model(x).numpy(), rtol=1e-6)
    assert [tuple(w.shape) for w in layer.weights] == [(3, 4), (4,), (4, 3), (3,)]
    assert len(layer.trainable_weights) == 4
    cfg = layer.get_config()
    assert cfg["filepath"] == d and cfg["call_endpoint"] == "serve"
    assert cfg["call_training_endpoint"] is None
    frozen = keras.layers.TFSMLayer(d, trainable=False)
    assert frozen.trainable_weights == [] and len(frozen.non_trainable_weights) == 4


def test_unknown_endpoint_names_the_available_ones(tmp_path):
    _, d = _exported(tmp_path)
    with pytest.raises(ValueError, match=r"The endpoint 'nope' is neither an attribute.*"
                                         r"\['serve', 'serving_default'\]"):
        keras.layers.TFSMLayer(d, call_endpoint="nope")


def test_fine_tunes_inside_a_model(tmp_path):
    _, d = _exported(tmp_path)
    layer = keras.layers.TFSMLayer(d)
    model = keras.Sequential([keras.Input((3,)), layer, keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    x = np.random.default_rng(1).normal(size=(8, 3)).astype("float32")
    before = [w.numpy().copy() for w in layer.weights]
    hist = model.fit(x, np.ones((8, 1)), epochs=3, verbose=0).history["loss"]
    assert hist[-1] < hist[0]
    assert any(not np.array_equal(a, w.numpy()) for a, w in zip(before, layer.weights))


def test_wraps_a_tensorflow_export():
    layer = keras.layers.TFSMLayer(os.path.join(FIXTURES, "keras_dense"))
    x = np.load(os.path.join(FIXTURES, "keras_dense_x.npy"))
    y = np.load(os.path.join(FIXTURES, "keras_dense_y.npy"))
    np.testing.assert_allclose(layer(x).numpy(), y, rtol=1e-5, atol=1e-7)
    assert isinstance(layer(tf.constant(x)), tf.Tensor)
