"""keras/saving/saveable_tree.py: the paths under which a .keras file keeps each object's state."""
from tapeflow import keras
from tapeflow.keras.saving import saveable_tree


def test_layers_named_by_snake_case_class_made_unique():
    m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, name="first"),
                          keras.layers.Dense(1, name="second")])
    paths = [n.path for n in saveable_tree.walk(m)]
    assert paths[:3] == ["", "layers/dense", "layers/dense_1"]   # never the layer names
    assert saveable_tree.vars_path("layers/dense") == "layers/dense/vars"
    assert saveable_tree.snake_case("Conv2DTranspose") == "conv2d_transpose"
