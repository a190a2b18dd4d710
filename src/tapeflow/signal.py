"""``tf.signal``: FFTs, framing, windows, STFT, mel filter banks, DCT.

The FFTs are NumPy's (``numpy.fft``), returning TensorFlow's dtypes (complex64
from float32/complex64). Like ``tf.math.real``/``imag``, ops on complex tensors
record no gradient (tapeflow's tape tracks real values only). ``frame``,
``overlap_and_add``, the windows, ``linear_to_mel_weight_matrix`` and ``dct`` are
compositions of differentiable ops.
"""
import numpy as np

from tapeflow.framework import dtypes
from tapeflow.framework.tensor import Tensor, convert_to_tensor
from tapeflow.ops.signal_ops import (  # noqa: F401
    complex_input, irfft_kernel, rfft_kernel, fft, fft2d, fft3d, ifft, ifft2d, ifft3d)

__all__ = ["fft", "ifft", "fft2d", "ifft2d", "fft3d", "ifft3d", "rfft", "irfft", "rfft2d",
           "irfft2d", "fftshift", "ifftshift", "frame", "overlap_and_add", "hann_window",
           "hamming_window", "kaiser_window", "vorbis_window", "stft", "inverse_stft",
           "inverse_stft_window_fn", "linear_to_mel_weight_matrix", "dct", "idct",
           "mfccs_from_log_mel_spectrograms"]


def _tf():
    import tapeflow
    return tapeflow


def _lengths(fft_length, t, rank, inverse):
    if fft_length is not None:
        return [int(v) for v in np.asarray(fft_length).reshape(
            -1)]
    dims = t.shape.as_list()[-rank:]
    if inverse:
        dims[-1] = 2 * (dims[-1] - 1)
    return dims


def rfft(input_tensor, fft_length=None, name=None):
    """Returns the FFT of a real signal's innermost dimension: ``fft_length // 2 + 1``
    complex values (complex64 for float32)."""
    t = convert_to_tensor(input_tensor)
    return rfft_kernel(t, lengths=_lengths(fft_length, t, 1, False))


def irfft(input_tensor, fft_length=None, name=None):
    """Returns the real signal whose ``rfft`` is ``input_tensor`` (float32 for complex64)."""
    t = convert_to_tensor(input_tensor)
    return irfft_kernel(t, lengths=_lengths(fft_length, t, 1, True))


def rfft2d(input_tensor, fft_length=None, name=None):
    """Returns the 2-D FFT of a real signal's two innermost dimensions."""
    t = convert_to_tensor(input_tensor)
    return rfft_kernel(t, lengths=_lengths(fft_length, t, 2, False))


def irfft2d(input_tensor, fft_length=None, name=None):
    """Returns the real 2-D signal whose ``rfft2d`` is ``input_tensor``."""
    t = convert_to_tensor(input_tensor)
    return irfft_kernel(t, lengths=_lengths(fft_length, t, 2, True))


def fftshift(x, axes=None, name=None):
    """Returns ``x`` with the zero-frequency term moved to the centre (``numpy.fft.fftshift``)."""
    t = convert_to_tensor(x)
    return _tf().roll(t, [d // 2 for d in _axes_dims(t, axes)], _axes(t, axes))


def ifftshift(x, axes=None, name=None):
    """Undoes ``fftshift``."""
    t = convert_to_tensor(x)
    return _tf().roll(t, [-(d // 2) for d in _axes_dims(t, axes)], _axes(t, axes))


def _axes(t, axes):
    if axes is None:
        return list(range(t.shape.rank))
    return [int(a) for a in np.atleast_1d(axes)]


def _axes_dims(t, axes):
    return [t.shape[a] for a in _axes(t, axes)]


# -- framing ------------------------------------------------------------------------

def frame(signal, frame_length, frame_step, pad_end=False, pad_value=0, axis=-1, name=None):
    """Returns ``signal`` cut into frames of ``frame_length`` every ``frame_step`` samples
    along ``axis`` (which becomes two axes: frames, samples)."""
    tf = _tf()
    s = convert_to_tensor(signal)
    rank = s.shape.rank
    axis = int(axis) % rank
    n = s.shape[axis]
    length, step = int(frame_length), int(frame_step)
    if pad_end:
        frames = -(-n // step) if n else 0
        need = max((frames - 1) * step + length, n) if frames else 0
        if need > n:
            pad = [[0, 0]] * rank
            pad[axis] = [0, need - n]
            s = tf.pad(s, pad, constant_values=pad_value)
    else:
        frames = max(0, (n - length) // step + 1) if n >= length else 0
    idx = (np.arange(frames)[:, None] * step + np.arange(length)[None, :]).astype(np.int64)
    return tf.gather(s, Tensor(idx), axis=axis)


def overlap_and_add(signal, frame_step, name=None):
    """Returns the frames ``[..., frames, frame_length]`` added back together with their
    starts ``frame_step`` apart: ``[..., (frames - 1) * frame_step + frame_length]``."""
    tf = _tf()
    s = convert_to_tensor(signal)
    frames, length = s.shape[-2], s.shape[-1]
    step = int(frame_step)
    out_len = (frames - 1) * step + length if frames else 0
    pos = (np.arange(frames)[:, None] * step + np.arange(length)[None, :]).reshape(-1)
    outer = s.shape.as_list()[:-2]
    flat = tf.reshape(s, outer + [frames * length])
    perm = [len(outer)] + list(range(len(outer)))
    moved = tf.transpose(flat, perm) if outer else flat
    summed = tf.math.unsorted_segment_sum(moved, Tensor(pos.astype(np.int64)), out_len)
    back = [i + 1 for i in range(len(outer))] + [0]
    return tf.transpose(summed, back) if outer else summed


# -- windows ------------------------------------------------------------------------

def _raised_cosine(window_length, periodic, dtype, a, b):
    n = int(window_length)
    dtype = dtypes.as_dtype(dtype)
    if n == 1:
        return Tensor(np.ones(1, dtype.as_numpy_dtype))
    # TensorFlow's rule: "periodic" lengthens the period only for even window lengths
    denom = n - 1 + (1 if periodic and n % 2 == 0 else 0)
    ft = dtype.as_numpy_dtype  # computed in the requested dtype, as TensorFlow
    k = np.arange(n, dtype=ft)
    return Tensor((ft(a) - ft(b) * np.cos(ft(2 * np.pi) * k / ft(denom))).astype(ft))


def hann_window(window_length, periodic=True, dtype=dtypes.float32, name=None):
    """Returns the Hann window ``0.5 - 0.5 cos(2 pi n / N)``: N = length - 1, plus 1 when
    ``periodic`` and the length is even (TensorFlow's rule)."""
    return _raised_cosine(window_length, periodic, dtype, 0.5, 0.5)


def hamming_window(window_length, periodic=True, dtype=dtypes.float32, name=None):
    """Returns the Hamming window ``0.54 - 0.46 cos(2 pi n / N)``."""
    return _raised_cosine(window_length, periodic, dtype, 0.54, 0.46)


def kaiser_window(window_length, beta=12.0, dtype=dtypes.float32, name=None):
    """Returns the Kaiser window of ``beta``."""
    return Tensor(np.kaiser(int(window_length), float(beta)).astype(
        dtypes.as_dtype(dtype).as_numpy_dtype))


def vorbis_window(window_length, dtype=dtypes.float32, name=None):
    """Returns the Vorbis power-complementary window."""
    n = int(window_length)
    k = np.arange(n, dtype=np.float64)
    w = np.sin(np.pi / 2 * np.sin(np.pi * (k + 0.5) / n) ** 2)
    return Tensor(w.astype(dtypes.as_dtype(dtype).as_numpy_dtype))


# -- STFT ---------------------------------------------------------------------------

def _fft_length(frame_length):
    return 1 << max(0, (int(frame_length) - 1).bit_length())


def stft(signals, frame_length, frame_step, fft_length=None, window_fn=hann_window,
         pad_end=False, name=None):
    """Returns the short-time Fourier transform ``[..., frames, fft_length // 2 + 1]``
    (complex64 for float32 signals); ``fft_length`` defaults to the next power of two."""
    s = convert_to_tensor(signals)
    n = int(fft_length) if fft_length is not None else _fft_length(frame_length)
    frames = frame(s, frame_length, frame_step, pad_end=pad_end)
    if window_fn is not None:
        frames = frames * window_fn(int(frame_length), dtype=s.dtype)
    return rfft(frames, [n])


def inverse_stft(stfts, frame_length, frame_step, fft_length=None, window_fn=hann_window,
                 name=None):
    """Returns the signal whose ``stft`` is ``stfts`` (windowed overlap-add of the frames);
    pass ``window_fn=inverse_stft_window_fn(frame_step)`` for perfect reconstruction."""
    tf = _tf()
    t = complex_input(stfts, "IRFFT")
    n = int(fft_length) if fft_length is not None else _fft_length(frame_length)
    frames = irfft(t, [n])[..., :int(frame_length)]
    if window_fn is not None:
        frames = frames * window_fn(int(frame_length), dtype=frames.dtype)
    del tf
    return overlap_and_add(frames, frame_step)


def inverse_stft_window_fn(frame_step, forward_window_fn=hann_window, name=None):
    """Returns a ``window_fn`` for ``inverse_stft`` that inverts ``forward_window_fn``."""
    def fn(frame_length, dtype):
        w = np.asarray(np.asarray(forward_window_fn(frame_length, dtype=dtype)), np.float64)
        denom = np.square(w)
        step = int(frame_step)
        overlaps = -(-int(frame_length) // step)
        padded = np.pad(denom, (0, overlaps * step - len(denom)))
        denom = padded.reshape(overlaps, step).sum(axis=0)
        denom = np.tile(denom, overlaps)[:int(frame_length)]
        return Tensor((w / denom).astype(dtypes.as_dtype(dtype).as_numpy_dtype))
    return fn


# -- mel / DCT ------------------------------------------------------------------------

def _hz_to_mel(f):
    return 1127.0 * np.log1p(np.asarray(f, np.float64) / 700.0)


def linear_to_mel_weight_matrix(num_mel_bins=20, num_spectrogram_bins=129, sample_rate=8000,
                                lower_edge_hertz=125.0, upper_edge_hertz=3800.0,
                                dtype=dtypes.float32, name=None):
    """Returns the ``[num_spectrogram_bins, num_mel_bins]`` matrix of triangular mel filters
    (HTK mel scale ``1127 ln(1 + f / 700)``), as TensorFlow builds it.

    Raises:
      ValueError: for non-positive sizes or edges out of order.
    """
    if num_mel_bins <= 0 or num_spectrogram_bins <= 0 or sample_rate <= 0:
        raise ValueError("num_mel_bins, num_spectrogram_bins and sample_rate must be positive")
    if not 0 <= lower_edge_hertz < upper_edge_hertz <= sample_rate / 2:
        raise ValueError(f"lower_edge_hertz {lower_edge_hertz} and upper_edge_hertz "
                         f"{upper_edge_hertz} must satisfy 0 <= lower < upper <= "
                         f"sample_rate / 2")
    dtype = dtypes.as_dtype(dtype)
    np_dtype = dtype.as_numpy_dtype
    # TensorFlow computes in the requested dtype
    nyquist = np_dtype(sample_rate / 2.0)
    freqs = np.linspace(np_dtype(0), nyquist, num_spectrogram_bins, dtype=np_dtype)[1:]
    bins_mel = (np_dtype(1127.0) * np.log1p(freqs / np_dtype(700.0))).astype(np_dtype)[:, None]
    lo = np_dtype(1127.0) * np.log1p(np_dtype(lower_edge_hertz) / np_dtype(700.0))
    hi = np_dtype(1127.0) * np.log1p(np_dtype(upper_edge_hertz) / np_dtype(700.0))
    edges = np.linspace(lo, hi, num_mel_bins + 2, dtype=np_dtype)
    lower, center, upper = edges[:-2], edges[1:-1], edges[2:]
    lower_slopes = (bins_mel - lower) / (center - lower)
    upper_slopes = (upper - bins_mel) / (upper - center)
    weights = np.maximum(np_dtype(0), np.minimum(lower_slopes, upper_slopes)).astype(np_dtype)
    return Tensor(np.concatenate([np.zeros((1, num_mel_bins), np_dtype), weights]))


def dct(input, type=2, n=None, axis=-1, norm=None, name=None):  # noqa: A002
    """Returns the type-II DCT over the last axis: ``2 sum_n x_n cos(pi k (2n + 1) / 2N)``
    (orthonormal with ``norm="ortho"``), as a matrix product (differentiable).

    Types 1 and 4 are ``x_0 + (-1)^k x_{N-1} + 2 sum x_n cos(pi k n / (N - 1))`` and
    ``2 sum_n x_n cos(pi (2k + 1)(2n + 1) / 4N)`` (orthonormal with ``norm="ortho"``: type 4
    only, as TensorFlow).

    Raises:
      ValueError: ``norm="ortho"`` with type 1, or type 1 of fewer than 2 samples.
    """
    tf = _tf()
    x = convert_to_tensor(input)
    if axis != -1 or n is not None:
        raise NotImplementedError("dct supports axis=-1 and n=None here")
    size = x.shape[-1]
    k = np.arange(size)[:, None]
    j = np.arange(size)[None, :]
    if type == 2:
        m = 2.0 * np.cos(np.pi * k * (2 * j + 1) / (2.0 * size))
        if norm == "ortho":
            m[0] *= np.sqrt(1.0 / (4 * size))
            m[1:] *= np.sqrt(1.0 / (2 * size))
    elif type == 3:
        m = np.cos(np.pi * j * (2 * k + 1) / (2.0 * size)) * 2.0
        m[:, 0] *= 0.5
        if norm == "ortho":
            m = m.copy()
            m[:, 0] *= np.sqrt(1.0 / size) / 1.0
            m[:, 1:] *= np.sqrt(2.0 / size) / 2.0
    elif type == 1:
        if norm == "ortho":
            raise ValueError("Normalization is not supported for the Type-I DCT.")
        if size < 2:
            raise ValueError("Type-I DCT requires a dimension of at least 2")
        m = 2.0 * np.cos(np.pi * k * j / (size - 1.0))
        m[:, 0] *= 0.5
        m[:, -1] *= 0.5
    elif type == 4:
        m = 2.0 * np.cos(np.pi * (2 * k + 1) * (2 * j + 1) / (4.0 * size))
        if norm == "ortho":
            m *= np.sqrt(1.0 / (2 * size))
    else:
        raise ValueError(f"Types 1, 2, 3 and 4 are supported, got {type}.")
    flat = tf.reshape(x, [-1, size])
    out = tf.matmul(flat, Tensor(m.T.astype(x.dtype.as_numpy_dtype)))
    return tf.reshape(out, x.shape.as_list())


def idct(input, type=2, n=None, axis=-1, norm=None, name=None):  # noqa: A002
    """Returns the inverse DCT: a type-III DCT for type 2 (and the reverse). Unnormalized
    (``norm=None``), ``idct(dct(x)) == 2 * N * x``, as TensorFlow."""
    inv_type = {2: 3, 3: 2}.get(type, type)   # types 1 and 4 are their own inverses
    return dct(convert_to_tensor(input), inv_type, n, axis, norm)


def mfccs_from_log_mel_spectrograms(log_mel_spectrograms, name=None):
    """Returns MFCCs: the orthonormal-scaled type-II DCT of log-mel spectrograms."""
    x = convert_to_tensor(log_mel_spectrograms)
    return dct(x, type=2) * float(1.0 / np.sqrt(2.0 * x.shape[-1]))

from tapeflow.signal_more import *  # noqa: E402,F401,F403
from tapeflow import signal_more as _more  # noqa: E402

__all__ += _more.__all__
