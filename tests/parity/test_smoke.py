"""The parity harness itself: both libraries load side by side and agree on a tensor's repr."""
import numpy as np

import tapeflow as tf


def test_a_constant_prints_the_same(rtf):
    for value in ([1.5, 2.0], [[1, 2], [3, 4]], 3.0, [True, False]):
        assert repr(tf.constant(value)) == repr(rtf.constant(value))
        assert str(tf.constant(value)) == str(rtf.constant(value))
    np.testing.assert_array_equal(tf.constant([1.5]).numpy(), rtf.constant([1.5]).numpy())
