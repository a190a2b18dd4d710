"""Keras 3's affine augmentation layers: RandomRotation, RandomZoom, RandomTranslation.

Each draws a transformation per call (``get_random_transformation``) and applies it
(``transform_images``) through ``keras.ops.image.affine_transform`` (TensorFlow's
resampling kernel), so a given transformation gives Keras's numbers; boxes in
``{"images", "bounding_boxes", ...}`` dicts move with their image when
``bounding_box_format`` is given. Random draws come from NumPy (seeded per layer).
"""
import numpy as np

from tapeflow.framework.tensor import Tensor
from tapeflow.keras.layers.image_base import _FILL_MODES, _ImageLayer, _channels_last, _rng


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
        return self.transform_images(x, self.get_random_transformation(x)).numpy()

    def get_config(self):
        config = super().get_config()
        config["data_format"] = self.data_format
        if self.bounding_box_format is not None:
            config["bounding_box_format"] = self.bounding_box_format
        config.update({"factor": self.factor, "fill_mode": self.fill_mode,
                       "fill_value": self.fill_value, "interpolation": self.interpolation,
                       "seed": self.seed})
        return config


class RandomZoom(_ImageLayer):
    """Randomly zooms images during training: a zoom drawn from ``1 + height_factor``
    (and ``1 + width_factor``, else the same) scales the sampling grid about the centre
    (positive factors zoom out). Keras 3's transformation, TensorFlow's resampling; takes
    ``{"images", "bounding_boxes", ...}`` dicts when ``bounding_box_format`` is given."""

    _FACTOR_ERROR = ("The `height_factor` and `width_factor` arguments should be a number "
                     "(or a list of two numbers) in the range (-1.0, 1.0]. ")

    def __init__(self, height_factor, width_factor=None, fill_mode="reflect",
                 interpolation="bilinear", seed=None, fill_value=0.0, data_format=None,
                 bounding_box_format=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.height_factor = height_factor
        self.height_lower, self.height_upper = self._factor(height_factor, "height_factor")
        self.width_factor = width_factor
        if width_factor is not None:
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
            if v > 1.0 or v <= -1.0:
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

    def get_random_transformation(self, data, training=True, seed=None):
        """Returns ``{"height_zoom", "width_zoom"}`` (each ``(batch, 1)``) and
        ``"input_shape"``."""
        if not training:
            return None
        images = data["images"] if isinstance(data, dict) else data
        shape = np.shape(images.numpy() if hasattr(images, "numpy") else images)
        n = 1 if len(shape) == 3 else shape[0]
        rng = _rng(self)
        hz = rng.uniform(1.0 + self.height_lower, 1.0 + self.height_upper, (n, 1))
        wz = hz if self.width_factor is None else rng.uniform(
            1.0 + self.width_lower, 1.0 + self.width_upper, (n, 1))
        return {"height_zoom": hz.astype(np.float32), "width_zoom": wz.astype(np.float32),
                "input_shape": shape}

    @staticmethod
    def _matrix(t, h, w):
        zx = np.asarray(t["width_zoom"], np.float32)
        zy = np.asarray(t["height_zoom"], np.float32)
        n = zx.shape[0]
        zero = np.zeros((n, 1), np.float32)
        xo = (np.float32(w) - 1) / 2 * (1 - zx)
        yo = (np.float32(h) - 1) / 2 * (1 - zy)
        return np.concatenate([zx, zero, xo, zero, zy, yo, zero, zero], axis=1)

    def transform_images(self, images, transformation, training=True):
        """Returns the images zoomed by ``transformation``."""
        x = images.numpy() if hasattr(images, "numpy") else np.asarray(images)
        x = x.astype(self._np_dtype, copy=False)
        if not training or transformation is None:
            return Tensor(x)
        from tapeflow.keras.ops import image as image_ops_k
        single = x.ndim == 3
        x4 = x[None] if single else x
        out = image_ops_k.affine_transform(
            x4, self._matrix(transformation, x4.shape[1], x4.shape[2]),
            interpolation=self.interpolation, fill_mode=self.fill_mode,
            fill_value=self.fill_value, data_format="channels_last").numpy()
        return Tensor(out[0] if single else out)

    def transform_bounding_boxes(self, bounding_boxes, transformation, training=True):
        """Returns the boxes cut to the zoomed window and rescaled to the image (Keras's
        arithmetic)."""
        if not training or transformation is None:
            return bounding_boxes
        from tapeflow.keras.utils.bounding_boxes import clip_to_image_size, convert_format
        h, w = transformation["input_shape"][-3], transformation["input_shape"][-2]
        boxes = convert_format(bounding_boxes, self.bounding_box_format, "xyxy", height=h,
                               width=w)
        m = self._matrix(transformation, h, w)
        w0, h0 = m[:, 2:3], m[:, 5:6]
        w1, h1 = m[:, 0:1] * w + m[:, 2:3], m[:, 4:5] * h + m[:, 5:6]
        b = boxes["boxes"].numpy()
        boxes["boxes"] = np.stack([np.clip(b[..., 0], w0, w1) - w0,
                                   np.clip(b[..., 1], h0, h1) - h0,
                                   np.clip(b[..., 2], w0, w1) - w0,
                                   np.clip(b[..., 3], h0, h1) - h0], axis=-1)
        boxes = convert_format(boxes, "xyxy", "rel_xyxy", height=h1 - h0, width=w1 - w0)
        boxes = clip_to_image_size(boxes, bounding_box_format="rel_xyxy")
        return convert_format(boxes, "rel_xyxy", self.bounding_box_format, height=h, width=w)

    def _transform(self, x):
        return self.transform_images(x, self.get_random_transformation(x)).numpy()

    def get_config(self):
        config = super().get_config()
        config["data_format"] = self.data_format
        if self.bounding_box_format is not None:
            config["bounding_box_format"] = self.bounding_box_format
        config.update({"height_factor": self.height_factor, "width_factor": self.width_factor,
                       "fill_mode": self.fill_mode, "interpolation": self.interpolation,
                       "seed": self.seed, "fill_value": self.fill_value})
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
        return self.transform_images(x, self.get_random_transformation(x)).numpy()

    def get_config(self):
        config = super().get_config()
        config["data_format"] = self.data_format
        if self.bounding_box_format is not None:
            config["bounding_box_format"] = self.bounding_box_format
        config.update({"height_factor": self.height_factor, "width_factor": self.width_factor,
                       "fill_mode": self.fill_mode, "interpolation": self.interpolation,
                       "seed": self.seed, "fill_value": self.fill_value})
        return config
