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
        x = inputs._value
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

    As Keras 3, one draw per image decides: with ``"horizontal_and_vertical"`` an image is
    flipped both ways or not at all. Takes ``{"images", "bounding_boxes", ...}`` dicts when
    ``bounding_box_format`` is given (boxes are flipped with their image).

    Args:
      mode: ``"horizontal"``, ``"vertical"`` or ``"horizontal_and_vertical"``.
    """

    def __init__(self, mode="horizontal_and_vertical", seed=None, data_format=None,
                 bounding_box_format=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        if mode not in ("horizontal", "vertical", "horizontal_and_vertical"):
            raise ValueError(f"RandomFlip layer {self.name} received an unknown mode "
                             f"argument {mode}")
        self.mode = mode
        self.data_format = _channels_last(data_format)
        self.bounding_box_format = bounding_box_format

    def __call__(self, inputs, *args, **kwargs):
        if isinstance(inputs, dict):
            from tapeflow.keras.layers.image_boxes import call_on_dict
            return call_on_dict(self, inputs, kwargs.get("training", True))
        return super().__call__(inputs, *args, **kwargs)

    def get_random_transformation(self, data, training=True, seed=None):
        """Returns ``{"flips": (batch, 1, 1, 1) bool, "input_shape"}`` (None when not
        training)."""
        if not training:
            return None
        images = data["images"] if isinstance(data, dict) else data
        shape = np.shape(images.numpy() if hasattr(images, "numpy") else images)
        n = 1 if len(shape) == 3 else shape[0]
        return {"flips": _rng(self).random((n, 1, 1, 1)) <= 0.5, "input_shape": shape}

    def transform_images(self, images, transformation, training=True):
        """Returns the images flipped where ``transformation["flips"]`` is True."""
        x = images.numpy() if hasattr(images, "numpy") else np.asarray(images)
        x = x.astype(self._np_dtype, copy=False)
        if not training or transformation is None:
            return Tensor(x)
        single = x.ndim == 3
        x = x[None] if single else x
        flips = np.asarray(transformation["flips"], bool)
        out = x
        if self.mode in ("horizontal", "horizontal_and_vertical"):
            out = np.where(flips, out[:, :, ::-1], out)
        if self.mode in ("vertical", "horizontal_and_vertical"):
            out = np.where(flips, out[:, ::-1], out)
        out = np.ascontiguousarray(out)
        return Tensor(out[0] if single else out)

    def transform_bounding_boxes(self, bounding_boxes, transformation, training=True):
        """Returns the boxes flipped with their images (Keras's arithmetic in ``rel_xyxy``)."""
        if not training or transformation is None:
            return bounding_boxes
        from tapeflow.keras.layers.image_boxes import from_rel_xyxy, to_rel_xyxy
        from tapeflow.keras.utils.bounding_boxes import clip_to_image_size
        h, w = transformation["input_shape"][-3], transformation["input_shape"][-2]
        boxes = to_rel_xyxy(self, bounding_boxes, h, w)
        b = boxes["boxes"]
        flips = np.asarray(transformation["flips"], bool)[:, :, :, 0]
        if self.mode in ("horizontal", "horizontal_and_vertical"):
            b = np.where(flips, np.stack([1 - b[..., 2], b[..., 1], 1 - b[..., 0], b[..., 3]],
                                         axis=-1), b)
        if self.mode in ("vertical", "horizontal_and_vertical"):
            b = np.where(flips, np.stack([b[..., 0], 1 - b[..., 3], b[..., 2], 1 - b[..., 1]],
                                         axis=-1), b)
        boxes["boxes"] = b.astype(np.float32)
        boxes = clip_to_image_size(boxes, height=h, width=w, bounding_box_format="xyxy")
        return from_rel_xyxy(self, boxes, h, w)

    def _transform(self, x):
        return self.transform_images(x, self.get_random_transformation(x))._value

    def get_config(self):
        config = super().get_config()
        config["data_format"] = self.data_format
        if self.bounding_box_format is not None:
            config["bounding_box_format"] = self.bounding_box_format
        config.update({"seed": self.seed, "mode": self.mode})
        return config


class RandomRotation(_ImageLayer):
    """Randomly rotates images by up to ``factor * 360`` degrees during training (Keras 3's
    transformation and TensorFlow's resampling). Takes ``{"images", "bounding_boxes",
    ...}`` dicts when ``bounding_box_format`` is given."""

    def __init__(self, factor, fill_mode="reflect", interpolation="bilinear", seed=None,
                 fill_value=0.0, data_format=None, bounding_box_format=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        msg = ("The `factor` argument should be a number (or a list of two numbers) in the "
               f"range [-1, 1]. Received: factor={factor}")
        if isinstance(factor, (tuple, list)):
            if len(factor) != 2 or factor[0] > 1 or factor[1] < -1:
                raise ValueError(msg)
            self.factor = tuple(sorted(factor))
        elif isinstance(factor, (int, float)):
            if factor < -1 or factor > 1:
                raise ValueError(msg)
            self.factor = (max(-abs(factor), -1), abs(factor))
        else:
            raise ValueError(msg)
        if fill_mode not in _FILL_MODES:
            raise NotImplementedError(f"Unknown `fill_mode` {fill_mode}. Expected of one "
                                      f"{_FILL_MODES}.")
        if interpolation not in ("nearest", "bilinear"):
            raise NotImplementedError(f"Unknown `interpolation` {interpolation}. Expected of "
                                      "one ('nearest', 'bilinear').")
        self.fill_mode = fill_mode
        self.interpolation = interpolation
        self.fill_value = fill_value
        self.data_format = _channels_last(data_format)
        self.bounding_box_format = bounding_box_format

    def __call__(self, inputs, *args, **kwargs):
        if isinstance(inputs, dict):
            from tapeflow.keras.layers.image_boxes import call_on_dict
            return call_on_dict(self, inputs, kwargs.get("training", True))
        return super().__call__(inputs, *args, **kwargs)

    def get_random_transformation(self, data, training=True, seed=None):
        """Returns ``{"angle" (degrees), "rotation_matrix", "image_height", "image_width",
        "batch_size"}`` (None when not training)."""
        if not training:
            return None
        images = data["images"] if isinstance(data, dict) else data
        shape = np.shape(images.numpy() if hasattr(images, "numpy") else images)
        n = 1 if len(shape) == 3 else shape[0]
        h, w = shape[-3], shape[-2]
        angle = _rng(self).uniform(self.factor[0] * 360.0, self.factor[1] * 360.0,
                                   n).astype(np.float32)
        rad = angle * np.float32(np.pi / 180.0)
        cos, sin = np.cos(rad), np.sin(rad)
        cx, cy = np.float32(0.5) * np.float32(w - 1), np.float32(0.5) * np.float32(h - 1)
        a2 = cx - cx * cos - cy * -sin
        b2 = cy - cx * sin - cy * cos
        zero = np.zeros(n, np.float32)
        matrix = np.stack([cos, -sin, a2, sin, cos, b2, zero, zero], axis=1)
        return {"angle": angle, "rotation_matrix": matrix.astype(np.float32),
                "image_height": h, "image_width": w, "batch_size": n}

    def transform_images(self, images, transformation, training=True):
        """Returns the images rotated by ``transformation["rotation_matrix"]``."""
        x = images.numpy() if hasattr(images, "numpy") else np.asarray(images)
        x = x.astype(self._np_dtype, copy=False)
        if not training or transformation is None:
            return Tensor(x)
        from tapeflow.keras.ops import image as image_ops_k
        single = x.ndim == 3
        out = image_ops_k.affine_transform(
            x[None] if single else x, np.asarray(transformation["rotation_matrix"]),
            interpolation=self.interpolation, fill_mode=self.fill_mode,
            fill_value=self.fill_value, data_format="channels_last").numpy()
        return Tensor(out[0] if single else out)

    def transform_bounding_boxes(self, bounding_boxes, transformation, training=True):
        """Returns the boxes' rotated corners' enclosing boxes, clipped (as Keras 3.15, the
        boxes are read as ``xyxy`` and written in ``bounding_box_format``)."""
        if not training or transformation is None:
            return bounding_boxes
        from tapeflow.keras.utils.bounding_boxes import clip_to_image_size, convert_format
        h, w = transformation["image_height"], transformation["image_width"]
        b = np.asarray(bounding_boxes["boxes"].numpy() if hasattr(bounding_boxes["boxes"],
                                                                  "numpy")
                       else bounding_boxes["boxes"], np.float32)
        rot = -np.asarray(transformation["angle"], np.float32) * np.float32(np.pi / 180.0)
        cos, sin = np.cos(rot), np.sin(rot)
        cx, cy = np.float32(0.5 * (w - 1)), np.float32(0.5 * (h - 1))
        a0, a1, b0, b1 = cos, -sin, sin, cos
        a2 = cx - a0 * cx - a1 * cy
        b2 = cy - b0 * cx - b1 * cy
        xs = np.stack([b[..., 0], b[..., 2], b[..., 2], b[..., 0]], axis=-1)
        ys = np.stack([b[..., 1], b[..., 1], b[..., 3], b[..., 3]], axis=-1)
        e = (slice(None), None, None)
        tx = a0[e] * xs + a1[e] * ys + a2[e]
        ty = b0[e] * xs + b1[e] * ys + b2[e]
        out = dict(bounding_boxes)
        out["boxes"] = np.stack([tx.min(-1), ty.min(-1), tx.max(-1), ty.max(-1)],
                                axis=-1).astype(np.float32)
        out = clip_to_image_size(out, height=h, width=w, bounding_box_format="xyxy")
        return convert_format(out, "xyxy", self.bounding_box_format, height=h, width=w)

    def _transform(self, x):
        return self.transform_images(x, self.get_random_transformation(x))._value

    def get_config(self):
        config = super().get_config()
        config["data_format"] = self.data_format
        if self.bounding_box_format is not None:
            config["bounding_box_format"] = self.bounding_box_format
        config.update({"factor": self.factor, "fill_mode": self.fill_mode,
                       "fill_value": self.fill_value, "interpolation": self.interpolation,
                       "seed": self.seed})
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


class RandomTranslation(_ImageLayer):
    """Randomly shifts images by fractions of their height and width during training
    (Keras 3's two steps: ``get_random_transformation`` then ``transform_images``, the
    resampling TensorFlow's). Takes ``{"images", "bounding_boxes", ...}`` dicts when
    ``bounding_box_format`` is given (boxes are shifted and clipped with the image)."""

    _FACTOR_ERROR = ("The `factor` argument should be a number (or a list of two numbers) in "
                     "the range [-1.0, 1.0]. ")

    def __init__(self, height_factor, width_factor, fill_mode="reflect",
                 interpolation="bilinear", seed=None, fill_value=0.0, data_format=None,
                 bounding_box_format=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.height_factor = height_factor
        self.height_lower, self.height_upper = self._factor(height_factor, "height_factor")
        self.width_factor = width_factor
        self.width_lower, self.width_upper = self._factor(width_factor, "width_factor")
        if fill_mode not in _FILL_MODES:
            raise NotImplementedError(f"Unknown `fill_mode` {fill_mode}. Expected of one "
                                      f"{_FILL_MODES}.")
        if interpolation not in ("nearest", "bilinear"):
            raise NotImplementedError(f"Unknown `interpolation` {interpolation}. Expected of "
                                      "one ('nearest', 'bilinear').")
        self.fill_mode = fill_mode
        self.fill_value = fill_value
        self.interpolation = interpolation
        self.data_format = _channels_last(data_format)
        self.bounding_box_format = bounding_box_format

    def _factor(self, factor, name):
        def check(v):
            if v > 1.0 or v < -1.0:
                raise ValueError(self._FACTOR_ERROR + f"Received: input_number={v}")
        if isinstance(factor, (tuple, list)):
            if len(factor) != 2:
                raise ValueError(self._FACTOR_ERROR + f"Received: {name}={factor}")
            check(factor[0])
            check(factor[1])
            return tuple(sorted(factor))
        if isinstance(factor, (int, float)):
            check(factor)
            return (-abs(factor), abs(factor))
        raise ValueError(self._FACTOR_ERROR + f"Received: {name}={factor}")

    def __call__(self, inputs, *args, **kwargs):
        if isinstance(inputs, dict):
            from tapeflow.keras.layers.image_boxes import call_on_dict
            return call_on_dict(self, inputs, kwargs.get("training", True))
        return super().__call__(inputs, *args, **kwargs)

    def get_random_transformation(self, data, training=True, seed=None):
        """Returns ``{"translations": (batch, 2) [dx, dy] in pixels, "input_shape"}``."""
        if not training:
            return None
        images = data["images"] if isinstance(data, dict) else data
        shape = np.shape(images.numpy() if hasattr(images, "numpy") else images)
        n = 1 if len(shape) == 3 else shape[0]
        rng = _rng(self)
        dy = rng.uniform(self.height_lower, self.height_upper, (n, 1)) * shape[-3]
        dx = rng.uniform(self.width_lower, self.width_upper, (n, 1)) * shape[-2]
        return {"translations": np.concatenate([dx, dy], axis=1).astype(np.float32),
                "input_shape": shape}

    def transform_images(self, images, transformation, training=True):
        """Returns the images shifted by ``transformation["translations"]``."""
        x = images.numpy() if hasattr(images, "numpy") else np.asarray(images)
        x = x.astype(self._np_dtype, copy=False)
        if not training or transformation is None:
            return Tensor(x)
        from tapeflow.keras.ops import image as image_ops_k
        single = x.ndim == 3
        t = np.asarray(transformation["translations"], np.float32)
        n = t.shape[0]
        one, zero = np.ones((n, 1), np.float32), np.zeros((n, 1), np.float32)
        matrix = np.concatenate([one, zero, -t[:, 0:1], zero, one, -t[:, 1:], zero, zero],
                                axis=1)
        out = image_ops_k.affine_transform(
            x[None] if single else x, matrix, interpolation=self.interpolation,
            fill_mode=self.fill_mode, fill_value=self.fill_value,
            data_format="channels_last").numpy()
        return Tensor(out[0] if single else out)

    def transform_bounding_boxes(self, bounding_boxes, transformation, training=True):
        """Returns the boxes shifted with their images and clipped to the image."""
        if not training or transformation is None:
            return bounding_boxes
        from tapeflow.keras.utils.bounding_boxes import clip_to_image_size, convert_format
        h, w = transformation["input_shape"][-3], transformation["input_shape"][-2]
        boxes = convert_format(bounding_boxes, self.bounding_box_format, "xyxy", height=h,
                               width=w)
        t = np.asarray(transformation["translations"], np.float32)
        shift = np.stack([t[:, 0], t[:, 1], t[:, 0], t[:, 1]], axis=-1)[:, None, :]
        boxes["boxes"] = (boxes["boxes"].numpy() + shift).astype(np.float32)
        boxes = clip_to_image_size(boxes, height=h, width=w, bounding_box_format="xyxy")
        return convert_format(boxes, "xyxy", self.bounding_box_format, height=h, width=w)

    def _transform(self, x):
        return self.transform_images(x, self.get_random_transformation(x))._value

    def get_config(self):
        config = super().get_config()
        config["data_format"] = self.data_format
        if self.bounding_box_format is not None:
            config["bounding_box_format"] = self.bounding_box_format
        config.update({"height_factor": self.height_factor, "width_factor": self.width_factor,
                       "fill_mode": self.fill_mode, "interpolation": self.interpolation,
                       "seed": self.seed, "fill_value": self.fill_value})
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
                            method=interpolation)._value.astype(x.dtype)


class RandomCrop(_ImageLayer):
    """Randomly crops ``height x width`` windows during training; at inference the central
    window of that aspect ratio is resized to the target size."""

    def __init__(self, height, width, seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.height, self.width = int(height), int(width)

    def call(self, inputs, training=True):
        if training is None:
            training = True
        x = inputs._value
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
    """Resizes images to ``height x width`` (optionally cropping or padding to the target
    aspect ratio first). Takes ``{"images", "bounding_boxes", ...}`` dicts when
    ``bounding_box_format`` is given (boxes are scaled, shifted and clipped with the
    image, as Keras 3)."""

    always = True

    def __init__(self, height, width, interpolation="bilinear", crop_to_aspect_ratio=False,
                 pad_to_aspect_ratio=False, fill_mode="constant", fill_value=0.0,
                 antialias=False, data_format=None, bounding_box_format=None, **kwargs):
        super().__init__(**kwargs)
        self.height, self.width = int(height), int(width)
        self.interpolation = interpolation
        self.crop_to_aspect_ratio = crop_to_aspect_ratio
        self.pad_to_aspect_ratio = pad_to_aspect_ratio
        self.fill_mode = fill_mode
        self.fill_value = fill_value
        self.antialias = antialias
        self.data_format = _channels_last(data_format)
        self.bounding_box_format = bounding_box_format

    def __call__(self, inputs, *args, **kwargs):
        if isinstance(inputs, dict):
            from tapeflow.keras.layers.image_boxes import call_on_dict
            return call_on_dict(self, inputs, kwargs.get("training", True))
        return super().__call__(inputs, *args, **kwargs)

    def _transform(self, x, interpolation=None):
        interpolation = interpolation or self.interpolation
        if self.crop_to_aspect_ratio:
            return _smart_resize(x, self.height, self.width, interpolation)
        if self.pad_to_aspect_ratio or self.antialias:
            from tapeflow.keras.ops import image as image_ops_k
            return image_ops_k.resize(
                x, (self.height, self.width), interpolation=interpolation,
                antialias=self.antialias, pad_to_aspect_ratio=self.pad_to_aspect_ratio,
                fill_mode=self.fill_mode, fill_value=self.fill_value,
                data_format="channels_last").numpy().astype(x.dtype)
        return image_ops.resize(Tensor(x), (self.height, self.width),
                                method=interpolation)._value.astype(x.dtype)

    def get_random_transformation(self, data, training=True, seed=None):
        """Returns the input ``(height, width)``."""
        images = data["images"] if isinstance(data, dict) else data
        shape = np.shape(images.numpy() if hasattr(images, "numpy") else images)
        return shape[-3], shape[-2]

    def transform_images(self, images, transformation=None, training=True):
        """Returns the images resized."""
        x = images.numpy() if hasattr(images, "numpy") else np.asarray(images)
        x = x.astype(self._np_dtype, copy=False)
        single = x.ndim == 3
        out = self._transform(x[None] if single else x)
        return Tensor(out[0] if single else out)

    def transform_segmentation_masks(self, masks, transformation=None, training=True):
        """Returns segmentation masks resized with nearest-neighbour sampling."""
        x = masks.numpy() if hasattr(masks, "numpy") else np.asarray(masks)
        return Tensor(self._transform(x.astype(self._np_dtype, copy=False), "nearest"))

    def transform_bounding_boxes(self, bounding_boxes, transformation, training=True):
        """Returns the boxes mapped onto the resized image, clipped to it; all-0 and all--1
        (padding) boxes stay zeros."""
        from tapeflow.keras.utils.bounding_boxes import clip_to_image_size, convert_format
        in_h, in_w = transformation
        raw = np.asarray(bounding_boxes["boxes"])
        empty = np.all(raw == -1, axis=-1) | np.all(raw == 0, axis=-1)
        boxes = convert_format(bounding_boxes, self.bounding_box_format, "xyxy",
                               height=in_h, width=in_w)
        b = boxes["boxes"].numpy()
        h, w = np.float32(self.height), np.float32(self.width)
        if self.pad_to_aspect_ratio:
            ratio = min(np.float32(self.height / in_h), np.float32(self.width / in_w))
            dy, dx = (self.height - in_h * ratio) // 2, (self.width - in_w * ratio) // 2
            sx = sy = ratio
        elif self.crop_to_aspect_ratio:
            src, dst = in_w / in_h, self.width / self.height
            new_w = self.height * src if src > dst else self.width
            new_h = self.height if src > dst else self.width / src
            sx, sy = new_w / in_w, new_h / in_h
            dx, dy = -((new_w - self.width) // 2), -((new_h - self.height) // 2)
        else:
            sx, sy = np.float32(w / in_w), np.float32(h / in_h)
            dx = dy = 0
        b = np.stack([b[..., 0] * sx + dx, b[..., 1] * sy + dy, b[..., 2] * sx + dx,
                      b[..., 3] * sy + dy], axis=-1).astype(np.float32)
        boxes["boxes"] = b
        boxes = clip_to_image_size(boxes, height=self.height, width=self.width)
        boxes["boxes"] = Tensor(np.where(empty[..., None], np.float32(0),
                                         boxes["boxes"].numpy()))
        return convert_format(boxes, "xyxy", self.bounding_box_format, height=self.height,
                              width=self.width)

    def compute_output_shape(self, s):
        return tuple(s[:-3]) + (self.height, self.width, s[-1])

    def get_config(self):
        config = super().get_config()
        config["data_format"] = self.data_format
        if self.bounding_box_format is not None:
            config["bounding_box_format"] = self.bounding_box_format
        config.update({"height": self.height,
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
