"""Shared helper: minimise sum(v**2) from a fixed start with an optimizer."""
import numpy as np

import tapeflow as tf
from tapeflow import keras


def minimise(optimizer, steps=20):
    """Returns ``(final loss, optimizer variable names)``."""
    v = keras.Variable(np.array([[1.0, 2], [3, 4]], "float32"))
    for _ in range(steps):
        with tf.GradientTape() as tape:
            loss = keras.ops.sum(v * v)
        optimizer.apply_gradients([(tape.gradient(loss, v), v)])
    return float(keras.ops.sum(v * v)), [x.name for x in optimizer.variables]
