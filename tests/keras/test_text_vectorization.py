"""TextVectorization: Keras's vocabulary order, output modes, n-grams, custom callables,
datasets and models taking strings."""
import re
import string

import numpy as np
import pytest

import tapeflow as tf
from tapeflow import keras
from tapeflow.keras.layers.text_vectorization import TextVectorization

CORPUS = ["The cat sat on the mat.", "The dog ate my homework!", "A cat and a dog"]


def test_vocabulary_order_counts_then_reverse_token_order():
    layer = TextVectorization()
    layer.adapt(CORPUS)
    # the x3; "dog", "cat", "a" x2 (ties: descending token); then the singletons, descending.
    assert layer.get_vocabulary() == ["", "[UNK]", "the", "dog", "cat", "a", "sat", "on", "my",
                                      "mat", "homework", "ate", "and"]
    assert layer.vocabulary_size() == 13
    assert layer.get_vocabulary(include_special_tokens=False)[:2] == ["the", "dog"]
    small = TextVectorization(max_tokens=5)
    small.adapt(CORPUS)
    assert small.get_vocabulary() == ["", "[UNK]", "the", "dog", "cat"]


def test_keras_docs_example_in_a_model_with_string_input():
    layer = TextVectorization(max_tokens=5000, output_mode="int", output_sequence_length=4)
    layer.adapt(["foo bar", "bar baz", "baz bada boom"])
    inputs = keras.Input(shape=(1,), dtype=tf.string)
    outputs = layer(inputs)
    assert outputs.shape == (None, 4) and outputs.dtype == "int64"
    model = keras.Model(inputs, outputs)
    got = model.predict(tf.constant([["foo qux bar"], ["qux baz"]]), verbose=0)
    np.testing.assert_array_equal(got, [[4, 1, 3, 0], [1, 2, 0, 0]])
    # Keras 3 takes strings as tensors only: a NumPy string array is refused by dtype.
    with pytest.raises(ValueError, match="Invalid dtype: str352"):
        model.predict(np.array([["foo qux bar"], ["qux baz"]]), verbose=0)


def test_given_vocabulary_docs_example():
    layer = TextVectorization(max_tokens=5000, output_mode="int", output_sequence_length=4,
                              vocabulary=["earth", "wind", "and", "fire"])
    assert layer.get_vocabulary() == ["", "[UNK]", "earth", "wind", "and", "fire"]
    got = layer(np.array([["earth wind and also fire"], ["fire and earth michigan"]]))
    assert got.dtype == tf.int64
    np.testing.assert_array_equal(got.numpy(), [[2, 3, 4, 1], [5, 4, 2, 1]])
    with pytest.raises(ValueError, match="repeated"):
        TextVectorization(vocabulary=["a", "a"])


def test_int_mode_padding_and_truncation():
    layer = TextVectorization(vocabulary=["a", "b", "c"])
    out = layer(["a b c a", "zzz", ""])
    assert repr(out) == ("<tf.Tensor: shape=(3, 4), dtype=int64, numpy=\n"
                         "array([[2, 3, 4, 2],\n       [1, 0, 0, 0],\n       [0, 0, 0, 0]])>")
    cut = TextVectorization(vocabulary=["a", "b", "c"], output_sequence_length=2)
    np.testing.assert_array_equal(cut(["a b c", "c"]).numpy(), [[2, 3], [4, 0]])
    ragged = TextVectorization(vocabulary=["a", "b"], ragged=True)
    assert ragged(["a b", "b"]).to_list() == [[2, 3], [3]]
    # A scalar string gives one sequence.
    np.testing.assert_array_equal(layer("C, b!").numpy(), [4, 3])


def test_multi_hot_count_and_tf_idf():
    corpus = ["a c d d", "d z b z"]
    vocab = ["a", "b", "c", "d"]
    hot = TextVectorization(output_mode="multi_hot", vocabulary=vocab)
    assert hot.get_vocabulary() == ["[UNK]", "a", "b", "c", "d"]
    np.testing.assert_array_equal(hot(corpus).numpy(), [[0, 1, 0, 1, 1], [1, 0, 1, 0, 1]])
    count = TextVectorization(output_mode="count", vocabulary=vocab)
    out = count(corpus)
    assert out.dtype == tf.float32
    np.testing.assert_array_equal(out.numpy(), [[0, 1, 0, 1, 2], [2, 0, 1, 0, 1]])
    tfidf = TextVectorization(output_mode="tf_idf", vocabulary=vocab,
                              idf_weights=[0.25, 0.75, 0.6, 0.4])
    # The OOV weight is the mean of the others (0.5), as in Keras's StringLookup example.
    np.testing.assert_allclose(tfidf(corpus).numpy(),
                               [[0, 0.25, 0, 0.6, 0.8], [1.0, 0, 0.75, 0, 0.4]], rtol=1e-6)
    padded = TextVectorization(output_mode="multi_hot", max_tokens=8, pad_to_max_tokens=True,
                               vocabulary=vocab)
    assert padded(corpus).shape == (2, 8)


def test_adapted_tf_idf_weights():
    layer = TextVectorization(output_mode="tf_idf")
    layer.adapt(["x y", "x", "x z z"])
    assert layer.get_vocabulary() == ["[UNK]", "x", "z", "y"]
    idf = np.log(1 + 3 / (1 + np.array([3.0, 1.0, 1.0])))
    expected = np.array([[0, idf[0], 2 * idf[1], 0], [idf.mean(), 0, 0, 0]])
    np.testing.assert_allclose(layer(["x z z", "w"]).numpy(), expected, rtol=1e-6)


def test_ngrams_vocabulary_and_output():
    layer = TextVectorization(ngrams=2, output_mode="count")
    layer.adapt(["a b a b"])
    # a, b x2; "a b" x2; "b a" x1 -> ties broken by descending token.
    assert layer.get_vocabulary() == ["[UNK]", "b", "a b", "a", "b a"]
    np.testing.assert_array_equal(layer(["b a c"]).numpy(), [[2, 1, 0, 1, 1]])
    widths = TextVectorization(ngrams=(2,), vocabulary=["a b"])
    np.testing.assert_array_equal(widths(["a b c"]).numpy(), [[2, 1]])


def test_custom_standardize_and_split_callables():
    # Chapter 11's translation standardization keeps the [ and ] of [start]/[end].
    strip_chars = string.punctuation.replace("[", "").replace("]", "")

    def custom_standardization(input_string):
        lowercase = tf.strings.lower(input_string)
        return tf.strings.regex_replace(lowercase, f"[{re.escape(strip_chars)}]", "")

    layer = TextVectorization(standardize=custom_standardization, output_sequence_length=5)
    layer.adapt(["[start] Hola, amigo! [end]"])
    assert set(layer.get_vocabulary()[2:]) == {"[start]", "hola", "amigo", "[end]"}
    split = TextVectorization(split=lambda x: tf.strings.split(x, sep="-"),
                              standardize=None, vocabulary=["A", "b"])
    np.testing.assert_array_equal(split(["A-b-c"]).numpy(), [[2, 3, 1]])
    chars = TextVectorization(split="character", standardize="lower", vocabulary=["a", "b"])
    np.testing.assert_array_equal(chars(["Ab"]).numpy(), [[2, 3]])
    whole = TextVectorization(split=None, standardize=None, vocabulary=["x y"])
    # Keras: without a split, a vector of strings is already a sequence of tokens.
    np.testing.assert_array_equal(whole(["x y", "z"]).numpy(), [2, 1])
    np.testing.assert_array_equal(whole([["x y"], ["z"]]).numpy(), [[2], [1]])
    assert whole("x y").shape == ()
    hot = TextVectorization(split=None, output_mode="multi_hot", vocabulary=["a", "b"])
    np.testing.assert_array_equal(hot(["a", "b"]).numpy(), [0, 1, 1])


def test_adapt_and_map_with_datasets():
    texts = tf.data.Dataset.from_tensor_slices(CORPUS).batch(2)
    layer = TextVectorization(output_sequence_length=3)
    layer.adapt(texts)
    assert layer.get_vocabulary()[:4] == ["", "[UNK]", "the", "dog"]
    labeled = tf.data.Dataset.from_tensor_slices((CORPUS, [0, 1, 0])).batch(2)
    mapped = labeled.map(lambda x, y: (layer(x), y))
    x, y = next(iter(mapped))
    assert x.dtype == tf.int64 and x.shape == (2, 3)
    np.testing.assert_array_equal(x.numpy(), [[2, 4, 6], [2, 3, 11]])
    np.testing.assert_array_equal(y.numpy(), [0, 1])


def test_text_classification_model_trains():
    layer = TextVectorization(max_tokens=20, output_mode="multi_hot", pad_to_max_tokens=True)
    layer.adapt(CORPUS)
    inputs = keras.Input(shape=(20,))
    model = keras.Model(inputs, keras.layers.Dense(1, activation="sigmoid")(inputs))
    model.compile(optimizer="rmsprop", loss="binary_crossentropy")
    ds = tf.data.Dataset.from_tensor_slices((CORPUS, [1.0, 0.0, 1.0])).batch(3).map(
        lambda x, y: (layer(x), y))
    history = model.fit(ds, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2


def test_errors():
    with pytest.raises(ValueError, match="output_sequence_length"):
        TextVectorization(output_mode="multi_hot", output_sequence_length=3)
    with pytest.raises(ValueError, match="output_mode"):
        TextVectorization(output_mode="binary")
    with pytest.raises(RuntimeError, match="vocabulary"):
        TextVectorization(output_mode="multi_hot")(["a"])
    with pytest.raises(ValueError, match="idf_weights"):
        TextVectorization(output_mode="tf_idf", vocabulary=["a"])
    with pytest.raises(ValueError, match="last shape dimension must be 1"):
        TextVectorization(vocabulary=["a"])(np.array([["a", "b"]]))


def test_config_round_trip():
    layer = TextVectorization(max_tokens=100, ngrams=2, output_mode="count",
                              vocabulary=["a", "b"], name="tv")
    config = layer.get_config()
    assert config["max_tokens"] == 100 and config["ngrams"] == 2
    assert config["output_mode"] == "count" and config["vocabulary"] == ["a", "b"]
    assert config["standardize"] == "lower_and_strip_punctuation"
    assert config["split"] == "whitespace" and config["vocabulary_size"] == 3
    clone = TextVectorization.from_config(config)
    assert clone.get_vocabulary() == ["[UNK]", "a", "b"]
    np.testing.assert_array_equal(clone(["a b a"]).numpy(), layer(["a b a"]).numpy())


def test_layers_resolve_through_keras_layers():
    from tapeflow.keras.layers.attention import Attention, EinsumDense, MultiHeadAttention
    assert keras.layers.TextVectorization is TextVectorization
    assert keras.layers.MultiHeadAttention is MultiHeadAttention
    assert keras.layers.Attention is Attention and keras.layers.EinsumDense is EinsumDense


def test_save_and_load_assets_and_idf(tmp_path):
    layer = TextVectorization(output_mode="tf_idf")
    layer.adapt(["x y", "x", "x z z"])
    layer.save_assets(str(tmp_path))
    store = {}
    layer.save_own_variables(store)
    assert (tmp_path / "vocabulary.txt").read_text(encoding="utf-8") == "[UNK]\nx\nz\ny"
    fresh = TextVectorization.from_config(layer.get_config())
    fresh.load_assets(str(tmp_path))
    fresh.load_own_variables(store)
    assert fresh.get_vocabulary() == layer.get_vocabulary()
    np.testing.assert_array_equal(fresh(["x z w"]).numpy(), layer(["x z w"]).numpy())
    ints = TextVectorization()
    ints.adapt(CORPUS)
    ints.save_assets(str(tmp_path))
    again = TextVectorization()
    again.load_assets(str(tmp_path))
    assert again.get_vocabulary() == ints.get_vocabulary()


@pytest.mark.parametrize("mode", ["multi_hot", "count", "tf_idf"])
def test_model_with_adapted_bag_of_words_layer_reloads(tmp_path, mode):
    """The symbolic output comes from compute_output_spec (Keras 3), so a saved model
    rebuilds before its vocabulary is loaded back."""
    layer = TextVectorization(ngrams=2, max_tokens=20, output_mode=mode)
    fresh = TextVectorization(output_mode=mode)
    spec = fresh(keras.Input(shape=(1,), dtype="string"))
    assert spec.shape == (None, None) and spec.dtype == "float32"
    layer.adapt(["the cat sat", "a dog ate the cat"])
    inputs = keras.Input(shape=(1,), dtype="string")
    x = layer(inputs)
    assert x.shape == (None, layer.vocabulary_size()) and x.dtype == "float32"
    model = keras.Model(inputs, keras.layers.Dense(1)(x))
    raw = tf.convert_to_tensor([["the cat ate"], ["nothing known"]])
    model.save(str(tmp_path / "m.keras"))
    reloaded = keras.models.load_model(str(tmp_path / "m.keras"))
    np.testing.assert_allclose(reloaded(raw).numpy(), model(raw).numpy(), rtol=1e-6)
    ints = TextVectorization(output_sequence_length=4)(keras.Input(shape=(1,), dtype="string"))
    assert ints.shape == (None, 4) and ints.dtype == "int64"
