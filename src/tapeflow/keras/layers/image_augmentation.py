"""Image augmentation and resizing layers (NHWC batches or single HWC images).

The ``Random*`` layers transform only when ``training`` is true (their default
when called directly, e.g. in ``Dataset.map``; ``fit`` passes True, ``predict``
and ``evaluate`` False). ``Resizing`` and ``CenterCrop`` always apply. Each
layer draws from its own generator when given a ``seed``.
"""
import numpy as np

from tapeflow.framework.tensor import Tensor
from tapeflow.keras.layers.layer import Layer
from tapeflow.ops import image_ops

_FILL_MODES = ("reflect", "wrap", "constant", "nearest")


def _rng(layer):
    from tapeflow.framework.graph import func_graph
    from tapeflow.keras import initializers
    if func_graph.current() is not None:   # random draws outside the op mechanism
        raise func_graph.Uncapturable(f"the random augmentation layer {layer.name}")
    if layer.seed is None:
        return initializers._GLOBAL["rng"]
    rng = layer.__dict__.get("_rng")
    if rng is None:
        rng = np.random.default_rng(layer.seed)
        layer.__dict__["_rng"] = rng
    return rng


def _range(factor, name, symmetric_default=True):
    """Returns (lower, upper) from a float (symmetric) or a pair."""
    if isinstance(factor, (int, float, np.floating, np.integer)):
        f = float(factor)
        if f < 0:
            raise ValueError(f"`{name}` must be non-negative. Received: {name}={factor}")
        return (-f, f) if symmetric_default else (f, f)
    lo, hi = (float(v) for v in factor)
    if lo > hi:
        raise ValueError(f"`{name}` lower bound must not exceed its upper bound. Received: "
                         f"{name}={factor}")
    return lo, hi


def _channels_last(data_format):
    """Returns ``"channels_last"`` (the only layout supported) for None or that value.

    Raises:
      NotImplementedError: for ``"channels_first"``.
    """
    if data_format not in (None, "channels_last"):
        raise NotImplementedError("tapeflow's image layers support "
                                  f"data_format='channels_last' only. Received: {data_format}")
    return "channels_last"


class _ImageLayer(Layer):
    """Batches single images, converts to float, applies ``_transform`` to NumPy arrays."""

    always = False

    def __init__(self, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.seed = seed

    def call(self, inputs, training=True):
        if training is None:
            training = True
        if not (training or self.always):
            return inputs
        x = inputs.array
        single = x.ndim == 3
        if single:
            x = x[None]
        if x.ndim != 4:
            raise ValueError(f"Layer {self.name} expects images of rank 3 or 4 (HWC or NHWC); "
                             f"received shape {x.shape}")
        out = self._transform(x.astype(self._np_dtype, copy=False))
        return Tensor(out[0] if single else out)


def _fill_index(idx, size, mode):
    """Maps sample coordinates outside [0, size) following Keras's fill modes."""
    if mode == "reflect":
        period = 2 * size
        idx = np.mod(idx, period)
        return np.where(idx >= size, period - 1 - idx, idx)
    if mode == "wrap":
        return np.mod(idx, size)
    return np.clip(idx, 0, size - 1)  # nearest (constant masks separately)


def _sample(images, ys, xs, fill_mode, fill_value, interpolation):
    """Samples NHWC ``images`` at per-image float coordinates ``ys``/``xs`` of shape (n, h, w)."""
    n, h, w, c = images.shape
    b = np.arange(n)[:, None, None]
    if interpolation == "nearest":
        yi = np.floor(ys + 0.5).astype(np.int64)
        xi = np.floor(xs + 0.5).astype(np.int64)
        out = images[b, _fill_index(yi, h, fill_mode), _fill_index(xi, w, fill_mode)]
        inside = (yi >= 0) & (yi < h) & (xi >= 0) & (xi < w)
    else:
        y0 = np.floor(ys).astype(np.int64)
        x0 = np.floor(xs).astype(np.int64)
        wy = (ys - y0)[..., None]
        wx = (xs - x0)[..., None]
        out = 0
        for dy, fy in ((0, 1 - wy), (1, wy)):
            for dx, fx in ((0, 1 - wx), (1, wx)):
                yy = _fill_index(y0 + dy, h, fill_mode)
                xx = _fill_index(x0 + dx, w, fill_mode)
                out = out + fy * fx * images[b, yy, xx]
        inside = (ys > -1) & (ys < h) & (xs > -1) & (xs < w)
    if fill_mode == "constant":
        out = np.where(inside[..., None], out, fill_value)
    return out.astype(images.dtype, copy=False)


class _AffineLayer(_ImageLayer):
    def __init__(self, fill_mode="reflect", interpolation="bilinear", seed=None, fill_value=0.0,
                 **kwargs):
        super().__init__(seed=seed, **kwargs)
        if fill_mode not in _FILL_MODES:
            raise ValueError(f"Unknown `fill_mode` {fill_mode}. Expected one of {_FILL_MODES}.")
        if interpolation not in ("bilinear", "nearest"):
            raise ValueError(f"Unknown `interpolation` {interpolation}. Expected 'bilinear' or "
                             f"'nearest'.")
        self.fill_mode = fill_mode
        self.interpolation = interpolation
        self.fill_value = fill_value

    def _transform(self, x):
        n, h, w, _ = x.shape
        yy, xx = np.meshgrid(np.arange(h, dtype=np.float64), np.arange(w, dtype=np.float64),
                             indexing="ij")
        ys, xs = self._source_coords(n, h, w, yy[None], xx[None])
        return _sample(x, ys, xs, self.fill_mode, self.fill_value, self.interpolation)

    def _base_config(self):
        return {"fill_mode": self.fill_mode, "interpolation": self.interpolation,
                "seed": self.seed, "fill_value": self.fill_value}


class RandomFlip(_ImageLayer):
    """Randomly flips images horizontally and/or vertically during training.

    Args:
      mode: ``"horizontal"``, ``"vertical"`` or ``"horizontal_and_vertical"``.
    """

    def __init__(self, mode="horizontal_and_vertical", seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        if mode not in ("horizontal", "vertical", "horizontal_and_vertical"):
            raise ValueError(f"RandomFlip layer {self.name} received an unknown mode "
                             f"argument {mode}")
        self.mode = mode

    def _transform(self, x):
        rng = _rng(self)
        n = x.shape[0]
        out = x.copy()
        if self.mode in ("horizontal", "horizontal_and_vertical"):
            flip = rng.random(n) < 0.5
            out[flip] = out[flip, :, ::-1]
        if self.mode in ("vertical", "horizontal_and_vertical"):
            flip = rng.random(n) < 0.5
            out[flip] = out[flip, ::-1]
        return out

    def get_config(self):
        config = super().get_config()
        config.update({"mode": self.mode, "seed": self.seed})
        return config


class RandomRotation(_AffineLayer):
    """Randomly rotates images by up to ``factor * 2π`` during training."""

    def __init__(self, factor, fill_mode="reflect", interpolation="bilinear", seed=None,
                 fill_value=0.0, **kwargs):
        super().__init__(fill_mode, interpolation, seed, fill_value, **kwargs)
        self.factor = factor
        self._lo, self._hi = _range(factor, "factor")

    def _source_coords(self, n, h, w, yy, xx):
        angles = _rng(self).uniform(self._lo, self._hi, n) * 2 * np.pi
        cos, sin = np.cos(angles)[:, None, None], np.sin(angles)[:, None, None]
        cy, cx = (h - 1) / 2.0, (w - 1) / 2.0
        dy, dx = yy - cy, xx - cx
        return cy + cos * dy - sin * dx, cx + sin * dy + cos * dx

    def get_config(self):
        config = super().get_config()
        config.update({"factor": self.factor, **self._base_config()})
        return config


class RandomZoom(_AffineLayer):
    """Randomly zooms images during training (positive factors zoom out, negative in)."""

    def __init__(self, height_factor, width_factor=None, fill_mode="reflect",
                 interpolation="bilinear", seed=None, fill_value=0.0, **kwargs):
        super().__init__(fill_mode, interpolation, seed, fill_value, **kwargs)
        self.height_factor = height_factor
        self.width_factor = width_factor
        self._h = _range(height_factor, "height_factor")
        self._w = None if width_factor is None else _range(width_factor, "width_factor")

    def _source_coords(self, n, h, w, yy, xx):
        rng = _rng(self)
        zy = 1.0 + rng.uniform(self._h[0], self._h[1], n)
        zx = zy if self._w is None else 1.0 + rng.uniform(self._w[0], self._w[1], n)
        cy, cx = (h - 1) / 2.0, (w - 1) / 2.0
        return cy + (yy - cy) * zy[:, None, None], cx + (xx - cx) * zx[:, None, None]

    def get_config(self):
        config = super().get_config()
        config.update({"height_factor": self.height_factor, "width_factor": self.width_factor,
                       **self._base_config()})
        return config


class RandomTranslation(_AffineLayer):
    """Randomly shifts images by fractions of their height and width during training."""

    def __init__(self, height_factor, width_factor, fill_mode="reflect",
                 interpolation="bilinear", seed=None, fill_value=0.0, **kwargs):
        super().__init__(fill_mode, interpolation, seed, fill_value, **kwargs)
        self.height_factor = height_factor
        self.width_factor = width_factor
        self._h = _range(height_factor, "height_factor")
        self._w = _range(width_factor, "width_factor")

    def _source_coords(self, n, h, w, yy, xx):
        rng = _rng(self)
        ty = rng.uniform(self._h[0], self._h[1], n) * h
        tx = rng.uniform(self._w[0], self._w[1], n) * w
        return yy - ty[:, None, None], xx - tx[:, None, None]

    def get_config(self):
        config = super().get_config()
        config.update({"height_factor": self.height_factor, "width_factor": self.width_factor,
                       **self._base_config()})
        return config


class RandomContrast(_ImageLayer):
    """Randomly scales each image's contrast by a factor in ``[1 - lower, 1 + upper]``.

    Outputs are clipped to ``value_range`` (default ``(0, 255)``).
    """

    def __init__(self, factor, value_range=(0, 255), seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        lo, hi = (factor, factor) if np.isscalar(factor) else tuple(factor)
        if lo < 0 or hi < 0 or lo > 1:
            raise ValueError(f"`factor` argument cannot have negative values or a lower bound "
                             f"above 1. Received: factor={factor}")
        self.factor = factor
        self.value_range = tuple(value_range)
        self._lo, self._hi = 1.0 - lo, 1.0 + hi

    def _transform(self, x):
        n = x.shape[0]
        f = _rng(self).uniform(self._lo, self._hi, n).astype(x.dtype)[:, None, None, None]
        mean = x.mean(axis=(1, 2), keepdims=True)
        return np.clip((x - mean) * f + mean, *self.value_range).astype(x.dtype)

    def get_config(self):
        config = super().get_config()
        config.update({"factor": self.factor, "value_range": self.value_range,
                       "seed": self.seed})
        return config


def _smart_resize(x, height, width, interpolation="bilinear"):
    """Crops the largest central window of the target aspect ratio, then resizes."""
    h, w = x.shape[1:3]
    # Keras's window: sizes and offsets truncated to ints (not rounded).
    ch = max(min(h, int(float(w * height) / width)), 1)
    cw = max(min(w, int(float(h * width) / height)), 1)
    top, left = int((h - ch) / 2), int((w - cw) / 2)
    if (ch, cw) != (h, w):
        x = x[:, top:top + ch, left:left + cw]
    if x.shape[1:3] == (height, width):
        return x
    return image_ops.resize(Tensor(np.ascontiguousarray(x)), (height, width),
                            method=interpolation).array.astype(x.dtype)


class RandomCrop(_ImageLayer):
    """Randomly crops ``height x width`` windows during training; at inference the central
    window of that aspect ratio is resized to the target size."""

    def __init__(self, height, width, seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.height, self.width = int(height), int(width)

    def call(self, inputs, training=True):
        if training is None:
            training = True
        x = inputs.array
        single = x.ndim == 3
        x = (x[None] if single else x).astype(self._np_dtype, copy=False)
        h, w = x.shape[1:3]
        if training and h >= self.height and w >= self.width:
            rng = _rng(self)
            top = int(rng.integers(0, h - self.height + 1))
            left = int(rng.integers(0, w - self.width + 1))
            out = x[:, top:top + self.height, left:left + self.width]
        else:
            out = _smart_resize(x, self.height, self.width)
        return Tensor(np.ascontiguousarray(out[0] if single else out))

    def compute_output_shape(self, s):
        return tuple(s[:-3]) + (self.height, self.width, s[-1])

    def get_config(self):
        config = super().get_config()
        config.update({"height": self.height, "width": self.width, "seed": self.seed})
        return config


class Resizing(_ImageLayer):
    """Resizes images to ``height x width`` (optionally cropping to the aspect ratio first)."""

    always = True

    def __init__(self, height, width, interpolation="bilinear", crop_to_aspect_ratio=False,
                 pad_to_aspect_ratio=False, fill_mode="constant", fill_value=0.0,
                 antialias=False, data_format=None, **kwargs):
        super().__init__(**kwargs)
        if pad_to_aspect_ratio or antialias:
            raise NotImplementedError("Resizing(pad_to_aspect_ratio=True) and "
                                      "Resizing(antialias=True) are not supported by tapeflow.")
        self.height, self.width = int(height), int(width)
        self.interpolation = interpolation
        self.crop_to_aspect_ratio = crop_to_aspect_ratio
        self.pad_to_aspect_ratio = pad_to_aspect_ratio
        self.fill_mode = fill_mode
        self.fill_value = fill_value
        self.antialias = antialias
        self.data_format = _channels_last(data_format)

    def _transform(self, x):
        if self.crop_to_aspect_ratio:
            return _smart_resize(x, self.height, self.width, self.interpolation)
        return image_ops.resize(Tensor(x), (self.height, self.width),
                                method=self.interpolation).array.astype(x.dtype)

    def compute_output_shape(self, s):
        return tuple(s[:-3]) + (self.height, self.width, s[-1])

    def get_config(self):
        config = super().get_config()
        config.update({"data_format": self.data_format, "height": self.height,
                       "width": self.width, "interpolation": self.interpolation,
                       "crop_to_aspect_ratio": self.crop_to_aspect_ratio,
                       "pad_to_aspect_ratio": self.pad_to_aspect_ratio,
                       "fill_mode": self.fill_mode, "fill_value": self.fill_value,
                       "antialias": self.antialias})
        return config


class CenterCrop(_ImageLayer):
    """Crops the central ``height x width`` window (resizing first if the image is smaller)."""

    always = True

    def __init__(self, height, width, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.height, self.width = int(height), int(width)
        self.data_format = _channels_last(data_format)

    def _transform(self, x):
        h, w = x.shape[1:3]
        if h < self.height or w < self.width:
            return _smart_resize(x, self.height, self.width)
        top, left = (h - self.height) // 2, (w - self.width) // 2
        return np.ascontiguousarray(x[:, top:top + self.height, left:left + self.width])

    def compute_output_shape(self, s):
        return tuple(s[:-3]) + (self.height, self.width, s[-1])

    def get_config(self):
        config = super().get_config()
        config.update({"data_format": self.data_format, "height": self.height,
                       "width": self.width})
        return config
