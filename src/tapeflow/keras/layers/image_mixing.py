"""Keras 3's batch-mixing and blur augmentations: MixUp, CutMix, RandomGaussianBlur.

MixUp and CutMix blend each image with another image of the batch (a random permutation);
called on a dict ``{"images": ..., "labels": ...}`` they blend the labels with the same
weights, as Keras does. They act only when ``training`` is true (the default when called
directly).
"""
from tapeflow.framework.variable import array_of
import numpy as np

from tapeflow.framework.tensor import Tensor
from tapeflow.keras.layers.image_color import _ColorLayer, _rng
from tapeflow.keras.layers.layer import Layer


def _np(x):
    return array_of(x) if isinstance(x, Tensor) else np.asarray(x)


class _MixingLayer(Layer):
    """Shared call of MixUp/CutMix: arrays or ``{"images", "labels"}`` dicts."""

    def __init__(self, data_format=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        from tapeflow.keras.layers.convolutional import normalize_data_format
        self.data_format = normalize_data_format(data_format)
        self.seed = seed

    def _convert(self, x):
        return x

    def build(self, input_shape=None):
        self.built = True

    def call(self, inputs, training=True):
        is_dict = isinstance(inputs, dict)
        images = np.asarray(_np(inputs["images"] if is_dict else inputs), dtype=np.float32)
        if training is None:
            training = True
        if not training or images.ndim != 4:
            out = Tensor(images)
            return dict(inputs, images=out) if is_dict else out
        first = self.data_format == "channels_first"
        x = np.moveaxis(images, 1, -1) if first else images
        mixed, weights, perm = self._mix(x)
        mixed = np.moveaxis(mixed, -1, 1) if first else mixed
        if not is_dict:
            return Tensor(np.ascontiguousarray(mixed))
        out = dict(inputs, images=Tensor(np.ascontiguousarray(mixed)))
        if "labels" in inputs:
            labels = np.asarray(_np(inputs["labels"]), dtype=np.float32)
            w = weights.reshape(-1, 1)
            out["labels"] = Tensor((w * labels + (1.0 - w) * labels[perm]).astype(np.float32))
        return out

    def compute_output_shape(self, input_shape):
        return input_shape

    def compute_output_spec(self, inputs, training=None):
        """Returns the inputs' spec (images keep their shape, in float32)."""
        from tapeflow.keras.keras_tensor import KerasTensor
        return KerasTensor(inputs.shape, dtype=self.compute_dtype)


class MixUp(_MixingLayer):
    """MixUp (Zhang et al., 2018): ``w * image + (1 - w) * other``, ``w ~ Beta(alpha, alpha)``.

    Args:
      alpha: the Beta distribution's parameter (default 0.2).
      seed: optional int for repeatable mixing.
    """

    def __init__(self, alpha=0.2, data_format=None, seed=None, **kwargs):
        super().__init__(data_format=data_format, seed=seed, **kwargs)
        self.alpha = alpha

    def _mix(self, x):
        rng = _rng(self)
        n = x.shape[0]
        perm = rng.permutation(n)
        w = rng.beta(self.alpha, self.alpha, n).astype(np.float32)
        mixed = w[:, None, None, None] * x + (1.0 - w[:, None, None, None]) * x[perm]
        return mixed.astype(np.float32), w, perm

    def get_config(self):
        config = super().get_config()
        config.update({"data_format": self.data_format, "alpha": self.alpha,
                       "seed": self.seed})
        return config


class _Bounds01:
    _bounds = (0, 1)


class CutMix(_MixingLayer):
    """CutMix (Yun et al., 2019): pastes a random box of another image of the batch; the
    box covers ``1 - w`` of the image, ``w ~ Beta(a, a)`` with ``a`` drawn from ``factor``.

    Args:
      factor: a float ``f`` (range ``(0, f)``) or a pair, in [0, 1] (default 1.0).
      seed: optional int for repeatable mixing.
    """

    def __init__(self, factor=1.0, seed=None, data_format=None, **kwargs):
        super().__init__(data_format=data_format, seed=seed, **kwargs)
        self.factor = _ColorLayer._parse_factor(_Bounds01(), factor)

    def _mix(self, x):
        rng = _rng(self)
        n, h, w = x.shape[:3]
        alpha = rng.uniform(*self.factor) + 1e-6
        weight = rng.beta(alpha, alpha, n).astype(np.float32)
        ratio = np.sqrt(1.0 - weight)

        def bounds(length):
            crop = (ratio * length).astype(np.float32)
            start = rng.uniform(0, 1, n).astype(np.float32) * (length - crop)
            return start, start + crop
        x0, x1 = bounds(w)
        y0, y1 = bounds(h)
        gy, gx = np.meshgrid(np.arange(h, dtype=np.float32), np.arange(w, dtype=np.float32),
                             indexing="ij")
        mask = ((gx >= x0[:, None, None]) & (gx < x1[:, None, None]) &
                (gy >= y0[:, None, None]) & (gy < y1[:, None, None]))[..., None]
        perm = rng.permutation(n)
        mixed = np.where(mask, x[perm], x).astype(np.float32)
        weight = (1.0 - (x1 - x0) * (y1 - y0) / (w * h)).astype(np.float32)
        return mixed, weight, perm

    def get_config(self):
        config = super().get_config()
        config.update({"data_format": self.data_format, "factor": self.factor,
                       "seed": self.seed})
        return config


def gaussian_kernel(size, sigma, dtype=np.float32):
    """Returns the normalized ``size[0] x size[1]`` Gaussian kernel (Keras's formula)."""
    def one_d(n, s):
        x = np.arange(n, dtype=dtype) - (n - 1) / 2
        k = np.exp(-0.5 * (x / s) ** 2)
        return k / k.sum()
    return np.tensordot(one_d(size[1], sigma[1]), one_d(size[0], sigma[0]), axes=0).reshape(
        size[0], size[1]).astype(dtype)


class RandomGaussianBlur(_ColorLayer):
    """Blurs each image, with probability drawn from ``factor``, by a Gaussian kernel of
    ``kernel_size`` whose two standard deviations are drawn from ``sigma``.

    Args:
      factor: probability range (a float ``f`` means ``(0, f)``; default 1.0: always).
      kernel_size: odd int or pair of odd ints.
      sigma: a float ``s`` (range ``(0, s)``) or a pair.
    """

    _bounds = (0, 1)

    def __init__(self, factor=1.0, kernel_size=3, sigma=1.0, value_range=(0, 255),
                 data_format=None, seed=None, **kwargs):
        super().__init__(factor=factor, value_range=None, seed=seed, data_format=data_format,
                         **kwargs)
        self.value_range = value_range
        if isinstance(kernel_size, (tuple, list)):
            if len(kernel_size) != 2:
                raise ValueError(f"The `kernel_size` argument should be a number (or a list "
                                 f"of two numbers) Received: kernel_size={kernel_size}")
            lo, hi = kernel_size
        else:
            lo = hi = kernel_size
        if lo % 2 == 0 or hi % 2 == 0:
            raise ValueError(f"kernel_size must be an odd number. Received: "
                             f"kernel_size={kernel_size}")
        self.kernel_size = (lo, hi)
        self.sigma = self._parse_factor(sigma)

    def _transform(self, x, dtype):
        n = x.shape[0]
        p = self._uniform((n,), *self.factor)
        apply = self._uniform((n,), 0.0, 1.0) < p
        sigma = self._uniform((2,), *self.sigma) + np.float32(1e-6)
        kernel = gaussian_kernel(self.kernel_size, sigma)
        kh, kw = kernel.shape
        padded = np.pad(x, ((0, 0), ((kh - 1) // 2, kh // 2), ((kw - 1) // 2, kw // 2),
                            (0, 0)))
        h, w = x.shape[1:3]
        blurred = np.zeros_like(x)
        for i in range(kh):        # loops over kernel taps only
            for j in range(kw):
                blurred += kernel[i, j] * padded[:, i:i + h, j:j + w]
        out = np.where(apply[:, None, None, None], blurred, x)
        return np.clip(out, self.value_range[0], self.value_range[1]).astype(np.float32)

    def get_config(self):
        config = super().get_config()
        config.update({"factor": self.factor, "kernel_size": self.kernel_size,
                       "sigma": self.sigma, "value_range": self.value_range,
                       "seed": self.seed})
        return config


__all__ = ["MixUp", "CutMix", "RandomGaussianBlur"]
