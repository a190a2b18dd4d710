"""More of ``tf.signal``: 3-D and N-D real FFTs, the N-D complex FFTs, the MDCT and its
inverse, and the Kaiser-Bessel-derived window (re-exported by ``tapeflow.signal``).

``mdct``/``inverse_mdct`` are compositions of differentiable ops (framing, a window, a
type-IV DCT as a matrix product, overlap-add), so gradients reach the signal.
"""
import numpy as np

from tapeflow.framework import dtypes
from tapeflow.framework.tensor import Tensor, convert_to_tensor
from tapeflow.ops.fftnd_ops import fftnd_kernel, ifftnd_kernel, irfftnd_kernel, rfftnd_kernel
from tapeflow.ops.signal_ops import complex_input, irfft_kernel, rfft_kernel

__all__ = ["rfft3d", "irfft3d", "fftnd", "ifftnd", "rfftnd", "irfftnd", "mdct",
           "inverse_mdct", "kaiser_bessel_derived_window"]


def _tf():
    import tapeflow
    return tapeflow


def _lengths(fft_length, t, rank, inverse):
    if fft_length is not None:
        return [int(v) for v in np.asarray(fft_length).reshape(-1)]
    dims = t.shape.as_list()[-rank:]
    if inverse:
        dims[-1] = 2 * (dims[-1] - 1)
    return dims


def rfft3d(input_tensor, fft_length=None, name=None):
    """Returns the 3-D FFT of a real signal's three innermost dimensions."""
    t = convert_to_tensor(input_tensor)
    return rfft_kernel(t, lengths=_lengths(fft_length, t, 3, False))


def irfft3d(input_tensor, fft_length=None, name=None):
    """Returns the real 3-D signal whose ``rfft3d`` is ``input_tensor``."""
    t = complex_input(input_tensor, "IRFFT3D")
    return irfft_kernel(t, lengths=_lengths(fft_length, t, 3, True))


def _nd_args(t, fft_length, axes, inverse_real):
    rank = t.shape.rank
    axes = list(range(rank)) if axes is None else [int(a) % rank for a in
                                                   np.asarray(axes).reshape(-1)]
    if fft_length is None:
        lengths = [t.shape.as_list()[a] for a in axes]
        if inverse_real:
            lengths[-1] = 2 * (lengths[-1] - 1)
    else:
        lengths = [int(v) for v in np.asarray(fft_length).reshape(-1)]
    if len(lengths) != len(axes):
        raise ValueError(f"fft_length ({len(lengths)}) and axes ({len(axes)}) must have the "
                         "same length")
    return {"lengths": lengths, "axes": tuple(axes)}


def _norm(norm):
    if norm not in (None, "backward", "ortho", "forward"):
        raise ValueError(f"norm must be None, 'backward', 'ortho' or 'forward', got {norm!r}")
    return norm


def fftnd(input_tensor, fft_length=None, axes=None, norm=None, name=None):
    """Returns the N-D FFT of a complex tensor over ``axes`` (all by default).

    TensorFlow 2.21's CPU build has no kernel for this op; tapeflow gives NumPy's answer.
    """
    t = complex_input(input_tensor, "FFTND")
    return fftnd_kernel(t, norm=_norm(norm), **_nd_args(t, fft_length, axes, False))


def ifftnd(input_tensor, fft_length=None, axes=None, norm=None, name=None):
    """Returns the inverse N-D FFT of a complex tensor over ``axes`` (all by default)."""
    t = complex_input(input_tensor, "IFFTND")
    return ifftnd_kernel(t, norm=_norm(norm), **_nd_args(t, fft_length, axes, False))


def rfftnd(input_tensor, fft_length=None, axes=None, norm=None, name=None):
    """Returns the N-D FFT of a real tensor over ``axes``: the last axis keeps
    ``n // 2 + 1`` values."""
    t = convert_to_tensor(input_tensor)
    return rfftnd_kernel(t, norm=_norm(norm), **_nd_args(t, fft_length, axes, False))


def irfftnd(input_tensor, fft_length=None, axes=None, norm=None, name=None):
    """Returns the real tensor whose ``rfftnd`` over ``axes`` is ``input_tensor``."""
    t = complex_input(input_tensor, "IRFFTND")
    return irfftnd_kernel(t, norm=_norm(norm), **_nd_args(t, fft_length, axes, True))


def kaiser_bessel_derived_window(window_length, beta=12.0, dtype=dtypes.float32, name=None):
    """Returns the Kaiser-Bessel-derived window: the square root of the normalised running
    sum of a Kaiser window of half the length plus one, mirrored."""
    from tapeflow.signal import kaiser_window
    n = int(window_length)
    dtype = dtypes.as_dtype(dtype)
    half = n // 2
    k = np.asarray(kaiser_window(half + 1, beta, dtype)).astype(dtype.as_numpy_dtype)
    c = np.cumsum(k, dtype=dtype.as_numpy_dtype)
    w = np.sqrt(c[:-1] / c[-1])
    return Tensor(np.concatenate([w, w[::-1]]).astype(dtype.as_numpy_dtype))


def _float_signal(x):
    t = convert_to_tensor(x)
    if not t.dtype.is_floating:
        raise ValueError(f"dtype must be a floating point type. Found {t.dtype}")
    return t


def mdct(signals, frame_length, window_fn=None, pad_end=False, norm=None, name=None):
    """Returns the modified DCT of ``signals``: frames of ``frame_length`` (a multiple of 4)
    hopping by half a frame, windowed (Vorbis window by default; ``window_fn=None`` scales
    by ``1/sqrt(2)``), folded and sent through a type-IV DCT: ``[..., frames,
    frame_length // 2]``."""
    from tapeflow.signal import dct, frame, vorbis_window
    tf = _tf()
    if window_fn is _DEFAULT:
        window_fn = vorbis_window
    x = _float_signal(signals)
    frame_length = int(frame_length)
    if frame_length % 4:
        raise ValueError("The frame length must be a multiple of 4.")
    frames = frame(x, frame_length, frame_length // 2, pad_end=pad_end)
    if window_fn is not None:
        frames = frames * window_fn(frame_length, dtype=frames.dtype)
    else:
        frames = frames * (1.0 / np.sqrt(2.0))
    a, b, c, d = tf.split(frames, 4, axis=-1)
    folded = tf.concat([-tf.reverse(c, [-1]) - d, a - tf.reverse(b, [-1])], axis=-1)
    return dct(folded, type=4, norm=norm)


def inverse_mdct(mdcts, window_fn=None, norm=None, name=None):
    """Returns the signal whose ``mdct`` is ``mdcts`` (perfect reconstruction away from the
    ends with a power-complementary window, as TensorFlow's)."""
    from tapeflow.signal import dct, overlap_and_add, vorbis_window
    tf = _tf()
    if window_fn is _DEFAULT:
        window_fn = vorbis_window
    x = _float_signal(mdcts)
    half = x.shape.as_list()[-1]
    if norm is None:
        y = dct(x, type=4) * (0.5 / half)
    elif norm == "ortho":
        y = dct(x, type=4, norm="ortho")
    else:
        raise ValueError(f"Unknown normalization: {norm}")
    first, second = tf.split(y, 2, axis=-1)
    frames = tf.concat([second, -tf.reverse(second, [-1]), -tf.reverse(first, [-1]), -first],
                       axis=-1)
    if window_fn is not None:
        frames = frames * window_fn(2 * half, dtype=frames.dtype)
    else:
        frames = frames * (1.0 / np.sqrt(2.0))
    return overlap_and_add(frames, half)


_DEFAULT = object()
mdct.__defaults__ = (_DEFAULT, False, None, None)
inverse_mdct.__defaults__ = (_DEFAULT, None, None)
