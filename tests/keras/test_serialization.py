"""serialize/deserialize_keras_object, the custom-object registry, layer config round trips."""
import json

import numpy as np
import pytest

from tapeflow import keras
from tapeflow.keras import layers
from tapeflow.keras.saving import serialization


@pytest.fixture(autouse=True)
def _fresh_names():
    keras.backend.clear_session()


ALL_LAYERS = [
    (layers.Dense, {"units": 3, "activation": "relu", "kernel_regularizer": "l2"}),
    (layers.Activation, {"activation": "tanh"}),
    (layers.Dropout, {"rate": 0.3, "seed": 2}),
    (layers.Flatten, {}),
    (layers.Reshape, {"target_shape": (2, 3)}),
    (layers.Permute, {"dims": (2, 1)}),
    (layers.RepeatVector, {"n": 4}),
    (layers.Identity, {}),
    (layers.Embedding, {"input_dim": 10, "output_dim": 4, "mask_zero": True}),
    (layers.Concatenate, {"axis": 1}),
    (layers.Add, {}), (layers.Subtract, {}), (layers.Multiply, {}), (layers.Average, {}),
    (layers.Maximum, {}), (layers.Minimum, {}),
    (layers.Dot, {"axes": (1, 1), "normalize": True}),
    (layers.BatchNormalization, {"momentum": 0.9}),
    (layers.LayerNormalization, {"epsilon": 1e-5}),
    (layers.Rescaling, {"scale": 0.5, "offset": 1.0}),
    (layers.Normalization, {"mean": [1.0, 2.0], "variance": [1.0, 4.0]}),
    (layers.ReLU, {"max_value": 6.0}), (layers.LeakyReLU, {"negative_slope": 0.1}),
    (layers.Softmax, {"axis": 1}), (layers.ELU, {"alpha": 0.5}), (layers.PReLU, {}),
]


@pytest.mark.parametrize("cls,kwargs", ALL_LAYERS, ids=[c.__name__ for c, _ in ALL_LAYERS])
def test_every_layer_config_round_trips_through_json(cls, kwargs):
    layer = cls(**kwargs)
    config = layer.get_config()
    assert config["name"] == layer.name and config["trainable"] is True
    serialized = json.loads(json.dumps(keras.layers.serialize(layer)))
    assert serialized["module"] == "keras.layers"
    assert serialized["class_name"] == cls.__name__
    assert serialized["registered_name"] is None
    restored = keras.layers.deserialize(serialized)
    assert type(restored) is cls
    assert json.loads(json.dumps(restored.get_config())) == json.loads(json.dumps(config))


def test_dense_dtype_policy_in_config():
    config = layers.Dense(2).get_config()
    assert config["dtype"] == {"module": "keras", "class_name": "DTypePolicy",
                               "config": {"name": "float32"}, "registered_name": None}
    assert layers.Dense.from_config(dict(config, dtype="float64")).dtype == "float64"


def test_build_config_rebuilds_weights():
    layer = layers.Dense(2)
    layer.build((None, 3))
    serialized = keras.layers.serialize(layer)
    assert serialized["build_config"] == {"input_shape": (None, 3)}
    restored = keras.layers.deserialize(serialized)
    assert restored.built and restored.kernel.shape == (3, 2)


def test_register_custom_layer_and_function():
    @keras.saving.register_keras_serializable(package="MyPkg")
    class Scale(keras.layers.Layer):
        def __init__(self, factor=2.0, **kwargs):
            super().__init__(**kwargs)
            self.factor = factor

        def call(self, x):
            return x * self.factor

        def get_config(self):
            return dict(super().get_config(), factor=self.factor)

    @keras.saving.register_keras_serializable(package="MyPkg", name="cube")
    def cube(x):
        return x * x * x

    assert keras.saving.get_registered_name(Scale) == "MyPkg>Scale"
    assert keras.saving.get_registered_object("MyPkg>Scale") is Scale
    assert keras.saving.get_custom_objects()["MyPkg>cube"] is cube
    conf = keras.saving.serialize_keras_object(Scale(3.0))
    assert conf["registered_name"] == "MyPkg>Scale"
    restored = keras.saving.deserialize_keras_object(conf)
    assert isinstance(restored, Scale) and restored.factor == 3.0
    fconf = keras.saving.serialize_keras_object(cube)
    assert fconf["class_name"] == "function" and fconf["config"] == "MyPkg>cube"
    assert keras.saving.deserialize_keras_object(fconf) is cube
    layer = layers.Dense(1, activation=cube)
    assert layers.Dense.from_config(layer.get_config()).activation is cube
    del serialization._GLOBAL_CUSTOM_OBJECTS["MyPkg>Scale"]
    del serialization._GLOBAL_CUSTOM_OBJECTS["MyPkg>cube"]


def test_custom_object_scope_and_unknown_class():
    class Twice(keras.layers.Layer):
        def call(self, x):
            return x * 2

    conf = {"module": "mymodule", "class_name": "Twice", "config": {"name": "t"},
            "registered_name": "Twice"}
    with pytest.raises(TypeError, match="Could not locate class 'Twice'"):
        keras.saving.deserialize_keras_object(conf)
    with keras.saving.custom_object_scope({"Twice": Twice}):
        assert isinstance(keras.saving.deserialize_keras_object(conf), Twice)
    assert isinstance(keras.saving.deserialize_keras_object(conf, custom_objects={"Twice": Twice}),
                      Twice)
    assert keras.utils.CustomObjectScope is keras.saving.CustomObjectScope


def test_serialize_builtin_function_and_plain_values():
    conf = keras.saving.serialize_keras_object(keras.activations.relu)
    assert conf == {"module": "keras.activations", "class_name": "function", "config": "relu",
                    "registered_name": "function"}
    assert keras.saving.deserialize_keras_object(conf) is keras.activations.relu
    assert keras.saving.serialize_keras_object([1, "a", None]) == [1, "a", None]


def test_custom_layer_with_default_get_config():
    class Shift(keras.layers.Layer):
        def __init__(self, amount, **kwargs):
            super().__init__(**kwargs)
            self.amount = amount

        def call(self, x):
            return x + self.amount
    config = Shift(amount=3.0, name="s").get_config()
    assert config["amount"] == 3.0 and config["name"] == "s"
    assert Shift.from_config(config).amount == 3.0


def test_sequential_and_functional_models_serialize():
    seq = keras.Sequential([keras.Input(shape=(2,)), layers.Dense(3)])
    conf = json.loads(json.dumps(keras.saving.serialize_keras_object(seq)))
    assert conf["class_name"] == "Sequential" and conf["module"] == "keras"
    restored = keras.saving.deserialize_keras_object(conf)
    assert isinstance(restored, keras.Sequential) and len(restored.weights) == 2
    x = keras.Input(shape=(2,))
    func = keras.Model(x, layers.Dense(1)(x))
    fconf = json.loads(json.dumps(keras.saving.serialize_keras_object(func)))
    assert fconf["class_name"] == "Functional"
    restored = keras.saving.deserialize_keras_object(fconf)
    assert restored(np.ones((1, 2))).shape == (1, 1)


def test_automatic_config_records_positional_arguments():
    class Scaled(keras.layers.Layer):
        def __init__(self, factor, offset=0.0, **kwargs):
            super().__init__(**kwargs)
            self.factor, self.offset = factor, offset

        def call(self, x):
            return x * self.factor + self.offset
    config = Scaled(3.0, offset=1.0, name="sc").get_config()
    assert (config["factor"], config["offset"], config["name"]) == (3.0, 1.0, "sc")
    clone = Scaled.from_config(config)
    assert (clone.factor, clone.offset) == (3.0, 1.0)


def test_lambda_with_registered_function_round_trips_and_raw_lambda_refuses():
    @keras.saving.register_keras_serializable(package="T")
    def double(x):
        return x * 2.0

    try:
        layer = layers.Lambda(double)
        restored = keras.layers.deserialize(json.loads(json.dumps(keras.layers.serialize(layer))))
        assert restored.function is double
        anonymous = keras.layers.serialize(layers.Lambda(lambda x: x + 1.0))
        with pytest.raises(TypeError, match="Could not locate function"):
            keras.layers.deserialize(json.loads(json.dumps(anonymous)))
    finally:
        del serialization._GLOBAL_CUSTOM_OBJECTS["T>double"]
