"""The functional API: symbolic inputs, graphs, several inputs/outputs, sharing, nesting."""
import numpy as np
import pytest

import tapeflow as tf
from tapeflow import keras
from tapeflow.keras import layers


@pytest.fixture(autouse=True)
def _fresh_names():
    keras.backend.clear_session()


def test_input_is_symbolic():
    x = keras.Input(shape=(3,), name="features")
    assert isinstance(x, keras.KerasTensor)
    assert x.shape == (None, 3)
    assert x.dtype == "float32"
    assert x.name == "features"
    assert repr(x) == "<KerasTensor shape=(None, 3), dtype=float32, sparse=False, name=features>"
    assert keras.Input(shape=(2,), dtype="int32", batch_size=8).shape == (8, 2)
    assert keras.Input(shape=(2,), dtype="int32").dtype == "int32"
    assert keras.Input(shape=(4,)).name == "input_layer_2"


def test_symbolic_layer_call_shapes():
    x = keras.Input(shape=(28, 28))
    y = layers.Flatten()(x)
    assert y.shape == (None, 784)
    z = layers.Dense(10)(y)
    assert z.shape == (None, 10)
    e = layers.Embedding(100, 8)(keras.Input(shape=(5,), dtype="int32"))
    assert (e.shape, e.dtype) == ((None, 5, 8), "float32")


def test_simple_functional_model_matches_layers():
    inputs = keras.Input(shape=(3,))
    h = layers.Dense(4, activation="relu")(inputs)
    outputs = layers.Dense(2)(h)
    model = keras.Model(inputs=inputs, outputs=outputs)
    assert model.name == "functional"
    assert [l.name for l in model.layers] == ["input_layer", "dense", "dense_1"]
    assert len(model.weights) == 4
    x = np.random.RandomState(0).rand(5, 3).astype(np.float32)
    ref = model.layers[2](model.layers[1](x))
    np.testing.assert_allclose(model(x).numpy(), ref.numpy(), rtol=1e-6)
    assert model.inputs == [inputs] and model.outputs == [outputs]
    assert model.built


def test_multiple_inputs_and_outputs_in_declared_structure():
    title = keras.Input(shape=(4,), name="title")
    body = keras.Input(shape=(6,), name="body")
    features = layers.Concatenate()([title, body])
    priority = layers.Dense(1, name="priority")(features)
    department = layers.Dense(3, activation="softmax", name="department")(features)
    model = keras.Model(inputs=[title, body], outputs=[priority, department])
    assert model.output_names == ["priority", "department"]
    assert model.input_names == ["title", "body"]
    t, b = np.ones((2, 4), np.float32), np.ones((2, 6), np.float32)
    p, d = model([t, b])
    assert (p.shape, d.shape) == ((2, 1), (2, 3))
    p2, d2 = model({"title": t, "body": b})
    np.testing.assert_allclose(p2.numpy(), p.numpy())
    with pytest.raises(ValueError, match="Missing data for input 'body'"):
        model({"title": t})
    dict_model = keras.Model({"title": title, "body": body},
                             {"priority": priority, "department": department})
    out = dict_model({"title": t, "body": b})
    assert sorted(out) == ["department", "priority"]
    np.testing.assert_allclose(out["department"].numpy(), d.numpy())


def test_shared_layer_and_layer_input_output():
    shared = layers.Dense(3, name="shared")
    a = keras.Input(shape=(2,))
    b = keras.Input(shape=(2,))
    oa, ob = shared(a), shared(b)
    model = keras.Model([a, b], layers.Add()([oa, ob]))
    assert len(model.weights) == 2
    assert shared.input is a and shared.output is oa
    x = np.ones((1, 2), np.float32)
    np.testing.assert_allclose(model([x, 2 * x]).numpy(), (shared(x) + shared(2 * x)).numpy(),
                               rtol=1e-6)


def test_feature_extraction_from_an_intermediate_layer():
    inputs = keras.Input(shape=(3,))
    h1 = layers.Dense(5, name="h1")(inputs)
    h2 = layers.Dense(4, name="h2")(h1)
    out = layers.Dense(1)(h2)
    model = keras.Model(inputs, out)
    extractor = keras.Model(model.inputs, model.layers[2].output)
    assert extractor.get_layer("h2") is model.get_layer("h2")
    x = np.ones((2, 3), np.float32)
    np.testing.assert_allclose(extractor(x).numpy(), model.get_layer("h2")(
        model.get_layer("h1")(x)).numpy())
    # Extending: a new head on the extracted features shares the weights.
    new_model = keras.Model(model.inputs, layers.Dense(2)(model.get_layer("h2").output))
    assert new_model.layers[1].kernel is model.layers[1].kernel


def test_nested_model_as_layer():
    inner_in = keras.Input(shape=(3,))
    inner = keras.Model(inner_in, layers.Dense(2)(inner_in), name="inner")
    x = keras.Input(shape=(3,))
    y = layers.Dense(1)(inner(x))
    outer = keras.Model(x, y)
    assert len(outer.weights) == 4
    assert outer.layers[1] is inner
    data = np.ones((2, 3), np.float32)
    np.testing.assert_allclose(outer(data).numpy(), outer.layers[2](inner(data)).numpy())


def test_sequential_inside_functional_and_training_flag():
    block = keras.Sequential([layers.Dense(4), layers.Dropout(0.99, seed=1)])
    x = keras.Input(shape=(4,))
    model = keras.Model(x, block(x))
    data = np.ones((3, 4), np.float32)
    np.testing.assert_allclose(model(data).numpy(), block.layers[0](data).numpy(), rtol=1e-6)
    trained = model(data, training=True).numpy()
    assert (trained == 0).mean() > 0.5


def test_keras_tensor_arithmetic_builds_layers():
    x = keras.Input(shape=(2,))
    model = keras.Model(x, (x / 2.0 + 1.0) * x)
    data = np.array([[2.0, 4.0]], np.float32)
    np.testing.assert_allclose(model(data).numpy(), (data / 2 + 1) * data)
    assert [f"{l.name} ({type(l).__name__})" for l in model.operations[1:]] == [
        "true_divide (TrueDivide)", "add (Add)", "multiply (Multiply)"]
    # as in Keras 3, symbolic operations are operations, not layers
    assert [layer.name for layer in model.layers] == [model.layers[0].name]
    sliced = keras.Model(x, -x[:, 1:])
    np.testing.assert_allclose(sliced(data).numpy(), [[-4.0]])


def test_graph_disconnected():
    a = keras.Input(shape=(2,))
    b = keras.Input(shape=(2,))
    out = layers.Add()([a, b])
    with pytest.raises(ValueError, match="Graph disconnected"):
        keras.Model(a, out)


def test_subclass_called_functionally_is_a_functional_model():
    class CustomModel(keras.Model):
        def extra(self):
            return "custom"

    inputs = keras.Input(shape=(3,))
    outputs = layers.Dense(1)(inputs)
    model = CustomModel(inputs, outputs)
    assert isinstance(model, CustomModel) and model.extra() == "custom"
    assert model(np.ones((2, 3))).shape == (2, 1)
    assert len(model.layers) == 2 and len(model.trainable_weights) == 2


def test_losses_from_layers_in_a_functional_model():
    x = keras.Input(shape=(2,))
    y = layers.Dense(1, kernel_initializer="ones",
                     kernel_regularizer=keras.regularizers.L1(0.5))(x)
    model = keras.Model(x, y)
    assert [float(v) for v in model.losses] == [1.0]


def test_functional_config_round_trip():
    a = keras.Input(shape=(3,), name="a")
    b = keras.Input(shape=(2,), name="b")
    shared = layers.Dense(2, name="shared")
    merged = layers.Concatenate(name="cat")([shared(b), layers.Dense(2, name="da")(a)])
    out1 = layers.Dense(1, name="out1")(merged)
    out2 = shared(layers.Dense(2, name="to2")(merged))
    model = keras.Model([a, b], [out1, out2], name="net")
    config = model.get_config()
    assert config["input_layers"] == [["a", 0, 0], ["b", 0, 0]]
    assert config["output_layers"] == [["out1", 0, 0], ["shared", 1, 0]]
    restored = keras.Model.from_config(config)
    assert restored.name == "net"
    assert [l.name for l in restored.layers] == [l.name for l in model.layers]
    restored.set_weights(model.get_weights())
    xa, xb = np.random.rand(2, 3), np.random.rand(2, 2)
    for r, m in zip(restored([xa, xb]), model([xa, xb])):
        np.testing.assert_allclose(r.numpy(), m.numpy(), rtol=1e-6)


def test_clone_model_functional():
    x = keras.Input(shape=(3,))
    model = keras.Model(x, layers.Dense(2, activation="relu")(layers.Dense(4)(x)))
    clone = keras.models.clone_model(model)
    assert clone is not model
    assert [type(l) for l in clone.layers] == [type(l) for l in model.layers]
    assert clone.layers[1].kernel is not model.layers[1].kernel
    clone.set_weights(model.get_weights())
    data = np.random.rand(2, 3)
    np.testing.assert_allclose(clone(data).numpy(), model(data).numpy(), rtol=1e-6)


def test_int_inputs_stay_int_through_model():
    tokens = keras.Input(shape=(4,), dtype="int32")
    emb = layers.Embedding(10, 3)(tokens)
    model = keras.Model(tokens, layers.Flatten()(emb))
    assert model(np.array([[1, 2, 3, 4]])).shape == (1, 12)
    assert model(tf.constant([[1, 2, 3, 4]])).dtype == tf.float32


def test_subclassed_model_inside_functional_model():
    class Classifier(keras.Model):
        def __init__(self, num_classes=2):
            super().__init__()
            self.dense = layers.Dense(num_classes, activation="softmax")

        def call(self, inputs):
            return self.dense(inputs)

    inputs = keras.Input(shape=(3,))
    features = layers.Dense(64, activation="relu")(inputs)
    outputs = Classifier(num_classes=10)(features)
    model = keras.Model(inputs=inputs, outputs=outputs)
    assert outputs.shape == (None, 10)
    assert len(model.weights) == 4
    np.testing.assert_allclose(model(np.ones((2, 3))).numpy().sum(1), [1.0, 1.0], rtol=1e-5)


def test_layer_called_with_two_tensors():
    class Sampler(layers.Layer):
        def call(self, z_mean, z_log_var):
            return z_mean + tf.exp(0.5 * z_log_var)

    x = keras.Input(shape=(4,))
    z_mean = layers.Dense(2, name="z_mean")(x)
    z_log_var = layers.Dense(2, name="z_log_var")(x)
    z = Sampler()(z_mean, z_log_var)
    encoder = keras.Model(x, [z_mean, z_log_var, z], name="encoder")
    m, v, s = encoder(np.ones((3, 4)))
    np.testing.assert_allclose(s.numpy(), (m + tf.exp(0.5 * v)).numpy(), rtol=1e-6)


def test_unbuilt_sequential_called_on_symbolic_input():
    augment = keras.Sequential([layers.Dropout(0.5), layers.Identity()])
    inputs = keras.Input(shape=(4, 4, 3))
    x = augment(inputs)
    x = layers.Flatten()(x)
    model = keras.Model(inputs, layers.Dense(1)(x))
    assert augment.built and x.shape == (None, 48)
    assert model(np.ones((2, 4, 4, 3))).shape == (2, 1)


def test_custom_compute_mask_makes_a_layer_mask_aware():
    class PositionalEmbedding(layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.token_embeddings = layers.Embedding(10, 4)

        def call(self, inputs):
            return self.token_embeddings(inputs)

        def compute_mask(self, inputs, mask=None):
            return tf.math.not_equal(inputs, 0)

    seen = []

    class Encoder(layers.Layer):
        def call(self, inputs, mask=None):
            seen.append(None if mask is None else mask.numpy().tolist())
            return inputs

    assert PositionalEmbedding().supports_masking
    tokens = keras.Input(shape=(3,), dtype="int64")
    model = keras.Model(tokens, Encoder()(PositionalEmbedding()(tokens)))
    seen.clear()
    model(np.array([[4, 0, 0]]))
    assert seen == [[[True, False, False]]]


def test_symbolic_call_passes_the_mask_to_call_as_keras_does():
    """A KerasTensor carries its mask (Keras 3's ``_keras_mask``): building a graph calls
    ``call`` with a mask, so a mask-only branch (the book's TransformerDecoder) builds."""
    seen = []

    class MaskNeeded(layers.Layer):
        def call(self, inputs, other, mask=None):
            seen.append(mask is not None)
            if mask is not None:
                kept = tf.cast(mask, "float32")[:, :, tf.newaxis]
            return inputs * kept + other

    tokens = keras.Input(shape=(None,), dtype="int64")
    x = layers.Embedding(10, 4, mask_zero=True)(tokens)
    assert x._mask_shape == (None, None)
    y = layers.Dropout(0.1)(x)  # supports_masking: passes the mask on
    assert y._mask_shape == (None, None)
    out = MaskNeeded()(y, x)
    assert out.shape == (None, None, 4) and all(seen)
    assert layers.Embedding(10, 4)(tokens)._mask_shape is None
    model = keras.Model(tokens, out)
    got = model(np.array([[3, 0]])).numpy()
    emb = model.layers[1].embeddings.numpy()
    np.testing.assert_allclose(got[0], np.stack([2 * emb[3], emb[0]]), rtol=1e-6)


def test_nested_model_called_on_an_unknown_width_takes_its_declared_width():
    inner_in = keras.Input(shape=(5,))
    inner = keras.Model(inner_in, layers.Dense(2)(inner_in))
    x = keras.Input(shape=(None,))  # e.g. TextVectorization's width before its vocabulary
    y = inner(x)
    assert y.shape == (None, 2)
    outer = keras.Model(x, y)
    assert outer(np.ones((3, 5))).shape == (3, 2)


def test_shape_inference_on_zeros_is_quiet():
    x = keras.Input(shape=(3,))
    y = layers.Lambda(lambda t: tf.math.log(t))(x)
    assert y.shape == (None, 3)


def test_input_layer_accepts_keras2_input_shape_and_dict_outputs():
    layer = layers.InputLayer(input_shape=(4,))
    assert layer.batch_shape == (None, 4)
    x = keras.Input(shape=(3,))
    h = layers.Dense(2, name="h")(x)
    o = layers.Dense(1, name="o")(h)
    named = (h._keras_history.operation, o._keras_history.operation)
    extractor = keras.Model(x, {layer.name: layer.output for layer in named})
    out = extractor(np.ones((2, 3)))
    assert sorted(out) == ["h", "o"] and out["o"].shape == (2, 1)
    with pytest.raises(AttributeError, match="has never been called"):
        layers.Dense(1).output


def test_single_input_model_accepts_nested_lists_and_one_element_lists():
    x = keras.Input(shape=(2,))
    model = keras.Model(x, layers.Dense(1, kernel_initializer="ones")(x))
    np.testing.assert_allclose(model([[1.0, 2.0]]).numpy(), [[3.0]])
    np.testing.assert_allclose(model([np.array([[1.0, 2.0]])]).numpy(), [[3.0]])


def test_inputs_are_cast_to_the_input_dtype_and_stay_differentiable():
    tokens = keras.Input(shape=(2,), dtype="int32")
    assert keras.Model(tokens, tokens * 2)(np.array([[1.0, 2.0]])).dtype == tf.int32
    x = keras.Input(shape=(2,))
    model = keras.Model(x, layers.Dense(1, kernel_initializer="ones")(x))
    data = tf.constant(np.array([[1.0, 2.0]]))  # float64
    with tf.GradientTape() as tape:
        tape.watch(data)
        y = model(data)
    assert y.dtype == tf.float32
    np.testing.assert_allclose(tape.gradient(y, data).numpy(), [[1.0, 1.0]])


def test_deepcopy_and_pickle_of_models():
    import copy
    import pickle
    x = np.ones((2, 3), np.float32)
    seq = keras.Sequential([keras.Input(shape=(3,)), layers.Dense(2)])
    inp = keras.Input(shape=(3,))
    func = keras.Model(inp, layers.Dense(1)(layers.Dense(4)(inp)))
    for model in (seq, func):
        for clone in (copy.deepcopy(model), pickle.loads(pickle.dumps(model))):
            np.testing.assert_allclose(clone(x).numpy(), model(x).numpy(), rtol=1e-6)
            assert clone.weights[0] is not model.weights[0]
            assert len(clone.weights) == len(model.weights)


def test_compute_output_shape_spares_the_symbolic_run():
    calls = []

    class Doubler(layers.Layer):
        def call(self, x):
            calls.append(x.shape)
            return tf.concat([x, x], axis=-1)

        def compute_output_shape(self, input_shape):
            return input_shape[:-1] + (2 * input_shape[-1],)

    y = Doubler()(keras.Input(shape=(3,)))
    assert (y.shape, y.dtype, calls) == ((None, 6), "float32", [])
    ints = Doubler()(keras.Input(shape=(3,), dtype="int32"))
    assert ints.dtype == "int32"  # non-float inputs: the dtype comes from one run


def test_model_classes_as_keras3():
    from tapeflow.keras.models.functional import Functional
    inp = keras.Input((3,))
    y = layers.Dense(2)(inp)
    model = keras.Model(inp, y)
    assert type(model) is Functional and isinstance(model, keras.Model)
    assert model.get_build_config() == {"input_shape": None}

    class Custom(keras.Model):   # called functionally: Functional joins its bases
        pass
    custom = Custom(inp, y)
    assert Custom.__bases__ == (Functional,) and isinstance(custom, Functional)
    np.testing.assert_allclose(custom(np.ones((1, 3))).numpy(), model(np.ones((1, 3))).numpy())

    class Sub(keras.Model):      # subclassed: a plain Model without a graph
        def call(self, x):
            return x
    assert Sub.__bases__ == (keras.Model,) and not isinstance(Sub(), Functional)

    seq = keras.Sequential([keras.Input((3,)), layers.Dense(2)])
    assert not isinstance(seq, Functional) and isinstance(seq._functional, Functional)
    assert seq._functional.layers[1:] == seq.layers
    assert keras.Sequential([layers.Dense(2)])._functional is None   # unbuilt
    seq.pop()
    assert seq._functional is None and seq.layers == []


def test_dict_inputs_and_outputs_in_sorted_key_order_as_keras3():
    b, a = keras.Input((2,), name="b"), keras.Input((3,), name="a")
    x = layers.Concatenate()([b, a])
    model = keras.Model({"b": b, "a": a}, {"q": layers.Dense(1, name="q")(x),
                                           "p": layers.Dense(2, name="p")(x)})
    assert [t._keras_history.operation.name for t in model.inputs] == ["a", "b"]
    assert model.output_names == ["p", "q"]
    assert [layer.name for layer in model.layers][-2:] == ["p", "q"]
    out = model({"b": np.ones((1, 2)), "a": np.zeros((1, 3))})
    assert list(out) == ["q", "p"] and out["p"].shape == (1, 2)
    assert keras.tree.flatten({"b": 1, "a": 2}) == [2, 1]
