"""model.export: a SavedModel with a 'serve' endpoint (recorded, not traced) and the variables."""
import os

import numpy as np
import pytest

import tapeflow as tf
from tapeflow import keras


def test_export_layout_print_and_load(tmp_path, capsys):
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    d = str(tmp_path / "exp")
    model.export(d)
    out = capsys.readouterr().out
    assert out.startswith(
        f"Saved artifact at '{d}'. The following endpoints are available:\n\n"
        "* Endpoint 'serve'\n"
        "  args_0 (POSITIONAL_ONLY): TensorSpec(shape=(None, 3), dtype=tf.float32, "
        "name='keras_tensor')\nOutput Type:\n"
        "  TensorSpec(shape=(None, 1), dtype=tf.float32, name=None)\nCaptures:\n")
    assert sorted(os.listdir(d)) == ["assets", "saved_model.pb", "variables"]
    loaded = tf.saved_model.load(d)
    assert sorted(a for a in dir(loaded) if not a.startswith("_")) == [
        "non_trainable_variables", "serve", "signatures", "trainable_variables", "variables"]
    np.testing.assert_array_equal(loaded.variables[0].numpy(), model.weights[0].numpy())
    assert loaded.serve.input_signature == [tf.TensorSpec((None, 3), tf.float32,
                                                          "keras_tensor")]
    x = np.ones((2, 3), "float32")
    np.testing.assert_allclose(loaded.serve(x).numpy(), model(x).numpy(), rtol=1e-6)


def test_export_refuses_other_formats_and_unbuilt_models(tmp_path):
    model = keras.Sequential([keras.layers.Dense(1)])
    with pytest.raises(ValueError, match="not yet been built"):
        model.export(str(tmp_path / "a"), verbose=False)
    with pytest.raises(ValueError, match="format"):
        model.export(str(tmp_path / "b"), format="onnx")
