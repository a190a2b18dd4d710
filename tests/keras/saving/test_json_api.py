"""``Model.to_json`` / ``keras.models.model_from_json``: the architecture as JSON, read back
through the saving allow-list."""
import json

import numpy as np
import pytest

from tapeflow import keras


def _functional():
    inputs = keras.Input((4,), name="x")
    h = keras.layers.Dense(8, activation="relu", name="hidden")(inputs)
    outputs = keras.layers.Dense(2, activation="softmax", name="out")(h)
    return keras.Model(inputs, outputs)


def test_round_trip_rebuilds_the_architecture_with_fresh_weights():
    model = _functional()
    text = model.to_json()
    assert sorted(json.loads(text)) == ["build_config", "class_name", "compile_config",
                                        "config", "module", "registered_name"]
    again = keras.models.model_from_json(text)
    assert type(again).__name__ == "Functional"
    assert [layer.name for layer in again.layers] == ["x", "hidden", "out"]
    assert [w.shape for w in again.weights] == [w.shape for w in model.weights]
    assert again.get_config() == model.get_config()
    # weights are not in the JSON: they start fresh, and the model runs
    assert again(np.ones((3, 4), "float32")).shape == (3, 2)


def test_sequential_and_json_dumps_keywords():
    seq = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    text = seq.to_json(indent=2)
    assert "\n  " in text
    assert type(keras.models.model_from_json(text)).__name__ == "Sequential"


def test_a_class_outside_keras_is_refused_without_being_called():
    with pytest.raises(TypeError, match="Could not locate class 'os.system'"):
        keras.models.model_from_json('{"class_name": "os.system", "config": {}}')
    with pytest.raises(json.JSONDecodeError):
        keras.models.model_from_json("not json")


def test_custom_objects_are_admitted():
    class Twice(keras.layers.Layer):
        def call(self, x):
            return 2 * x
    inputs = keras.Input((2,))
    model = keras.Model(inputs, Twice(name="twice")(inputs))
    text = model.to_json()
    with pytest.raises(TypeError):
        keras.models.model_from_json(text)
    again = keras.models.model_from_json(text, custom_objects={"Twice": Twice})
    np.testing.assert_array_equal(again(np.ones((1, 2), "float32")).numpy(), [[2.0, 2.0]])


def test_lambda_with_python_code_is_refused_in_safe_mode():
    inputs = keras.Input((2,))
    model = keras.Model(inputs, keras.layers.Lambda(lambda t: t + 1)(inputs))
    with pytest.raises(ValueError, match="Lambda"):
        keras.models.model_from_json(model.to_json())


def test_json_nested_past_the_interpreter_stack_is_refused():
    with pytest.raises(ValueError, match="nested too deeply"):
        keras.models.model_from_json("[" * 200_000 + "]" * 200_000)
