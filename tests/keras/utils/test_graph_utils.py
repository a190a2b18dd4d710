"""keras/utils/graph_utils.py: get_source_inputs."""
from tapeflow import keras


def test_source_inputs_of_a_symbolic_tensor():
    a, b = keras.Input((3,)), keras.Input((3,))
    y = keras.layers.Dense(2)(keras.layers.Add()([a, b]))
    src = keras.utils.get_source_inputs(y)
    assert len(src) == 2 and src[0] is a and src[1] is b
