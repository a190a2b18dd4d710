"""Pooling layers: Max/AveragePooling1D/2D/3D and the global poolings (either data format)."""
from tapeflow.keras.layers.convolutional import (
    conv_output_length, normalize_data_format, normalize_padding, normalize_tuple, shape_back,
    shape_last, to_channels_first, to_channels_last)
from tapeflow.keras.layers.input_spec import InputSpec
from tapeflow.keras.layers.layer import Layer
from tapeflow.ops import math_ops as M
from tapeflow.ops import pooling_ops
from tapeflow.ops import reduction_ops as Rd


class _Pooling(Layer):
    rank = 2
    mode = "max"

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(**kwargs)
        r = self.rank
        self.pool_size = normalize_tuple(pool_size, r, "pool_size")
        self.strides = self.pool_size if strides is None else normalize_tuple(strides, r,
                                                                              "strides")
        self.padding = normalize_padding(padding)
        self.data_format = normalize_data_format(data_format)
        self.input_spec = InputSpec(ndim=r + 2)

    def call(self, inputs):
        if self.rank == 3:
            from tapeflow.ops import conv3d_ops
            fn = conv3d_ops.max_pool3d if self.mode == "max" else conv3d_ops.avg_pool3d
        else:
            fn = {("max", 2): pooling_ops.max_pool2d, ("avg", 2): pooling_ops.avg_pool2d,
                  ("max", 1): pooling_ops.max_pool1d, ("avg", 1): pooling_ops.avg_pool1d}[
                (self.mode, self.rank)]
        k = self.pool_size[0] if self.rank == 1 else self.pool_size
        s = self.strides[0] if self.rank == 1 else self.strides
        if self.data_format == "channels_first":
            y = fn(to_channels_last(inputs, self.rank), k, s, self.padding.upper())
            return to_channels_first(y, self.rank)
        return fn(inputs, k, s, self.padding.upper())

    def compute_output_shape(self, input_shape):
        input_shape = shape_last(input_shape, self.data_format)
        spatial = [conv_output_length(n, k, self.padding, s) for n, k, s in zip(
            input_shape[1:-1], self.pool_size, self.strides)]
        return shape_back((input_shape[0], *spatial, input_shape[-1]), self.data_format)

    def get_config(self):
        config = super().get_config()
        config.update({"pool_size": self.pool_size, "padding": self.padding,
                       "strides": self.strides, "data_format": self.data_format})
        return config


class MaxPooling2D(_Pooling):
    """Maximum over ``pool_size`` windows of NHWC images (strides default to pool_size)."""

    rank, mode = 2, "max"

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None,
                 **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


class AveragePooling2D(_Pooling):
    """Mean over ``pool_size`` windows of NHWC images."""

    rank, mode = 2, "avg"

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None,
                 **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


class MaxPooling1D(_Pooling):
    """Maximum over windows of NWC sequences."""

    rank, mode = 1, "max"


class AveragePooling1D(_Pooling):
    """Mean over windows of NWC sequences."""

    rank, mode = 1, "avg"


class _GlobalPooling(Layer):
    rank = 2
    mode = "avg"

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(**kwargs)
        self.data_format = normalize_data_format(data_format)
        self.keepdims = keepdims
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def _spatial_axes(self):
        first = 2 if self.data_format == "channels_first" else 1
        return tuple(range(first, first + self.rank))

    def call(self, inputs):
        fn = M.reduce_mean if self.mode == "avg" else Rd.reduce_max
        return fn(inputs, axis=self._spatial_axes(), keepdims=self.keepdims)

    def compute_output_shape(self, input_shape):
        input_shape = shape_last(input_shape, self.data_format)
        if self.keepdims:
            return shape_back((input_shape[0],) + (1,) * self.rank + (input_shape[-1],),
                              self.data_format)
        return (input_shape[0], input_shape[-1])

    def get_config(self):
        config = super().get_config()
        config.update({"data_format": self.data_format, "keepdims": self.keepdims})
        return config


class GlobalAveragePooling2D(_GlobalPooling):
    """Mean over height and width: ``(n, h, w, c)`` -> ``(n, c)``."""

    rank, mode = 2, "avg"


class GlobalMaxPooling2D(_GlobalPooling):
    """Maximum over height and width: ``(n, h, w, c)`` -> ``(n, c)``."""

    rank, mode = 2, "max"


class GlobalAveragePooling1D(_GlobalPooling):
    """Mean over the steps of a sequence: ``(n, steps, c)`` -> ``(n, c)``."""

    rank, mode = 1, "avg"

    def call(self, inputs, mask=None):
        if mask is None:
            return super().call(inputs)
        from tapeflow.ops import array_ops as A
        first = self.data_format == "channels_first"
        m = M.cast(A.expand_dims(mask, 1 if first else -1), inputs.dtype)
        axis = 2 if first else 1
        total = M.reduce_sum(M.multiply(inputs, m), axis=axis, keepdims=self.keepdims)
        count = M.reduce_sum(m, axis=axis, keepdims=self.keepdims)
        return M.divide(total, M.maximum(count, 1.0))


class GlobalMaxPooling1D(_GlobalPooling):
    """Maximum over the steps of a sequence: ``(n, steps, c)`` -> ``(n, c)``."""

    rank, mode = 1, "max"


class MaxPooling3D(_Pooling):
    """Maximum over ``pool_size`` boxes of NDHWC volumes (strides default to pool_size)."""

    rank, mode = 3, "max"

    def __init__(self, pool_size=(2, 2, 2), strides=None, padding="valid", data_format=None,
                 **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


class AveragePooling3D(_Pooling):
    """Mean over ``pool_size`` boxes of NDHWC volumes."""

    rank, mode = 3, "avg"

    def __init__(self, pool_size=(2, 2, 2), strides=None, padding="valid", data_format=None,
                 **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


class GlobalAveragePooling3D(_GlobalPooling):
    """Mean over depth, height and width: ``(n, d, h, w, c)`` -> ``(n, c)``."""

    rank, mode = 3, "avg"


class GlobalMaxPooling3D(_GlobalPooling):
    """Maximum over depth, height and width: ``(n, d, h, w, c)`` -> ``(n, c)``."""

    rank, mode = 3, "max"


MaxPool2D = MaxPooling2D
AvgPool2D = AveragePooling2D
MaxPool1D = MaxPooling1D
AvgPool1D = AveragePooling1D
GlobalAvgPool2D = GlobalAveragePooling2D
GlobalMaxPool2D = GlobalMaxPooling2D
GlobalAvgPool1D = GlobalAveragePooling1D
GlobalMaxPool1D = GlobalMaxPooling1D
MaxPool3D = MaxPooling3D
AvgPool3D = AveragePooling3D
GlobalAvgPool3D = GlobalAveragePooling3D
GlobalMaxPool3D = GlobalMaxPooling3D
