"""tracking/sm_functions.py: which concrete functions tf.saved_model.save writes."""
import numpy as np

import tapeflow as tf


class _M(tf.Module):
    def __init__(self):
        super().__init__()
        self.k = tf.Variable(2.0)

    @tf.function
    def f(self, x):
        return x * self.k


def test_every_traced_concrete_function_is_saved(tmp_path):
    m = _M()
    m.f(tf.constant([1.0, 2.0]))            # traced for shape [2]
    m.f(tf.constant([[1.0], [2.0]]))        # and for shape [2, 1]
    d = str(tmp_path / "m")
    tf.saved_model.save(m, d)
    loaded = tf.saved_model.load(d)
    np.testing.assert_array_equal(loaded.f(tf.constant([3.0, 4.0])).numpy(), [6.0, 8.0])
    np.testing.assert_array_equal(loaded.f(tf.constant([[5.0], [6.0]])).numpy(),
                                  [[10.0], [12.0]])
