"""keras/layers/layer_config.py: a layer's config records the arguments it was built with."""
import pytest

from tapeflow import keras


class _Scaled(keras.layers.Layer):
    def __init__(self, units, scale=2.0, **kwargs):
        super().__init__(**kwargs)
        self.units, self.scale = units, scale


class _Star(keras.layers.Layer):
    def __init__(self, *args, **kwargs):
        super().__init__(**kwargs)


def test_constructor_arguments_are_recorded_and_round_trip():
    config = _Scaled(3, scale=0.5, name="s").get_config()
    assert config["units"] == 3 and config["scale"] == 0.5 and config["name"] == "s"
    again = _Scaled.from_config(config)
    assert (again.units, again.scale, again.name) == (3, 0.5, "s")


def test_star_args_cannot_be_recorded():
    with pytest.raises(NotImplementedError, match="override `get_config\\(\\)`"):
        _Star(1, 2).get_config()
