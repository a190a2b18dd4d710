"""tapeflow.ops.fftnd_ops: tf.signal.fftnd / ifftnd / rfftnd / irfftnd against numpy.fft."""
import numpy as np

import tapeflow as tf


def test_fftnd_and_ifftnd_match_numpy():
    rng = np.random.default_rng(0)
    x = (rng.standard_normal((2, 4, 6)) + 1j * rng.standard_normal((2, 4, 6))).astype(np.complex128)
    y = tf.signal.fftnd(x, axes=[-2, -1])
    np.testing.assert_allclose(y.numpy(), np.fft.fftn(x, axes=(-2, -1)), rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(tf.signal.ifftnd(y, axes=[-2, -1]).numpy(), x, atol=1e-12)


def test_rfftnd_with_lengths_and_irfftnd():
    x = np.random.default_rng(1).standard_normal((3, 5, 8))
    y = tf.signal.rfftnd(x, fft_length=[4, 8], axes=[-2, -1])
    ref = np.fft.rfftn(x, s=(4, 8), axes=(-2, -1))
    assert y.shape == ref.shape
    np.testing.assert_allclose(y.numpy(), ref, rtol=1e-10, atol=1e-10)
    back = tf.signal.irfftnd(tf.signal.rfftnd(x, axes=[-2, -1]), fft_length=[5, 8], axes=[-2, -1])
    np.testing.assert_allclose(back.numpy(), x, atol=1e-12)
