"""Keras 3's audio preprocessing layers: ``STFTSpectrogram`` and ``MelSpectrogram``.

``STFTSpectrogram`` computes the short-time Fourier transform as a strided 1-D
convolution with (trainable) cosine and sine kernels made by
``keras.initializers.STFT``; ``MelSpectrogram`` frames the signal with
``keras.ops.stft`` (centered, padded by reflection), maps the power spectrum onto
triangular mel filters (HTK formula) and converts to decibels, as Keras does.
"""
import math
import warnings

import numpy as np

from tapeflow.keras.layers.input_spec import InputSpec
from tapeflow.keras.layers.layer import Layer

_MODES = ("log", "magnitude", "psd", "real", "imag", "angle", "stft")
_MEL_BREAK_FREQUENCY_HERTZ = 700.0
_MEL_HIGH_FREQUENCY_Q = 1127.0


def _ops():
    from tapeflow.keras import ops
    return ops


def _data_format(data_format):
    from tapeflow.keras import config
    value = data_format or config.image_data_format()
    value = str(value).lower()
    if value not in ("channels_first", "channels_last"):
        raise ValueError("The `data_format` argument must be one of {'channels_first', "
                         f"'channels_last'}}. Received: data_format={data_format}")
    return value


class STFTSpectrogram(Layer):
    """Spectrogram of 1-D signals (``(batch, time, channels)``, channels last) by STFT.

    Args:
      mode: ``"log"`` (log magnitude), ``"magnitude"``, ``"psd"`` (power, one-sided
        doubled), ``"real"``, ``"imag"``, ``"angle"`` or ``"stft"`` (real and imaginary
        parts concatenated along the frequency axis).
      frame_length: samples per frame (the kernels' length).
      frame_step: hop between frames; default ``frame_length // 2``.
      fft_length: FFT size; default the next power of two of ``frame_length``.
      window: a window name (``"hann"``, ``"hamming"``, ...), its values, or None.
      periodic: use a periodic (DFT-even) window.
      scaling: ``"density"``, ``"spectrum"`` or None (the window's normalization).
      padding: ``"valid"`` or ``"same"``.
      expand_dims: keep channels as a separate last axis.

    Returns (call): float Tensors of shape ``(batch, frames, channels * freq_bins)``, or
    ``(batch, frames, freq_bins, channels)`` with ``expand_dims``.
    """

    def __init__(self, mode="log", frame_length=256, frame_step=None, fft_length=None,
                 window="hann", periodic=False, scaling="density", padding="valid",
                 expand_dims=False, data_format=None, **kwargs):
        if frame_step is not None and (frame_step > frame_length or frame_step < 1):
            raise ValueError("`frame_step` should be a positive integer not greater than "
                             f"`frame_length`. Received frame_step={frame_step}, "
                             f"frame_length={frame_length}")
        if fft_length is not None and fft_length < frame_length:
            raise ValueError("`fft_length` should be not less than `frame_length`. "
                             f"Received fft_length={fft_length}, frame_length={frame_length}")
        if fft_length is not None and (fft_length & -fft_length) != fft_length:
            warnings.warn("`fft_length` is recommended to be a power of two. "
                          f"Received fft_length={fft_length}")
        if mode not in _MODES:
            raise ValueError(f"Output mode is invalid, it must be one of {', '.join(_MODES)}. "
                             f"Received: mode={mode}")
        if scaling is not None and scaling not in ("density", "spectrum"):
            raise ValueError("Scaling is invalid, it must be `None`, 'density' or 'spectrum'. "
                             f"Received scaling={scaling}")
        if padding not in ("valid", "same"):
            raise ValueError("Padding is invalid, it should be 'valid', 'same'. "
                             f"Received: padding={padding}")
        if isinstance(window, str):
            from tapeflow.keras.initializers import _named_window
            _named_window(window, 1, False)
        super().__init__(**kwargs)
        self.mode = mode
        self.frame_length = frame_length
        self.frame_step = frame_step
        self._frame_step = frame_step or frame_length // 2
        self.fft_length = fft_length
        self._fft_length = fft_length or 2 ** int(math.ceil(math.log2(frame_length)))
        self.window = window
        self.periodic = periodic
        self.scaling = scaling
        self.padding = padding
        self.expand_dims = expand_dims
        self.data_format = _data_format(data_format)
        self.input_spec = InputSpec(ndim=3)

    def build(self, input_shape):
        from tapeflow.keras.initializers import STFT
        shape = (self.frame_length, 1, self._fft_length // 2 + 1)
        if self.mode != "imag":
            self.real_kernel = self.add_weight(
                name="real_kernel", shape=shape,
                initializer=STFT("real", self.window, self.scaling, self.periodic))
        if self.mode != "real":
            self.imag_kernel = self.add_weight(
                name="imag_kernel", shape=shape,
                initializer=STFT("imag", self.window, self.scaling, self.periodic))
        self.built = True

    def _apply_conv(self, x, kernel):
        """(batch, time, ch) or (batch, ch, time) -> (batch, ch, freq, frames)."""
        ops = _ops()
        if self.data_format == "channels_last":
            time_seq, channels = x.shape[1], x.shape[2]
            x = ops.reshape(ops.transpose(x, (0, 2, 1)), (-1, time_seq, 1))
        else:
            channels, time_seq = x.shape[1], x.shape[2]
            x = ops.reshape(x, (-1, time_seq, 1))
        out = ops.conv(x, ops.cast(kernel, x.dtype), strides=self._frame_step,
                       padding=self.padding, data_format="channels_last")
        frames, freq = out.shape[1], out.shape[2]
        return ops.reshape(ops.transpose(out, (0, 2, 1)), (-1, channels, freq, frames))

    def _adjust_shapes(self, out):
        ops = _ops()
        _, channels, freq, frames = out.shape
        if self.data_format == "channels_last":
            if self.expand_dims:
                return ops.transpose(out, (0, 3, 2, 1))
            return ops.transpose(ops.reshape(out, (-1, channels * freq, frames)), (0, 2, 1))
        if self.expand_dims:
            return ops.transpose(out, (0, 1, 3, 2))
        return ops.reshape(out, (-1, channels * freq, frames))

    def call(self, inputs):
        ops = _ops()
        from tapeflow.keras import config
        dtype = inputs.dtype.name if hasattr(inputs.dtype, "name") else str(inputs.dtype)
        if dtype not in ("float16", "float32", "float64"):
            raise TypeError("Invalid input type. Expected `float16`, `float32` or `float64`. "
                            f"Received: input type={inputs.dtype}")
        real = imag = None
        if self.mode != "imag":
            real = self._apply_conv(inputs, self.real_kernel)
        if self.mode != "real":
            imag = self._apply_conv(inputs, self.imag_kernel)
        if self.mode == "real":
            return self._adjust_shapes(real)
        if self.mode == "imag":
            return self._adjust_shapes(imag)
        if self.mode == "angle":
            return self._adjust_shapes(ops.arctan2(imag, real))
        if self.mode == "stft":
            return self._adjust_shapes(ops.concatenate([real, imag], axis=2))
        power = ops.square(real) + ops.square(imag)
        if self.mode == "psd":
            return self._adjust_shapes(
                power + ops.pad(power[:, :, 1:-1, :], [[0, 0], [0, 0], [1, 1], [0, 0]]))
        eps = config.epsilon()
        linear = self._adjust_shapes(ops.sqrt(ops.maximum(power, eps)))
        if self.mode == "magnitude":
            return linear
        return ops.log(ops.maximum(linear, eps))

    def compute_output_shape(self, input_shape):
        last = self.data_format == "channels_last"
        batch = input_shape[0]
        channels = input_shape[-1] if last else input_shape[1]
        time_seq = input_shape[1] if last else input_shape[-1]
        freq = self._fft_length // 2 + 1
        if self.mode == "stft":
            freq *= 2
        if time_seq is None:
            frames = None
        elif self.padding == "same":
            frames = (time_seq + self._frame_step - 1) // self._frame_step
        else:
            frames = (time_seq - self.frame_length) // self._frame_step + 1
        if self.expand_dims:
            return (batch, frames, freq, channels) if last else (batch, channels, frames, freq)
        width = None if channels is None else freq * channels
        return (batch, frames, width) if last else (batch, width, frames)

    def get_config(self):
        config = super().get_config()
        config.update({"mode": self.mode, "frame_length": self.frame_length,
                       "frame_step": self.frame_step, "fft_length": self.fft_length,
                       "window": self.window, "periodic": self.periodic,
                       "scaling": self.scaling, "padding": self.padding,
                       "data_format": self.data_format, "expand_dims": self.expand_dims})
        return config


def _hertz_to_mel(hz):
    return _MEL_HIGH_FREQUENCY_Q * np.log(1.0 + hz / _MEL_BREAK_FREQUENCY_HERTZ)


class MelSpectrogram(Layer):
    """Mel-scaled power spectrogram (in decibels by default) of raw audio.

    Input: ``(samples,)`` or ``(batch, samples)``; output ``(num_mel_bins, frames)`` or
    ``(batch, num_mel_bins, frames)`` with ``frames = (samples + stride + 1) // stride``
    (the signal is centered: reflect-padded by ``fft_length // 2`` on both sides).
    ``power_to_db`` converts to ``10 log10(max(power, min_power) / ref_power)`` floored at
    ``top_db`` below the batch's maximum.
    """

    def __init__(self, fft_length=2048, sequence_stride=512, sequence_length=None,
                 window="hann", sampling_rate=16000, num_mel_bins=128, min_freq=20.0,
                 max_freq=None, power_to_db=True, top_db=80.0, mag_exp=2.0, min_power=1e-10,
                 ref_power=1.0, **kwargs):
        self.fft_length = fft_length
        self.sequence_stride = sequence_stride
        self.sequence_length = sequence_length or fft_length
        if self.fft_length < self.sequence_length:
            raise ValueError("`fft_length` must be greater than or equal to   "
                             f"`sequence_length`. Received: `sequence_length`="
                             f"{self.sequence_length}, `fft_length`={self.fft_length}.")
        self.window = window
        self.sampling_rate = sampling_rate
        self.num_mel_bins = num_mel_bins
        self.min_freq = min_freq
        self.max_freq = max_freq or int(sampling_rate / 2)
        self.power_to_db = power_to_db
        self.top_db = top_db
        self.mag_exp = mag_exp
        self.min_power = min_power
        self.ref_power = ref_power
        super().__init__(**kwargs)

    def linear_to_mel_weight_matrix(self, num_mel_bins=20, num_spectrogram_bins=129,
                                    sampling_rate=8000, lower_edge_hertz=125.0,
                                    upper_edge_hertz=3800.0, dtype="float32"):
        """Returns the ``(num_spectrogram_bins, num_mel_bins)`` matrix of triangular mel
        filters (peak 1, HTK mel scale); the first (DC) row is zero."""
        dt = np.dtype(dtype)
        nyquist = dt.type(sampling_rate) / dt.type(2.0)
        linear = np.linspace(dt.type(0), nyquist, num_spectrogram_bins, dtype=dt)[1:]
        bins_mel = _hertz_to_mel(linear).astype(dt)[:, None]
        edges = np.linspace(_hertz_to_mel(dt.type(lower_edge_hertz)),
                            _hertz_to_mel(dt.type(upper_edge_hertz)), num_mel_bins + 2,
                            dtype=dt)
        lower, center, upper = edges[:-2][None], edges[1:-1][None], edges[2:][None]
        lower_slopes = (bins_mel - lower) / (center - lower)
        upper_slopes = (upper - bins_mel) / (upper - center)
        weights = np.maximum(dt.type(0), np.minimum(lower_slopes, upper_slopes))
        return np.pad(weights, [[1, 0], [0, 0]]).astype(dt)

    def call(self, inputs):
        ops = _ops()
        compute = self.compute_dtype
        dtype = compute if compute in ("float32", "float64") else "float32"
        x = ops.convert_to_tensor(inputs, dtype=dtype)
        real, imag = ops.stft(x, sequence_length=self.sequence_length,
                              sequence_stride=self.sequence_stride,
                              fft_length=self.fft_length, window=self.window, center=True)
        spec = ops.power(ops.sqrt(ops.square(real) + ops.square(imag)), self.mag_exp)
        matrix = self.linear_to_mel_weight_matrix(
            num_mel_bins=self.num_mel_bins, num_spectrogram_bins=spec.shape[-1],
            sampling_rate=self.sampling_rate, lower_edge_hertz=self.min_freq,
            upper_edge_hertz=self.max_freq, dtype=dtype)
        out = ops.tensordot(spec, ops.convert_to_tensor(matrix), axes=1)
        if self.power_to_db:
            out = self._dbscale(out)
        return ops.cast(ops.swapaxes(out, -1, -2), compute)

    def _dbscale(self, x):
        ops = _ops()
        log_spec = 10.0 * ops.log10(ops.maximum(x, self.min_power))
        ref = abs(float(self.ref_power))
        log_spec = log_spec - 10.0 * ops.log10(
            ops.maximum(ops.convert_to_tensor(ref, dtype=x.dtype), self.min_power))
        return ops.maximum(log_spec, ops.max(log_spec) - self.top_db)

    def compute_output_shape(self, input_shape):
        def frames(n):
            return None if n is None else (n + self.sequence_stride + 1) // self.sequence_stride
        if len(input_shape) == 1:
            return [self.num_mel_bins, frames(input_shape[0])]
        return [input_shape[0], self.num_mel_bins, frames(input_shape[1])]

    def get_config(self):
        config = super().get_config()
        config.update({"fft_length": self.fft_length, "sequence_stride": self.sequence_stride,
                       "sequence_length": self.sequence_length, "window": self.window,
                       "sampling_rate": self.sampling_rate, "num_mel_bins": self.num_mel_bins,
                       "min_freq": self.min_freq, "max_freq": self.max_freq,
                       "power_to_db": self.power_to_db, "top_db": self.top_db,
                       "mag_exp": self.mag_exp, "min_power": self.min_power,
                       "ref_power": self.ref_power})
        return config
