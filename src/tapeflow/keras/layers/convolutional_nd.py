"""Conv3D, Conv3DTranspose and Conv1DTranspose (and Keras's ``Convolution*`` aliases)."""
from tapeflow.keras.layers.convolutional import (
    BaseConv, Conv2DTranspose, DepthwiseConv2D, SeparableConv2D)
from tapeflow.ops import array_ops as A
from tapeflow.ops import conv3d_ops, conv_ops


class Conv3D(BaseConv):
    """3-D convolution over NDHWC volumes: ``activation(conv3d(x, kernel) + bias)``.

    Args:
      filters: number of output channels.
      kernel_size: int or (depth, height, width).
      strides, dilation_rate: int or triple.
      padding: ``"valid"`` or ``"same"``.
      data_format: ``"channels_last"`` (NDHWC) or ``"channels_first"`` (NCDHW).
    """

    rank = 3

    def __init__(self, filters, kernel_size, strides=(1, 1, 1), padding="valid",
                 data_format=None, dilation_rate=(1, 1, 1), groups=1, **kwargs):
        super().__init__(filters, kernel_size, strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=dilation_rate, groups=groups,
                         **kwargs)

    def _conv(self, x):
        if self.groups > 1:
            return self._grouped_conv(x)
        return conv3d_ops.conv3d(x, self.kernel, self.strides, self.padding.upper(),
                                 dilations=self.dilation_rate)


class Conv3DTranspose(Conv2DTranspose):
    """Transposed 3-D convolution; the kernel has shape ``(kd, kh, kw, filters, in)``."""

    rank = 3

    def __init__(self, filters, kernel_size, strides=(1, 1, 1), padding="valid",
                 output_padding=None, data_format=None, dilation_rate=(1, 1, 1), **kwargs):
        super().__init__(filters, kernel_size, strides=strides, padding=padding,
                         output_padding=output_padding, data_format=data_format,
                         dilation_rate=dilation_rate, **kwargs)

    def _conv(self, x):
        return conv3d_ops.conv3d_transpose(x, self.kernel, self._last_shape(x), self.strides,
                                           self.padding.upper(), dilations=self.dilation_rate)


class Conv1DTranspose(Conv2DTranspose):
    """Transposed 1-D convolution; the kernel has shape ``(k, filters, in)``."""

    rank = 1

    def __init__(self, filters, kernel_size, strides=1, padding="valid", output_padding=None,
                 data_format=None, dilation_rate=1, **kwargs):
        super().__init__(filters, kernel_size, strides=strides, padding=padding,
                         output_padding=output_padding, data_format=data_format,
                         dilation_rate=dilation_rate, **kwargs)

    def _conv(self, x):
        return conv3d_ops.conv1d_transpose(x, self.kernel, self._last_shape(x), self.strides,
                                           self.padding.upper(), dilations=self.dilation_rate)


def _as_2d(x, w):
    """A 1-D (NWC, WIO) pair as a 2-D one of height 1."""
    return A.expand_dims(x, 1), A.expand_dims(w, 0)


class DepthwiseConv1D(DepthwiseConv2D):
    """Depthwise 1-D convolution: each channel of NWC sequences convolved with
    ``depth_multiplier`` filters of its own (kernel ``(k, channels, multiplier)``)."""

    rank = 1

    def __init__(self, kernel_size, strides=1, padding="valid", depth_multiplier=1,
                 data_format=None, dilation_rate=1, **kwargs):
        super().__init__(kernel_size, strides=strides, padding=padding,
                         depth_multiplier=depth_multiplier, data_format=data_format,
                         dilation_rate=dilation_rate, **kwargs)

    def _conv(self, x):
        x2, w2 = _as_2d(x, self.depthwise_kernel)
        y = conv_ops.depthwise_conv2d(x2, w2, (1, self.strides[0]), self.padding.upper(),
                                      dilations=(1, self.dilation_rate[0]))
        return A.squeeze(y, 1)


class SeparableConv1D(SeparableConv2D):
    """Depthwise 1-D convolution followed by a pointwise (size-1) convolution."""

    rank = 1

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, depth_multiplier=1, **kwargs):
        super().__init__(filters, kernel_size, strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=dilation_rate,
                         depth_multiplier=depth_multiplier, **kwargs)

    def _conv(self, x):
        x2, w2 = _as_2d(x, self.depthwise_kernel)
        y = conv_ops.separable_conv2d(x2, w2, A.expand_dims(self.pointwise_kernel, 0),
                                      (1, self.strides[0]), self.padding.upper(),
                                      dilations=(1, self.dilation_rate[0]))
        return A.squeeze(y, 1)


Convolution3D = Conv3D
SeparableConvolution1D = SeparableConv1D
Convolution1DTranspose = Conv1DTranspose
Convolution3DTranspose = Conv3DTranspose
