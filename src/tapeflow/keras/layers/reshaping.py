"""Image reshaping layers: ZeroPadding2D, Cropping2D, UpSampling2D, and SpatialDropout1D/2D."""
import numpy as np

from tapeflow.keras.layers.convolutional import (
    normalize_data_format, shape_back, shape_last, to_channels_first, to_channels_last)
from tapeflow.keras.layers.input_spec import InputSpec
from tapeflow.keras.layers.layer import Layer
from tapeflow.ops import array_ops as A
from tapeflow.ops import math_ops as M


def _pairs(value, name):
    """Returns ((top, bottom), (left, right)) from an int, 2 ints, or 2 pairs."""
    if isinstance(value, (int, np.integer)):
        return ((int(value),) * 2,) * 2
    value = tuple(value)
    if len(value) != 2:
        raise ValueError(f"`{name}` should have two elements. Received: {name}={value}")
    out = []
    for v in value:
        if isinstance(v, (int, np.integer)):
            out.append((int(v), int(v)))
        else:
            v = tuple(int(x) for x in v)
            if len(v) != 2:
                raise ValueError(f"`{name}` entries must be ints or pairs. Received: {value}")
            out.append(v)
    return tuple(out)


class _Image2D(Layer):
    """Runs the 2-D layers' channels_last code on channels_first inputs by transposing."""

    def call(self, inputs):
        if self.data_format == "channels_first":
            return to_channels_first(self._call_nhwc(to_channels_last(inputs, 2)), 2)
        return self._call_nhwc(inputs)

    def compute_output_shape(self, input_shape):
        s = shape_last(input_shape, self.data_format)
        return shape_back(self._shape_nhwc(s), self.data_format)


class ZeroPadding2D(_Image2D):
    """Pads NHWC images with zero rows/columns: ``padding`` int, (h, w) or ((t, b), (l, r))."""

    def __init__(self, padding=(1, 1), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.padding = _pairs(padding, "padding")
        self.data_format = normalize_data_format(data_format)
        self.input_spec = InputSpec(ndim=4)

    def _call_nhwc(self, inputs):
        (t, b), (l, r) = self.padding
        from tapeflow.ops import manip_ops
        return manip_ops.pad(inputs, [[0, 0], [t, b], [l, r], [0, 0]])

    def _shape_nhwc(self, s):
        (t, b), (l, r) = self.padding
        return (s[0], None if s[1] is None else s[1] + t + b,
                None if s[2] is None else s[2] + l + r, s[3])

    def get_config(self):
        config = super().get_config()
        config.update({"padding": self.padding, "data_format": self.data_format})
        return config


class Cropping2D(_Image2D):
    """Crops rows/columns from NHWC images: ``cropping`` int, (h, w) or ((t, b), (l, r))."""

    def __init__(self, cropping=((0, 0), (0, 0)), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.cropping = _pairs(cropping, "cropping")
        self.data_format = normalize_data_format(data_format)
        self.input_spec = InputSpec(ndim=4)

    def _call_nhwc(self, inputs):
        (t, b), (l, r) = self.cropping
        h, w = inputs.array.shape[1:3]
        if t + b >= h or l + r >= w:
            raise ValueError(f"Cropping {self.cropping} is too large for input of shape "
                             f"{tuple(inputs.array.shape)} in layer {self.name}")
        return inputs[:, t:h - b, l:w - r, :]

    def _shape_nhwc(self, s):
        (t, b), (l, r) = self.cropping
        return (s[0], None if s[1] is None else s[1] - t - b,
                None if s[2] is None else s[2] - l - r, s[3])

    def get_config(self):
        config = super().get_config()
        config.update({"cropping": self.cropping, "data_format": self.data_format})
        return config


class UpSampling2D(_Image2D):
    """Repeats rows and columns ``size`` times (``interpolation`` nearest or bilinear)."""

    def __init__(self, size=(2, 2), data_format=None, interpolation="nearest", **kwargs):
        super().__init__(**kwargs)
        from tapeflow.keras.layers.convolutional import normalize_tuple
        self.size = normalize_tuple(size, 2, "size")
        self.data_format = normalize_data_format(data_format)
        if interpolation not in ("nearest", "bilinear"):
            raise ValueError(f"`interpolation` must be 'nearest' or 'bilinear'. Received: "
                             f"interpolation={interpolation}")
        self.interpolation = interpolation
        self.input_spec = InputSpec(ndim=4)

    def _call_nhwc(self, inputs):
        h, w = inputs.array.shape[1:3]
        if self.interpolation == "nearest":
            from tapeflow.ops import manip_ops
            x = manip_ops.repeat(inputs, self.size[0], axis=1)
            return manip_ops.repeat(x, self.size[1], axis=2)
        from tapeflow.ops import image_ops
        return image_ops.resize(inputs, (h * self.size[0], w * self.size[1]))

    def _shape_nhwc(self, s):
        return (s[0], None if s[1] is None else s[1] * self.size[0],
                None if s[2] is None else s[2] * self.size[1], s[3])

    def get_config(self):
        config = super().get_config()
        config.update({"size": self.size, "data_format": self.data_format,
                       "interpolation": self.interpolation})
        return config


class _SpatialDropout(Layer):
    rank = 2

    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not 0 <= rate <= 1:
            raise ValueError(f"Invalid value received for argument `rate`. Expected a float "
                             f"value between 0 and 1. Received: rate={rate}")
        self.rate = rate
        self.seed = seed
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def call(self, inputs, training=False):
        if not training or self.rate == 0:
            return inputs
        from tapeflow.keras.layers.core import _dropout_scale   # (a graph node when traced)
        shape = inputs.array.shape
        mask_shape = (shape[0],) + (1,) * self.rank + (shape[-1],)
        return M.multiply(inputs, _dropout_scale(self, mask_shape, inputs.array.dtype,
                                                 self.rate))

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update({"rate": self.rate, "seed": self.seed})
        return config


class SpatialDropout2D(_SpatialDropout):
    """Drops whole feature maps (channels) of NHWC images during training."""

    rank = 2


class SpatialDropout1D(_SpatialDropout):
    """Drops whole channels of NWC sequences during training."""

    rank = 1


_ = A
