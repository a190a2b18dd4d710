"""keras/saving/allowlist.py: what a saved config may name."""
import pytest

from tapeflow import keras
from tapeflow.keras.saving import allowlist


def test_keras_classes_resolve_without_instantiating():
    cls = allowlist.resolve({"module": "keras.layers", "class_name": "Dense", "config": {}})
    assert cls is keras.layers.Dense


@pytest.mark.parametrize("config, exc, words", [
    ({"module": "os", "class_name": "system", "config": {}}, TypeError,
     "Could not locate class 'system'"),
    ({"module": "builtins", "class_name": "function", "config": "eval"}, TypeError,
     "Could not locate function 'eval'"),
    ({"module": "keras.layers", "class_name": "deserialize", "config": {}}, ValueError,
     "not a modeling function"),
])
def test_names_outside_the_allow_list_are_refused(config, exc, words):
    with pytest.raises(exc, match=words):
        allowlist.resolve(config)


def test_custom_objects_are_admitted():
    class Mine(keras.layers.Layer):
        pass
    config = {"module": None, "class_name": "Mine", "config": {}}
    with pytest.raises(TypeError):
        allowlist.resolve(config)
    assert allowlist.resolve(config, custom_objects={"Mine": Mine}) is Mine
