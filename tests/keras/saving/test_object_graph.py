"""keras/saving/object_graph.py: the children Keras objects show tf.train.Checkpoint."""
import tapeflow as tf
from tapeflow import keras
from tapeflow.keras.saving import object_graph


def test_dense_children_and_checkpoint_keys(tmp_path):
    layer = keras.layers.Dense(2)
    layer.build((None, 3))
    assert [n for n, _ in object_graph.layer_children(layer)] == ["_kernel", "bias"]
    tf.train.Checkpoint(layer=layer).write(str(tmp_path / "c"))
    keys = [k for k, _ in tf.train.list_variables(str(tmp_path / "c"))]
    assert "layer/_kernel/.ATTRIBUTES/VARIABLE_VALUE" in keys
    assert "layer/bias/.ATTRIBUTES/VARIABLE_VALUE" in keys
