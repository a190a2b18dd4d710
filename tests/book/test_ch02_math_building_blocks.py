"""Chapter 2 listings as the book writes them (``tapeflow`` in place of ``tensorflow``), on
synthetic MNIST-shaped data: the first Keras model, and the from-scratch NaiveDense /
NaiveSequential model trained with a GradientTape."""
import math

import numpy as np
import tapeflow as tf
from tapeflow import keras
from tapeflow.keras import layers


def _mnist_like(n=512, seed=0):
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 10, n).astype("uint8")
    images = rng.integers(0, 40, (n, 28, 28)).astype("uint8")
    for k in range(10):  # a bright stripe whose row depends on the digit: learnable
        images[labels == k, 2 + 2 * k] = 250
    return images, labels


def test_first_keras_model():
    train_images, train_labels = _mnist_like()
    test_images, test_labels = _mnist_like(128, seed=1)
    model = keras.Sequential([
        layers.Dense(512, activation="relu"),
        layers.Dense(10, activation="softmax")
    ])
    model.compile(optimizer="rmsprop",
                  loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    train_images = train_images.reshape((512, 28 * 28))
    train_images = train_images.astype("float32") / 255
    test_images = test_images.reshape((128, 28 * 28))
    test_images = test_images.astype("float32") / 255
    history = model.fit(train_images, train_labels, epochs=5, batch_size=128, verbose=0)
    assert list(history.history) == ["accuracy", "loss"]
    test_digits = test_images[0:10]
    predictions = model.predict(test_digits, verbose=0)
    assert predictions.shape == (10, 10) and predictions.dtype == np.float32
    np.testing.assert_allclose(predictions.sum(axis=1), 1.0, rtol=1e-5)
    assert predictions[0].argmax() == test_labels[0]
    test_loss, test_acc = model.evaluate(test_images, test_labels, verbose=0)
    assert test_acc > 0.9


class NaiveDense:
    def __init__(self, input_size, output_size, activation):
        self.activation = activation
        w_shape = (input_size, output_size)
        w_initial_value = tf.random.uniform(w_shape, minval=0, maxval=1e-1)
        self.W = tf.Variable(w_initial_value)
        b_shape = (output_size,)
        b_initial_value = tf.zeros(b_shape)
        self.b = tf.Variable(b_initial_value)

    def __call__(self, inputs):
        return self.activation(tf.matmul(inputs, self.W) + self.b)

    @property
    def weights(self):
        return [self.W, self.b]


class NaiveSequential:
    def __init__(self, layers):
        self.layers = layers

    def __call__(self, inputs):
        x = inputs
        for layer in self.layers:
            x = layer(x)
        return x

    @property
    def weights(self):
        weights = []
        for layer in self.layers:
            weights += layer.weights
        return weights


class BatchGenerator:
    def __init__(self, images, labels, batch_size=128):
        assert len(images) == len(labels)
        self.index = 0
        self.images = images
        self.labels = labels
        self.batch_size = batch_size
        self.num_batches = math.ceil(len(images) / batch_size)

    def next(self):
        images = self.images[self.index: self.index + self.batch_size]
        labels = self.labels[self.index: self.index + self.batch_size]
        self.index += self.batch_size
        return images, labels


learning_rate = 1e-3


def update_weights(gradients, weights):
    for g, w in zip(gradients, weights):
        w.assign_sub(g * learning_rate)


def one_training_step(model, images_batch, labels_batch):
    with tf.GradientTape() as tape:
        predictions = model(images_batch)
        per_sample_losses = tf.keras.losses.sparse_categorical_crossentropy(
            labels_batch, predictions)
        average_loss = tf.reduce_mean(per_sample_losses)
    gradients = tape.gradient(average_loss, model.weights)
    update_weights(gradients, model.weights)
    return average_loss


def test_naive_model_trained_with_a_gradient_tape():
    tf.random.set_seed(0)
    model = NaiveSequential([
        NaiveDense(input_size=28 * 28, output_size=512, activation=tf.nn.relu),
        NaiveDense(input_size=512, output_size=10, activation=tf.nn.softmax)
    ])
    assert len(model.weights) == 4
    images, labels = _mnist_like()
    images = images.reshape((512, 28 * 28)).astype("float32") / 255
    losses = []
    for epoch in range(20):  # the book runs 10 epochs of 469 batches; 80 steps here
        batch_generator = BatchGenerator(images, labels)
        for batch_counter in range(batch_generator.num_batches):
            images_batch, labels_batch = batch_generator.next()
            loss = one_training_step(model, images_batch, labels_batch)
            losses.append(float(loss))
    assert losses[-1] < losses[0]
    predictions = model(images).numpy()
    predicted_labels = np.argmax(predictions, axis=1)
    matches = predicted_labels == labels
    assert matches.mean() > 0.2  # chance is 0.1; plain SGD at 1e-3 learns slowly
    assert f"accuracy: {matches.mean():.2f}".startswith("accuracy: ")
