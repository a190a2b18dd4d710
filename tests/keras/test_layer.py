"""The Layer base class: lazy build, tracking, weights, losses, training flag, names, Variable."""
import numpy as np
import pytest

import tapeflow as tf
from tapeflow import keras
from tapeflow.keras import layers


@pytest.fixture(autouse=True)
def _fresh_names():
    keras.backend.clear_session()


class SimpleDense(keras.layers.Layer):
    """The seed article's layer."""

    def __init__(self, units, activation=None, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.activation = keras.activations.get(activation)

    def build(self, input_shape):
        input_dim = input_shape[-1]
        self.kernel = self.add_weight(shape=(input_dim, self.units), initializer="random_normal")
        self.bias = self.add_weight(shape=(self.units,), initializer="zeros")

    def call(self, inputs):
        y = tf.matmul(inputs, self.kernel) + self.bias
        if self.activation is not None:
            y = self.activation(y)
        return y


def test_simple_dense_from_the_seed():
    my_dense = SimpleDense(units=32, activation="relu")
    assert not my_dense.built and my_dense.weights == []
    output_tensor = my_dense(tf.ones(shape=(2, 784)))
    assert output_tensor.shape == tf.TensorShape([2, 32])
    assert repr(output_tensor.shape) == "TensorShape([2, 32])"
    assert my_dense.built
    assert len(my_dense.weights) == 2
    assert my_dense.kernel.shape == (784, 32)
    assert my_dense.name == "simple_dense"
    assert float(np.min(output_tensor.numpy())) >= 0.0


def test_unknown_kwarg_raises_type_error():
    with pytest.raises(TypeError, match="Unrecognized keyword arguments passed to Dense"):
        layers.Dense(2, bogus=1)


def test_auto_names_and_clear_session():
    assert [layers.Dense(1).name, layers.Dense(1).name] == ["dense", "dense_1"]
    assert layers.BatchNormalization().name == "batch_normalization"
    assert layers.LeakyReLU().name == "leaky_re_lu"
    keras.backend.clear_session()
    assert layers.Dense(1).name == "dense"


def test_variable_repr_path_hash_and_ops():
    layer = layers.Dense(2, kernel_initializer="ones", name="dense")
    layer.build((None, 3))
    v = layer.kernel
    assert repr(v) == ("<Variable path=dense/kernel, shape=(3, 2), dtype=float32, "
                       "value=[[1. 1.]\n [1. 1.]\n [1. 1.]]>")
    assert v.path == "dense/kernel" and v.name == "kernel"
    assert {v: 1}[v] == 1
    # Keras 3 (and TF 2.21): a keras.Variable is not an instance of tf.Variable
    assert not isinstance(v, tf.Variable) and isinstance(v, keras.Variable)
    np.testing.assert_array_equal((v * 2).numpy(), np.full((3, 2), 2.0, np.float32))
    v.assign(np.zeros((3, 2), np.float32))
    np.testing.assert_array_equal(v.numpy(), np.zeros((3, 2)))
    np.testing.assert_array_equal(v.value.numpy(), np.zeros((3, 2)))
    v.trainable = False
    assert not v.trainable


def test_gradient_tape_sees_layer_weights():
    layer = layers.Dense(1, kernel_initializer="ones")
    x = np.array([[1.0, 2.0]], np.float32)
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(layer(x))
    gk, gb = tape.gradient(y, layer.trainable_weights)
    np.testing.assert_array_equal(gk.numpy(), [[1.0], [2.0]])
    np.testing.assert_array_equal(gb.numpy(), [1.0])


class Block(keras.layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.first = layers.Dense(3)
        self.stack = [layers.Dense(4), layers.Dense(2)]
        self.named = {"norm": layers.BatchNormalization()}
        self.scale = self.add_weight(shape=(), initializer="ones", name="scale")

    def call(self, inputs, training=None):
        x = self.first(inputs)
        for layer in self.stack:
            x = layer(x)
        return self.named["norm"](x, training=training) * self.scale


def test_tracking_nested_layers_lists_and_dicts():
    block = Block()
    block(np.ones((2, 5)))
    names = [w.path for w in block.weights]
    # Keras 3: sublayers built inside the block's call are named under it
    assert names == ["block/scale", "block/dense/kernel", "block/dense/bias",
                     "block/dense_1/kernel", "block/dense_1/bias", "block/dense_2/kernel",
                     "block/dense_2/bias", "block/batch_normalization/gamma",
                     "block/batch_normalization/beta", "block/batch_normalization/moving_mean",
                     "block/batch_normalization/moving_variance"]
    assert len(block.trainable_weights) == 9
    assert [w.name for w in block.non_trainable_weights] == ["moving_mean", "moving_variance"]
    assert block.count_params() == 1 + 18 + 16 + 10 + 8


def test_list_appended_after_assignment_is_tracked():
    class Late(keras.layers.Layer):
        def __init__(self):
            super().__init__()
            self.blocks = []
            for _ in range(2):
                self.blocks.append(layers.Dense(2))

        def call(self, x):
            for b in self.blocks:
                x = b(x)
            return x
    late = Late()
    late(np.ones((1, 2)))
    assert len(late.weights) == 4


def test_freezing_a_layer_freezes_children():
    block = Block()
    block(np.ones((2, 5)))
    block.trainable = False
    assert block.trainable_weights == []
    assert len(block.non_trainable_weights) == 11
    assert not block.stack[0].trainable
    assert not block.stack[0].kernel.trainable
    block.trainable = True
    assert len(block.trainable_weights) == 9
    assert not block.named["norm"].moving_mean.trainable


def test_get_set_weights_and_errors():
    layer = layers.Dense(2)
    with pytest.raises(ValueError, match="isn't built"):
        layer.count_params()
    layer.build((None, 3))
    w = layer.get_weights()
    assert [a.shape for a in w] == [(3, 2), (2,)]
    layer.set_weights([np.ones((3, 2)), np.zeros(2)])
    np.testing.assert_array_equal(layer.kernel.numpy(), np.ones((3, 2)))
    with pytest.raises(ValueError, match="expecting 2 weights"):
        layer.set_weights([np.ones((3, 2))])
    with pytest.raises(ValueError, match=r"Layer dense weight shape \(3, 2\) is not compatible"):
        layer.set_weights([np.ones((2, 2)), np.zeros(2)])
    np.testing.assert_array_equal(layer.kernel.numpy(), np.ones((3, 2)))


def test_regularization_losses():
    layer = layers.Dense(2, kernel_initializer="ones",
                         kernel_regularizer=keras.regularizers.L2(0.1),
                         activity_regularizer=keras.regularizers.L1(0.5))
    layer(np.ones((1, 3)))
    losses = [float(v) for v in layer.losses]
    # activity: 0.5 * sum(|[3, 3]|) = 3; kernel: 0.1 * 6 = 0.6
    np.testing.assert_allclose(sorted(losses), [0.6, 3.0], rtol=1e-6)
    layer(np.ones((1, 3)))
    assert len(layer.losses) == 2  # activity losses are replaced on each call


def test_add_loss_in_call():
    class Penalized(keras.layers.Layer):
        def call(self, x):
            self.add_loss(tf.reduce_sum(x))
            return x
    p = Penalized()
    p(np.ones((2, 2)))
    assert [float(v) for v in p.losses] == [4.0]


def test_training_flag_propagates_to_nested_layers():
    seen = []

    class Probe(keras.layers.Layer):
        def call(self, x, training=None):
            seen.append(training)
            return x

    class Outer(keras.layers.Layer):
        def __init__(self):
            super().__init__()
            self.probe = Probe()

        def call(self, x):
            return self.probe(x)
    outer = Outer()
    outer(np.ones((1, 1)), training=True)
    outer(np.ones((1, 1)), training=False)
    outer(np.ones((1, 1)))
    assert seen == [True, False, None]


def test_call_without_training_argument_ignores_it():
    layer = layers.Dense(1)
    assert layer(np.ones((1, 2)), training=True).shape == (1, 1)


def test_float64_layer():
    layer = layers.Dense(2, dtype="float64")
    y = layer(np.ones((1, 3), np.float32))
    assert y.dtype == tf.float64
    assert layer.kernel.dtype == "float64"
    assert layer.dtype == "float64"


def test_add_weight_defaults():
    layer = keras.layers.Layer()
    w = layer.add_weight(shape=(2, 3))
    assert w.trainable and w.dtype == "float32" and w.shape == (2, 3)
    assert np.abs(w.numpy()).max() <= np.sqrt(6 / 5)  # glorot_uniform limit
    i = layer.add_weight(shape=(2,), dtype="int32", trainable=False, name="count")
    np.testing.assert_array_equal(i.numpy(), [0, 0])
    assert layer.weights == [w, i]


def test_training_defaults_to_the_call_signature_default():
    class Flag(keras.layers.Layer):
        def call(self, x, training=True):
            return x * (2.0 if training else 1.0)
    layer = Flag()
    assert float(layer(np.ones((1,)))[0]) == 2.0
    assert float(layer(np.ones((1,)), training=False)[0]) == 1.0


def test_layer_without_super_init_still_works():
    class NoSuper(keras.layers.Layer):
        def __init__(self, units):
            self.units = units

        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1], self.units))

        def call(self, x):
            return tf.matmul(x, self.w)
    layer = NoSuper(3)
    assert layer(np.ones((2, 4))).shape == (2, 3)
    assert layer.name == "no_super" and len(layer.weights) == 1


def test_input_spec_is_rechecked_for_each_new_shape():
    layer = layers.Dense(2)
    layer(np.ones((2, 3)))
    layer(np.ones((5, 3)))
    with pytest.raises(ValueError, match="expected axis -1 of input shape to have value 3"):
        layer(np.ones((5, 4)))
    with pytest.raises(ValueError, match="expected min_ndim=2, found ndim=1"):
        layer(np.ones((3,)))


def test_mixed_precision_policy_computes_in_float16_with_float32_weights():
    from tapeflow.keras.layers import dtype_policy
    layer = layers.Dense(2, dtype="mixed_float16", kernel_initializer="ones")
    y = layer(np.ones((1, 3), np.float32))
    assert y.dtype == tf.float16
    assert layer.kernel.dtype == "float32" and layer.dtype == "float32"
    assert layer.compute_dtype == "float16"
    assert repr(layer.dtype_policy) == '<DTypePolicy "mixed_float16">'
    np.testing.assert_array_equal(y.numpy(), [[3.0, 3.0]])
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(tf.cast(layer(np.ones((1, 3))), "float32"))
    grad = tape.gradient(loss, layer.kernel)
    assert grad.dtype == tf.float32
    np.testing.assert_array_equal(grad.numpy(), np.ones((3, 2)))
    assert layer.get_config()["dtype"]["config"] == {"name": "mixed_float16"}
    dtype_policy.set_global_policy("mixed_float16")
    try:
        assert layers.Dense(1).compute_dtype == "float16"
    finally:
        dtype_policy.set_global_policy(None)
    assert layers.Dense(1).compute_dtype == "float32"


def test_float32_layer_inside_mixed_precision_model_reads_float32_weights():
    # Keras 3 re-scopes autocasting per layer: a dtype="float32" output layer inside a
    # mixed_float16 model multiplies float32 inputs by its float32 kernel.
    inputs = keras.Input(shape=(3,))
    features = layers.Dense(4, dtype="mixed_float16")(inputs)
    outputs = layers.Dense(2, dtype="float32", kernel_initializer="ones")(features)
    model = keras.Model(inputs, outputs)
    with tf.GradientTape() as tape:
        y = model(np.ones((1, 3), np.float32))
        loss = tf.reduce_sum(y)
    assert y.dtype == tf.float32
    grads = tape.gradient(loss, model.trainable_weights)
    assert [g.dtype for g in grads] == [tf.float32] * 4
    from tapeflow.keras.layers import dtype_policy
    dtype_policy.set_global_policy("mixed_float16")
    try:
        outer = keras.Sequential([model, layers.Dense(2, dtype="float32")])
        assert outer.compute_dtype == "float16"
        assert outer(np.ones((1, 3), np.float32)).dtype == tf.float32
    finally:
        dtype_policy.set_global_policy(None)


def test_weight_lists_follow_every_structural_change():
    class Grow(keras.layers.Layer):
        def __init__(self):
            super().__init__()
            self.blocks = []
            self.table = {}

        def call(self, x):
            return x

    g = Grow()
    assert g.weights == []
    d1 = layers.Dense(2)
    d1.build((None, 2))
    g.blocks.append(d1)
    assert len(g.weights) == 2
    d2 = layers.Dense(2)
    d2.build((None, 2))
    g.table["x"] = d2
    assert len(g.weights) == 4 and len(g.trainable_weights) == 4
    d1.kernel.trainable = False
    assert len(g.trainable_weights) == 3 and len(g.non_trainable_weights) == 1
    g.blocks.pop()
    assert len(g.weights) == 2
    extra = g.add_weight(shape=(1,), name="extra")
    assert g.weights[0] is extra
    del g.table
    assert g.weights == [extra]


def test_save_and_load_own_variables():
    bn = layers.BatchNormalization()
    bn.build((None, 2))
    bn.moving_mean.assign([1.0, 2.0])
    store = {}
    bn.save_own_variables(store)
    assert sorted(store) == ["0", "1", "2", "3"]
    other = layers.BatchNormalization()
    other.build((None, 2))
    other.load_own_variables(store)
    np.testing.assert_array_equal(other.moving_mean.numpy(), [1.0, 2.0])
    with pytest.raises(ValueError, match="expected 4 variables"):
        other.load_own_variables({"0": np.ones(2)})
    v = other.add_variable((3,), "ones", name="v")
    np.testing.assert_array_equal(v.numpy(), np.ones(3))


class _Encoder(keras.layers.Layer):
    """A Transformer-style layer whose call's first argument is not named ``inputs``."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.proj = layers.Dense(4, kernel_initializer="ones")

    def call(self, source, mask=None):
        y = self.proj(source)
        if mask is not None:
            y = y * tf.cast(mask[..., None], y.dtype)
        return y


def test_keywords_only_call_takes_calls_first_argument_eagerly():
    enc = _Encoder()
    x = np.ones((2, 3, 5), "float32")
    m = np.array([[1, 1, 0], [1, 0, 0]], bool)
    y = enc(source=x, mask=m)
    np.testing.assert_allclose(y.numpy()[:, :, 0], [[5, 5, 0], [5, 0, 0]])
    np.testing.assert_allclose(enc(x, mask=m).numpy(), y.numpy())
    np.testing.assert_allclose(enc(source=x).numpy(), np.full((2, 3, 4), 5.0))


def test_keywords_only_call_takes_calls_first_argument_symbolically():
    enc = _Encoder()
    src, mask = keras.Input((3, 5)), keras.Input((3,), dtype="bool")
    out = enc(source=src, mask=mask)
    assert out.shape == (None, 3, 4)
    model = keras.Model([src, mask], out)
    x = np.ones((2, 3, 5), "float32")
    m = np.array([[1, 1, 0], [1, 0, 0]], bool)
    np.testing.assert_allclose(model([x, m]).numpy(), enc(x, mask=m).numpy())


def test_keywords_only_call_without_the_first_argument_raises_type_error():
    enc = _Encoder()
    x = np.ones((1, 2, 5), "float32")
    for kwargs in ({"inputs": x}, {"mask": np.ones((1, 2), bool)}):
        with pytest.raises(TypeError, match="missing a required argument: 'source'"):
            enc(**kwargs)
