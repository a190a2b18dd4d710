"""keras.random: shapes, dtypes, ranges, seeding and SeedGenerator state."""
import numpy as np
import pytest

import tapeflow as tf
from tapeflow import keras

kr = keras.random


@pytest.mark.parametrize("fn,kwargs", [
    (kr.normal, {}), (kr.uniform, {"minval": -2.0, "maxval": 3.0}),
    (kr.truncated_normal, {"stddev": 2.0}), (kr.gamma, {"alpha": 2.0}),
    (kr.beta, {"alpha": 2.0, "beta": 3.0}),
    (kr.binomial, {"counts": 5, "probabilities": 0.3}), (kr.randint, {"minval": 2, "maxval": 7})])
def test_shapes_dtypes_and_ranges(fn, kwargs):
    out = fn((200, 3), seed=1, **kwargs)
    a = out.numpy()
    assert a.shape == (200, 3)
    assert out.dtype.name == ("int32" if fn is kr.randint else "float32")
    if fn is kr.uniform:
        assert a.min() >= -2 and a.max() < 3
    if fn is kr.truncated_normal:
        assert np.abs(a).max() <= 4.0
    if fn is kr.randint:
        assert set(np.unique(a)) <= set(range(2, 7))
    if fn is kr.beta:
        assert 0 < a.min() and a.max() < 1


def test_int_seed_repeats_and_seed_generator_advances():
    np.testing.assert_array_equal(kr.normal((4,), seed=3).numpy(), kr.normal((4,), seed=3).numpy())
    g = kr.SeedGenerator(5)
    a, b = kr.uniform((4,), seed=g).numpy(), kr.uniform((4,), seed=g).numpy()
    assert not np.array_equal(a, b)
    g2 = kr.SeedGenerator(5)
    np.testing.assert_array_equal(kr.uniform((4,), seed=g2).numpy(), a)


def test_seed_generator_state_saves_with_a_layer():
    class Noisy(keras.layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.gen = kr.SeedGenerator(11)

        def call(self, x):
            return kr.dropout(x, 0.5, seed=self.gen)
    layer = Noisy()
    layer(np.ones((2, 4), "float32"))
    assert [w.name for w in layer.weights] == ["seed_generator_state"]
    assert layer.weights[0].numpy().tolist() == [11, 1]  # [seed, calls so far], as Keras


def test_dropout_scales_kept_values_and_is_differentiable():
    x = tf.constant(np.ones((50, 40), "float32"))
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = kr.dropout(x, 0.25, seed=2)
    a = y.numpy()
    assert set(np.unique(a)) <= {0.0, np.float32(1 / 0.75)}
    assert 0.15 < (a == 0).mean() < 0.35
    np.testing.assert_allclose(tape.gradient(y, x).numpy(), a)


def test_shuffle_and_categorical():
    x = np.arange(10)
    s = kr.shuffle(x, seed=1).numpy()
    assert sorted(s.tolist()) == list(range(10))
    logits = np.log(np.array([[0.0001, 0.9998, 0.0001]]))
    c = kr.categorical(logits, 20, seed=0)
    assert c.shape == (1, 20) and c.dtype.name == "int32"
    assert (c.numpy() == 1).mean() > 0.9


def test_bad_seed_raises_value_error():
    with pytest.raises(ValueError, match="seed"):
        kr.normal((2,), seed="x")


def test_seed_generator_state_round_trips_through_a_saved_model(tmp_path):
    @keras.saving.register_keras_serializable(package="test_random")
    class Noise(keras.layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.gen = kr.SeedGenerator(3)

        def call(self, x, training=None):
            return x + kr.normal(tf.shape(x), seed=self.gen)

    inp = keras.Input((4,))
    model = keras.Model(inp, Noise()(inp))
    x = np.zeros((2, 4), "float32")
    model(x)
    model(x)
    path = str(tmp_path / "noise.keras")
    model.save(path)
    back = keras.models.load_model(path)
    state = [w for w in back.weights if w.name == "seed_generator_state"][0]
    assert state.numpy().tolist() == [3, 2]
    np.testing.assert_array_equal(back(x).numpy(), model(x).numpy())  # the same next draw
