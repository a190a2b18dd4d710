"""The book's chapter 8 MNIST convnet: its summary, and that it learns.

- ``model.summary()`` of the book's convnet shows Keras's output shapes and counts.
- A scaled-down convnet with the same layer types learns a synthetic image task
  (square / cross / horizontal bar / ring drawn at random places and sizes) far
  above chance in a few seconds of CPU.
- With real MNIST already in the Keras cache, the full book convnet reaches over
  97% test accuracy after one epoch (skipped otherwise; tests never download).
"""
import os

import numpy as np
import pytest

from tapeflow import keras
from tapeflow.keras import layers
from tapeflow.keras.layers.convolutional import Conv2D
from tapeflow.keras.layers.pooling import MaxPooling2D


@pytest.fixture(autouse=True)
def _fresh_names():
    keras.backend.clear_session()


def book_convnet(filters=(32, 64, 128), classes=10):
    """The book's listing 8.1 convnet (functional API), with its filter counts."""
    inputs = keras.Input(shape=(28, 28, 1))
    x = Conv2D(filters=filters[0], kernel_size=3, activation="relu")(inputs)
    x = MaxPooling2D(pool_size=2)(x)
    x = Conv2D(filters=filters[1], kernel_size=3, activation="relu")(x)
    x = MaxPooling2D(pool_size=2)(x)
    x = Conv2D(filters=filters[2], kernel_size=3, activation="relu")(x)
    x = layers.Flatten()(x)
    outputs = layers.Dense(classes, activation="softmax")(x)
    return keras.Model(inputs=inputs, outputs=outputs)


# Keras 3's table for the book's convnet (the lines after the 'Model: "..."' title).
BOOK_SUMMARY_TABLE = """\
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━┓
┃ Layer (type)                         ┃ Output Shape                ┃         Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━┩
│ input_layer (InputLayer)             │ (None, 28, 28, 1)           │               0 │
├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
│ conv2d (Conv2D)                      │ (None, 26, 26, 32)          │             320 │
├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
│ max_pooling2d (MaxPooling2D)         │ (None, 13, 13, 32)          │               0 │
├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
│ conv2d_1 (Conv2D)                    │ (None, 11, 11, 64)          │          18,496 │
├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
│ max_pooling2d_1 (MaxPooling2D)       │ (None, 5, 5, 64)            │               0 │
├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
│ conv2d_2 (Conv2D)                    │ (None, 3, 3, 128)           │          73,856 │
├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
│ flatten (Flatten)                    │ (None, 1152)                │               0 │
├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
│ dense (Dense)                        │ (None, 10)                  │          11,530 │
└──────────────────────────────────────┴─────────────────────────────┴─────────────────┘
 Total params: 104,202 (407.04 KB)
 Trainable params: 104,202 (407.04 KB)
 Non-trainable params: 0 (0.00 B)
"""


def test_book_convnet_summary_shows_keras_shapes_and_counts():
    model = book_convnet()
    out = []
    model.summary(print_fn=out.append)
    text = "".join(out)
    title, table = text.split("\n", 1)
    assert title.startswith('Model: "')
    assert table == BOOK_SUMMARY_TABLE
    assert model.count_params() == 104_202
    assert [w.shape for w in model.trainable_weights] == [
        (3, 3, 1, 32), (32,), (3, 3, 32, 64), (64,), (3, 3, 64, 128), (128,), (1152, 10),
        (10,)]


# -- a synthetic image task --------------------------------------------------------------

SHAPES = ("square", "cross", "horizontal bar", "ring")


def draw_shapes(n, seed):
    """Returns ``(images, labels)``: 28x28x1 float32 images of one shape each, with noise.

    Each image holds a filled square, a cross, a horizontal bar or a ring (label 0-3)
    of half-size 4-8 pixels centred at a random place that keeps it inside the image.
    """
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, len(SHAPES), n)
    r = rng.integers(4, 9, n)[:, None, None]
    cy = rng.integers(0, 28, n)[:, None, None] % (28 - 2 * r) + r   # inside the image
    cx = rng.integers(0, 28, n)[:, None, None] % (28 - 2 * r) + r
    yy, xx = np.mgrid[0:28, 0:28]
    dy, dx = np.abs(yy - cy), np.abs(xx - cx)
    square = (dy <= r) & (dx <= r)
    hbar = (dy <= 1) & (dx <= r)
    cross = hbar | ((dx <= 1) & (dy <= r))
    ring = np.abs(np.sqrt(dy ** 2 + dx ** 2) - r) <= 1.0
    masks = np.stack([square, cross, hbar, ring])[labels, np.arange(n)]
    images = masks.astype(np.float32) + rng.normal(0, 0.2, masks.shape).astype(np.float32)
    return images[..., None], labels


def test_synthetic_shapes_are_what_they_claim():
    x, y = draw_shapes(400, seed=1)
    assert x.shape == (400, 28, 28, 1) and x.dtype == np.float32
    assert set(y.tolist()) == {0, 1, 2, 3}
    ink = (x[..., 0] > 0.5).sum(axis=(1, 2))
    # a filled square has more ink than a cross of the same size, a cross more than a bar
    assert ink[y == 0].mean() > ink[y == 1].mean() > ink[y == 2].mean()


def test_small_convnet_learns_synthetic_shapes_well_above_chance():
    keras.utils.set_random_seed(0)
    x_train, y_train = draw_shapes(1536, seed=0)
    x_test, y_test = draw_shapes(512, seed=1)
    model = book_convnet(filters=(8, 16, 32), classes=len(SHAPES))
    # RMSprop at 3e-3: held-out accuracy 0.86-0.96 after 4 epochs over seeds 0-3
    model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=3e-3),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x_train, y_train, epochs=4, batch_size=64, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    test_loss, test_acc = model.evaluate(x_test, y_test, verbose=0)
    assert test_acc > 0.8, f"held-out accuracy {test_acc:.3f} (chance is 0.25)"
    predictions = model.predict(x_test[:8], verbose=0)
    assert predictions.shape == (8, 4) and predictions.dtype == np.float32
    np.testing.assert_allclose(predictions.sum(axis=1), 1.0, rtol=1e-5)


# -- real MNIST, only where it is already cached ------------------------------------------

def _cached_mnist():
    root = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    path = os.path.join(root, "datasets", "mnist.npz")
    return path if os.path.exists(path) else None


@pytest.mark.skipif(_cached_mnist() is None,
                    reason="real MNIST is not in the local Keras cache (~/.keras/datasets/"
                           "mnist.npz or $KERAS_HOME/datasets/mnist.npz); tests never download")
def test_book_convnet_reaches_97_percent_on_mnist_after_one_epoch():
    keras.utils.set_random_seed(0)
    # read directly: a re-packed copy of the same digits (e.g. from the IDX files) has
    # another sha256 than Keras's file, and load_data would then try to download
    with np.load(_cached_mnist(), allow_pickle=False) as f:
        (train_images, train_labels), (test_images, test_labels) = \
            (f["x_train"], f["y_train"]), (f["x_test"], f["y_test"])
    train_images = train_images.reshape((60000, 28, 28, 1)).astype("float32") / 255
    test_images = test_images.reshape((10000, 28, 28, 1)).astype("float32") / 255
    model = book_convnet()
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.fit(train_images, train_labels, epochs=1, batch_size=64, verbose=0)
    test_loss, test_acc = model.evaluate(test_images, test_labels, verbose=0)
    assert test_acc > 0.97, f"test accuracy {test_acc:.4f} after one epoch"
