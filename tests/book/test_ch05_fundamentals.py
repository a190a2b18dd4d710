"""Deep Learning with Python (2nd ed.), chapter 5: fundamentals of machine learning.

The listings run as the book writes them, on small synthetic arrays with the shapes and dtypes of
MNIST and of the vectorized IMDB reviews (the keras.datasets loaders need downloads).
"""
import numpy as np
import pytest

import tapeflow as tf  # noqa: F401  (the book's import)
from tapeflow import keras
from tapeflow.keras import layers


@pytest.fixture
def mnist_train():
    """(train_images, train_labels) as mnist.load_data() gives them: uint8 (n, 28, 28), uint8 (n,)."""
    rng = np.random.default_rng(5)
    train_labels = rng.integers(0, 10, size=500).astype("uint8")
    train_images = rng.integers(0, 40, size=(500, 28, 28)).astype("uint8")
    # each digit lights its own block of rows, so the classes are learnable
    for digit in range(10):
        train_images[train_labels == digit, 2 * digit:2 * digit + 3, 4:24] = 250
    return train_images, train_labels


def get_model():
    model = keras.Sequential([
        layers.Dense(512, activation="relu"),
        layers.Dense(10, activation="softmax")
    ])
    model.compile(optimizer="rmsprop",
                  loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def test_noise_channels_and_validation_split(mnist_train):
    train_images, train_labels = mnist_train
    # Listing 5.1
    train_images = train_images.reshape((500, 28 * 28))
    train_images = train_images.astype("float32") / 255
    train_images_with_noise_channels = np.concatenate(
        [train_images, np.random.random((len(train_images), 784))], axis=1)
    train_images_with_zeros_channels = np.concatenate(
        [train_images, np.zeros((len(train_images), 784))], axis=1)
    assert train_images_with_noise_channels.shape == (500, 1568)
    assert train_images_with_noise_channels.dtype == np.float64

    # Listing 5.2
    model = get_model()
    history_noise = model.fit(
        train_images_with_noise_channels, train_labels,
        epochs=3,
        batch_size=128,
        validation_split=0.2,
        verbose=0)
    model = get_model()
    history_zeros = model.fit(
        train_images_with_zeros_channels, train_labels,
        epochs=3,
        batch_size=128,
        validation_split=0.2,
        verbose=0)
    # Listing 5.3 reads these lists
    val_acc_noise = history_noise.history["val_accuracy"]
    val_acc_zeros = history_zeros.history["val_accuracy"]
    epochs = range(1, 4)
    assert len(val_acc_noise) == len(val_acc_zeros) == len(epochs)
    assert val_acc_zeros[-1] > 0.5 and val_acc_noise[-1] > 0.3
    # validation_split takes the last 20% (100 samples): accuracies are multiples of 1/100
    np.testing.assert_allclose(np.array(val_acc_zeros) * 100,
                               np.round(np.array(val_acc_zeros) * 100), atol=1e-4)
    assert history_zeros.history["loss"][-1] < history_zeros.history["loss"][0]


def test_fitting_random_labels(mnist_train):
    train_images, train_labels = mnist_train
    # Listing 5.4
    train_images = train_images.reshape((500, 28 * 28))
    train_images = train_images.astype("float32") / 255
    random_train_labels = train_labels[:]
    np.random.shuffle(random_train_labels)
    model = keras.Sequential([
        layers.Dense(512, activation="relu"),
        layers.Dense(10, activation="softmax")
    ])
    model.compile(optimizer="rmsprop",
                  loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(train_images, random_train_labels,
                        epochs=12,
                        batch_size=128,
                        validation_split=0.2,
                        verbose=0)
    # the model memorizes the training labels; validation stays near chance
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert history.history["accuracy"][-1] > history.history["accuracy"][0]
    assert history.history["val_accuracy"][-1] < 0.5


def test_learning_rate_and_capacity(mnist_train):
    train_images, train_labels = mnist_train
    train_images = train_images.reshape((500, 28 * 28))
    train_images = train_images.astype("float32") / 255

    # Listing 5.7: an incorrectly high learning rate
    model = keras.Sequential([
        layers.Dense(512, activation="relu"),
        layers.Dense(10, activation="softmax")
    ])
    model.compile(optimizer=keras.optimizers.RMSprop(1.),
                  loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.fit(train_images, train_labels, epochs=2, batch_size=128,
              validation_split=0.2, verbose=0)
    assert model.optimizer.learning_rate.numpy() == np.float32(1.0)

    # Listing 5.8: the same model with a more appropriate learning rate
    model = keras.Sequential([
        layers.Dense(512, activation="relu"),
        layers.Dense(10, activation="softmax")
    ])
    model.compile(optimizer=keras.optimizers.RMSprop(1e-2),
                  loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(train_images, train_labels, epochs=3, batch_size=128,
                        validation_split=0.2, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]

    # Listing 5.9: a simple logistic regression
    model = keras.Sequential([layers.Dense(10, activation="softmax")])
    model.compile(optimizer="rmsprop",
                  loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    history_small_model = model.fit(
        train_images, train_labels,
        epochs=4,
        batch_size=128,
        validation_split=0.2,
        verbose=0)
    val_loss = history_small_model.history["val_loss"]
    assert len(val_loss) == 4 and val_loss[-1] < val_loss[0]
    assert model.count_params() == 7850

    # a model with more capacity
    model = keras.Sequential([
        layers.Dense(96, activation="relu"),
        layers.Dense(96, activation="relu"),
        layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer="rmsprop",
                  loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    history_large_model = model.fit(
        train_images, train_labels,
        epochs=3,
        batch_size=128,
        validation_split=0.2,
        verbose=0)
    assert model.count_params() == 784 * 96 + 96 + 96 * 96 + 96 + 96 * 10 + 10
    assert len(history_large_model.history["val_loss"]) == 3


# The IMDB data of chapter 4, vectorized (section 5.4.1 onwards)
def vectorize_sequences(sequences, dimension=10000):
    results = np.zeros((len(sequences), dimension))
    for i, sequence in enumerate(sequences):
        results[i, sequence] = 1.
    return results


@pytest.fixture
def imdb_vectorized():
    rng = np.random.default_rng(6)
    train_labels = rng.integers(0, 2, size=250)
    sequences = [list(rng.integers(3, 10000, size=rng.integers(5, 30))) + [int(label) + 1] * 3
                 for label in train_labels]
    return vectorize_sequences(sequences), train_labels


def _imdb_model(units, **dense_kwargs):
    model = keras.Sequential([
        layers.Dense(units, activation="relu", **dense_kwargs),
        layers.Dense(units, activation="relu", **dense_kwargs),
        layers.Dense(1, activation="sigmoid")
    ])
    model.compile(optimizer="rmsprop",
                  loss="binary_crossentropy",
                  metrics=["accuracy"])
    return model


def test_imdb_capacity_variants(imdb_vectorized):
    train_data, train_labels = imdb_vectorized
    # Listings 5.10 to 5.12: original, smaller and bigger models
    histories = {}
    for name, units in [("original", 16), ("smaller", 4), ("bigger", 64)]:
        model = _imdb_model(units)
        histories[name] = model.fit(train_data, train_labels,
                                    epochs=3, batch_size=64, validation_split=0.4,
                                    verbose=0)
        assert model.count_params() == 10000 * units + units + units * units + units + units + 1
    for history in histories.values():
        assert list(history.history) == ["accuracy", "loss", "val_accuracy", "val_loss"]
        assert history.history["loss"][-1] < history.history["loss"][0]


def test_weight_regularization(imdb_vectorized):
    train_data, train_labels = imdb_vectorized
    # Listing 5.13
    from tapeflow.keras import regularizers
    model = keras.Sequential([
        layers.Dense(16,
                     kernel_regularizer=regularizers.l2(0.002),
                     activation="relu"),
        layers.Dense(16,
                     kernel_regularizer=regularizers.l2(0.002),
                     activation="relu"),
        layers.Dense(1, activation="sigmoid")
    ])
    model.compile(optimizer="rmsprop",
                  loss="binary_crossentropy",
                  metrics=["accuracy"])
    history_l2_reg = model.fit(
        train_data, train_labels,
        epochs=3, batch_size=64, validation_split=0.4, verbose=0)
    assert history_l2_reg.history["loss"][-1] < history_l2_reg.history["loss"][0]

    # the penalty is part of the training loss: two terms, one per regularized kernel
    assert len(model.losses) == 2
    kernel = model.layers[0].kernel.numpy()
    np.testing.assert_allclose(float(model.losses[0]), 0.002 * np.sum(np.square(kernel)),
                               rtol=1e-5)

    # Listing 5.14
    l1 = regularizers.l1(0.001)
    l1_l2 = regularizers.l1_l2(l1=0.001, l2=0.001)
    w = tf.constant([[1.0, -2.0], [0.5, 0.0]])
    np.testing.assert_allclose(float(l1(w)), 0.001 * 3.5, rtol=1e-6)
    np.testing.assert_allclose(float(l1_l2(w)), 0.001 * 3.5 + 0.001 * 5.25, rtol=1e-6)


def test_dropout(imdb_vectorized):
    train_data, train_labels = imdb_vectorized
    # Listing 5.15
    model = keras.Sequential([
        layers.Dense(16, activation="relu"),
        layers.Dropout(0.5),
        layers.Dense(16, activation="relu"),
        layers.Dropout(0.5),
        layers.Dense(1, activation="sigmoid")
    ])
    model.compile(optimizer="rmsprop",
                  loss="binary_crossentropy",
                  metrics=["accuracy"])
    history_dropout = model.fit(
        train_data, train_labels,
        epochs=3, batch_size=64, validation_split=0.4, verbose=0)
    assert len(history_dropout.history["val_loss"]) == 3

    # dropout acts only in training: inference is deterministic
    p1 = model.predict(train_data[:8], verbose=0)
    p2 = model.predict(train_data[:8], verbose=0)
    np.testing.assert_array_equal(p1, p2)
    dropout = model.layers[1]
    x = np.ones((4, 16), dtype="float32")
    y = dropout(x, training=True).numpy()
    assert set(np.unique(y)) <= {0.0, 2.0}
    np.testing.assert_array_equal(dropout(x, training=False).numpy(), x)
