"""keras/saving/legacy_config.py: tf.keras 2.x model configs upgraded to Keras 3's shape."""
from tapeflow.keras.saving import legacy_config


def _old_functional():
    return {"class_name": "Model", "config": {
        "name": "m",
        "layers": [
            {"class_name": "InputLayer", "name": "in", "inbound_nodes": [],
             "config": {"batch_input_shape": [None, 3], "name": "in", "dtype": "float32"}},
            {"class_name": "Dense", "name": "d", "config": {"name": "d", "units": 2},
             "inbound_nodes": [[["in", 0, 0, {}]]]}],
        "input_layers": [["in", 0, 0]], "output_layers": [["d", 0, 0]]}}


def test_upgrade_rewrites_tf_keras_2_spellings():
    new = legacy_config.upgrade(_old_functional())
    assert new["class_name"] == "Functional"
    inp, dense = new["config"]["layers"]
    assert inp["config"]["batch_shape"] == [None, 3]
    assert "batch_input_shape" not in inp["config"]
    assert dense["inbound_nodes"] == [{"args": [{"class_name": "__keras_tensor__", "config": {
        "keras_history": ["in", 0, 0]}}], "kwargs": {}}]


def test_has_lambda_finds_nested_lambda_layers():
    assert legacy_config.has_lambda(
        {"class_name": "Sequential", "config": {"layers": [{"class_name": "Lambda"}]}})
    assert not legacy_config.has_lambda(_old_functional())
