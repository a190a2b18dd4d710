"""Adaptive pooling (Keras 3.15): ``AdaptiveAveragePooling1D/2D/3D`` and
``AdaptiveMaxPooling1D/2D/3D`` pool each spatial axis into a fixed ``output_size`` of bins,
bin ``i`` of ``n`` over a length ``L`` spanning ``[floor(i L / n), ceil((i + 1) L / n))``.

Pooling is separable, so it runs one axis at a time: averaging as a matrix product with a
bin-averaging matrix, maxima as one reduction per bin (a loop over the output bins only).
Everything is differentiable ops.
"""
from tapeflow.framework.variable import array_of
import numpy as np

from tapeflow.framework.tensor import Tensor
from tapeflow.keras.layers.convolutional import (
    normalize_data_format, to_channels_first, to_channels_last)
from tapeflow.keras.layers.layer import Layer
from tapeflow.ops import array_ops as A
from tapeflow.ops import math_ops as M
from tapeflow.ops import reduction_ops as Rd


def _bins(length, n):
    return [(i * length // n, -(-(i + 1) * length // n)) for i in range(n)]


class _AdaptivePooling(Layer):
    rank = 2
    mode = "avg"

    def __init__(self, output_size, data_format=None, **kwargs):
        super().__init__(**kwargs)
        if isinstance(output_size, (int, np.integer)):
            output_size = (int(output_size),) * self.rank
        output_size = tuple(int(v) for v in output_size)
        if len(output_size) != self.rank or any(v <= 0 for v in output_size):
            raise ValueError(f"`output_size` must be an integer or a tuple of {self.rank} "
                             f"positive integers. Received: output_size={output_size}")
        self.output_size = output_size
        self.data_format = normalize_data_format(data_format)

    def _pool_axis(self, x, axis, n):
        length = array_of(x).shape[axis]
        bins = _bins(length, n)
        if self.mode == "avg":
            mat = np.zeros((n, length), dtype=array_of(x).dtype)
            for i, (a, b) in enumerate(bins):
                mat[i, a:b] = 1.0 / (b - a)
            moved = A.transpose(x, [i for i in range(array_of(x).ndim) if i != axis] + [axis])
            y = M.matmul(moved, Tensor(mat.T))
            perm = list(range(array_of(x).ndim - 1))
            perm.insert(axis, array_of(x).ndim - 1)
            return A.transpose(y, perm)
        index = [slice(None)] * array_of(x).ndim
        parts = []
        for a, b in bins:
            index[axis] = slice(a, b)
            parts.append(Rd.reduce_max(x[tuple(index)], axis=axis))
        return A.stack(parts, axis=axis)

    def call(self, inputs):
        x = inputs
        if self.data_format == "channels_first":
            x = to_channels_last(x, self.rank)
        for axis, n in enumerate(self.output_size, start=1):
            x = self._pool_axis(x, axis, n)
        if self.data_format == "channels_first":
            x = to_channels_first(x, self.rank)
        return x

    def compute_output_shape(self, input_shape):
        if self.data_format == "channels_last":
            return (input_shape[0], *self.output_size, input_shape[-1])
        return (input_shape[0], input_shape[1], *self.output_size)

    def get_config(self):
        config = super().get_config()
        config.update({"output_size": self.output_size, "data_format": self.data_format})
        return config


class AdaptiveAveragePooling1D(_AdaptivePooling):
    """Averages NWC sequences into ``output_size`` bins."""

    rank, mode = 1, "avg"


class AdaptiveAveragePooling2D(_AdaptivePooling):
    """Averages NHWC images into an ``output_size`` grid of bins."""

    rank, mode = 2, "avg"


class AdaptiveAveragePooling3D(_AdaptivePooling):
    """Averages NDHWC volumes into an ``output_size`` grid of bins."""

    rank, mode = 3, "avg"


class AdaptiveMaxPooling1D(_AdaptivePooling):
    """Takes the maximum of each of ``output_size`` bins of NWC sequences."""

    rank, mode = 1, "max"


class AdaptiveMaxPooling2D(_AdaptivePooling):
    """Takes the maximum of each bin of an ``output_size`` grid over NHWC images."""

    rank, mode = 2, "max"


class AdaptiveMaxPooling3D(_AdaptivePooling):
    """Takes the maximum of each bin of an ``output_size`` grid over NDHWC volumes."""

    rank, mode = 3, "max"


__all__ = ["AdaptiveAveragePooling1D", "AdaptiveAveragePooling2D", "AdaptiveAveragePooling3D",
           "AdaptiveMaxPooling1D", "AdaptiveMaxPooling2D", "AdaptiveMaxPooling3D"]
