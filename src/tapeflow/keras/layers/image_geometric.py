"""Keras 3's geometric and erasing augmentation layers: RandomErasing, RandomShear,
RandomPerspective, RandomElasticTransform.

As in Keras 3, each draws a ``transformation`` per call (``get_random_transformation``)
and applies it (``transform_images``), so a given transformation gives Keras's numbers
(the draws themselves come from NumPy, not TensorFlow's generator). Batches (NHWC, or
NCHW with ``data_format="channels_first"``) or single images; images change only when
``training`` is true (their default when called directly).
"""
import numpy as np

from tapeflow.framework.tensor import Tensor
from tapeflow.framework.variable import array_of
from tapeflow.keras.layers.image_color import _ColorLayer, _rng

_INTERPOLATIONS = ("nearest", "bilinear")
_FILL_MODES = ("reflect", "wrap", "constant", "nearest")


def _image_ops():
    from tapeflow.keras.ops import image
    return image


def _array(x):
    return x if isinstance(x, np.ndarray) else array_of(x)


def _factor_by_name(factor, name, bounds):
    """Keras's ``_set_factor_by_name``: a number ``f`` -> ``(max(-f, low), f)``."""
    msg = (f"The `{name}` argument should be a number (or a list of two numbers) in the range "
           f"[{bounds[0]}, {bounds[1]}]. Received: factor={factor}")
    if isinstance(factor, (tuple, list)):
        if len(factor) != 2 or factor[0] > bounds[1] or factor[1] < bounds[0]:
            raise ValueError(msg)
        return tuple(sorted(factor))
    if isinstance(factor, (int, float)):
        if factor < bounds[0] or factor > bounds[1]:
            raise ValueError(msg)
        factor = abs(factor)
        return (max(-factor, bounds[0]), factor)
    raise ValueError(msg)


class _TransformLayer(_ColorLayer):
    """Adds Keras 3's two-step API: ``get_random_transformation`` then ``transform_images``
    (on NHWC float32 batches here; ``call`` handles layouts and single images)."""

    _bounds = (0, 1)

    def __init__(self, *args, bounding_box_format=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.bounding_box_format = bounding_box_format

    def __call__(self, inputs, *args, **kwargs):
        if isinstance(inputs, dict) and hasattr(self, "transform_bounding_boxes"):
            from tapeflow.keras.layers.image_boxes import call_on_dict
            return call_on_dict(self, inputs, kwargs.get("training", True))
        return super().__call__(inputs, *args, **kwargs)

    def get_config(self):
        config = super().get_config()
        if self.bounding_box_format is not None:
            config["bounding_box_format"] = self.bounding_box_format
        return config

    def _transform(self, x, dtype):
        # x is NHWC here; the transformation is drawn for the layer's own layout.
        data = np.moveaxis(x, -1, 1) if self.data_format == "channels_first" else x
        return self._apply(x, self.get_random_transformation(data, training=True))

    def transform_images(self, images, transformation=None, training=True):
        """Returns ``images`` with ``transformation`` (from ``get_random_transformation``)
        applied; unchanged when not training or when ``transformation`` is None."""
        x = _array(images).astype(np.float32)
        if not training or transformation is None:
            return Tensor(x)
        single = x.ndim == 3
        x = x[None] if single else x
        first = self.data_format == "channels_first"
        if first:
            x = np.moveaxis(x, 1, -1)
        out = self._apply(x, transformation)
        if first:
            out = np.moveaxis(out, -1, 1)
        out = np.ascontiguousarray(out, dtype=np.float32)
        return Tensor(out[0] if single else out)

    def _batch(self, data):
        images = data["images"] if isinstance(data, dict) else data
        shape = np.shape(_array(images))
        if len(shape) not in (3, 4):
            raise ValueError("Expected the input image to be rank 3 or 4. Received "
                             f"inputs.shape={shape}")
        return shape, (1 if len(shape) == 3 else shape[0])

    def _hw(self, shape):
        if self.data_format == "channels_first":
            return shape[-2], shape[-1]
        return shape[-3], shape[-2]


class RandomErasing(_TransformLayer):
    """Erases a random rectangle of each image (with probability drawn from ``factor``),
    filling it with ``fill_value`` or, by default, Gaussian noise scaled to the range.

    Args:
      factor: probability (range) that an image is erased.
      scale: range of the erased area's fraction; its square root is each side's fraction.
      fill_value: None (noise), a number, or three per-channel numbers.
      value_range: the images' value range (fill values are clipped to it).
    """

    def __init__(self, factor=1.0, scale=(0.02, 0.33), fill_value=None, value_range=(0, 255),
                 seed=None, data_format=None, **kwargs):
        super().__init__(factor=factor, value_range=None, seed=seed, data_format=data_format,
                         **kwargs)
        self.scale = _factor_by_name(scale, "scale", self._bounds)
        self.fill_value = fill_value
        self.value_range = value_range

    def get_random_transformation(self, data, training=True, seed=None):
        """Returns ``{"apply_erasing", "batch_masks", "fill_value"}`` (None when not
        training)."""
        if not training:
            return None
        shape, n = self._batch(data)
        h, w = self._hw(shape)
        rng = _rng(self)
        mix = np.sqrt(rng.uniform(self.scale[0], self.scale[1], (n, 2))).astype(np.float32)
        x0 = rng.uniform(0, 1, n) * (w - mix[:, 0] * w)
        y0 = rng.uniform(0, 1, n) * (h - mix[:, 1] * h)
        x1, y1 = x0 + mix[:, 0] * w, y0 + mix[:, 1] * h
        gy, gx = np.meshgrid(np.arange(h, dtype=np.float32), np.arange(w, dtype=np.float32),
                             indexing="ij")
        masks = ((gx >= x0[:, None, None]) & (gx < x1[:, None, None]) &
                 (gy >= y0[:, None, None]) & (gy < y1[:, None, None]))
        channels = shape[-3] if self.data_format == "channels_first" else shape[-1]
        axis = 1 if self.data_format == "channels_first" else -1
        masks = np.repeat(np.expand_dims(masks, axis), channels, axis=axis)
        probability = rng.uniform(self.factor[0], self.factor[1], n)
        apply = rng.uniform(0, 1, n) < probability
        full = (n,) + tuple(shape[-3:])
        return {"apply_erasing": apply, "batch_masks": masks,
                "fill_value": self._fill(full, rng)}

    def _fill(self, shape, rng):
        fill = self.fill_value
        lo, hi = self.value_range
        if fill is None:
            fill = rng.standard_normal(shape).astype(np.float32) * np.float32(hi)
        elif isinstance(fill, (tuple, list)):
            if len(fill) != 3:
                raise ValueError("The `fill_value` argument should be a number (or a list of "
                                 "three numbers) ")
            fill = np.broadcast_to(np.asarray(fill, np.float32), shape)
        elif isinstance(fill, (int, float)):
            fill = np.full(shape, fill, np.float32)
        else:
            raise ValueError("The `fill_value` argument should be a number (or a list of "
                             "three numbers) ")
        return np.clip(fill, lo, hi)

    def _apply(self, x, t):
        masks, fill = np.asarray(t["batch_masks"]), np.asarray(t["fill_value"], np.float32)
        if self.data_format == "channels_first":   # x is NHWC here
            masks, fill = np.moveaxis(masks, 1, -1), np.moveaxis(
                np.broadcast_to(fill, masks.shape), 1, -1)
        erased = np.where(masks, fill, x)
        apply = np.asarray(t["apply_erasing"], bool)[:, None, None, None]
        return np.where(apply, erased, x).astype(np.float32)

    def get_config(self):
        config = super().get_config()
        config.update({"factor": self.factor, "scale": self.scale,
                       "fill_value": self.fill_value, "value_range": self.value_range,
                       "seed": self.seed})
        return config


class _ResampleLayer(_TransformLayer):
    def _check(self, interpolation, fill_mode=None):
        if interpolation not in _INTERPOLATIONS:
            raise NotImplementedError(f"Unknown `interpolation` {interpolation}. Expected of "
                                      f"one {_INTERPOLATIONS}.")
        if fill_mode is not None and fill_mode not in _FILL_MODES:
            raise NotImplementedError(f"Unknown `fill_mode` {fill_mode}. Expected of one "
                                      f"{_FILL_MODES}.")


class RandomShear(_ResampleLayer):
    """Shears images along x and/or y by factors drawn from ``x_factor``/``y_factor``
    (with a random sign), through ``keras.ops.image.affine_transform``."""

    def __init__(self, x_factor=0.0, y_factor=0.0, interpolation="bilinear",
                 fill_mode="reflect", fill_value=0.0, data_format=None, seed=None, **kwargs):
        super().__init__(value_range=None, seed=seed, data_format=data_format, **kwargs)
        self.x_factor = self._shear_factor(x_factor, "x_factor")
        self.y_factor = self._shear_factor(y_factor, "y_factor")
        self._check(interpolation, fill_mode)
        self.fill_mode = fill_mode
        self.fill_value = fill_value
        self.interpolation = interpolation

    @staticmethod
    def _shear_factor(factor, name):
        """A number ``f`` -> ``(-f, f)``; a pair sorted; every value in [0, 1]."""
        msg = ("The `factor` argument should be a number (or a list of two numbers) in the "
               "range [0, 1.0]. ")

        def check(v):
            if v > 1.0 or v < 0.0:
                raise ValueError(msg + f"Received: input_number={v}")
        if isinstance(factor, (tuple, list)):
            if len(factor) != 2:
                raise ValueError(msg + f"Received: {name}={factor}")
            # (-f, f) is what get_config writes: accepted so that saved models reload
            # (Keras 3.15 refuses its own config here).
            check(-factor[0] if factor[0] < 0 and factor[0] == -factor[1] else factor[0])
            check(factor[1])
            return tuple(sorted(factor))
        if isinstance(factor, (int, float)):
            check(factor)
            return (-abs(factor), abs(factor))
        raise ValueError(msg + f"Received: {name}={factor}")

    def get_random_transformation(self, data, training=True, seed=None):
        """Returns ``{"shear_factor": (batch, 2) [x, y], "input_shape"}``."""
        if not training:
            return None
        shape, n = self._batch(data)
        rng = _rng(self)
        invert = np.where(rng.uniform(0, 1, (n, 1)) > 0.5, -1.0, 1.0)
        shear_y = rng.uniform(self.y_factor[0], self.y_factor[1], (n, 1))
        shear_x = rng.uniform(self.x_factor[0], self.x_factor[1], (n, 1))
        factor = (np.concatenate([shear_x, shear_y], axis=1) * invert).astype(np.float32)
        return {"shear_factor": factor, "input_shape": shape}

    def _apply(self, x, t):
        s = np.asarray(t["shear_factor"], np.float32)
        n = s.shape[0]
        one, zero = np.ones(n, np.float32), np.zeros(n, np.float32)
        matrix = np.stack([one, s[:, 0], zero, s[:, 1], one, zero, zero, zero], axis=1)
        return _image_ops().affine_transform(
            x, matrix, interpolation=self.interpolation, fill_mode=self.fill_mode,
            fill_value=self.fill_value, data_format="channels_last").numpy()

    def transform_bounding_boxes(self, bounding_boxes, transformation, training=True):
        """Returns the boxes sheared with their images (Keras's arithmetic in
        ``rel_xyxy``), clipped to the image."""
        if not training or transformation is None:
            return bounding_boxes
        from tapeflow.keras.layers.image_boxes import from_rel_xyxy, to_rel_xyxy
        from tapeflow.keras.utils.bounding_boxes import clip_to_image_size
        h, w = self._hw(transformation["input_shape"])
        boxes = to_rel_xyxy(self, bounding_boxes, h, w)
        s = np.asarray(transformation["shear_factor"], np.float32)
        sx, sy = s[:, 0:1], s[:, 1:2]
        b = boxes["boxes"]
        x1, y1, x2, y2 = b[..., 0], b[..., 1], b[..., 2], b[..., 3]
        x1, x2 = (np.where(sx < 0, x1 - sx * y1, x1 - sx * y2),
                  np.where(sx < 0, x2 - sx * y2, x2 - sx * y1))
        y1, y2 = (np.where(sy > 0, y1 - sy * x2, y1 - sy * x1),
                  np.where(sy > 0, y2 - sy * x1, y2 - sy * x2))
        boxes["boxes"] = np.stack([x1, y1, x2, y2], axis=-1).astype(np.float32)
        boxes = clip_to_image_size(boxes, height=h, width=w, bounding_box_format="rel_xyxy")
        return from_rel_xyxy(self, boxes, h, w)

    def get_config(self):
        config = super().get_config()
        config.update({"x_factor": self.x_factor, "y_factor": self.y_factor,
                       "fill_mode": self.fill_mode, "interpolation": self.interpolation,
                       "seed": self.seed, "fill_value": self.fill_value})
        return config


class RandomPerspective(_ResampleLayer):
    """Moves the four corners of each image by up to ``scale / 2`` of their coordinates
    (with probability drawn from ``factor``) and warps the image to match."""

    def __init__(self, factor=1.0, scale=1.0, interpolation="bilinear", fill_value=0.0,
                 seed=None, data_format=None, **kwargs):
        super().__init__(factor=factor, value_range=None, seed=seed, data_format=data_format,
                         **kwargs)
        if scale < 0.0 or scale > 1.0:
            raise ValueError(f"The `scale` argument should be a number in the range [0,1]. "
                             f"Received: scale={scale}")
        self._check(interpolation)
        self.scale = scale
        self.interpolation = interpolation
        self.fill_value = fill_value

    def get_random_transformation(self, data, training=True, seed=None):
        """Returns ``{"apply_perspective", "start_points", "end_points", "input_shape"}``."""
        if not training:
            return None
        shape, n = self._batch(data)
        h, w = self._hw(shape)
        rng = _rng(self)
        probability = rng.uniform(self.factor[0], self.factor[1], n)
        apply = rng.uniform(0, 1, n) < probability
        factor = rng.uniform(-0.5 * self.scale, 0.5 * self.scale, (n, 4, 2)).astype(np.float32)
        start = np.repeat(np.array([[[0.0, 0.0], [w - 1, 0.0], [0.0, h - 1], [w - 1, h - 1]]],
                                   np.float32), n, axis=0)
        return {"apply_perspective": apply, "start_points": start,
                "end_points": start + start * factor, "input_shape": shape}

    def _apply(self, x, t):
        out = _image_ops().perspective_transform(
            x, np.asarray(t["start_points"], np.float32), np.asarray(t["end_points"], np.float32),
            interpolation=self.interpolation, fill_value=self.fill_value,
            data_format="channels_last").numpy()
        apply = np.asarray(t["apply_perspective"], bool)[:, None, None, None]
        return np.where(apply, out, x).astype(np.float32)

    def transform_bounding_boxes(self, bounding_boxes, transformation, training=True):
        """Returns the enclosing boxes of the warped corners of each box, clipped to the
        image; as Keras 3.15, the result is in ``xyxy`` whatever the layer's format."""
        if not training or transformation is None:
            return bounding_boxes
        from tapeflow.keras.ops.image_extra import _homography
        from tapeflow.keras.utils.bounding_boxes import clip_to_image_size, convert_format
        h, w = self._hw(transformation["input_shape"])
        boxes = convert_format(bounding_boxes, self.bounding_box_format, "xyxy", height=h,
                               width=w)
        b = boxes["boxes"].numpy()
        start = np.asarray(transformation["start_points"], np.float64)
        end = np.asarray(transformation["end_points"], np.float64)
        coeffs = np.stack([_homography(a, e) for a, e in zip(start, end)])
        m = np.concatenate([coeffs, np.ones((len(coeffs), 1))], axis=1).reshape(-1, 3, 3)
        inv = np.linalg.inv(m)
        xs = np.stack([b[..., 0], b[..., 2], b[..., 0], b[..., 2]], axis=-1)
        ys = np.stack([b[..., 1], b[..., 3], b[..., 3], b[..., 1]], axis=-1)
        pts = np.stack([xs, ys, np.ones_like(xs)], axis=-1)            # (B, N, 4, 3)
        moved = np.einsum("bij,bnkj->bnki", inv, pts)
        px, py = moved[..., 0] / moved[..., 2], moved[..., 1] / moved[..., 2]
        new = np.stack([px.min(-1), py.min(-1), px.max(-1), py.max(-1)], axis=-1)
        apply = np.asarray(transformation["apply_perspective"], bool)[:, None, None]
        boxes["boxes"] = np.where(apply, new, b).astype(np.float32)
        return clip_to_image_size(boxes, height=h, width=w, bounding_box_format="xyxy")

    def get_config(self):
        config = super().get_config()
        config.update({"factor": self.factor, "scale": self.scale,
                       "interpolation": self.interpolation, "fill_value": self.fill_value,
                       "seed": self.seed})
        return config


class RandomElasticTransform(_ResampleLayer):
    """Displaces pixels by a random smooth field (``keras.ops.image.elastic_transform``)
    whose amplitude and smoothness grow with a distortion drawn from ``scale``; applied
    with probability drawn from ``factor``; results clipped to ``value_range``."""

    def __init__(self, factor=1.0, scale=1.0, interpolation="bilinear", fill_mode="reflect",
                 fill_value=0.0, value_range=(0, 255), seed=None, data_format=None, **kwargs):
        super().__init__(factor=factor, value_range=None, seed=seed, data_format=data_format,
                         **kwargs)
        self.scale = _factor_by_name(scale, "scale", self._bounds)
        self._check(interpolation, fill_mode)
        self.interpolation = interpolation
        self.fill_mode = fill_mode
        self.fill_value = fill_value
        self.value_range = value_range

    @staticmethod
    def get_elastic_transform_params(height, width, factor):
        """Returns ``(alpha, sigma)``: 0.1 and 0.05 of the image's larger/smaller side
        times ``factor``."""
        return max(height, width) * 0.1 * factor, min(height, width) * 0.05 * factor

    def get_random_transformation(self, data, training=True, seed=None):
        """Returns ``{"apply_transform", "distortion_factor", "seed"}`` (None when not
        training or when ``scale`` or ``factor`` is zero)."""
        if not training or self.scale[1] == 0 or self.factor[1] == 0:
            return None
        _, n = self._batch(data)
        rng = _rng(self)
        probability = rng.uniform(self.factor[0], self.factor[1], n)
        apply = rng.uniform(0, 1, n) < probability
        distortion = np.float32(rng.uniform(self.scale[0], self.scale[1]))
        return {"apply_transform": apply, "distortion_factor": distortion,
                "seed": int(rng.integers(0, 2 ** 31 - 1))}

    def _apply(self, x, t):
        if t is None:
            return x
        h, w = x.shape[1:3]
        alpha, sigma = self.get_elastic_transform_params(h, w, float(t["distortion_factor"]))
        out = _image_ops().elastic_transform(
            x, alpha=alpha, sigma=sigma, interpolation=self.interpolation,
            fill_mode=self.fill_mode, fill_value=self.fill_value, seed=t["seed"],
            data_format="channels_last").numpy()
        apply = np.asarray(t["apply_transform"], bool)[:, None, None, None]
        lo, hi = self.value_range
        return np.clip(np.where(apply, out, x), lo, hi).astype(np.float32)

    def get_config(self):
        config = super().get_config()
        config.update({"factor": self.factor, "scale": self.scale,
                       "interpolation": self.interpolation, "fill_mode": self.fill_mode,
                       "fill_value": self.fill_value, "value_range": self.value_range,
                       "seed": self.seed})
        return config


class MaxNumBoundingBoxes(_ColorLayer):
    """Pads (with ``fill_value``) or truncates each batch's bounding boxes to
    ``max_number``, so batches of ``{"images", "bounding_boxes": {"boxes", "labels"}}``
    stack; images pass through unchanged.

    Returns (call): the input dict with ``boxes`` of shape ``(batch, max_number, 4)`` and
    ``labels`` of shape ``(batch, max_number)``, or images unchanged.
    """

    always = True

    def __init__(self, max_number, fill_value=-1, bounding_box_format=None, **kwargs):
        data_format = kwargs.pop("data_format", None)
        super().__init__(value_range=None, data_format=data_format, **kwargs)
        self.max_number = int(max_number)
        self.fill_value = int(fill_value)
        self.bounding_box_format = bounding_box_format

    def __call__(self, inputs, *args, **kwargs):
        if isinstance(inputs, dict):   # dicts of images and boxes bypass the image path
            kwargs.pop("training", None)
            return self.call(inputs)
        return super().__call__(inputs, *args, **kwargs)

    def call(self, inputs, training=True):
        if not isinstance(inputs, dict):
            return inputs
        data = dict(inputs)
        if "bounding_boxes" in data:
            if not self.bounding_box_format:
                raise ValueError(
                    "You passed an input with a 'bounding_boxes' key, but you didn't specify "
                    "a bounding box format. Pass a `bounding_box_format` argument to your "
                    f"{self.__class__.__name__} layer, e.g. `bounding_box_format='xyxy'`.")
            data["bounding_boxes"] = self.transform_bounding_boxes(data["bounding_boxes"],
                                                                   None)
        return data

    def transform_bounding_boxes(self, bounding_boxes, transformation, training=True):
        """Returns ``bounding_boxes`` with ``boxes``/``labels`` padded or cut to
        ``max_number`` along axis 1."""
        boxes = _array(bounding_boxes["boxes"])
        labels = _array(bounding_boxes["labels"])
        pad = max(self.max_number - boxes.shape[1], 0)
        boxes = np.pad(boxes[:, :self.max_number], [[0, 0], [0, pad], [0, 0]],
                       constant_values=self.fill_value)
        labels = np.pad(labels[:, :self.max_number], [[0, 0], [0, pad]],
                        constant_values=self.fill_value)
        out = dict(bounding_boxes)
        out["boxes"], out["labels"] = Tensor(boxes), Tensor(labels)
        return out

    def compute_output_shape(self, input_shape):
        if isinstance(input_shape, dict) and "bounding_boxes" in input_shape:
            extra = set(input_shape["bounding_boxes"]) - {"boxes", "labels"}
            if extra:
                raise KeyError(f"There are unsupported keys in `bounding_boxes`: "
                               f"{list(extra)}. Only `boxes` and `labels` are supported.")
            shape = dict(input_shape)
            boxes = list(input_shape["bounding_boxes"]["boxes"])
            labels = list(input_shape["bounding_boxes"]["labels"])
            boxes[1] = labels[1] = self.max_number
            shape["bounding_boxes"] = {"boxes": boxes, "labels": labels}
            return shape
        return input_shape

    def get_config(self):
        config = super().get_config()
        if self.bounding_box_format is not None:
            config["bounding_box_format"] = self.bounding_box_format
        config["max_number"] = self.max_number
        return config
