"""The MNIST convnet of Deep Learning with Python, chapter 8 (listings 8.1 to 8.4).

Three 3x3 convolutions with max pooling between them, then a softmax classifier,
trained on the MNIST digits with RMSprop. The script only uses the TensorFlow /
Keras API: replace the two tapeflow imports by ``import tensorflow as tf`` and
``from tensorflow import keras`` and it runs unchanged.

    python examples/mnist_convnet.py [--epochs 5] [--samples 60000]

The book trains for 5 epochs and reaches about 99% test accuracy; one epoch
already gives over 97%. MNIST comes from ``keras.datasets.mnist.load_data()``,
which reads ``~/.keras/datasets/mnist.npz`` (or ``$KERAS_HOME/datasets``) and
downloads it there when missing; without the file and without a network the
script says so and exits.
"""
import argparse
import sys

import tapeflow as tf
from tapeflow import keras
from tapeflow.keras import layers


def build_model():
    """Returns the book's convnet (listing 8.1): 104,202 parameters."""
    inputs = keras.Input(shape=(28, 28, 1))
    x = layers.Conv2D(filters=32, kernel_size=3, activation="relu")(inputs)
    x = layers.MaxPooling2D(pool_size=2)(x)
    x = layers.Conv2D(filters=64, kernel_size=3, activation="relu")(x)
    x = layers.MaxPooling2D(pool_size=2)(x)
    x = layers.Conv2D(filters=128, kernel_size=3, activation="relu")(x)
    x = layers.Flatten()(x)
    outputs = layers.Dense(10, activation="softmax")(x)
    return keras.Model(inputs=inputs, outputs=outputs)


def load_mnist():
    """Returns ``((train_images, train_labels), (test_images, test_labels))`` scaled to
    [0, 1] with a channel axis (listing 8.2), or exits with a message when MNIST is
    neither cached nor downloadable."""
    try:
        (train_images, train_labels), (test_images, test_labels) = \
            keras.datasets.mnist.load_data()
    except Exception as e:  # no cached file and no network: get_file says what to do
        sys.exit(f"MNIST is not available: {e}")
    train_images = train_images.reshape((60000, 28, 28, 1)).astype("float32") / 255
    test_images = test_images.reshape((10000, 28, 28, 1)).astype("float32") / 255
    return (train_images, train_labels), (test_images, test_labels)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=5, help="training epochs (book: 5)")
    parser.add_argument("--samples", type=int, default=60000,
                        help="train on the first N training images only")
    args = parser.parse_args()

    model = build_model()
    model.summary()
    (train_images, train_labels), (test_images, test_labels) = load_mnist()
    train_images, train_labels = train_images[:args.samples], train_labels[:args.samples]

    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.fit(train_images, train_labels, epochs=args.epochs, batch_size=64)
    test_loss, test_acc = model.evaluate(test_images, test_labels)
    print(f"Test accuracy: {test_acc:.3f}")

    # The TensorFlow side of the same model: a prediction is a tf.Tensor-compatible array.
    probabilities = model.predict(test_images[:5], verbose=0)
    predicted = tf.argmax(probabilities, axis=1).numpy()
    print("First five test digits:", test_labels[:5].tolist(), "predicted:",
          predicted.tolist())


if __name__ == "__main__":
    main()
