"""Convolution layers: Conv1D, Conv2D, Conv2DTranspose, SeparableConv2D, DepthwiseConv2D.

``data_format="channels_first"`` inputs are transposed to channels_last, convolved, and
transposed back (the kernel layout is the same in both formats, as in Keras).
"""
import numpy as np

from tapeflow.keras import activations, constraints, initializers, regularizers
from tapeflow.keras.layers.input_spec import InputSpec
from tapeflow.keras.layers.layer import Layer
from tapeflow.ops import array_ops as A
from tapeflow.ops import conv_ops, fused_ops
from tapeflow.ops import math_ops as M


def normalize_tuple(value, n, name):
    """Returns ``value`` (int or sequence) as a tuple of ``n`` positive ints.

    Raises:
      ValueError: naming the argument for a wrong length or a non-positive entry.
    """
    if isinstance(value, (int, np.integer)):
        out = (int(value),) * n
    else:
        out = tuple(int(v) for v in value)
    if len(out) != n or any(v <= 0 for v in out):
        raise ValueError(f"The `{name}` argument must be a tuple of {n} positive integers. "
                         f"Received: {name}={value}")
    return out


def normalize_padding(padding, allowed=("valid", "same")):
    """Returns ``padding`` lower-cased, checked against ``allowed``."""
    p = str(padding).lower()
    if p not in allowed:
        raise ValueError(f"The `padding` argument must be one of {list(allowed)}. "
                         f"Received: padding={padding}")
    return p


def normalize_data_format(data_format):
    """Returns ``"channels_last"`` or ``"channels_first"`` (None: ``image_data_format()``).

    Raises:
      ValueError: for any other value.
    """
    if data_format is None:
        from tapeflow.keras import backend
        return backend.image_data_format()
    value = str(data_format).lower()
    if value not in ("channels_last", "channels_first"):
        raise ValueError("The `data_format` argument must be one of {'channels_first', "
                         f"'channels_last'}}. Received: data_format={data_format}")
    return value


def to_channels_last(x, rank):
    """Returns ``x`` (batch, channels, *spatial) transposed to (batch, *spatial, channels)."""
    return A.transpose(x, (0,) + tuple(range(2, rank + 2)) + (1,))


def to_channels_first(x, rank):
    """Returns ``x`` (batch, *spatial, channels) transposed to (batch, channels, *spatial)."""
    return A.transpose(x, (0, rank + 1) + tuple(range(1, rank + 1)))


def shape_last(shape, data_format):
    """Returns ``shape`` in channels_last order."""
    shape = tuple(shape)
    if data_format == "channels_first":
        return (shape[0],) + shape[2:] + (shape[1],)
    return shape


def shape_back(shape, data_format):
    """Returns a channels_last ``shape`` in ``data_format``'s order."""
    shape = tuple(shape)
    if data_format == "channels_first":
        return (shape[0], shape[-1]) + shape[1:-1]
    return shape


def conv_output_length(length, k, padding, stride, dilation=1):
    """Returns the output length of a convolution along one axis (None stays None)."""
    if length is None:
        return None
    p = "VALID" if padding in ("valid", "causal") else "SAME"
    if padding == "causal":
        length = length + (k - 1) * dilation
    return conv_ops.output_size(length, k, stride, dilation, p)[0]


def deconv_output_length(length, k, padding, stride, dilation=1, output_padding=None):
    """Returns the output length of a transposed convolution along one axis."""
    if length is None:
        return None
    k = k + (k - 1) * (dilation - 1)
    if output_padding is None:
        if padding == "valid":
            return length * stride + max(k - stride, 0)
        return length * stride
    pad = 0 if padding == "valid" else k // 2
    return (length - 1) * stride + k - 2 * pad + output_padding


# Activations the fused conv op applies itself (TF's _FusedConv2D: BiasAdd, then Relu).
_FUSABLE = {activations.linear: "Linear", activations.relu: "Relu"}


class BaseConv(Layer):
    """Shared arguments, weights and config of the convolution layers."""

    rank = 2

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, groups=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        r = self.rank
        if filters is not None and (not isinstance(filters, (int, np.integer)) or filters <= 0):
            raise ValueError(f"Invalid value for argument `filters`. Expected a strictly "
                             f"positive value. Received filters={filters}.")
        self.filters = None if filters is None else int(filters)
        self.kernel_size = normalize_tuple(kernel_size, r, "kernel_size")
        self.strides = normalize_tuple(strides, r, "strides")
        allowed = ("valid", "same", "causal") if r == 1 else ("valid", "same")
        self.padding = normalize_padding(padding, allowed)
        self.data_format = normalize_data_format(data_format)
        self.dilation_rate = normalize_tuple(dilation_rate, r, "dilation_rate")
        if not isinstance(groups, (int, np.integer)) or groups < 1:
            raise ValueError(f"The number of groups must be a positive integer. Received: "
                             f"groups={groups}.")
        if filters is not None and filters % groups != 0:
            raise ValueError(f"The number of filters must be evenly divisible by the number "
                             f"of groups. Received: groups={groups}, filters={filters}.")
        self.groups = int(groups)
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.input_spec = InputSpec(min_ndim=r + 2)

    def _kernel_shape(self, in_channels):
        return self.kernel_size + (in_channels // self.groups, self.filters)

    @property
    def _channel_axis(self):
        return 1 if self.data_format == "channels_first" else -1

    def build(self, input_shape):
        in_channels = input_shape[self._channel_axis]
        if in_channels is None:
            raise ValueError(f"The channel dimension of the inputs to {self.name} should be "
                             f"defined. Received input_shape={input_shape}")
        if in_channels % self.groups != 0:
            raise ValueError(f"The number of input channels must be evenly divisible by the "
                             f"number of groups. Received groups={self.groups}, but the input "
                             f"has {in_channels} channels (full input shape is "
                             f"{tuple(input_shape)}).")
        if len(input_shape) > self.rank + 2:  # Keras's message (its conv op's check); fewer
            # dimensions fail the InputSpec check that follows, as in Keras
            raise ValueError("Kernel shape must have the same length as input, but received "
                             f"kernel of shape {self._kernel_shape(in_channels)} and input of "
                             f"shape {tuple(input_shape)}.")
        self.kernel = self.add_weight(
            shape=self._kernel_shape(in_channels), initializer=self.kernel_initializer,
            name="kernel", regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint)
        if self.use_bias:
            self.bias = self.add_weight(
                shape=(self._bias_size(in_channels),), initializer=self.bias_initializer,
                name="bias", regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        else:
            self.bias = None
        self.input_spec = InputSpec(min_ndim=self.rank + 2,
                                    axes={self._channel_axis: in_channels})
        self.built = True

    def _bias_size(self, in_channels):
        return self.filters

    def _finish(self, y):
        if self.bias is not None:
            y = M.add(y, self.bias)
        if self.activation is not activations.linear:
            y = self.activation(y)
        return y

    def _padding_1d(self):
        """Conv1D's padding: "SAME"/"VALID", or causal as explicit [[0, 0], [left, 0], [0, 0]]."""
        if self.padding == "causal":
            left = (self.kernel_size[0] - 1) * self.dilation_rate[0]
            return [[0, 0], [left, 0], [0, 0]]
        return self.padding.upper()

    def _conv(self, x):
        if self.groups > 1:
            return self._grouped_conv(x)
        if self.rank == 1:
            return conv_ops.conv1d(x, self.kernel, self.strides[0], self._padding_1d(),
                                   dilations=self.dilation_rate[0])
        return conv_ops.conv2d(x, self.kernel, self.strides, self.padding.upper(),
                               dilations=self.dilation_rate)

    def _grouped_conv(self, x):
        """Grouped convolution: one group per input channel runs as a depthwise convolution
        (the kernel ``(..., 1, filters)`` is the depthwise ``(..., channels, multiplier)``);
        other groupings convolve each group's channels with its filters and concatenate."""
        g = self.groups
        in_channels = x.shape[-1]
        k = self.kernel
        if self.rank == 2 and g == in_channels:
            w = A.reshape(k, self.kernel_size + (in_channels, self.filters // g))
            return conv_ops.depthwise_conv2d(x, w, self.strides, self.padding.upper(),
                                             dilations=self.dilation_rate)
        per_in, per_out = in_channels // g, self.filters // g
        outs = []
        for i in range(g):
            xi = x[..., i * per_in:(i + 1) * per_in]
            wi = k[..., i * per_out:(i + 1) * per_out]
            outs.append(self._plain_conv(xi, wi))
        return A.concat(outs, -1)

    def _plain_conv(self, x, w):
        if self.rank == 1:
            return conv_ops.conv1d(x, w, self.strides[0], self._padding_1d(),
                                   dilations=self.dilation_rate[0])
        if self.rank == 2:
            return conv_ops.conv2d(x, w, self.strides, self.padding.upper(),
                                   dilations=self.dilation_rate)
        from tapeflow.ops import conv3d_ops
        return conv3d_ops.conv3d(x, w, self.strides, self.padding.upper(),
                                 dilations=self.dilation_rate)

    def call(self, inputs):
        if self.data_format == "channels_first":
            y = self._call_last(to_channels_last(inputs, self.rank))
            return to_channels_first(y, self.rank)
        return self._call_last(inputs)

    def _call_last(self, inputs):
        if self.bias is not None and type(self)._conv is BaseConv._conv and self.groups == 1:
            act = _FUSABLE.get(self.activation)
            if act is not None:
                x, w = conv_ops._same_dtype_pair(inputs, self.kernel)
                b = self.bias.__tf_tensor__()
                if x.array.dtype == w.array.dtype == b.array.dtype:
                    return self._fused(x, w, b, act)
        return self._finish(self._conv(inputs))

    def _fused(self, x, w, b, act):
        """activation(conv(x) + bias) as one _FusedConv2D op (1-D: over a height of 1)."""
        if self.rank == 2:
            return fused_ops.fused_conv2d(x, w, b, self.strides, self.padding.upper(),
                                          self.dilation_rate, act)
        pad = self._padding_1d()
        if not isinstance(pad, str):
            pad = [[0, 0], [0, 0], pad[1], [0, 0]]
        y = fused_ops.fused_conv2d(A.expand_dims(x, 1), A.expand_dims(w, 0), b,
                                   [1, self.strides[0]], pad, [1, self.dilation_rate[0]], act)
        return A.squeeze(y, 1)

    def compute_output_shape(self, input_shape):
        input_shape = shape_last(input_shape, self.data_format)
        spatial = [conv_output_length(n, k, self.padding, s, d) for n, k, s, d in zip(
            input_shape[1:-1], self.kernel_size, self.strides, self.dilation_rate)]
        return shape_back((input_shape[0], *spatial, self.filters), self.data_format)

    def get_config(self):
        config = super().get_config()
        config.update({
            "filters": self.filters, "kernel_size": self.kernel_size, "strides": self.strides,
            "padding": self.padding, "data_format": self.data_format,
            "dilation_rate": self.dilation_rate, "groups": self.groups,
            "activation": activations.serialize(self.activation), "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "activity_regularizer": regularizers.serialize(self.activity_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint)})
        return config


def _ordered(config, keys):
    """Returns ``config`` with ``keys`` right after the base keys, in that order (Keras 3's
    printed order); other keys keep their places after them."""
    head = {k: config.pop(k) for k in ("name", "trainable", "dtype") if k in config}
    head.update((k, config.pop(k)) for k in keys if k in config)
    head.update(config)
    return head


class Conv2D(BaseConv):
    """2-D convolution over NHWC images: ``activation(conv2d(x, kernel) + bias)``.

    Args:
      filters: number of output channels.
      kernel_size: int or (height, width).
      strides: int or pair (default 1).
      padding: ``"valid"`` or ``"same"`` (TensorFlow's SAME arithmetic).
      dilation_rate: int or pair.
      activation, use_bias, *_initializer, *_regularizer, *_constraint: as Dense.
    """

    rank = 2


class Conv1D(BaseConv):
    """1-D convolution over NWC sequences (``padding`` may also be ``"causal"``)."""

    rank = 1


class Conv2DTranspose(BaseConv):
    """Transposed 2-D convolution (the gradient of Conv2D wrt its input), for upsampling.

    The kernel has shape ``(kh, kw, filters, in_channels)``.
    """

    rank = 2

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid",
                 output_padding=None, data_format=None, dilation_rate=(1, 1), **kwargs):
        super().__init__(filters, kernel_size, strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=dilation_rate, **kwargs)
        if output_padding is not None:
            raise ValueError("tapeflow's Conv2DTranspose supports output_padding=None only. "
                             f"Received: output_padding={output_padding}")
        self.output_padding = None

    def _kernel_shape(self, in_channels):
        return self.kernel_size + (self.filters, in_channels)

    def compute_output_shape(self, input_shape):
        input_shape = shape_last(input_shape, self.data_format)
        spatial = [deconv_output_length(n, k, self.padding, s, d) for n, k, s, d in zip(
            input_shape[1:-1], self.kernel_size, self.strides, self.dilation_rate)]
        return shape_back((input_shape[0], *spatial, self.filters), self.data_format)

    def _last_shape(self, x):
        """The channels_last output shape for a channels_last input ``x``."""
        return shape_last(self.compute_output_shape(
            shape_back(tuple(x.array.shape), self.data_format)), self.data_format)

    def _conv(self, x):
        shape = self._last_shape(x)
        return conv_ops.conv2d_transpose(x, self.kernel, shape, self.strides,
                                         self.padding.upper(), dilations=self.dilation_rate)

    def get_config(self):
        config = super().get_config()
        config.pop("groups", None)
        config["output_padding"] = self.output_padding
        return _ordered(config, ("filters", "kernel_size", "strides", "padding",
                                 "output_padding"))


class DepthwiseConv2D(BaseConv):
    """Depthwise 2-D convolution: each input channel convolved with ``depth_multiplier``
    filters of its own; output channels ``in_channels * depth_multiplier``."""

    rank = 2

    def __init__(self, kernel_size, strides=(1, 1), padding="valid", depth_multiplier=1,
                 data_format=None, dilation_rate=(1, 1), activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", bias_initializer="zeros",
                 depthwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(None, kernel_size, strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=dilation_rate,
                         activation=activation, use_bias=use_bias,
                         kernel_initializer=depthwise_initializer,
                         bias_initializer=bias_initializer,
                         kernel_regularizer=depthwise_regularizer,
                         bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer,
                         kernel_constraint=depthwise_constraint,
                         bias_constraint=bias_constraint, **kwargs)
        self.depth_multiplier = int(depth_multiplier)

    def build(self, input_shape):
        in_channels = input_shape[self._channel_axis]
        self.depthwise_kernel = self.add_weight(
            shape=self.kernel_size + (in_channels, self.depth_multiplier),
            initializer=self.kernel_initializer, name="kernel",
            regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        self.bias = self.add_weight(
            shape=(in_channels * self.depth_multiplier,), initializer=self.bias_initializer,
            name="bias", regularizer=self.bias_regularizer,
            constraint=self.bias_constraint) if self.use_bias else None
        self.input_spec = InputSpec(min_ndim=self.rank + 2,
                                    axes={self._channel_axis: in_channels})
        self.built = True

    def _conv(self, x):
        return conv_ops.depthwise_conv2d(x, self.depthwise_kernel, self.strides,
                                         self.padding.upper(), dilations=self.dilation_rate)

    def compute_output_shape(self, input_shape):
        input_shape = shape_last(input_shape, self.data_format)
        spatial = [conv_output_length(n, k, self.padding, s, d) for n, k, s, d in zip(
            input_shape[1:-1], self.kernel_size, self.strides, self.dilation_rate)]
        c = input_shape[-1]
        return shape_back((input_shape[0], *spatial,
                           None if c is None else c * self.depth_multiplier), self.data_format)

    def get_config(self):
        config = super().get_config()
        for k in ("filters", "groups"):
            config.pop(k, None)
        config["depth_multiplier"] = self.depth_multiplier
        config["depthwise_initializer"] = config.pop("kernel_initializer")
        config["depthwise_regularizer"] = config.pop("kernel_regularizer")
        config["depthwise_constraint"] = config.pop("kernel_constraint")
        return _ordered(config, ("depth_multiplier", "kernel_size", "strides", "padding",
                                 "data_format", "dilation_rate", "activation", "use_bias",
                                 "depthwise_initializer", "bias_initializer",
                                 "depthwise_regularizer", "bias_regularizer",
                                 "activity_regularizer", "depthwise_constraint",
                                 "bias_constraint"))


class SeparableConv2D(BaseConv):
    """Depthwise convolution followed by a 1x1 pointwise convolution (fewer weights)."""

    rank = 2

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", data_format=None,
                 dilation_rate=(1, 1), depth_multiplier=1, activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", pointwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None,
                 pointwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, pointwise_constraint=None, bias_constraint=None,
                 **kwargs):
        super().__init__(filters, kernel_size, strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=dilation_rate,
                         activation=activation, use_bias=use_bias,
                         bias_initializer=bias_initializer, bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer,
                         bias_constraint=bias_constraint, **kwargs)
        self.depth_multiplier = int(depth_multiplier)
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.pointwise_initializer = initializers.get(pointwise_initializer)
        self.depthwise_regularizer = regularizers.get(depthwise_regularizer)
        self.pointwise_regularizer = regularizers.get(pointwise_regularizer)
        self.depthwise_constraint = constraints.get(depthwise_constraint)
        self.pointwise_constraint = constraints.get(pointwise_constraint)

    def build(self, input_shape):
        c = input_shape[self._channel_axis]
        self.depthwise_kernel = self.add_weight(
            shape=self.kernel_size + (c, self.depth_multiplier),
            initializer=self.depthwise_initializer, name="depthwise_kernel",
            regularizer=self.depthwise_regularizer, constraint=self.depthwise_constraint)
        self.pointwise_kernel = self.add_weight(
            shape=(1,) * self.rank + (c * self.depth_multiplier, self.filters),
            initializer=self.pointwise_initializer, name="pointwise_kernel",
            regularizer=self.pointwise_regularizer, constraint=self.pointwise_constraint)
        self.bias = self.add_weight(
            shape=(self.filters,), initializer=self.bias_initializer, name="bias",
            regularizer=self.bias_regularizer,
            constraint=self.bias_constraint) if self.use_bias else None
        self.input_spec = InputSpec(min_ndim=self.rank + 2, axes={self._channel_axis: c})
        self.built = True

    def _conv(self, x):
        return conv_ops.separable_conv2d(x, self.depthwise_kernel, self.pointwise_kernel,
                                         self.strides, self.padding.upper(),
                                         dilations=self.dilation_rate)

    def get_config(self):
        config = super().get_config()
        for k in ("kernel_initializer", "kernel_regularizer", "kernel_constraint", "groups"):
            config.pop(k, None)
        config.update({
            "depth_multiplier": self.depth_multiplier,
            "depthwise_initializer": initializers.serialize(self.depthwise_initializer),
            "pointwise_initializer": initializers.serialize(self.pointwise_initializer),
            "depthwise_regularizer": regularizers.serialize(self.depthwise_regularizer),
            "pointwise_regularizer": regularizers.serialize(self.pointwise_regularizer),
            "depthwise_constraint": constraints.serialize(self.depthwise_constraint),
            "pointwise_constraint": constraints.serialize(self.pointwise_constraint)})
        return _ordered(config, ("depth_multiplier", "filters", "kernel_size", "strides",
                                 "padding", "data_format", "dilation_rate", "activation",
                                 "use_bias", "depthwise_initializer", "pointwise_initializer",
                                 "bias_initializer", "depthwise_regularizer",
                                 "pointwise_regularizer", "bias_regularizer",
                                 "activity_regularizer", "depthwise_constraint",
                                 "pointwise_constraint", "bias_constraint"))


Convolution1D = Conv1D
Convolution2D = Conv2D
Convolution2DTranspose = Conv2DTranspose
SeparableConvolution2D = SeparableConv2D
