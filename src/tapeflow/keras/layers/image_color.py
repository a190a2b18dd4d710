"""Keras 3's color preprocessing layers: RandomBrightness, RandomGrayscale, AutoContrast,
Solarization, RandomInvert, RandomPosterization, RandomColorDegeneration, RandomSaturation,
RandomHue, RandomSharpness, RandomColorJitter, Equalization.

Each works on a batch (NHWC, or NCHW with ``data_format="channels_first"``) or one image,
in ``value_range`` (default ``(0, 255)``). The random ones draw one parameter per image
and change images only when ``training`` is true (their default when called directly);
``AutoContrast`` and ``Equalization`` always apply. Parameters are Keras's (factor
ranges, bounds, defaults), so a layer with a fixed factor gives Keras's numbers.
"""
from tapeflow.framework.variable import array_of
import numpy as np

from tapeflow.framework.tensor import Tensor, convert_to_tensor
from tapeflow.keras.layers.layer import Layer

_GRAY = np.array([0.2989, 0.5870, 0.1140], np.float32)
_VALUE_RANGE_ERROR = ("The `value_range` argument should be a list of two numbers. ")


def _rng(layer):
    from tapeflow.keras import initializers
    if layer.seed is None:
        return initializers._GLOBAL["rng"]
    rng = layer.__dict__.get("_rng")
    if rng is None:
        rng = np.random.default_rng(layer.seed)
        layer.__dict__["_rng"] = rng
    return rng


def _value_range(value_range):
    if not isinstance(value_range, (tuple, list)) or len(value_range) != 2:
        raise ValueError(_VALUE_RANGE_ERROR + f"Received: value_range={value_range}")
    return sorted(value_range)


def _rescale(x, src, dst):
    """Maps values from range ``src`` to range ``dst`` (no-op when equal)."""
    if src[0] == dst[0] and src[1] == dst[1]:
        return x
    x = (x - np.float32(src[0])) / np.float32(src[1] - src[0])
    return x * np.float32(dst[1] - dst[0]) + np.float32(dst[0])


def _grayscale(x):
    """NHWC float images -> their luma, one channel (TensorFlow's weights)."""
    return np.sum(x * _GRAY[: x.shape[-1]], axis=-1, keepdims=True, dtype=np.float32)


def rgb_to_hsv(x):
    """NHWC RGB in [0, 1] -> HSV in [0, 1] (TensorFlow's formulas)."""
    r, g, b = x[..., 0], x[..., 1], x[..., 2]
    v = np.max(x, axis=-1)
    rng = v - np.min(x, axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        s = np.where(v > 0, rng / v, 0.0)
        norm = np.where(rng > 0, 1.0 / (6.0 * rng), 0.0)
    h = np.where(r == v, norm * (g - b),
                 np.where(g == v, norm * (b - r) + 2.0 / 6.0, norm * (r - g) + 4.0 / 6.0))
    h = np.where(rng > 0, h, 0.0)
    h = np.where(h < 0, h + 1.0, h)
    return np.stack([h, s, v], axis=-1).astype(x.dtype)


def hsv_to_rgb(x):
    """NHWC HSV in [0, 1] -> RGB (TensorFlow's piecewise-linear formulas)."""
    h, s, v = x[..., 0], x[..., 1], x[..., 2]
    dh = h * 6.0
    dr = np.clip(np.abs(dh - 3.0) - 1.0, 0.0, 1.0)
    dg = np.clip(2.0 - np.abs(dh - 2.0), 0.0, 1.0)
    db = np.clip(2.0 - np.abs(dh - 4.0), 0.0, 1.0)
    one_minus_s = 1.0 - s
    rgb = [(one_minus_s + s * c) * v for c in (dr, dg, db)]
    return np.stack(rgb, axis=-1).astype(x.dtype)


class _ColorLayer(Layer):
    """Batching, layout, value range and seed shared by the color layers."""

    _bounds = (-1, 1)
    always = False

    def __init__(self, factor=None, value_range=(0, 255), seed=None, data_format=None,
                 **kwargs):
        super().__init__(**kwargs)
        from tapeflow.keras.layers.convolutional import normalize_data_format
        self.data_format = normalize_data_format(data_format)
        self.seed = seed
        if factor is not None:
            self.factor = self._parse_factor(factor)
        if value_range is not None:
            self.value_range = _value_range(value_range)

    def _parse_factor(self, factor):
        lo_b, hi_b = self._bounds
        msg = (f"The `factor` argument should be a number (or a list of two numbers) in the "
               f"range [{lo_b}, {hi_b}]. Received: factor={factor}")
        if isinstance(factor, (tuple, list)):
            if len(factor) != 2 or factor[0] > hi_b or factor[1] < lo_b:
                raise ValueError(msg)
            return tuple(sorted(factor))
        if isinstance(factor, (int, float)):
            if factor < lo_b or factor > hi_b:
                raise ValueError(msg)
            factor = abs(factor)
            return (max(-factor, lo_b), factor)
        raise ValueError(msg)

    def _convert(self, x):
        return x if type(x) is Tensor else convert_to_tensor(np.asarray(x))

    def build(self, input_shape):
        self.built = True

    def call(self, inputs, training=True):
        if training is None:
            training = True
        if not (training or self.always):
            return inputs
        x = array_of(inputs)
        single = x.ndim == 3
        if single:
            x = x[None]
        if x.ndim != 4:
            raise ValueError(f"Expected the input image to be rank 3 or 4. Received "
                             f"inputs.shape={x.shape}")
        first = self.data_format == "channels_first"
        if first:
            x = np.moveaxis(x, 1, -1)
        out = self._transform(x.astype(np.float32, copy=False), x.dtype)
        if first:
            out = np.moveaxis(out, -1, 1)
        out = np.ascontiguousarray(out)
        return Tensor(out[0] if single else out)

    def _uniform(self, shape, lo, hi):
        return _rng(self).uniform(lo, hi, shape).astype(np.float32)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def compute_output_spec(self, inputs, training=None):
        """Returns a KerasTensor like the input (images keep their shape)."""
        from tapeflow.keras.keras_tensor import KerasTensor
        return KerasTensor(inputs.shape, dtype=self._out_dtype(inputs.dtype))

    def _out_dtype(self, dtype):
        return self.compute_dtype

    def get_config(self):
        config = super().get_config()
        config["data_format"] = self.data_format
        return config


class RandomBrightness(_ColorLayer):
    """Adds ``delta * (max - min)`` of the value range to each image, delta drawn from
    ``factor`` (a float ``f`` means ``(-f, f)``), then clips to the range."""

    def __init__(self, factor, value_range=(0, 255), seed=None, **kwargs):
        super().__init__(factor=factor, value_range=value_range, seed=seed, **kwargs)

    def _transform(self, x, dtype):
        lo, hi = self.value_range
        delta = self._uniform((x.shape[0], 1, 1, 1), *self.factor) * np.float32(hi - lo)
        return np.clip(x + delta, lo, hi).astype(np.float32)

    def get_config(self):
        config = super().get_config()
        config.update({"factor": self.factor, "value_range": self.value_range,
                       "seed": self.seed})
        return config


class RandomGrayscale(_ColorLayer):
    """Turns each image to grayscale (kept as 3 equal channels) with probability
    ``factor``."""

    def __init__(self, factor=0.5, data_format=None, seed=None, **kwargs):
        if factor < 0 or factor > 1:
            raise ValueError(f"`factor` should be between 0 and 1. Received: factor={factor}")
        super().__init__(value_range=None, seed=seed, data_format=data_format, **kwargs)
        self.factor = factor

    def _transform(self, x, dtype):
        apply = self._uniform((x.shape[0], 1, 1, 1), 0, 1) < self.factor
        return np.where(apply, _grayscale(x), x).astype(np.float32)

    def _out_dtype(self, dtype):
        return dtype

    def get_config(self):
        config = super().get_config()
        config["factor"] = self.factor
        return config


class AutoContrast(_ColorLayer):
    """Stretches each image's channels so their minimum maps to the range's low end and
    their maximum to its high end (always applied)."""

    always = True

    def __init__(self, value_range=(0, 255), **kwargs):
        super().__init__(value_range=value_range, **kwargs)

    def _transform(self, x, dtype):
        original = x
        y = _rescale(x, self.value_range, (0, 255))
        low = y.min(axis=(1, 2), keepdims=True)
        high = y.max(axis=(1, 2), keepdims=True)
        with np.errstate(divide="ignore", invalid="ignore"):
            scale = np.float32(255.0) / (high - low)
            y = y * scale + (-low * scale)
        y = _rescale(np.clip(y, 0.0, 255.0), (0, 255), self.value_range)
        return np.where(np.isnan(y), original, y).astype(np.float32)

    def get_config(self):
        config = super().get_config()
        config["value_range"] = self.value_range
        return config


class Solarization(_ColorLayer):
    """Adds a random ``addition`` (drawn from ``addition_factor``) then inverts every value
    at or above a random ``threshold`` (from ``threshold_factor``), on a 0-255 scale."""

    def __init__(self, addition_factor=0.0, threshold_factor=0.0, value_range=(0, 255),
                 seed=None, **kwargs):
        super().__init__(value_range=value_range, seed=seed, **kwargs)
        self.addition_factor = self._solar_factor(addition_factor, "addition_factor")
        self.threshold_factor = self._solar_factor(threshold_factor, "threshold_factor")

    def _solar_factor(self, factor, name):
        msg = ("The `factor` argument should be a number (or a list of two numbers) in the "
               f"range [0, 1]. Received: {name}={factor}")
        if isinstance(factor, (tuple, list)):
            if len(factor) != 2 or not all(0 <= f <= 1 for f in factor):
                raise ValueError(msg)
            return tuple(sorted(factor))
        if isinstance(factor, (int, float)) and 0 <= factor <= 1:
            return (0, factor)
        raise ValueError(msg)

    def _transform(self, x, dtype):
        shape = (x.shape[0], 1, 1, 1)
        # Keras draws from [lo, hi * 255] (the lower end is not scaled)
        additions = self._uniform(shape, self.addition_factor[0], self.addition_factor[1] * 255)
        thresholds = self._uniform(shape, self.threshold_factor[0],
                                   self.threshold_factor[1] * 255)
        y = np.clip(_rescale(x, self.value_range, (0, 255)) + additions, 0, 255)
        y = np.where(y < thresholds, y, 255 - y)
        return _rescale(y, (0, 255), self.value_range).astype(np.float32)

    def get_config(self):
        config = super().get_config()
        config.update({"value_range": self.value_range,
                       "addition_factor": self.addition_factor,
                       "threshold_factor": self.threshold_factor, "seed": self.seed})
        return config


class RandomInvert(_ColorLayer):
    """Replaces an image by ``max - image`` with a probability drawn from ``factor``."""

    _bounds = (0, 1)

    def __init__(self, factor=1.0, value_range=(0, 255), seed=None, data_format=None,
                 **kwargs):
        super().__init__(factor=factor, value_range=value_range, seed=seed,
                         data_format=data_format, **kwargs)
        self.value_range = tuple(value_range)

    def _transform(self, x, dtype):
        n = x.shape[0]
        p = self._uniform((n,), *self.factor)
        apply = self._uniform((n,), 0, 1) < p
        return np.where(apply[:, None, None, None], self.value_range[1] - x, x).astype(
            np.float32)

    def get_config(self):
        config = super().get_config()
        config.update({"factor": self.factor, "value_range": self.value_range,
                       "seed": self.seed})
        return config


class RandomPosterization(_ColorLayer):
    """Keeps ``bits`` high bits of each 8-bit channel value, ``bits`` drawn from
    ``factor`` (an int ``n`` means 1 to n; bounds 1 to 8)."""

    _bounds = (1, 8)

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed=None, **kwargs):
        super().__init__(factor=factor, value_range=value_range, seed=seed,
                         data_format=data_format, **kwargs)

    def _parse_factor(self, factor):
        if isinstance(factor, (int, float)) and not isinstance(factor, (tuple, list)):
            if factor < 1 or factor > 8:
                raise ValueError(f"The `factor` argument should be a number (or a list of two "
                                 f"numbers) in the range [1, 8]. Received: factor={factor}")
            return (1, factor)
        return super()._parse_factor(factor)

    def _transform(self, x, dtype):
        n = x.shape[0]
        lo, hi = self.factor
        bits = (_rng(self).integers(lo, hi, n) if lo != hi else np.full(n, lo)).astype(np.uint8)
        shift = (8 - bits).reshape(n, 1, 1, 1)
        y = _rescale(x, self.value_range, (0, 255)).astype(np.uint8)
        y = np.left_shift(np.right_shift(y, shift), shift).astype(np.float32)
        return _rescale(y, (0, 255), self.value_range).astype(np.float32)

    def get_config(self):
        config = super().get_config()
        config.update({"factor": self.factor, "value_range": self.value_range,
                       "seed": self.seed})
        return config


class RandomColorDegeneration(_ColorLayer):
    """Blends each image toward its grayscale version by a factor drawn from ``factor``."""

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed=None, **kwargs):
        super().__init__(factor=factor, value_range=value_range, seed=seed,
                         data_format=data_format, **kwargs)

    def _transform(self, x, dtype):
        f = self._uniform((x.shape[0], 1, 1, 1), *self.factor)
        y = x + f * (_grayscale(x) - x)
        return np.clip(y, *self.value_range).astype(np.float32)

    def get_config(self):
        config = super().get_config()
        config.update({"factor": self.factor, "value_range": self.value_range,
                       "seed": self.seed})
        return config


class RandomSaturation(_ColorLayer):
    """Scales each image's HSV saturation by ``f / (1 - f)``, ``f`` drawn from ``factor``
    (0.5 leaves images unchanged)."""

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed=None, **kwargs):
        super().__init__(factor=factor, value_range=value_range, seed=seed,
                         data_format=data_format, **kwargs)

    def _transform(self, x, dtype):
        f = self._uniform((x.shape[0],), *self.factor)
        f = (f / (1 - f + np.float32(1e-7))).astype(np.float32).reshape(-1, 1, 1)
        hsv = rgb_to_hsv(x)
        s = np.clip(hsv[..., 1] * f, *self.value_range)
        return hsv_to_rgb(np.stack([hsv[..., 0], s, hsv[..., 2]], axis=-1)).astype(np.float32)

    def get_config(self):
        config = super().get_config()
        config.update({"factor": self.factor, "value_range": self.value_range,
                       "seed": self.seed})
        return config


class RandomHue(_ColorLayer):
    """Rotates each image's hue by up to ``factor / 2`` of a turn, in a random direction."""

    _bounds = (0, 1)

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed=None, **kwargs):
        super().__init__(factor=factor, value_range=value_range, seed=seed,
                         data_format=data_format, **kwargs)
        self.value_range = tuple(value_range)

    def _transform(self, x, dtype):
        n = x.shape[0]
        sign = np.where(self._uniform((n,), 0, 1) > 0.5, -1.0, 1.0).astype(np.float32)
        shift = (sign * self._uniform((n,), *self.factor) * np.float32(0.5)).reshape(-1, 1, 1)
        hsv = rgb_to_hsv(_rescale(x, self.value_range, (0, 1)))
        h = hsv[..., 0] + shift
        h = np.where(h > 1.0, h - 1.0, h)
        h = np.where(h < 0.0, h + 1.0, h)
        rgb = np.clip(hsv_to_rgb(np.stack([h, hsv[..., 1], hsv[..., 2]], axis=-1)), 0, 1)
        return _rescale(rgb, (0, 1), self.value_range).astype(np.float32)

    def get_config(self):
        config = super().get_config()
        config.update({"factor": self.factor, "value_range": self.value_range,
                       "seed": self.seed})
        return config


class RandomSharpness(_ColorLayer):
    """Blends each image with a smoothed copy (3x3 kernel, weights 1/13 and 5/13 at the
    center): factor 0.5 keeps it, lower blurs, higher sharpens."""

    _bounds = (0, 1)

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed=None, **kwargs):
        super().__init__(factor=factor, value_range=value_range, seed=seed,
                         data_format=data_format, **kwargs)

    def _transform(self, x, dtype):
        f = (self._uniform((x.shape[0],), *self.factor) * 2).reshape(-1, 1, 1, 1)
        a, b = np.float32(1 / 13), np.float32(5 / 13)
        padded = np.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0)))
        h, w = x.shape[1:3]
        smooth = np.zeros_like(x)
        for i in range(3):      # loops over the 9 kernel taps only
            for j in range(3):
                smooth += (b if i == j == 1 else a) * padded[:, i:i + h, j:j + w]
        y = x + (1.0 - f) * (smooth - x)
        return np.clip(y, *self.value_range).astype(np.float32)

    def get_config(self):
        config = super().get_config()
        config.update({"factor": self.factor, "value_range": self.value_range,
                       "seed": self.seed})
        return config


class Equalization(_ColorLayer):
    """Equalizes the histogram of each channel (over the whole batch, ``bins`` bins), as
    Keras does; applied when ``training`` is true (the default when called directly)."""

    def __init__(self, value_range=(0, 255), bins=256, data_format=None, **kwargs):
        super().__init__(value_range=value_range, data_format=data_format, **kwargs)
        self.bins = bins

    def _transform(self, x, dtype):
        y = _rescale(x, self.value_range, (0, 255))
        out = np.stack([self._equalize(y[..., c]) for c in range(y.shape[-1])], axis=-1)
        return _rescale(out, (0, 255), self.value_range).astype(np.float32)

    def _equalize(self, ch):
        bins = self.bins
        idx = np.clip((ch * np.float32(bins - 1) / np.float32(255)).astype(np.int32), 0,
                      bins - 1)
        hist = np.bincount(idx.reshape(-1), minlength=bins)
        if np.count_nonzero(hist) <= 1:
            return ch
        cdf = np.cumsum(hist)
        cdf_min = cdf[np.nonzero(cdf)[0][0]]
        denominator = cdf[-1] - cdf_min or 1
        lut = np.clip(np.round((cdf - cdf_min) * 255 / denominator), 0, 255)
        scaled = np.clip(ch / np.float32(255.0) * np.float32(bins - 1), 0, bins - 1)
        return lut[scaled.astype(np.int32)].astype(np.float32)

    def get_config(self):
        config = super().get_config()
        config.update({"bins": self.bins, "value_range": self.value_range})
        return config


class RandomColorJitter(_ColorLayer):
    """Applies RandomBrightness, RandomContrast, RandomSaturation and RandomHue in turn,
    each only when its factor is given."""

    def __init__(self, value_range=(0, 255), brightness_factor=None, contrast_factor=None,
                 saturation_factor=None, hue_factor=None, seed=None, data_format=None,
                 **kwargs):
        super().__init__(value_range=None, seed=seed, data_format=data_format, **kwargs)
        self.value_range = tuple(value_range)
        self.brightness_factor = brightness_factor
        self.contrast_factor = contrast_factor
        self.saturation_factor = saturation_factor
        self.hue_factor = hue_factor
        from tapeflow.keras.layers.image_augmentation import RandomContrast
        steps = []
        for cls, f in ((RandomBrightness, brightness_factor),
                       (RandomContrast, contrast_factor),
                       (RandomSaturation, saturation_factor), (RandomHue, hue_factor)):
            if f is not None:
                steps.append(cls(f, value_range=value_range, seed=seed))
        self.__dict__["_step_layers"] = steps

    def call(self, inputs, training=True):
        x = inputs
        for layer in self._step_layers:
            x = layer(x, training=training)
        return x

    def get_config(self):
        config = super().get_config()
        config.update({"value_range": self.value_range,
                       "brightness_factor": self.brightness_factor,
                       "contrast_factor": self.contrast_factor,
                       "saturation_factor": self.saturation_factor,
                       "hue_factor": self.hue_factor, "seed": self.seed})
        return config


__all__ = ["RandomBrightness", "RandomGrayscale", "AutoContrast", "Solarization",
           "RandomInvert", "RandomPosterization", "RandomColorDegeneration", "RandomSaturation",
           "RandomHue", "RandomSharpness", "Equalization", "RandomColorJitter"]
