"""``keras.ops.math``: top-k, segment reductions, logsumexp, FFTs, erf and friends."""
import numpy as np

import tapeflow as tf
from tapeflow.framework.tensor import Tensor
from tapeflow.keras import backend
from tapeflow.keras.ops.operation import keras_op
from tapeflow.keras.ops.promotion import to_tensor


def _f(x):
    x = to_tensor(x)
    return x if x.dtype.is_floating else tf.cast(x, backend.floatx())


@keras_op
def top_k(x, k, sorted=True):  # noqa: A002 (Keras's name)
    """Returns ``(values, indices)`` of the ``k`` largest entries along the last axis."""
    values, indices = tf.math.top_k(to_tensor(x), k=k, sorted=sorted)
    return values, indices


@keras_op
def in_top_k(targets, predictions, k):
    """Returns whether each target class is among the ``k`` largest predictions (bool)."""
    return tf.math.in_top_k(to_tensor(targets), _f(predictions), k)


@keras_op
def logsumexp(x, axis=None, keepdims=False):
    """Returns ``log(sum(exp(x)))`` over ``axis``, computed stably."""
    return tf.reduce_logsumexp(_f(x), axis=axis, keepdims=keepdims)


def _segments(data, segment_ids, num_segments):
    d = to_tensor(data)
    ids = to_tensor(segment_ids)
    ids = ids if ids.dtype.name == "int32" else tf.cast(ids, "int32")
    n = int(ids.numpy().max(initial=-1)) + 1 if num_segments is None else int(num_segments)
    return d, ids, n


@keras_op
def segment_sum(data, segment_ids, num_segments=None, sorted=False):  # noqa: A002
    """Returns the sum of ``data`` rows per segment id (ids >= num_segments dropped)."""
    d, ids, n = _segments(data, segment_ids, num_segments)
    return tf.math.unsorted_segment_sum(d, ids, n) if hasattr(tf.math, "unsorted_segment_sum") \
        else tf.unsorted_segment_sum(d, ids, n)


def _segment_extreme(data, segment_ids, num_segments, kind):
    d, ids, n = _segments(data, segment_ids, num_segments)
    idv = ids.numpy()
    init = d.dtype.min if kind == "max" else d.dtype.max
    if kind == "prod":
        init = 1
    rows = []
    for s in range(n):
        pos = np.nonzero(idv == s)[0].astype(np.int32)
        if pos.size == 0:
            rows.append(tf.fill(tuple(d.shape[1:]), d.dtype.as_numpy_dtype(init)))
            continue
        part = tf.gather(d, pos)
        red = {"max": tf.reduce_max, "min": tf.reduce_min, "prod": tf.reduce_prod}[kind]
        rows.append(red(part, axis=0))
    return tf.stack(rows) if rows else tf.zeros((0,) + tuple(d.shape[1:]), d.dtype)


@keras_op
def segment_max(data, segment_ids, num_segments=None, sorted=False):  # noqa: A002
    """Returns the max of ``data`` rows per segment (the dtype's lowest for empty ones)."""
    return _segment_extreme(data, segment_ids, num_segments, "max")


@keras_op
def segment_min(data, segment_ids, num_segments=None, sorted=False):  # noqa: A002
    """Returns the min of ``data`` rows per segment (the dtype's highest for empty ones)."""
    return _segment_extreme(data, segment_ids, num_segments, "min")


@keras_op
def segment_prod(data, segment_ids, num_segments=None, sorted=False):  # noqa: A002
    """Returns the product of ``data`` rows per segment (1 for empty ones)."""
    return _segment_extreme(data, segment_ids, num_segments, "prod")


@keras_op
def rsqrt(x):
    """Returns ``1 / sqrt(x)``, elementwise."""
    return tf.math.rsqrt(_f(x))


@keras_op
def erf(x):
    """Returns the error function, elementwise."""
    return tf.math.erf(_f(x))


@keras_op
def erfc(x):
    """Returns ``1 - erf(x)``, elementwise."""
    return tf.math.erfc(_f(x))


@keras_op
def erfinv(x):
    """Returns the inverse error function (Newton steps on erf; differentiable through
    ``d erfinv(y) = sqrt(pi)/2 exp(erfinv(y)^2) dy``)."""
    x = _f(x)
    from tapeflow.framework.custom_gradient import custom_gradient

    @custom_gradient
    def _erfinv(y):
        a = y.numpy().astype(np.float64)
        z = _erfinv_np(a)
        out = Tensor(z.astype(y.dtype.as_numpy_dtype))

        def grad(dy):
            return dy * tf.exp(tf.square(out)) * np.asarray(np.sqrt(np.pi) / 2,
                                                            y.dtype.as_numpy_dtype)
        return out, grad
    return _erfinv(x)


def _erfinv_np(a):
    from math import erf as _erf
    verf = np.vectorize(_erf)
    w = -np.log(np.clip((1.0 - a) * (1.0 + a), 1e-300, None))
    t = 2 / (np.pi * 0.147) - w / 2
    z = np.sign(a) * np.sqrt(np.clip(np.sqrt(t * t + w / 0.147) - t, 0, None))  # Winitzki
    for _ in range(4):  # Newton steps on erf(z) = a
        z = z - (verf(z) - a) / (2 / np.sqrt(np.pi) * np.exp(-z * z))
    z = np.where(a >= 1, np.inf, np.where(a <= -1, -np.inf, z))
    return np.where(np.abs(a) > 1, np.nan, z)


@keras_op
def logdet(x):
    """Returns ``log(det(x))`` of positive-definite matrices."""
    return tf.linalg.logdet(_f(x))


def _complex_pair(x):
    re, im = x
    return _f(re).numpy() + 1j * _f(im).numpy(), _f(re).dtype.as_numpy_dtype


def _split_complex(z, dt):
    return Tensor(np.real(z).astype(dt)), Tensor(np.imag(z).astype(dt))


@keras_op
def fft(x):
    """Returns ``(real, imag)`` of the FFT along the last axis of the complex ``(real, imag)``
    pair ``x`` (not differentiable)."""
    z, dt = _complex_pair(x)
    return _split_complex(np.fft.fft(z, axis=-1), dt)


@keras_op
def fft2(x):
    """Returns ``(real, imag)`` of the 2-D FFT over the last two axes."""
    z, dt = _complex_pair(x)
    return _split_complex(np.fft.fft2(z), dt)


@keras_op
def ifft2(x):
    """Returns ``(real, imag)`` of the inverse 2-D FFT over the last two axes."""
    z, dt = _complex_pair(x)
    return _split_complex(np.fft.ifft2(z), dt)


@keras_op
def rfft(x, fft_length=None):
    """Returns ``(real, imag)`` of the real-input FFT along the last axis."""
    a = _f(x)
    return _split_complex(np.fft.rfft(a.numpy(), n=fft_length, axis=-1),
                          a.dtype.as_numpy_dtype)


@keras_op
def irfft(x, fft_length=None):
    """Returns the real signal whose rfft is the ``(real, imag)`` pair ``x``."""
    z, dt = _complex_pair(x)
    return Tensor(np.fft.irfft(z, n=fft_length, axis=-1).astype(dt))


def _window(window, n, dt):
    if window is None:
        return np.ones(n, dt)
    if isinstance(window, str):
        if window == "hann":
            return (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(n) / n)).astype(dt)
        if window == "hamming":
            return (0.54 - 0.46 * np.cos(2 * np.pi * np.arange(n) / n)).astype(dt)
        raise ValueError(f"If a string is passed to `window`, it must be one of "
                         f"`'hann'`, `'hamming'`. Received: window={window}")
    return to_tensor(window).numpy().astype(dt)


@keras_op
def extract_sequences(x, sequence_length, sequence_stride):
    """Returns the frames of length ``sequence_length`` every ``sequence_stride`` along the
    last axis (differentiable)."""
    x = to_tensor(x)
    n = x.shape[-1]
    count = 1 + (n - sequence_length) // sequence_stride
    idx = (np.arange(count)[:, None] * sequence_stride +
           np.arange(sequence_length)[None, :]).astype(np.int32)
    return tf.gather(x, idx, axis=len(x.shape) - 1)


@keras_op
def stft(x, sequence_length, sequence_stride, fft_length, window="hann", center=True):
    """Returns ``(real, imag)`` of the short-time Fourier transform along the last axis."""
    a = _f(x)
    dt = a.dtype.as_numpy_dtype
    v = a.numpy()
    if center:
        pad = [(0, 0)] * (v.ndim - 1) + [(fft_length // 2, fft_length // 2)]
        v = np.pad(v, pad, mode="reflect")
    # As TensorFlow's backend: frames of fft_length, the window zero-padded to it (centered).
    frames = extract_sequences(Tensor(v), fft_length, sequence_stride).numpy()
    lpad = (fft_length - sequence_length) // 2
    if window is None:
        w = np.ones(fft_length, dt)
    else:
        w = _window(window, sequence_length, dt)
        w = np.pad(w, (lpad, fft_length - sequence_length - lpad))
    return _split_complex(np.fft.rfft(frames * w, axis=-1), dt)


@keras_op
def istft(x, sequence_length, sequence_stride, fft_length, length=None, window="hann",
          center=True):
    """Returns the signal of the ``(real, imag)`` STFT ``x`` (overlap-add)."""
    z, dt = _complex_pair(x)
    # As TensorFlow's backend: overlap-add of fft_length frames with the window zero-padded
    # to fft_length and divided by the steady-state sum of its overlapping squares.
    frames = np.fft.irfft(z, n=fft_length, axis=-1)
    lpad = (fft_length - sequence_length) // 2
    if window is not None:
        w = _window(window, sequence_length, np.float64)
        w = np.pad(w, (lpad, fft_length - sequence_length - lpad))
        overlaps = -(-fft_length // sequence_stride)
        denom = np.pad(w * w, (0, overlaps * sequence_stride - fft_length))
        denom = np.tile(denom.reshape(overlaps, sequence_stride).sum(0), overlaps)
        frames = frames * (w / denom[:fft_length])
    count = frames.shape[-2]
    n = (count - 1) * sequence_stride + fft_length
    out = np.zeros(frames.shape[:-2] + (n,))
    for i in range(count):
        s = i * sequence_stride
        out[..., s:s + fft_length] += frames[..., i, :]
    start = fft_length // 2 if center else 0
    if length is not None:
        out = out[..., start:start + length]
    elif center:
        out = out[..., start:n - fft_length // 2]
    return Tensor(out.astype(dt))


@keras_op
def cdist(x, y):
    """Returns the Euclidean distances between the rows of x and of y."""
    a, b = _f(x), to_tensor(y)
    b = tf.cast(b, a.dtype) if b.dtype is not a.dtype else b
    d = tf.expand_dims(a, -2) - tf.expand_dims(b, -3)
    return tf.sqrt(tf.reduce_sum(tf.square(d), axis=-1))


@keras_op
def view_as_complex(x):
    """Returns the complex tensor whose real and imaginary parts are x's last axis."""
    a = _f(x).numpy()
    return Tensor((a[..., 0] + 1j * a[..., 1]).astype(np.complex64 if a.dtype != np.float64
                                                      else np.complex128))


@keras_op
def view_as_real(x):
    """Returns a complex x as floats with a last axis (real, imag)."""
    a = to_tensor(x).numpy()
    return Tensor(np.stack([a.real, a.imag], -1))


def rearrange(tensor, pattern, **axes_lengths):
    """Returns ``tensor`` rearranged by an einops ``pattern`` (``"b h w c -> b (h w) c"``)."""
    from tapeflow.keras.ops.rearranging import rearrange as _rearrange
    return _rearrange(tensor, pattern, **axes_lengths)


__all__ = ["top_k", "in_top_k", "logsumexp", "segment_sum", "segment_max", "segment_min",
           "segment_prod", "rsqrt", "erf", "erfc", "erfinv", "logdet", "fft", "fft2", "ifft2",
           "rfft", "irfft", "stft", "istft", "extract_sequences", "cdist", "view_as_complex",
           "view_as_real", "rearrange"]
