"""tf.signal parity: values (to float32 rounding: TensorFlow's FFT works in float32, NumPy's
in float64), dtypes and shapes."""
import numpy as np
import pytest

import tapeflow as tf

X = np.sin(np.arange(16, dtype=np.float32))
C = np.array([1 + 2j, 3 - 1j, 0.5j], np.complex64)

CALLS = {
    "fft": lambda lib: lib.signal.fft(lib.constant(C)),
    "ifft": lambda lib: lib.signal.ifft(lib.constant(C)),
    "fft2d": lambda lib: lib.signal.fft2d(lib.constant(C.reshape(1, 3))),
    "rfft": lambda lib: lib.signal.rfft(X),
    "rfft_length": lambda lib: lib.signal.rfft(X, [8]),
    "irfft": lambda lib: lib.signal.irfft(lib.signal.rfft(X)),
    "frame": lambda lib: lib.signal.frame(lib.range(10), 3, 2),
    "frame_pad_end": lambda lib: lib.signal.frame(lib.range(10), 3, 2, pad_end=True),
    "frame_2d": lambda lib: lib.signal.frame(lib.reshape(lib.range(12), [2, 6]), 4, 2),
    "overlap_and_add": lambda lib: lib.signal.overlap_and_add(lib.ones([3, 4]), 2),
    "hann": lambda lib: lib.signal.hann_window(5),
    "hann_even": lambda lib: lib.signal.hann_window(6),
    "hann_symmetric": lambda lib: lib.signal.hann_window(6, periodic=False),
    "hamming": lambda lib: lib.signal.hamming_window(4),
    "kaiser": lambda lib: lib.signal.kaiser_window(4),
    "vorbis": lambda lib: lib.signal.vorbis_window(4),
    "stft": lambda lib: lib.signal.stft(X, 8, 4),
    "stft_pad_end": lambda lib: lib.signal.stft(X, 6, 3, pad_end=True),
    "inverse_stft": lambda lib: lib.signal.inverse_stft(
        lib.signal.stft(X, 8, 4), 8, 4, window_fn=lib.signal.inverse_stft_window_fn(4)),
    "mel_matrix": lambda lib: lib.signal.linear_to_mel_weight_matrix(4, 9, 8000, 100., 3000.),
    "dct": lambda lib: lib.signal.dct(lib.constant([1., 2., 3., 4.])),
    "dct_ortho": lambda lib: lib.signal.dct(lib.constant([[1., 2., 3., 4.]]), norm="ortho"),
    "idct": lambda lib: lib.signal.idct(lib.constant([1., 2., 3., 4.])),
    "idct_ortho": lambda lib: lib.signal.idct(lib.constant([1., 2., 3., 4.]), norm="ortho"),
    "mfccs": lambda lib: lib.signal.mfccs_from_log_mel_spectrograms(
        lib.constant([[1., 2., 3., 4.]])),
    "fftshift": lambda lib: lib.signal.fftshift(lib.range(5)),
    "complex": lambda lib: lib.complex([1., 2.], [3., 4.]),
}


@pytest.mark.parametrize("name", sorted(CALLS))
def test_signal(rtf, name):
    ours, theirs = CALLS[name](tf), CALLS[name](rtf)
    assert ours.dtype.name == theirs.dtype.name and ours.shape == theirs.shape
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=2e-5, atol=2e-6)


def test_fft_needs_complex(rtf):
    for lib in (tf, rtf):
        with pytest.raises(lib.errors.InvalidArgumentError):
            lib.signal.fft(lib.constant([1.0, 2.0]))
