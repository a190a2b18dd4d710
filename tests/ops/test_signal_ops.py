"""tapeflow.ops.signal_ops: tf.signal.fft / ifft / rfft / irfft against numpy.fft."""
import numpy as np

import tapeflow as tf


def test_fft_ifft_match_numpy_and_round_trip():
    rng = np.random.default_rng(0)
    x = (rng.standard_normal((2, 8)) + 1j * rng.standard_normal((2, 8))).astype(np.complex64)
    y = tf.signal.fft(x)
    assert y.dtype == tf.complex64
    np.testing.assert_allclose(y.numpy(), np.fft.fft(x), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(tf.signal.ifft(y).numpy(), x, rtol=1e-4, atol=1e-5)


def test_rfft_irfft_match_numpy():
    x = np.random.default_rng(1).standard_normal((3, 10)).astype(np.float32)
    y = tf.signal.rfft(x)
    assert y.dtype == tf.complex64 and y.shape == (3, 6)
    np.testing.assert_allclose(y.numpy(), np.fft.rfft(x), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(tf.signal.irfft(y).numpy(), x, rtol=1e-4, atol=1e-5)

