"""A small tf.Module saved as a SavedModel, shared by the sm_* module tests."""
import os

import tapeflow as tf


class Scale(tf.Module):
    def __init__(self):
        super().__init__()
        self.v = tf.Variable([1.0, 2.0])

    @tf.function(input_signature=[tf.TensorSpec([None, 2], tf.float32)])
    def __call__(self, x):
        return x * self.v


def saved(tmp_path):
    """Returns ``(module, directory, saved_model.pb bytes)``."""
    m = Scale()
    d = str(tmp_path / "m")
    tf.saved_model.save(m, d)
    with open(os.path.join(d, "saved_model.pb"), "rb") as f:
        return m, d, f.read()
