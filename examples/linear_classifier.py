"""A linear classifier in pure TensorFlow (Deep Learning with Python, chapter 3).

Two clouds of 2-D points, class A around (0, 3) and class B around (3, 0), are
separated by an affine model ``prediction = inputs @ W + b`` trained with full-
batch gradient descent on the mean squared error. The script only uses the
TensorFlow API: replace ``import tapeflow as tf`` by ``import tensorflow as tf``
and it runs unchanged.

    python examples/linear_classifier.py
"""
import numpy as np

import tapeflow as tf

COVARIANCE = [[1, 0.5], [0.5, 1]]


def make_data(samples=1000, seed=0):
    """Returns ``(inputs, targets)``: ``2 * samples`` points (float32, shape (N, 2))
    and their labels (0 for class A, 1 for class B; float32, shape (N, 1))."""
    rng = np.random.RandomState(seed)
    negative_samples = rng.multivariate_normal(mean=[0, 3], cov=COVARIANCE, size=samples)
    positive_samples = rng.multivariate_normal(mean=[3, 0], cov=COVARIANCE, size=samples)
    inputs = np.vstack((negative_samples, positive_samples)).astype(np.float32)
    targets = np.vstack((np.zeros((samples, 1), dtype="float32"),
                         np.ones((samples, 1), dtype="float32")))
    return inputs, targets


def square_loss(targets, predictions):
    """Returns the mean of the per-sample squared errors (a scalar Tensor)."""
    per_sample_losses = tf.square(targets - predictions)
    return tf.reduce_mean(per_sample_losses)


def train(inputs, targets, steps=40, learning_rate=0.1, seed=None, verbose=False):
    """Trains ``W`` (2 x 1, uniform init) and ``b`` (zeros) for ``steps`` full-batch steps.

    Returns:
      A dict: ``losses`` (the loss at each step, as floats), ``params`` (``(W, b)``
      as NumPy arrays after each step) and ``predictions`` (the model's outputs
      on ``inputs`` after each step).
    """
    if seed is not None:
        tf.random.set_seed(seed)
    input_dim = 2
    output_dim = 1
    W = tf.Variable(initial_value=tf.random.uniform(shape=(input_dim, output_dim)))
    b = tf.Variable(initial_value=tf.zeros(shape=(output_dim,)))

    def model(inputs):
        return tf.matmul(inputs, W) + b

    def training_step(inputs, targets):
        with tf.GradientTape() as tape:
            predictions = model(inputs)
            loss = square_loss(targets, predictions)
        grad_loss_wrt_W, grad_loss_wrt_b = tape.gradient(loss, [W, b])
        W.assign_sub(grad_loss_wrt_W * learning_rate)
        b.assign_sub(grad_loss_wrt_b * learning_rate)
        return loss

    history = {"losses": [], "params": [], "predictions": []}
    for step in range(steps):
        loss = training_step(inputs, targets)
        if verbose:
            print(f"Loss at step {step}: {float(loss):.4f}")
        history["losses"].append(float(loss))
        history["params"].append((W.numpy(), b.numpy()))
        history["predictions"].append(model(inputs).numpy())
    return history


if __name__ == "__main__":
    inputs, targets = make_data(samples=1000, seed=0)
    history = train(inputs, targets, steps=40, learning_rate=0.1, seed=0, verbose=True)
    predictions = history["predictions"][-1]
    accuracy = np.mean((predictions[:, 0] > 0.5) == (targets[:, 0] > 0.5))
    print(f"Accuracy: {accuracy:.3f}")
