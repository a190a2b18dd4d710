"""tf.signal: FFT round trips, framing, windows (TensorFlow's periodic rule), STFT
reconstruction, gradients of the real-valued ops to second order."""
import numpy as np
import pytest

import tapeflow as tf
from gradcheck import check_grads


def test_ffts_match_numpy_with_tensorflows_dtypes():
    x = np.random.default_rng(0).standard_normal(16).astype(np.float32)
    r = tf.signal.rfft(x)
    assert r.dtype == tf.complex64 and r.shape == (9,)
    np.testing.assert_allclose(r.numpy(), np.fft.rfft(x), rtol=1e-5, atol=1e-5)
    back = tf.signal.irfft(r)
    assert back.dtype == tf.float32
    np.testing.assert_allclose(back.numpy(), x, atol=1e-5)
    c = tf.complex(x[:8], x[8:])
    np.testing.assert_allclose(tf.signal.ifft(tf.signal.fft(c)).numpy(), c.numpy(), atol=1e-5)
    with pytest.raises(tf.errors.InvalidArgumentError, match="Tcomplex"):
        tf.signal.fft(x)


def test_frame_and_overlap_add():
    f = tf.signal.frame(tf.range(10), 3, 2)
    assert f.numpy().tolist() == [[0, 1, 2], [2, 3, 4], [4, 5, 6], [6, 7, 8]]
    assert tf.signal.frame(tf.range(10), 3, 2, pad_end=True).shape == (5, 3)
    assert tf.signal.overlap_and_add(tf.ones([3, 4]), 2).numpy().tolist() == [
        1, 1, 2, 2, 2, 2, 1, 1]


def test_windows():
    assert tf.signal.hann_window(5).numpy().tolist() == [0.0, 0.5, 1.0, 0.5, 0.0]
    np.testing.assert_allclose(tf.signal.hann_window(4).numpy(), [0, 0.5, 1, 0.5], atol=1e-7)
    assert tf.signal.hamming_window(4).dtype == tf.float32


def test_stft_round_trip():
    x = np.sin(np.arange(64, dtype=np.float32) / 3)
    s = tf.signal.stft(x, 16, 4)
    assert s.shape == (13, 9) and s.dtype == tf.complex64
    y = tf.signal.inverse_stft(s, 16, 4, window_fn=tf.signal.inverse_stft_window_fn(4))
    np.testing.assert_allclose(y.numpy()[16:-16], x[16:len(y.numpy()) - 16], atol=1e-4)


def test_mel_and_dct():
    m = tf.signal.linear_to_mel_weight_matrix(4, 9, 8000, 100.0, 3000.0)
    assert m.shape == (9, 4) and float(tf.reduce_min(m)) >= 0.0
    assert m.numpy()[0].tolist() == [0, 0, 0, 0]
    x = tf.constant([1.0, 2.0, 3.0, 4.0])
    np.testing.assert_allclose(tf.signal.idct(tf.signal.dct(x)).numpy(), x.numpy() * 8,
                               rtol=1e-5)
    np.testing.assert_allclose(tf.signal.idct(tf.signal.dct(x, norm="ortho"),
                                              norm="ortho").numpy(), x.numpy(), rtol=1e-5)


def test_gradients_of_real_ops():
    rng = np.random.default_rng(1)
    check_grads(lambda s: tf.signal.frame(s, 4, 2), [rng.standard_normal(11)], order=2)
    check_grads(lambda f: tf.signal.overlap_and_add(f, 3), [rng.standard_normal((2, 3, 5))],
                order=2)
    check_grads(lambda x: tf.signal.dct(x, norm="ortho"), [rng.standard_normal((2, 6))],
                order=2)
