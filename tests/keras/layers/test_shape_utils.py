"""keras/layers/shape_utils.py: build() receives standardized shape tuples."""
import numpy as np

import tapeflow as tf
from tapeflow import keras


class _Records(keras.layers.Layer):
    def build(self, shape):
        self.seen = shape

    def call(self, x):
        return x


def test_build_gets_tuples_from_arrays_and_tensorshapes():
    a = _Records()
    a(np.zeros((2, 3), "float32"))
    assert a.seen == (2, 3) and type(a.seen) is tuple
    b = _Records()
    b.build(tf.TensorShape([None, 4]))
    assert b.seen == (None, 4)
