"""model.summary() of a layer holding plain tf.Variables (the memory column once raised)."""
import numpy as np

import tapeflow as tf
from tapeflow import keras


def test_summary_counts_tf_variables_bytes():
    class WithTfVariables(keras.layers.Layer):
        def __init__(self):
            super().__init__()
            self.w = tf.Variable(np.ones((3, 2), "float32"))
            self.b = tf.Variable(np.zeros((2,), "float32"), trainable=False)

        def call(self, x):
            return x @ self.w + self.b

    model = keras.Sequential([keras.Input((3,)), WithTfVariables()])
    lines = []
    model.summary(print_fn=lines.append)
    text = "\n".join(lines)
    # tapeflow tracks tf.Variables held by layers (Keras 3 on TF does not; see NOTES).
    assert "Trainable params: 6 (24.00 B)" in text
    assert "Non-trainable params: 2 (8.00 B)" in text
