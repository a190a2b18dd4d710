"""Chapter 11 (Deep learning for text): the book's listings on small generated text data.

The listings run as the book writes them, with ``import tapeflow as tf`` for the tensorflow
imports. IMDB is replaced by a small aclImdb-like folder written into ``tmp_path`` (positive
reviews use positive words), the English-Spanish pairs by a few generated sentence pairs;
vocabulary sizes, sequence lengths, widths and epochs are shrunk so each test takes ~1 s.
Where the book prints a model summary, the book-size model is built and its parameter
count compared with the book's.
"""
import os
import pathlib
import random
import re
import shutil
import string

import numpy as np
import pytest

import tapeflow as tf
from tapeflow import keras
from tapeflow.keras import layers

POS_WORDS = ["great", "excellent", "loved", "wonderful", "superb", "moving", "brilliant"]
NEG_WORDS = ["awful", "boring", "hated", "terrible", "dull", "waste", "poor"]
FILLER = [f"word{i}" for i in range(120)] + ["the", "movie", "film", "was", "and", "a"]


def _review(rng, words):
    tokens = list(rng.choice(FILLER, size=12)) + list(rng.choice(words, size=3))
    rng.shuffle(tokens)
    return "This " + " ".join(tokens) + ". <br />It was, " + rng.choice(words) + "!"


@pytest.fixture
def imdb(tmp_path_factory):
    """Fresh, seeded datasets per test: how often a shuffled dataset was iterated before
    changes its next order, and the training checks should not depend on test order."""
    return _make_imdb(tmp_path_factory)


@pytest.fixture(scope="module")
def imdb_shared(tmp_path_factory):
    """The same datasets, shared by the module-scoped fixtures built on them."""
    return _make_imdb(tmp_path_factory)


def _make_imdb(tmp_path_factory):
    """The aclImdb folder layout, then listing 11.x's train/val split with shutil.move."""
    root = tmp_path_factory.mktemp("imdb")
    rng = np.random.default_rng(0)
    for split, n in (("train", 40), ("test", 16)):
        for category, words in (("neg", NEG_WORDS), ("pos", POS_WORDS)):
            os.makedirs(root / "aclImdb" / split / category)
            for k in range(n):
                with open(root / "aclImdb" / split / category / f"{k}_7.txt", "w") as f:
                    f.write(_review(rng, words))
    old = os.getcwd()
    os.chdir(root)
    try:
        base_dir = pathlib.Path("aclImdb")
        val_dir = base_dir / "val"
        train_dir = base_dir / "train"
        for category in ("neg", "pos"):
            os.makedirs(val_dir / category)
            files = sorted(os.listdir(train_dir / category))  # listdir's order varies
            random.Random(1337).shuffle(files)
            num_val_samples = int(0.2 * len(files))
            val_files = files[-num_val_samples:]
            for fname in val_files:
                shutil.move(train_dir / category / fname,
                            val_dir / category / fname)

    finally:
        os.chdir(old)
    # Files are read lazily from the paths found, as in TensorFlow: the tests change
    # directory, so the folders are given by absolute path.
    batch_size = 32
    # The datasets shuffle: seeded so each test sees the same batches whatever ran before.
    keras.utils.set_random_seed(1337)
    train_ds = keras.utils.text_dataset_from_directory(
        f"{root}/aclImdb/train", batch_size=batch_size
    )
    val_ds = keras.utils.text_dataset_from_directory(
        f"{root}/aclImdb/val", batch_size=batch_size
    )
    test_ds = keras.utils.text_dataset_from_directory(
        f"{root}/aclImdb/test", batch_size=batch_size
    )
    text_only_train_ds = train_ds.map(lambda x, y: x)
    return dict(root=root, train_ds=train_ds, val_ds=val_ds, test_ds=test_ds,
                text_only_train_ds=text_only_train_ds)


# ---------------------------------------------------------------- 11.2 preparing text data

def test_listing_11_1_python_vectorizer(capsys):
    class Vectorizer:
        def standardize(self, text):
            text = text.lower()
            return "".join(char for char in text if char not in string.punctuation)

        def tokenize(self, text):
            text = self.standardize(text)
            return text.split()

        def make_vocabulary(self, dataset):
            self.vocabulary = {"": 0, "[UNK]": 1}
            for text in dataset:
                text = self.standardize(text)
                tokens = self.tokenize(text)
                for token in tokens:
                    if token not in self.vocabulary:
                        self.vocabulary[token] = len(self.vocabulary)
            self.inverse_vocabulary = dict(
                (v, k) for k, v in self.vocabulary.items())

        def encode(self, text):
            text = self.standardize(text)
            tokens = self.tokenize(text)
            return [self.vocabulary.get(token, 1) for token in tokens]

        def decode(self, int_sequence):
            return " ".join(
                self.inverse_vocabulary.get(i, "[UNK]") for i in int_sequence)

    vectorizer = Vectorizer()
    dataset = [
        "I write, erase, rewrite",
        "Erase again, and then",
        "A poppy blooms.",
    ]
    vectorizer.make_vocabulary(dataset)
    test_sentence = "I write, rewrite, and still rewrite again"
    encoded_sentence = vectorizer.encode(test_sentence)
    print(encoded_sentence)
    decoded_sentence = vectorizer.decode(encoded_sentence)
    print(decoded_sentence)
    assert capsys.readouterr().out == ("[2, 3, 5, 7, 1, 5, 6]\n"
                                       "i write rewrite and [UNK] rewrite again\n")


def test_text_vectorization_custom_standardize_and_split(capsys):
    from tapeflow.keras.layers import TextVectorization
    text_vectorization = TextVectorization(
        output_mode="int",
    )
    assert text_vectorization.get_vocabulary() == ["", "[UNK]"]

    def custom_standardization_fn(string_tensor):
        lowercase_string = tf.strings.lower(string_tensor)
        return tf.strings.regex_replace(
            lowercase_string, f"[{re.escape(string.punctuation)}]", "")

    def custom_split_fn(string_tensor):
        return tf.strings.split(string_tensor)

    text_vectorization = TextVectorization(
        output_mode="int",
        standardize=custom_standardization_fn,
        split=custom_split_fn,
    )

    dataset = [
        "I write, erase, rewrite",
        "Erase again, and then",
        "A poppy blooms.",
    ]
    text_vectorization.adapt(dataset)
    assert text_vectorization.get_vocabulary() == [
        "", "[UNK]", "erase", "write", "then", "rewrite", "poppy", "i", "blooms", "and",
        "again", "a"]

    vocabulary = text_vectorization.get_vocabulary()
    test_sentence = "I write, rewrite, and still rewrite again"
    encoded_sentence = text_vectorization(test_sentence)
    print(encoded_sentence)
    inverse_vocab = dict(enumerate(vocabulary))
    decoded_sentence = " ".join(inverse_vocab[int(i)] for i in encoded_sentence)
    print(decoded_sentence)
    assert capsys.readouterr().out == (
        "tf.Tensor([ 7  3  5  9  1  5 10], shape=(7,), dtype=int64)\n"
        "i write rewrite and [UNK] rewrite again\n")

    # The tf.data use: map the layer over a dataset of strings.
    string_dataset = tf.data.Dataset.from_tensor_slices(dataset)
    int_sequence_dataset = string_dataset.map(
        text_vectorization,
        num_parallel_calls=4)
    first = next(iter(int_sequence_dataset))
    assert first.dtype == tf.int64 and first.numpy().tolist() == [7, 3, 2, 5]


# ---------------------------------------------------------------- 11.3 bag-of-words on IMDB

def test_text_dataset_from_directory_batches(imdb, capsys):
    for inputs, targets in imdb["train_ds"]:
        print("inputs.shape:", inputs.shape)
        print("inputs.dtype:", inputs.dtype)
        print("targets.shape:", targets.shape)
        print("targets.dtype:", targets.dtype)
        print("inputs[0]:", inputs[0])
        print("targets[0]:", targets[0])
        break
    out = capsys.readouterr().out.splitlines()
    assert out[:4] == ["inputs.shape: (32,)", "inputs.dtype: <dtype: 'string'>",
                       "targets.shape: (32,)", "targets.dtype: <dtype: 'int32'>"]
    assert out[4].startswith("inputs[0]: tf.Tensor(b'This ")
    assert out[4].endswith("', shape=(), dtype=string)")
    assert out[5] in ("targets[0]: tf.Tensor(0, shape=(), dtype=int32)",
                      "targets[0]: tf.Tensor(1, shape=(), dtype=int32)")
    assert sum(int(x.shape[0]) for x, _ in imdb["train_ds"]) == 64
    assert sum(int(x.shape[0]) for x, _ in imdb["val_ds"]) == 16
    assert sum(int(x.shape[0]) for x, _ in imdb["test_ds"]) == 32


def get_model(max_tokens=20000, hidden_dim=16):
    inputs = keras.Input(shape=(max_tokens,))
    x = layers.Dense(hidden_dim, activation="relu")(inputs)
    x = layers.Dropout(0.5)(x)
    outputs = layers.Dense(1, activation="sigmoid")(x)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer="rmsprop",
                  loss="binary_crossentropy",
                  metrics=["accuracy"])
    return model


MAX_TOKENS = 100  # the book's 20000; our generated reviews use ~140 distinct words


def _bag_of_words_flow(imdb, text_vectorization, ckpt, capsys):
    train_ds, val_ds, test_ds = imdb["train_ds"], imdb["val_ds"], imdb["test_ds"]
    text_vectorization.adapt(imdb["text_only_train_ds"])

    train = train_ds.map(
        lambda x, y: (text_vectorization(x), y),
        num_parallel_calls=4)
    val = val_ds.map(
        lambda x, y: (text_vectorization(x), y),
        num_parallel_calls=4)
    test = test_ds.map(
        lambda x, y: (text_vectorization(x), y),
        num_parallel_calls=4)

    for inputs, targets in train:
        print("inputs.shape:", inputs.shape)
        print("inputs.dtype:", inputs.dtype)
        break
    assert capsys.readouterr().out == (f"inputs.shape: (32, {MAX_TOKENS})\n"
                                       "inputs.dtype: <dtype: 'float32'>\n")

    keras.utils.set_random_seed(1337)  # weights and dropout masks: the same whatever ran before
    model = get_model(max_tokens=MAX_TOKENS)
    callbacks = [
        keras.callbacks.ModelCheckpoint(ckpt,
                                        save_best_only=True)
    ]
    history = model.fit(train.cache(),
                        validation_data=val.cache(),
                        epochs=5,
                        callbacks=callbacks, verbose=0)
    assert sorted(history.history) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert history.history["loss"][-1] < history.history["loss"][0]
    model = keras.models.load_model(ckpt)
    text = f"Test acc: {model.evaluate(test, verbose=0)[1]:.3f}"
    assert text.startswith("Test acc: ")
    return model, inputs


def test_binary_unigram_model(imdb, tmp_path, monkeypatch, capsys):
    from tapeflow.keras.layers import TextVectorization
    monkeypatch.chdir(tmp_path)
    model = get_model()
    model.summary()
    out = capsys.readouterr().out
    assert "Total params: 320,033" in out and "(None, 20000)" in out

    text_vectorization = TextVectorization(
        max_tokens=MAX_TOKENS,
        output_mode="multi_hot",
    )
    model, inputs = _bag_of_words_flow(imdb, text_vectorization, "binary_1gram.keras", capsys)
    assert set(np.unique(inputs.numpy())) <= {0.0, 1.0}


def test_binary_bigram_and_count(imdb, tmp_path, monkeypatch, capsys):
    from tapeflow.keras.layers import TextVectorization
    monkeypatch.chdir(tmp_path)
    text_vectorization = TextVectorization(
        ngrams=2,
        max_tokens=MAX_TOKENS,
        output_mode="multi_hot",
    )
    model, inputs = _bag_of_words_flow(imdb, text_vectorization, "binary_2gram.keras", capsys)
    assert any(" " in token for token in text_vectorization.get_vocabulary())

    text_vectorization = TextVectorization(
        ngrams=2,
        max_tokens=MAX_TOKENS,
        output_mode="count"
    )
    text_vectorization.adapt(["the cat sat on the mat"])
    counts = text_vectorization(["the cat sat on the mat the"]).numpy()
    vocab = text_vectorization.get_vocabulary()
    assert counts.shape == (1, len(vocab))
    assert counts[0, vocab.index("the")] == 3 and counts[0, vocab.index("the cat")] == 1


def test_tf_idf_bigram_model_and_inference_model(imdb, tmp_path, monkeypatch, capsys):
    from tapeflow.keras.layers import TextVectorization
    monkeypatch.chdir(tmp_path)
    text_vectorization = TextVectorization(
        ngrams=2,
        max_tokens=MAX_TOKENS,
        output_mode="tf_idf",
    )
    model, inputs = _bag_of_words_flow(imdb, text_vectorization, "tfidf_2gram.keras", capsys)
    assert inputs.dtype == tf.float32 and float(np.max(inputs.numpy())) > 1.0

    inputs = keras.Input(shape=(1,), dtype="string")
    processed_inputs = text_vectorization(inputs)
    outputs = model(processed_inputs)
    inference_model = keras.Model(inputs, outputs)

    raw_text_data = tf.convert_to_tensor([
        ["That was an excellent movie, I loved it."],
    ])
    predictions = inference_model(raw_text_data)
    text = f"{float(predictions[0] * 100):.2f} percent positive"
    assert text.endswith(" percent positive")
    assert tuple(predictions.shape) == (1, 1)
    # The exported string-to-prediction model saves and reloads with its vocabulary.
    inference_model.save("inference_model.keras")
    reloaded = keras.models.load_model("inference_model.keras")
    np.testing.assert_allclose(reloaded(raw_text_data).numpy(), predictions.numpy(),
                               rtol=1e-6)


# ---------------------------------------------------------------- 11.3.3 sequence models

max_length = 40   # the book's 600
max_tokens = 100  # the book's 20000


@pytest.fixture(scope="module")
def int_datasets(imdb_shared):
    imdb = imdb_shared
    text_vectorization = layers.TextVectorization(
        max_tokens=max_tokens,
        output_mode="int",
        output_sequence_length=max_length,
    )
    text_vectorization.adapt(imdb["text_only_train_ds"])

    int_train_ds = imdb["train_ds"].map(
        lambda x, y: (text_vectorization(x), y),
        num_parallel_calls=4)
    int_val_ds = imdb["val_ds"].map(
        lambda x, y: (text_vectorization(x), y),
        num_parallel_calls=4)
    int_test_ds = imdb["test_ds"].map(
        lambda x, y: (text_vectorization(x), y),
        num_parallel_calls=4)
    return int_train_ds, int_val_ds, int_test_ds


def test_one_hot_bidirectional_lstm(int_datasets, capsys):
    int_train_ds, int_val_ds, int_test_ds = int_datasets
    x0, _ = next(iter(int_train_ds))
    assert tuple(x0.shape) == (32, max_length) and x0.dtype == tf.int64

    # The book's listing calls tf.one_hot on a keras.Input. Keras 3 refuses a TensorFlow
    # function on a KerasTensor (ValueError, fchollet/deep-learning-with-python-notebooks
    # issues 239 and 245); the documented fix wraps the call in a layer.
    inputs = keras.Input(shape=(None,), dtype="int64")
    with pytest.raises(ValueError, match="A KerasTensor cannot be used as input to a "
                                         "TensorFlow function"):
        embedded = tf.one_hot(inputs, depth=max_tokens)

    class OneHot(keras.layers.Layer):
        def __init__(self, depth, **kwargs):
            super().__init__(**kwargs)
            self.depth = depth

        def call(self, x):
            return tf.one_hot(x, depth=self.depth)

    def build(max_tokens):
        inputs = keras.Input(shape=(None,), dtype="int64")
        embedded = OneHot(max_tokens)(inputs)
        x = layers.Bidirectional(layers.LSTM(32))(embedded)
        x = layers.Dropout(0.5)(x)
        outputs = layers.Dense(1, activation="sigmoid")(x)
        model = keras.Model(inputs, outputs)
        model.compile(optimizer="rmsprop",
                      loss="binary_crossentropy",
                      metrics=["accuracy"])
        return model

    build(20000).summary()
    out = capsys.readouterr().out
    assert "5,128,448" in out and "Total params: 5,128,513" in out

    model = build(max_tokens)
    history = model.fit(int_train_ds, validation_data=int_val_ds, epochs=2, verbose=0)
    assert len(history.history["val_accuracy"]) == 2
    loss, acc = model.evaluate(int_test_ds, verbose=0)
    assert 0.0 <= acc <= 1.0


def test_embedding_mask_zero_bidirectional_lstm(int_datasets, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    int_train_ds, int_val_ds, int_test_ds = int_datasets

    def build(max_tokens, mask_zero):
        inputs = keras.Input(shape=(None,), dtype="int64")
        embedded = layers.Embedding(
            input_dim=max_tokens, output_dim=256, mask_zero=mask_zero)(inputs)
        x = layers.Bidirectional(layers.LSTM(32))(embedded)
        x = layers.Dropout(0.5)(x)
        outputs = layers.Dense(1, activation="sigmoid")(x)
        model = keras.Model(inputs, outputs)
        model.compile(optimizer="rmsprop",
                      loss="binary_crossentropy",
                      metrics=["accuracy"])
        return model

    build(20000, False).summary()
    assert "Total params: 5,194,049" in capsys.readouterr().out

    model = build(max_tokens, True)
    callbacks = [
        keras.callbacks.ModelCheckpoint("embeddings_bidir_gru_with_masking.keras",
                                        save_best_only=True)
    ]
    model.fit(int_train_ds, validation_data=int_val_ds, epochs=2,
              callbacks=callbacks, verbose=0)
    model = keras.models.load_model("embeddings_bidir_gru_with_masking.keras")
    assert model.layers[1].mask_zero is True
    # Padding (zeros) at the end does not change a masked model's prediction.
    x = np.array([[5, 7, 9, 11, 0, 0]], dtype="int64")
    y = np.array([[5, 7, 9, 11, 0, 0, 0, 0, 0]], dtype="int64")
    np.testing.assert_allclose(model.predict(x, verbose=0), model.predict(y, verbose=0),
                               rtol=1e-5)
    print(f"Test acc: {model.evaluate(int_test_ds, verbose=0)[1]:.3f}")
    assert capsys.readouterr().out.startswith("Test acc: ")


def test_embedding_compute_mask_listing():
    embedding_layer = layers.Embedding(input_dim=10, output_dim=64, mask_zero=True)
    some_input = [
        [4, 3, 2, 1, 0, 0, 0],
        [5, 4, 3, 2, 1, 0, 0],
        [2, 1, 0, 0, 0, 0, 0]
    ]
    mask = embedding_layer.compute_mask(some_input)
    assert repr(mask) == (
        "<tf.Tensor: shape=(3, 7), dtype=bool, numpy=\n"
        "array([[ True,  True,  True,  True, False, False, False],\n"
        "       [ True,  True,  True,  True,  True, False, False],\n"
        "       [ True,  True, False, False, False, False, False]])>")


def test_pretrained_glove_embeddings(int_datasets, imdb, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    int_train_ds, int_val_ds, int_test_ds = int_datasets
    rng = np.random.default_rng(1)
    with open("glove.6B.100d.txt", "w") as f:
        for word in POS_WORDS + NEG_WORDS + FILLER[:50] + ["unseen"]:
            f.write(word + " " + " ".join(f"{v:.5f}" for v in rng.normal(size=100)) + "\n")

    path_to_glove_file = "glove.6B.100d.txt"
    embeddings_index = {}
    with open(path_to_glove_file) as f:
        for line in f:
            word, coefs = line.split(maxsplit=1)
            coefs = np.fromstring(coefs, "f", sep=" ")
            embeddings_index[word] = coefs
    print(f"Found {len(embeddings_index)} word vectors.")
    assert capsys.readouterr().out == "Found 65 word vectors.\n"

    text_vectorization = layers.TextVectorization(
        max_tokens=max_tokens,
        output_mode="int",
        output_sequence_length=max_length,
    )
    text_vectorization.adapt(imdb["text_only_train_ds"])

    embedding_dim = 100
    vocabulary = text_vectorization.get_vocabulary()
    word_index = dict(zip(vocabulary, range(len(vocabulary))))
    embedding_matrix = np.zeros((max_tokens, embedding_dim))
    for word, i in word_index.items():
        if i < max_tokens:
            embedding_vector = embeddings_index.get(word)
        if embedding_vector is not None:
            embedding_matrix[i] = embedding_vector
    assert np.count_nonzero(embedding_matrix.any(axis=1)) > 10

    embedding_layer = layers.Embedding(
        max_tokens,
        embedding_dim,
        embeddings_initializer=keras.initializers.Constant(embedding_matrix),
        trainable=False,
        mask_zero=True,
    )

    inputs = keras.Input(shape=(None,), dtype="int64")
    embedded = embedding_layer(inputs)
    x = layers.Bidirectional(layers.LSTM(32))(embedded)
    x = layers.Dropout(0.5)(x)
    outputs = layers.Dense(1, activation="sigmoid")(x)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer="rmsprop",
                  loss="binary_crossentropy",
                  metrics=["accuracy"])
    model.summary()
    assert "Non-trainable params: 10,000" in capsys.readouterr().out

    callbacks = [
        keras.callbacks.ModelCheckpoint("glove_embeddings_sequence_model.keras",
                                        save_best_only=True)
    ]
    model.fit(int_train_ds, validation_data=int_val_ds, epochs=2,
              callbacks=callbacks, verbose=0)
    model = keras.models.load_model("glove_embeddings_sequence_model.keras")
    np.testing.assert_allclose(model.layers[1].get_weights()[0], embedding_matrix, rtol=1e-6)
    assert model.layers[1].trainable is False
    print(f"Test acc: {model.evaluate(int_test_ds, verbose=0)[1]:.3f}")
    assert capsys.readouterr().out.startswith("Test acc: ")


# ---------------------------------------------------------------- 11.4 the Transformer

class TransformerEncoder(layers.Layer):
    def __init__(self, embed_dim, dense_dim, num_heads, **kwargs):
        super().__init__(**kwargs)
        self.embed_dim = embed_dim
        self.dense_dim = dense_dim
        self.num_heads = num_heads
        self.attention = layers.MultiHeadAttention(
            num_heads=num_heads, key_dim=embed_dim)
        self.dense_proj = keras.Sequential(
            [layers.Dense(dense_dim, activation="relu"),
             layers.Dense(embed_dim), ]
        )
        self.layernorm_1 = layers.LayerNormalization()
        self.layernorm_2 = layers.LayerNormalization()

    def call(self, inputs, mask=None):
        if mask is not None:
            mask = mask[:, tf.newaxis, :]
        attention_output = self.attention(
            inputs, inputs, attention_mask=mask)
        proj_input = self.layernorm_1(inputs + attention_output)
        proj_output = self.dense_proj(proj_input)
        return self.layernorm_2(proj_input + proj_output)

    def get_config(self):
        config = super().get_config()
        config.update({
            "embed_dim": self.embed_dim,
            "num_heads": self.num_heads,
            "dense_dim": self.dense_dim,
        })
        return config


class PositionalEmbedding(layers.Layer):
    def __init__(self, sequence_length, input_dim, output_dim, **kwargs):
        super().__init__(**kwargs)
        self.token_embeddings = layers.Embedding(
            input_dim=input_dim, output_dim=output_dim)
        self.position_embeddings = layers.Embedding(
            input_dim=sequence_length, output_dim=output_dim)
        self.sequence_length = sequence_length
        self.input_dim = input_dim
        self.output_dim = output_dim

    def call(self, inputs):
        length = tf.shape(inputs)[-1]
        positions = tf.range(start=0, limit=length, delta=1)
        embedded_tokens = self.token_embeddings(inputs)
        embedded_positions = self.position_embeddings(positions)
        return embedded_tokens + embedded_positions

    def compute_mask(self, inputs, mask=None):
        return tf.math.not_equal(inputs, 0)

    def get_config(self):
        config = super().get_config()
        config.update({
            "output_dim": self.output_dim,
            "sequence_length": self.sequence_length,
            "input_dim": self.input_dim,
        })
        return config


def test_transformer_encoder_model(int_datasets, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    int_train_ds, int_val_ds, int_test_ds = int_datasets

    def build(vocab_size, embed_dim, num_heads, dense_dim):
        inputs = keras.Input(shape=(None,), dtype="int64")
        x = layers.Embedding(vocab_size, embed_dim)(inputs)
        x = TransformerEncoder(embed_dim, dense_dim, num_heads)(x)
        x = layers.GlobalMaxPooling1D()(x)
        x = layers.Dropout(0.5)(x)
        outputs = layers.Dense(1, activation="sigmoid")(x)
        model = keras.Model(inputs, outputs)
        model.compile(optimizer="rmsprop",
                      loss="binary_crossentropy",
                      metrics=["accuracy"])
        return model

    vocab_size = 20000
    embed_dim = 256
    num_heads = 2
    dense_dim = 32
    build(vocab_size, embed_dim, num_heads, dense_dim).summary()
    out = capsys.readouterr().out
    assert "543,776" in out and "Total params: 5,664,033" in out

    model = build(max_tokens, 16, 2, 8)
    callbacks = [
        keras.callbacks.ModelCheckpoint("transformer_encoder.keras",
                                        save_best_only=True)
    ]
    history = model.fit(int_train_ds, validation_data=int_val_ds, epochs=3,
                        callbacks=callbacks, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    model = keras.models.load_model(
        "transformer_encoder.keras",
        custom_objects={"TransformerEncoder": TransformerEncoder})
    assert type(model.layers[2]) is TransformerEncoder
    assert model.layers[2].get_config()["dense_dim"] == 8
    test_acc = model.evaluate(int_test_ds, verbose=0)[1]
    assert f"Test acc: {test_acc:.3f}".startswith("Test acc: 0.") or test_acc == 1.0


def test_positional_embedding_transformer(int_datasets, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    int_train_ds, int_val_ds, int_test_ds = int_datasets
    vocab_size = max_tokens
    sequence_length = max_length
    embed_dim = 16
    num_heads = 2
    dense_dim = 8

    inputs = keras.Input(shape=(None,), dtype="int64")
    x = PositionalEmbedding(sequence_length, vocab_size, embed_dim)(inputs)
    x = TransformerEncoder(embed_dim, dense_dim, num_heads)(x)
    x = layers.GlobalMaxPooling1D()(x)
    x = layers.Dropout(0.5)(x)
    outputs = layers.Dense(1, activation="sigmoid")(x)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer="rmsprop",
                  loss="binary_crossentropy",
                  metrics=["accuracy"])

    callbacks = [
        keras.callbacks.ModelCheckpoint("full_transformer_encoder.keras",
                                        save_best_only=True)
    ]
    model.fit(int_train_ds, validation_data=int_val_ds, epochs=2, callbacks=callbacks,
              verbose=0)
    x0, _ = next(iter(int_test_ds))
    before = model.predict(x0, verbose=0)
    model = keras.models.load_model(
        "full_transformer_encoder.keras",
        custom_objects={"TransformerEncoder": TransformerEncoder,
                        "PositionalEmbedding": PositionalEmbedding})
    assert before.shape == (32, 1)
    assert type(model.layers[1]) is PositionalEmbedding
    assert model.layers[1].get_config()["sequence_length"] == max_length
    loss, acc = model.evaluate(int_test_ds, verbose=0)
    assert np.isfinite(loss)


# ---------------------------------------------------------------- 11.5 sequence-to-sequence

class TransformerDecoder(layers.Layer):
    def __init__(self, embed_dim, dense_dim, num_heads, **kwargs):
        super().__init__(**kwargs)
        self.embed_dim = embed_dim
        self.dense_dim = dense_dim
        self.num_heads = num_heads
        self.attention_1 = layers.MultiHeadAttention(
            num_heads=num_heads, key_dim=embed_dim)
        self.attention_2 = layers.MultiHeadAttention(
            num_heads=num_heads, key_dim=embed_dim)
        self.dense_proj = keras.Sequential(
            [layers.Dense(dense_dim, activation="relu"),
             layers.Dense(embed_dim), ]
        )
        self.layernorm_1 = layers.LayerNormalization()
        self.layernorm_2 = layers.LayerNormalization()
        self.layernorm_3 = layers.LayerNormalization()
        self.supports_masking = True

    def get_config(self):
        config = super().get_config()
        config.update({
            "embed_dim": self.embed_dim,
            "num_heads": self.num_heads,
            "dense_dim": self.dense_dim,
        })
        return config

    def get_causal_attention_mask(self, inputs):
        input_shape = tf.shape(inputs)
        batch_size, sequence_length = input_shape[0], input_shape[1]
        i = tf.range(sequence_length)[:, tf.newaxis]
        j = tf.range(sequence_length)
        mask = tf.cast(i >= j, dtype="int32")
        mask = tf.reshape(mask, (1, input_shape[1], input_shape[1]))
        mult = tf.concat(
            [tf.expand_dims(batch_size, -1),
             tf.constant([1, 1], dtype=tf.int32)], axis=0)
        return tf.tile(mask, mult)

    def call(self, inputs, encoder_outputs, mask=None):
        causal_mask = self.get_causal_attention_mask(inputs)
        if mask is not None:
            padding_mask = tf.cast(
                mask[:, tf.newaxis, :], dtype="int32")
            padding_mask = tf.minimum(padding_mask, causal_mask)
        attention_output_1 = self.attention_1(
            query=inputs,
            value=inputs,
            key=inputs,
            attention_mask=causal_mask)
        attention_output_1 = self.layernorm_1(inputs + attention_output_1)
        attention_output_2 = self.attention_2(
            query=attention_output_1,
            value=encoder_outputs,
            key=encoder_outputs,
            attention_mask=padding_mask,
        )
        attention_output_2 = self.layernorm_2(
            attention_output_1 + attention_output_2)
        proj_output = self.dense_proj(attention_output_2)
        return self.layernorm_3(attention_output_2 + proj_output)


ENGLISH = ["i", "you", "he", "she", "we", "they"]
SPANISH = ["yo", "tú", "él", "ella", "nosotros", "ellos"]
VERBS = [("eat", "como"), ("run", "corro"), ("read", "leo"), ("sing", "canto")]


@pytest.fixture(scope="module")
def translation(tmp_path_factory):
    """The spa.txt parsing, split, vectorization and tf.data pipeline of section 11.5."""
    text_file = tmp_path_factory.mktemp("spa-eng") / "spa.txt"
    rows = []
    for e, s in zip(ENGLISH, SPANISH):
        for ev, sv in VERBS:
            rows.append(f"{e.capitalize()} {ev}.\t¿{s.capitalize()} {sv}?\n")
            rows.append(f"{e.capitalize()} {ev} now!\t¡{s.capitalize()} {sv} ahora!\n")
    with open(text_file, "w") as f:
        f.write("".join(rows[:44]))  # 32 training pairs: two full batches of 16

    with open(text_file) as f:
        lines = f.read().split("\n")[:-1]
    text_pairs = []
    for line in lines:
        english, spanish = line.split("\t")
        spanish = "[start] " + spanish + " [end]"
        text_pairs.append((english, spanish))

    random.Random(0).shuffle(text_pairs)
    num_val_samples = int(0.15 * len(text_pairs))
    num_train_samples = len(text_pairs) - 2 * num_val_samples
    train_pairs = text_pairs[:num_train_samples]
    val_pairs = text_pairs[num_train_samples:num_train_samples + num_val_samples]
    test_pairs = text_pairs[num_train_samples + num_val_samples:]
    assert len(train_pairs) + len(val_pairs) + len(test_pairs) == 44
    assert len(train_pairs) == 32

    strip_chars = string.punctuation + "¿"
    strip_chars = strip_chars.replace("[", "")
    strip_chars = strip_chars.replace("]", "")

    def custom_standardization(input_string):
        lowercase = tf.strings.lower(input_string)
        return tf.strings.regex_replace(
            lowercase, f"[{re.escape(strip_chars)}]", "")

    vocab_size = 15000
    sequence_length = 20

    source_vectorization = layers.TextVectorization(
        max_tokens=vocab_size,
        output_mode="int",
        output_sequence_length=sequence_length,
    )
    target_vectorization = layers.TextVectorization(
        max_tokens=vocab_size,
        output_mode="int",
        output_sequence_length=sequence_length + 1,
        standardize=custom_standardization,
    )
    train_english_texts = [pair[0] for pair in train_pairs]
    train_spanish_texts = [pair[1] for pair in train_pairs]
    source_vectorization.adapt(train_english_texts)
    target_vectorization.adapt(train_spanish_texts)

    batch_size = 16

    def format_dataset(eng, spa):
        eng = source_vectorization(eng)
        spa = target_vectorization(spa)
        return ({
            "english": eng,
            "spanish": spa[:, :-1],
        }, spa[:, 1:])

    def make_dataset(pairs):
        eng_texts, spa_texts = zip(*pairs)
        eng_texts = list(eng_texts)
        spa_texts = list(spa_texts)
        dataset = tf.data.Dataset.from_tensor_slices((eng_texts, spa_texts))
        dataset = dataset.batch(batch_size)
        dataset = dataset.map(format_dataset, num_parallel_calls=4)
        return dataset.shuffle(2048).prefetch(16).cache()

    train_ds = make_dataset(train_pairs)
    val_ds = make_dataset(val_pairs)
    return dict(train_ds=train_ds, val_ds=val_ds, test_pairs=test_pairs,
                source_vectorization=source_vectorization,
                target_vectorization=target_vectorization,
                sequence_length=sequence_length)


def test_translation_dataset_shapes(translation, capsys):
    for inputs, targets in translation["train_ds"].take(1):
        print(f"inputs['english'].shape: {inputs['english'].shape}")
        print(f"inputs['spanish'].shape: {inputs['spanish'].shape}")
        print(f"targets.shape: {targets.shape}")
    assert capsys.readouterr().out == ("inputs['english'].shape: (16, 20)\n"
                                       "inputs['spanish'].shape: (16, 20)\n"
                                       "targets.shape: (16, 20)\n")
    vocab = translation["target_vectorization"].get_vocabulary()
    assert "[start]" in vocab and "[end]" in vocab and "¿yo" not in vocab and "yo" in vocab
    assert "ahora" in vocab and not any("¡" in t or "?" in t for t in vocab)


def test_causal_attention_mask():
    decoder = TransformerDecoder(8, 16, 2)
    mask = decoder.get_causal_attention_mask(tf.zeros((2, 4, 8)))
    assert mask.dtype == tf.int32 and tuple(mask.shape) == (2, 4, 4)
    np.testing.assert_array_equal(mask.numpy()[1], np.tril(np.ones((4, 4), "int32")))


def test_transformer_translation(translation, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    vocab_size = 15000
    sequence_length = translation["sequence_length"]
    source_vectorization = translation["source_vectorization"]
    target_vectorization = translation["target_vectorization"]
    vocab_size = target_vectorization.vocabulary_size()  # 15000 in the book
    embed_dim = 16    # 256 in the book
    dense_dim = 32    # 2048
    num_heads = 2     # 8

    encoder_inputs = keras.Input(shape=(None,), dtype="int64", name="english")
    x = PositionalEmbedding(sequence_length, vocab_size, embed_dim)(encoder_inputs)
    encoder_outputs = TransformerEncoder(embed_dim, dense_dim, num_heads)(x)

    decoder_inputs = keras.Input(shape=(None,), dtype="int64", name="spanish")
    x = PositionalEmbedding(sequence_length, vocab_size, embed_dim)(decoder_inputs)
    x = TransformerDecoder(embed_dim, dense_dim, num_heads)(x, encoder_outputs)
    x = layers.Dropout(0.5)(x)
    decoder_outputs = layers.Dense(vocab_size, activation="softmax")(x)
    transformer = keras.Model([encoder_inputs, decoder_inputs], decoder_outputs)
    assert tuple(decoder_outputs.shape) == (None, None, vocab_size)

    transformer.compile(
        optimizer="rmsprop",
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"])
    history = transformer.fit(translation["train_ds"], epochs=3,
                              validation_data=translation["val_ds"], verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]

    spa_vocab = target_vectorization.get_vocabulary()
    spa_index_lookup = dict(zip(range(len(spa_vocab)), spa_vocab))
    max_decoded_sentence_length = 20

    def decode_sequence(input_sentence):
        tokenized_input_sentence = source_vectorization([input_sentence])
        decoded_sentence = "[start]"
        for i in range(max_decoded_sentence_length):
            tokenized_target_sentence = target_vectorization(
                [decoded_sentence])[:, :-1]
            predictions = transformer(
                [tokenized_input_sentence, tokenized_target_sentence])
            sampled_token_index = np.argmax(predictions[0, i, :])
            sampled_token = spa_index_lookup[sampled_token_index]
            decoded_sentence += " " + sampled_token
            if sampled_token == "[end]":
                break
        return decoded_sentence

    test_eng_texts = [pair[0] for pair in translation["test_pairs"]]
    for _ in range(2):
        input_sentence = random.choice(test_eng_texts)
        translated = decode_sequence(input_sentence)
        assert translated.startswith("[start]")
        assert all(token in spa_vocab for token in translated.split()[1:])

    transformer.save("translation.keras")
    reloaded = keras.models.load_model(
        "translation.keras",
        custom_objects={"TransformerEncoder": TransformerEncoder,
                        "TransformerDecoder": TransformerDecoder,
                        "PositionalEmbedding": PositionalEmbedding})
    batch = next(iter(translation["val_ds"]))[0]
    np.testing.assert_allclose(reloaded.predict(batch, verbose=0),
                               transformer.predict(batch, verbose=0), rtol=1e-5, atol=1e-6)


def test_multi_head_attention_use_causal_mask():
    """Keras 3's `use_causal_mask` gives the same result as the book's explicit mask."""
    query = np.random.random((2, 5, 8)).astype("float32")
    mha = layers.MultiHeadAttention(num_heads=2, key_dim=4)
    with_flag = mha(query, query, use_causal_mask=True)
    decoder = TransformerDecoder(8, 16, 2)
    causal_mask = decoder.get_causal_attention_mask(tf.constant(query))
    explicit = mha(query, query, attention_mask=causal_mask)
    np.testing.assert_allclose(with_flag.numpy(), explicit.numpy(), rtol=1e-5, atol=1e-6)


def test_gru_seq2seq_translation(translation):
    vocab_size = translation["target_vectorization"].vocabulary_size()  # 15000 in the book
    source_vectorization = translation["source_vectorization"]
    target_vectorization = translation["target_vectorization"]
    embed_dim = 16   # 256 in the book
    latent_dim = 32  # 1024

    source = keras.Input(shape=(None,), dtype="int64", name="english")
    x = layers.Embedding(vocab_size, embed_dim, mask_zero=True)(source)
    encoded_source = layers.Bidirectional(
        layers.GRU(latent_dim), merge_mode="sum")(x)
    assert tuple(encoded_source.shape) == (None, latent_dim)

    past_target = keras.Input(shape=(None,), dtype="int64", name="spanish")
    x = layers.Embedding(vocab_size, embed_dim, mask_zero=True)(past_target)
    decoder_gru = layers.GRU(latent_dim, return_sequences=True)
    x = decoder_gru(x, initial_state=encoded_source)
    x = layers.Dropout(0.5)(x)
    target_next_step = layers.Dense(vocab_size, activation="softmax")(x)
    seq2seq_rnn = keras.Model([source, past_target], target_next_step)

    seq2seq_rnn.compile(
        optimizer="rmsprop",
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"])
    history = seq2seq_rnn.fit(translation["train_ds"], epochs=2,
                              validation_data=translation["val_ds"], verbose=0)
    assert sorted(history.history) == ["accuracy", "loss", "val_accuracy", "val_loss"]

    spa_vocab = target_vectorization.get_vocabulary()
    spa_index_lookup = dict(zip(range(len(spa_vocab)), spa_vocab))
    max_decoded_sentence_length = 20

    def decode_sequence(input_sentence):
        tokenized_input_sentence = source_vectorization([input_sentence])
        decoded_sentence = "[start]"
        for i in range(max_decoded_sentence_length):
            tokenized_target_sentence = target_vectorization([decoded_sentence])
            next_token_predictions = seq2seq_rnn.predict(
                [tokenized_input_sentence, tokenized_target_sentence], verbose=0)
            sampled_token_index = np.argmax(next_token_predictions[0, i, :])
            sampled_token = spa_index_lookup[sampled_token_index]
            decoded_sentence += " " + sampled_token
            if sampled_token == "[end]":
                break
        return decoded_sentence

    translated = decode_sequence(translation["test_pairs"][0][0])
    assert translated.startswith("[start]")
    tokens = translated.split(" ")[1:]  # an undertrained model may sample padding ("")
    assert 1 <= len(tokens) <= max_decoded_sentence_length
    assert all(token in spa_vocab for token in tokens)
    assert len(tokens) == max_decoded_sentence_length or tokens[-1] == "[end]"


def test_text_dataset_from_directory_prints_what_it_found(imdb, capsys):
    train_ds = keras.utils.text_dataset_from_directory(
        f"{imdb['root']}/aclImdb/train", batch_size=32
    )
    assert capsys.readouterr().out == "Found 64 files belonging to 2 classes.\n"
    assert train_ds.class_names == ["neg", "pos"]
