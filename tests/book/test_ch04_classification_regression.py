"""Deep Learning with Python (2nd ed.), chapter 4: classification and regression.

The listings run as the book writes them, on small synthetic arrays with the shapes and dtypes of
the IMDB, Reuters and Boston housing data (the keras.datasets loaders need downloads).
"""
import copy

import numpy as np
import pytest

import tapeflow as tf  # noqa: F401  (the book's import)
from tapeflow import keras
from tapeflow.keras import layers


def _word_sequences(rng, n, num_words=10000, signal=None):
    """Lists of word indices like imdb.load_data(num_words=10000) returns, as an object array."""
    seqs = []
    for i in range(n):
        seq = list(rng.integers(1, num_words, size=rng.integers(5, 30)))
        if signal is not None:
            seq += [signal[i]] * 3
        seqs.append(seq)
    out = np.empty(n, dtype=object)
    out[:] = seqs
    return out


# Listing 4.3 (the book's function, verbatim)
def vectorize_sequences(sequences, dimension=10000):
    results = np.zeros((len(sequences), dimension))
    for i, sequence in enumerate(sequences):
        for j in sequence:
            results[i, j] = 1.
    return results


@pytest.fixture
def imdb_data():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 2, size=400)
    # words 1 and 2 carry the sentiment, as some words do in the reviews
    data = _word_sequences(rng, 400, signal=labels + 1)
    return (data[:300], labels[:300]), (data[300:], labels[300:])


def test_imdb_binary_classification(imdb_data):
    (train_data, train_labels), (test_data, test_labels) = imdb_data
    assert train_data.dtype == object and isinstance(train_data[0], list)
    assert max([max(sequence) for sequence in train_data]) < 10000

    x_train = vectorize_sequences(train_data)
    x_test = vectorize_sequences(test_data)
    assert x_train[0].shape == (10000,)
    y_train = np.asarray(train_labels).astype("float32")
    y_test = np.asarray(test_labels).astype("float32")

    # Listing 4.4 and 4.5
    model = keras.Sequential([
        layers.Dense(16, activation="relu"),
        layers.Dense(16, activation="relu"),
        layers.Dense(1, activation="sigmoid")
    ])
    model.compile(optimizer="rmsprop",
                  loss="binary_crossentropy",
                  metrics=["accuracy"])

    # Listing 4.6 and 4.7
    x_val = x_train[:100]
    partial_x_train = x_train[100:]
    y_val = y_train[:100]
    partial_y_train = y_train[100:]
    history = model.fit(partial_x_train,
                        partial_y_train,
                        epochs=6,
                        batch_size=64,
                        validation_data=(x_val, y_val),
                        verbose=0)
    history_dict = history.history
    assert list(history_dict.keys()) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    loss_values = history_dict["loss"]
    val_loss_values = history_dict["val_loss"]
    epochs = range(1, len(loss_values) + 1)
    assert len(epochs) == 6 and len(val_loss_values) == 6
    assert all(isinstance(v, float) for v in loss_values)
    assert loss_values[-1] < loss_values[0]
    assert history_dict["accuracy"][-1] > history_dict["accuracy"][0]

    # Listing 4.10: retraining from scratch, then evaluate on the test set
    model = keras.Sequential([
        layers.Dense(16, activation="relu"),
        layers.Dense(16, activation="relu"),
        layers.Dense(1, activation="sigmoid")
    ])
    model.compile(optimizer="rmsprop",
                  loss="binary_crossentropy",
                  metrics=["accuracy"])
    model.fit(x_train, y_train, epochs=4, batch_size=64, verbose=0)
    results = model.evaluate(x_test, y_test, verbose=0)
    assert isinstance(results, list) and len(results) == 2
    test_loss, test_acc = results
    assert 0.0 <= test_acc <= 1.0 and test_loss > 0

    predictions = model.predict(x_test, verbose=0)
    assert isinstance(predictions, np.ndarray)
    assert predictions.shape == (100, 1) and predictions.dtype == np.float32
    assert ((predictions > 0) & (predictions < 1)).all()


@pytest.fixture
def reuters_data():
    rng = np.random.default_rng(1)
    labels = rng.integers(0, 46, size=400)
    labels[:46] = np.arange(46)  # every topic appears, so to_categorical gives 46 columns
    data = _word_sequences(rng, 400, signal=labels + 1)
    return (data[:300], labels[:300]), (data[300:], labels[300:])


def _reuters_model(units=64):
    return keras.Sequential([
        layers.Dense(64, activation="relu"),
        layers.Dense(units, activation="relu"),
        layers.Dense(46, activation="softmax")
    ])


def test_reuters_one_hot_labels(reuters_data):
    (train_data, train_labels), (test_data, test_labels) = reuters_data
    x_train = vectorize_sequences(train_data)
    x_test = vectorize_sequences(test_data)

    # Listing 4.13 and the built-in way
    def to_one_hot(labels, dimension=46):
        results = np.zeros((len(labels), dimension))
        for i, label in enumerate(labels):
            results[i, label] = 1.
        return results
    from tapeflow.keras.utils import to_categorical
    y_train = to_categorical(train_labels)
    y_test = to_categorical(test_labels)
    assert y_train.shape == (300, 46) and y_train.dtype == np.float64
    np.testing.assert_array_equal(y_train, to_one_hot(train_labels))
    assert y_test.shape == (100, 46)

    # Listings 4.14 to 4.17
    model = _reuters_model()
    model.compile(optimizer="rmsprop",
                  loss="categorical_crossentropy",
                  metrics=["accuracy"])
    x_val = x_train[:100]
    partial_x_train = x_train[100:]
    y_val = y_train[:100]
    partial_y_train = y_train[100:]
    history = model.fit(partial_x_train,
                        partial_y_train,
                        epochs=8,
                        batch_size=64,
                        validation_data=(x_val, y_val),
                        verbose=0)
    loss = history.history["loss"]
    assert len(history.history["val_accuracy"]) == 8
    assert loss[-1] < loss[0]

    results = model.evaluate(x_test, y_test, verbose=0)
    assert len(results) == 2

    # the random baseline
    test_labels_copy = copy.copy(test_labels)
    np.random.shuffle(test_labels_copy)
    hits_array = np.array(test_labels) == np.array(test_labels_copy)
    assert 0.0 <= hits_array.mean() <= 1.0

    # Generating predictions on new data
    predictions = model.predict(x_test, verbose=0)
    assert predictions[0].shape == (46,)
    np.testing.assert_allclose(np.sum(predictions[0]), 1.0, rtol=1e-5)
    assert 0 <= np.argmax(predictions[0]) < 46


def test_reuters_integer_labels_and_bottleneck(reuters_data):
    (train_data, train_labels), (test_data, test_labels) = reuters_data
    x_train = vectorize_sequences(train_data)
    x_test = vectorize_sequences(test_data)

    # A different way to handle the labels and the loss
    y_train = np.array(train_labels)
    y_test = np.array(test_labels)
    model = _reuters_model()
    model.compile(optimizer="rmsprop",
                  loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(x_train, y_train, epochs=6, batch_size=64, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    test_loss, test_acc = model.evaluate(x_test, y_test, verbose=0)
    assert 0.0 <= test_acc <= 1.0

    # Listing 4.22: a model with an information bottleneck
    from tapeflow.keras.utils import to_categorical
    y_train = to_categorical(train_labels)
    y_val = y_train[:100]
    partial_y_train = y_train[100:]
    model = _reuters_model(units=4)
    model.compile(optimizer="rmsprop",
                  loss="categorical_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(x_train[100:],
                        partial_y_train,
                        epochs=3,
                        batch_size=128,
                        validation_data=(x_train[:100], y_val),
                        verbose=0)
    assert model.layers[1].kernel.shape == (64, 4)
    assert sorted(history.history) == ["accuracy", "loss", "val_accuracy", "val_loss"]


@pytest.fixture
def boston_data():
    rng = np.random.default_rng(2)
    data = rng.normal(3.0, 2.0, size=(120, 13))
    coef = rng.normal(size=13)
    targets = 22.0 + 3.0 * np.tanh(data @ coef / 4.0)
    return (data[:96], targets[:96]), (data[96:], targets[96:])


def test_boston_housing_kfold_regression(boston_data, capsys):
    (train_data, train_targets), (test_data, test_targets) = boston_data
    assert train_data.shape[1] == 13 and train_targets.dtype == np.float64

    # Listing 4.24
    mean = train_data.mean(axis=0)
    train_data -= mean
    std = train_data.std(axis=0)
    train_data /= std
    test_data -= mean
    test_data /= std

    # Listing 4.25
    def build_model():
        model = keras.Sequential([
            layers.Dense(64, activation="relu"),
            layers.Dense(64, activation="relu"),
            layers.Dense(1)
        ])
        model.compile(optimizer="rmsprop", loss="mse", metrics=["mae"])
        return model

    # Listings 4.26 and 4.27 (K-fold validation, saving the validation logs)
    k = 4
    num_val_samples = len(train_data) // k
    num_epochs = 5
    all_scores = []
    all_mae_histories = []
    for i in range(k):
        print(f"Processing fold #{i}")
        val_data = train_data[i * num_val_samples: (i + 1) * num_val_samples]
        val_targets = train_targets[i * num_val_samples: (i + 1) * num_val_samples]
        partial_train_data = np.concatenate(
            [train_data[:i * num_val_samples],
             train_data[(i + 1) * num_val_samples:]],
            axis=0)
        partial_train_targets = np.concatenate(
            [train_targets[:i * num_val_samples],
             train_targets[(i + 1) * num_val_samples:]],
            axis=0)
        model = build_model()
        history = model.fit(partial_train_data, partial_train_targets,
                            validation_data=(val_data, val_targets),
                            epochs=num_epochs, batch_size=16, verbose=0)
        assert list(history.history) == ["loss", "mae", "val_loss", "val_mae"]
        mae_history = history.history["val_mae"]
        all_mae_histories.append(mae_history)
        val_mse, val_mae = model.evaluate(val_data, val_targets, verbose=0)
        all_scores.append(val_mae)
        assert history.history["mae"][-1] < history.history["mae"][0]
    assert capsys.readouterr().out.splitlines() == [f"Processing fold #{i}" for i in range(4)]
    assert np.mean(all_scores) < 22.0  # far below the mean absolute target

    # Listing 4.28
    average_mae_history = [
        np.mean([x[i] for x in all_mae_histories]) for i in range(num_epochs)]
    assert len(average_mae_history) == num_epochs
    assert average_mae_history[-1] < average_mae_history[0]

    # Listing 4.31: the final model
    model = build_model()
    model.fit(train_data, train_targets,
              epochs=8, batch_size=16, verbose=0)
    test_mse_score, test_mae_score = model.evaluate(test_data, test_targets, verbose=0)
    assert test_mse_score > 0 and test_mae_score > 0
    predictions = model.predict(test_data, verbose=0)
    assert predictions.shape == (24, 1)
    assert predictions[0].shape == (1,)
