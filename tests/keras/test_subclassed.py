"""Subclassed models: tracking, call, build, training flag, get_layer."""
import numpy as np
import pytest

import tapeflow as tf
from tapeflow import keras
from tapeflow.keras import layers


@pytest.fixture(autouse=True)
def _fresh_names():
    keras.backend.clear_session()


class CustomerTicketModel(keras.Model):
    def __init__(self, num_departments):
        super().__init__()
        self.concat_layer = layers.Concatenate()
        self.mixing_layer = layers.Dense(64, activation="relu")
        self.priority_scorer = layers.Dense(1, activation="sigmoid")
        self.department_classifier = layers.Dense(num_departments, activation="softmax")

    def call(self, inputs):
        title, text_body, tags = inputs["title"], inputs["text_body"], inputs["tags"]
        features = self.concat_layer([title, text_body, tags])
        features = self.mixing_layer(features)
        return self.priority_scorer(features), self.department_classifier(features)


def test_subclassed_model_from_the_book():
    model = CustomerTicketModel(num_departments=4)
    assert not model.built
    priority, department = model({"title": np.ones((2, 10)), "text_body": np.ones((2, 20)),
                                  "tags": np.ones((2, 5))})
    assert priority.shape == (2, 1) and department.shape == (2, 4)
    assert model.built and model.name == "customer_ticket_model"
    assert len(model.weights) == 6
    assert [l.name for l in model.layers] == ["concatenate", "dense", "dense_1", "dense_2"]
    assert model.get_layer("dense_1") is model.priority_scorer
    # as Keras 3: a subclassed model has no symbolic inputs/outputs at all
    for attr in ("inputs", "outputs", "input_names", "output_names", "operations"):
        assert not hasattr(model, attr), attr


class WithDropout(keras.Model):
    def __init__(self):
        super().__init__()
        self.dense = layers.Dense(8)
        self.dropout = layers.Dropout(0.9, seed=3)

    def call(self, x, training=False):
        return self.dropout(self.dense(x), training=training)


def test_training_argument_reaches_sublayers():
    model = WithDropout()
    x = np.ones((4, 3), np.float32)
    np.testing.assert_allclose(model(x).numpy(), model.dense(x).numpy())
    assert (model(x, training=True).numpy() == 0).mean() > 0.5


def test_build_with_input_shape_creates_weights():
    model = WithDropout()
    model.build((None, 3))
    assert model.built and model.dense.kernel.shape == (3, 8)
    assert model.count_params() == 32


def test_subclassed_model_gradients():
    model = WithDropout()
    x = np.ones((2, 3), np.float32)
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(model(x))
    grads = tape.gradient(loss, model.trainable_variables)
    assert len(grads) == 2 and all(g is not None for g in grads)


def test_model_without_call_raises():
    with pytest.raises(NotImplementedError):
        keras.Model()(np.ones((1, 1)))


def test_reserved_layers_attribute():
    class Bad(keras.Model):
        def __init__(self):
            super().__init__()
            self.layers = [layers.Dense(1)]
    with pytest.raises(AttributeError, match="reserved"):
        Bad()


def test_nested_subclassed_losses():
    class Reg(keras.Model):
        def __init__(self):
            super().__init__()
            self.d = layers.Dense(1, kernel_initializer="ones",
                                  kernel_regularizer=keras.regularizers.L2(1.0))

        def call(self, x):
            return self.d(x)
    model = Reg()
    model(np.ones((1, 2)))
    assert [float(v) for v in model.losses] == [2.0]


def test_clone_subclassed_model_from_its_config():
    class Net(keras.Model):
        def __init__(self, units=3, **kwargs):
            super().__init__(**kwargs)
            self.units = units
            self.d = layers.Dense(units)

        def call(self, x):
            return self.d(x)

        def get_config(self):
            return {"units": self.units, "name": self.name}

    clone = keras.models.clone_model(Net(units=4, name="n"))
    assert isinstance(clone, Net) and clone.units == 4
    with pytest.raises(ValueError, match="only supported"):
        keras.models.clone_model(Net(), clone_function=lambda layer: layer)
