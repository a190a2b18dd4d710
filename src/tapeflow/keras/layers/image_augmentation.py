"""Image augmentation and resizing layers (NHWC batches or single HWC images).

The ``Random*`` layers transform only when ``training`` is true (their default
when called directly, e.g. in ``Dataset.map``; ``fit`` passes True, ``predict``
and ``evaluate`` False). ``Resizing`` and ``CenterCrop`` always apply. Each
layer draws from its own generator when given a ``seed``.
"""
import numpy as np

from tapeflow.framework.tensor import Tensor
from tapeflow.ops import image_ops

from tapeflow.keras.layers.image_base import (  # noqa: F401
    _FILL_MODES, _ImageLayer, _channels_last, _rng)


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
        return self.transform_images(x, self.get_random_transformation(x)).numpy()

    def get_config(self):
        config = super().get_config()
        config["data_format"] = self.data_format
        if self.bounding_box_format is not None:
            config["bounding_box_format"] = self.bounding_box_format
        config.update({"seed": self.seed, "mode": self.mode})
        return config


class RandomContrast(_ImageLayer):
    """Randomly scales each image's contrast by a factor in ``[1 - lower, 1 + upper]``.

    Outputs are clipped to ``value_range`` (default ``(0, 255)``). Dicts of images and
    boxes keep their boxes.
    """

    _boxes_pass_through = True

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
                                method=interpolation).array.astype(x.dtype)

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
    """Crops the central ``height x width`` window (resizing first if the image is smaller).
    Takes ``{"images", "bounding_boxes", ...}`` dicts when ``bounding_box_format`` is given
    (boxes are cut to the window, as Keras 3)."""

    always = True

    def __init__(self, height, width, data_format=None, bounding_box_format=None, **kwargs):
        super().__init__(**kwargs)
        self.height, self.width = int(height), int(width)
        self.data_format = _channels_last(data_format)
        self.bounding_box_format = bounding_box_format

    def _transform(self, x):
        h, w = x.shape[1:3]
        if h < self.height or w < self.width:
            return _smart_resize(x, self.height, self.width)
        top, left = (h - self.height) // 2, (w - self.width) // 2
        return np.ascontiguousarray(x[:, top:top + self.height, left:left + self.width])

    def get_random_transformation(self, data, training=True, seed=None):
        """Returns ``{"input_shape"}``."""
        images = data["images"] if isinstance(data, dict) else data
        return {"input_shape": np.shape(images.numpy() if hasattr(images, "numpy")
                                        else images)}

    def transform_images(self, images, transformation=None, training=True):
        """Returns the central crop of the images."""
        x = images.numpy() if hasattr(images, "numpy") else np.asarray(images)
        x = x.astype(self._np_dtype, copy=False)
        single = x.ndim == 3
        out = self._transform(x[None] if single else x)
        return Tensor(out[0] if single else out)

    def transform_bounding_boxes(self, bounding_boxes, transformation, training=True):
        """Returns the boxes cut to the crop window (rescaled when the image was resized)."""
        from tapeflow.keras.utils.bounding_boxes import clip_to_image_size, convert_format
        h, w = transformation["input_shape"][-3], transformation["input_shape"][-2]
        boxes = convert_format(bounding_boxes, self.bounding_box_format, "xyxy", height=h,
                               width=w)
        if h >= self.height and w >= self.width:
            top, left = int((h - self.height) / 2), int((w - self.width) / 2)
            ch, cw = self.height, self.width
        else:
            ch = max(min(h, int(float(w * self.height) / self.width)), 1)
            cw = max(min(w, int(float(h * self.width) / self.height)), 1)
            top, left = int(float(h - ch) / 2), int(float(w - cw) / 2)
        b = boxes["boxes"].numpy()
        b = np.stack([np.clip(b[..., 0], left, left + cw) - left,
                      np.clip(b[..., 1], top, top + ch) - top,
                      np.clip(b[..., 2], left, left + cw) - left,
                      np.clip(b[..., 3], top, top + ch) - top], axis=-1).astype(np.float32)
        boxes["boxes"] = b
        if (ch, cw) != (self.height, self.width):
            boxes = convert_format(boxes, "xyxy", "rel_xyxy", height=ch, width=cw)
            boxes = convert_format(boxes, "rel_xyxy", "xyxy", height=self.height,
                                   width=self.width)
        boxes = clip_to_image_size(boxes, height=self.height, width=self.width,
                                   bounding_box_format="xyxy")
        return convert_format(boxes, "xyxy", self.bounding_box_format, height=self.height,
                              width=self.width)

    def compute_output_shape(self, s):
        return tuple(s[:-3]) + (self.height, self.width, s[-1])

    def get_config(self):
        config = super().get_config()
        config["data_format"] = self.data_format
        if self.bounding_box_format is not None:
            config["bounding_box_format"] = self.bounding_box_format
        config.update({"height": self.height, "width": self.width})
        return config


# Defined in image_affine (kept importable from here).
from tapeflow.keras.layers.image_affine import (  # noqa: E402,F401
    RandomRotation, RandomTranslation, RandomZoom)
