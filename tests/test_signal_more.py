"""tf.signal's MDCT, KBD window, 3-D/N-D FFTs and DCT types 1 and 4 against NumPy maths."""
import numpy as np
import pytest

import tapeflow as tf
from tests.gradcheck import check_grads


def _dct4(x):
    n = x.shape[-1]
    k, j = np.arange(n)[:, None], np.arange(n)[None, :]
    return x @ (2 * np.cos(np.pi * (2 * k + 1) * (2 * j + 1) / (4 * n))).T


def test_dct_types_1_and_4():
    x = np.random.default_rng(0).standard_normal((3, 6))
    np.testing.assert_allclose(tf.signal.dct(x, type=4).numpy(), _dct4(x), rtol=1e-10)
    np.testing.assert_allclose(tf.signal.idct(tf.signal.dct(x, type=4, norm="ortho"), type=4,
                                              norm="ortho").numpy(), x, atol=1e-12)
    n = x.shape[-1]
    want = x[:, :1] + (-1.0) ** np.arange(n) * x[:, -1:] + 2 * x[:, 1:-1] @ np.cos(
        np.pi * np.arange(1, n - 1)[:, None] * np.arange(n)[None, :] / (n - 1))
    np.testing.assert_allclose(tf.signal.dct(x, type=1).numpy(), want, rtol=1e-10)
    with pytest.raises(ValueError):
        tf.signal.dct(x, type=1, norm="ortho")


def test_mdct_perfect_reconstruction_and_gradient():
    s = np.random.default_rng(1).standard_normal(64)
    for norm in (None, "ortho"):
        back = tf.signal.inverse_mdct(tf.signal.mdct(s, 16, norm=norm), norm=norm).numpy()
        np.testing.assert_allclose(back[8:-8], s[8:-8], atol=1e-10)   # away from the ends
    assert tf.signal.mdct(tf.constant(s, tf.float32), 16).shape.as_list() == [7, 8]
    assert tf.signal.mdct(s, 16, pad_end=True).shape.as_list() == [8, 8]
    check_grads(lambda x: tf.signal.mdct(x, 8), [s[:24]], order=2)
    with pytest.raises(ValueError, match="multiple of 4"):
        tf.signal.mdct(s, 6)
    with pytest.raises(ValueError, match="floating point"):
        tf.signal.mdct(tf.range(16), 8)


def test_kbd_window_is_power_complementary():
    w = tf.signal.kaiser_bessel_derived_window(16, dtype=tf.float64).numpy()
    np.testing.assert_allclose(w[:8] ** 2 + w[8:] ** 2, 1.0, atol=1e-12)
    np.testing.assert_allclose(w, w[::-1])


def test_3d_and_nd_ffts_match_numpy():
    x = np.random.default_rng(2).standard_normal((2, 3, 4, 6)).astype(np.float32)
    r = tf.signal.rfft3d(x)
    assert r.dtype == tf.complex64
    np.testing.assert_allclose(r.numpy(), np.fft.rfftn(x, axes=(1, 2, 3)), rtol=1e-4,
                               atol=1e-4)
    np.testing.assert_allclose(tf.signal.irfft3d(r).numpy(), x, atol=1e-5)
    c = tf.cast(x, tf.complex64)
    np.testing.assert_allclose(tf.signal.fftnd(c, axes=[0, 2]).numpy(),
                               np.fft.fftn(x, axes=(0, 2)), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(tf.signal.ifftnd(tf.signal.fftnd(c, norm="ortho"),
                                                norm="ortho").numpy(), x, atol=1e-5)
    rn = tf.signal.rfftnd(x, fft_length=[3, 6], axes=[-2, -1])
    np.testing.assert_allclose(tf.signal.irfftnd(rn, fft_length=[3, 6], axes=[-2, -1])
                               .numpy(), x[:, :, :3, :], atol=1e-5)
    with pytest.raises(ValueError):
        tf.signal.fftnd(c, fft_length=[2], axes=[0, 1])
