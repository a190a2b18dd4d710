"""ZeroPadding1D/3D, Cropping1D/3D, UpSampling1D/3D and SpatialDropout3D."""
from tapeflow.framework.variable import array_of
import numpy as np

from tapeflow.framework.tensor import Tensor
from tapeflow.keras.layers.convolutional import (
    normalize_data_format, normalize_tuple, shape_back, shape_last, to_channels_first,
    to_channels_last)
from tapeflow.keras.layers.input_spec import InputSpec
from tapeflow.keras.layers.layer import Layer
from tapeflow.ops import manip_ops
from tapeflow.ops import math_ops as M


def _pad_pairs(value, rank, name):
    """Returns ``rank`` (before, after) pairs from an int, ``rank`` ints or ``rank`` pairs."""
    if isinstance(value, (int, np.integer)):
        return ((int(value), int(value)),) * rank
    value = tuple(value)
    if rank == 1:
        if len(value) != 2:
            raise ValueError(f"`{name}` should have two elements. Received: {name}={value}")
        return ((int(value[0]), int(value[1])),)
    if len(value) != rank:
        raise ValueError(f"`{name}` should have {rank} elements. Received: {name}={value}")
    return tuple((int(v), int(v)) if isinstance(v, (int, np.integer))
                 else tuple(int(x) for x in v) for v in value)


class _SpatialLayer(Layer):
    """Runs ``_last(x)`` on channels_last data, transposing channels_first around it."""

    rank = 1

    def _init_format(self, data_format):
        self.data_format = normalize_data_format(data_format) if self.rank > 1 \
            else "channels_last"
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def call(self, inputs):
        if self.data_format == "channels_first":
            return to_channels_first(self._last(to_channels_last(inputs, self.rank)),
                                     self.rank)
        return self._last(inputs)

    def compute_output_shape(self, input_shape):
        s = shape_last(input_shape, self.data_format)
        spatial = [None if n is None else self._size(n, i) for i, n in enumerate(s[1:-1])]
        return shape_back((s[0], *spatial, s[-1]), self.data_format)


class _ZeroPadding(_SpatialLayer):
    def __init__(self, padding, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.padding = _pad_pairs(padding, self.rank, "padding")
        self._init_format(data_format)

    def _last(self, x):
        return manip_ops.pad(x, [[0, 0], *[list(p) for p in self.padding], [0, 0]])

    def _size(self, n, i):
        return n + sum(self.padding[i])

    def get_config(self):
        config = super().get_config()
        config["padding"] = self.padding[0] if self.rank == 1 else self.padding
        config["data_format"] = self.data_format
        return config


class ZeroPadding1D(_ZeroPadding):
    """Pads NWC sequences with zero steps: ``padding`` int or (before, after)."""

    rank = 1

    def __init__(self, padding=1, data_format=None, **kwargs):
        super().__init__(padding, data_format, **kwargs)


class ZeroPadding3D(_ZeroPadding):
    """Pads NDHWC volumes with zeros: ``padding`` int, 3 ints or 3 pairs."""

    rank = 3

    def __init__(self, padding=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        super().__init__(padding, data_format, **kwargs)


class _Cropping(_SpatialLayer):
    def __init__(self, cropping, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.cropping = _pad_pairs(cropping, self.rank, "cropping")
        self._init_format(data_format)

    def _last(self, x):
        shape = array_of(x).shape
        index = [slice(None)]
        for n, (a, b) in zip(shape[1:-1], self.cropping):
            if a + b >= n:
                raise ValueError(f"Cropping {self.cropping} is too large for input of shape "
                                 f"{tuple(shape)} in layer {self.name}")
            index.append(slice(a, n - b))
        return x[tuple(index) + (slice(None),)]

    def _size(self, n, i):
        return n - sum(self.cropping[i])

    def get_config(self):
        config = super().get_config()
        if self.rank == 1:
            config["cropping"] = self.cropping[0]
        else:
            config.update({"cropping": self.cropping, "data_format": self.data_format})
        return config


class Cropping1D(_Cropping):
    """Crops steps from both ends of NWC sequences: ``cropping`` int or (before, after)."""

    rank = 1

    def __init__(self, cropping=(1, 1), **kwargs):
        super().__init__(cropping, None, **kwargs)


class Cropping3D(_Cropping):
    """Crops NDHWC volumes: ``cropping`` int, 3 ints or 3 pairs."""

    rank = 3

    def __init__(self, cropping=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        super().__init__(cropping, data_format, **kwargs)


class _UpSampling(_SpatialLayer):
    def _last(self, x):
        for axis, k in enumerate(self._sizes, start=1):
            x = manip_ops.repeat(x, k, axis=axis)
        return x

    def _size(self, n, i):
        return n * self._sizes[i]


class UpSampling1D(_UpSampling):
    """Repeats each step ``size`` times."""

    rank = 1

    def __init__(self, size=2, **kwargs):
        super().__init__(**kwargs)
        self.size = int(size)
        self._sizes = (self.size,)
        self._init_format(None)

    def get_config(self):
        config = super().get_config()
        config["size"] = self.size
        return config


class UpSampling3D(_UpSampling):
    """Repeats depth, rows and columns ``size`` times (nearest neighbour)."""

    rank = 3

    def __init__(self, size=(2, 2, 2), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.size = normalize_tuple(size, 3, "size")
        self._sizes = self.size
        self._init_format(data_format)

    def get_config(self):
        config = super().get_config()
        config.update({"size": self.size, "data_format": self.data_format})
        return config


class SpatialDropout3D(Layer):
    """Drops whole feature maps (channels) of 5-D volumes during training."""

    def __init__(self, rate, data_format=None, seed=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        if not 0 <= rate <= 1:
            raise ValueError(f"Invalid value received for argument `rate`. Expected a float "
                             f"value between 0 and 1. Received: rate={rate}")
        self.rate = rate
        self.seed = seed
        self.data_format = normalize_data_format(data_format)
        self.input_spec = InputSpec(ndim=5)

    def call(self, inputs, training=False):
        if not training or self.rate == 0:
            return inputs
        from tapeflow.keras.layers.core import _dropout_rng
        shape = array_of(inputs).shape
        if self.data_format == "channels_first":
            mask_shape = shape[:2] + (1, 1, 1)
        else:
            mask_shape = (shape[0], 1, 1, 1, shape[-1])
        keep = _dropout_rng(self).random(mask_shape) >= self.rate
        scale = keep.astype(array_of(inputs).dtype) / array_of(inputs).dtype.type(1 - self.rate)
        return M.multiply(inputs, Tensor(scale))

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {"rate": self.rate, "seed": self.seed, "name": self.name,
                "dtype": self._policy.name, "data_format": self.data_format}


__all__ = ["ZeroPadding1D", "ZeroPadding3D", "Cropping1D", "Cropping3D", "UpSampling1D",
           "UpSampling3D", "SpatialDropout3D"]
