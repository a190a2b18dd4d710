"""ConvLSTM1D, ConvLSTM2D and ConvLSTM3D: LSTMs whose matrix products are convolutions.

Per step, with gates in Keras's order ``i, f, c, o`` along the kernels' last axis:
``z = conv(x_t, kernel) + bias + conv_same(h, recurrent_kernel)``,
``c = f * c + i * activation(z_c)``, ``h = o * activation(c)``. The input convolutions of
all steps run as one batched convolution before the loop; only the recurrent convolution
runs per step.
"""
from tapeflow.framework.variable import array_of
import numpy as np

from tapeflow.framework.tensor import Tensor
from tapeflow.keras import activations, constraints, initializers, regularizers
from tapeflow.keras.layers.convolutional import (
    conv_output_length, normalize_data_format, normalize_padding, normalize_tuple)
from tapeflow.keras.layers.layer import Layer
from tapeflow.ops import array_ops as A
from tapeflow.ops import conv3d_ops, conv_ops
from tapeflow.ops import math_ops as M


def _conv(x, w, rank, strides, padding, dilation):
    if rank == 1:
        return conv_ops.conv1d(x, w, strides[0], padding, dilations=dilation[0])
    if rank == 2:
        return conv_ops.conv2d(x, w, strides, padding, dilations=dilation)
    return conv3d_ops.conv3d(x, w, strides, padding, dilations=dilation)


class ConvLSTMCell(Layer):
    """The weights and one step of a ConvLSTM (kernel, recurrent_kernel, bias)."""

    def __init__(self, rank, filters, kernel_size, strides=1, padding="valid",
                 dilation_rate=1, activation="tanh", recurrent_activation="sigmoid",
                 use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, seed=None,
                 **kwargs):
        super().__init__(**kwargs)
        self.rank = rank
        self.filters = filters
        self.kernel_size = normalize_tuple(kernel_size, rank, "kernel_size")
        self.strides = normalize_tuple(strides, rank, "strides")
        self.padding = normalize_padding(padding)
        self.dilation_rate = normalize_tuple(dilation_rate, rank, "dilation_rate")
        self.activation = activations.get(activation)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.unit_forget_bias = unit_forget_bias
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.recurrent_constraint = constraints.get(recurrent_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.dropout = min(1.0, max(0.0, dropout))
        self.recurrent_dropout = min(1.0, max(0.0, recurrent_dropout))
        self.seed = seed

    def build(self, input_shape):
        channels = input_shape[-1]
        f = self.filters
        self.kernel = self.add_weight(
            shape=self.kernel_size + (channels, 4 * f), initializer=self.kernel_initializer,
            name="kernel", regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight(
            shape=self.kernel_size + (f, 4 * f), initializer=self.recurrent_initializer,
            name="recurrent_kernel", regularizer=self.recurrent_regularizer,
            constraint=self.recurrent_constraint)
        if self.use_bias:
            init = self.bias_initializer
            if self.unit_forget_bias:
                base = init

                def init(shape, dtype=None):
                    parts = [np.asarray(base((f,), dtype=dtype)), np.ones((f,)),
                             np.asarray(base((2 * f,), dtype=dtype))]
                    return np.concatenate(parts).astype(np.dtype(dtype or "float32"))
            self.bias = self.add_weight(shape=(4 * f,), initializer=init, name="bias",
                                        regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint)
        else:
            self.bias = None
        self.built = True


class ConvLSTM(Layer):
    """Shared code of ConvLSTM1D/2D/3D (inputs ``(batch, time, *spatial, channels)``)."""

    rank = 2

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, activation="tanh", recurrent_activation="sigmoid",
                 use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, unroll=False, zero_output_for_mask=False,
                 **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.data_format = normalize_data_format(data_format)
        if stateful:
            raise NotImplementedError("tapeflow's ConvLSTM layers do not support "
                                      "stateful=True.")
        self.cell = ConvLSTMCell(
            self.rank, filters, kernel_size, strides=strides, padding=padding,
            dilation_rate=dilation_rate, activation=activation,
            recurrent_activation=recurrent_activation, use_bias=use_bias,
            kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer, unit_forget_bias=unit_forget_bias,
            kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint,
            dropout=dropout, recurrent_dropout=recurrent_dropout, seed=seed,
            name="conv_lstm_cell", dtype=kwargs.get("dtype"))
        self.return_sequences = return_sequences
        self.return_state = return_state
        self.go_backwards = go_backwards
        self.stateful = stateful
        self.unroll = unroll
        self.zero_output_for_mask = zero_output_for_mask

    def __getattr__(self, name):
        cell = self.__dict__.get("cell")
        if cell is not None and not name.startswith("__") and name in (
                "filters", "kernel_size", "strides", "padding", "dilation_rate", "activation",
                "recurrent_activation", "use_bias", "kernel", "recurrent_kernel", "bias",
                "unit_forget_bias", "dropout", "recurrent_dropout", "seed"):
            return getattr(cell, name)
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def _to_last(self, x):
        if self.data_format == "channels_first":   # (b, t, c, *s) -> (b, t, *s, c)
            return A.transpose(x, (0, 1) + tuple(range(3, self.rank + 3)) + (2,))
        return x

    def _to_format(self, x, steps):
        if self.data_format != "channels_first":
            return x
        r = self.rank
        if steps:
            return A.transpose(x, (0, 1, r + 2) + tuple(range(2, r + 2)))
        return A.transpose(x, (0, r + 1) + tuple(range(1, r + 1)))

    def build(self, input_shape):
        shape = tuple(input_shape)
        if len(shape) != self.rank + 3:
            raise ValueError(f"Input should have rank {self.rank + 3} (batch, time, "
                             f"{'spatial, ' * self.rank}channels). Received input shape: "
                             f"{shape}")
        channels = shape[2] if self.data_format == "channels_first" else shape[-1]
        if not self.cell.built:
            self.cell._build_with((None,) * (self.rank + 1) + (channels,))
        self.built = True

    def call(self, inputs, initial_state=None, mask=None, training=False):
        cell = self.cell
        x = self._to_last(inputs)
        shape = array_of(x).shape
        b, t = shape[0], shape[1]
        r = self.rank
        pad = cell.padding.upper()
        flat = A.reshape(x, (b * t,) + tuple(shape[2:]))
        if training and cell.dropout > 0:
            flat = M.multiply(flat, self._mask(array_of(flat).shape[1:], cell.dropout, b, t))
        proj = _conv(flat, cell.kernel, r, cell.strides, pad, cell.dilation_rate)
        if cell.bias is not None:
            proj = M.add(proj, cell.bias)
        out_spatial = tuple(array_of(proj).shape[1:-1])
        proj = A.reshape(proj, (b, t) + out_spatial + (4 * cell.filters,))
        if initial_state is None:
            zeros = Tensor(np.zeros((b,) + out_spatial + (cell.filters,), dtype=self._np_dtype))
            h, c = zeros, zeros
        else:
            h, c = (self._to_last_state(s) for s in initial_state)
        ra, act = cell.recurrent_activation, cell.activation
        one = (1,) * r
        outputs = []
        order = range(t - 1, -1, -1) if self.go_backwards else range(t)
        for step in order:
            hz = h
            if training and cell.recurrent_dropout > 0:
                if step == order[0]:
                    rec_mask = self._mask(array_of(h).shape[1:], cell.recurrent_dropout, b, 1)
                hz = M.multiply(h, rec_mask)
            z = M.add(proj[:, step], _conv(hz, cell.recurrent_kernel, r, one, "SAME", one))
            zi, zf, zc, zo = A.split(z, 4, axis=-1)
            c = M.add(M.multiply(ra(zf), c), M.multiply(ra(zi), act(zc)))
            h = M.multiply(ra(zo), act(c))
            outputs.append(h)
        if self.return_sequences:
            out = self._to_format(A.stack(outputs, axis=1), True)
        else:
            out = self._to_format(h, False)
        if self.return_state:
            return (out, self._to_format(h, False), self._to_format(c, False))
        return out

    def _to_last_state(self, s):
        from tapeflow.framework.tensor import convert_to_tensor
        s = s if isinstance(s, Tensor) else convert_to_tensor(s)
        if self.data_format == "channels_first":
            return A.transpose(s, (0,) + tuple(range(2, self.rank + 2)) + (1,))
        return s

    def _mask(self, shape, rate, b, t):
        from tapeflow.keras.layers.core import _dropout_rng
        keep = _dropout_rng(self.cell).random((b,) + tuple(shape)) >= rate
        m = keep.astype(self._np_dtype) / self._np_dtype.type(1.0 - rate)
        return Tensor(np.repeat(m, t, axis=0) if t > 1 else m)

    def compute_output_shape(self, input_shape):
        shape = tuple(input_shape)
        cell = self.cell
        first = self.data_format == "channels_first"
        spatial = shape[3:] if first else shape[2:-1]
        out = tuple(conv_output_length(n, k, cell.padding, s, d) for n, k, s, d in zip(
            spatial, cell.kernel_size, cell.strides, cell.dilation_rate))
        f = cell.filters
        step = (shape[0], f) + out if first else (shape[0],) + out + (f,)
        seq = (step[0], shape[1]) + step[1:] if self.return_sequences else step
        if self.return_state:
            return (seq, step, step)
        return seq

    def get_config(self):
        config = super().get_config()
        cell = self.cell
        config.update({
            "return_sequences": self.return_sequences, "return_state": self.return_state,
            "go_backwards": self.go_backwards, "stateful": self.stateful,
            "unroll": self.unroll, "zero_output_for_mask": self.zero_output_for_mask,
            "filters": cell.filters, "kernel_size": cell.kernel_size,
            "strides": cell.strides, "padding": cell.padding,
            "data_format": self.data_format, "dilation_rate": cell.dilation_rate,
            "activation": activations.serialize(cell.activation),
            "recurrent_activation": activations.serialize(cell.recurrent_activation),
            "use_bias": cell.use_bias,
            "kernel_initializer": initializers.serialize(cell.kernel_initializer),
            "recurrent_initializer": initializers.serialize(cell.recurrent_initializer),
            "bias_initializer": initializers.serialize(cell.bias_initializer),
            "unit_forget_bias": cell.unit_forget_bias,
            "kernel_regularizer": regularizers.serialize(cell.kernel_regularizer),
            "recurrent_regularizer": regularizers.serialize(cell.recurrent_regularizer),
            "bias_regularizer": regularizers.serialize(cell.bias_regularizer),
            "activity_regularizer": regularizers.serialize(self.activity_regularizer),
            "kernel_constraint": constraints.serialize(cell.kernel_constraint),
            "recurrent_constraint": constraints.serialize(cell.recurrent_constraint),
            "bias_constraint": constraints.serialize(cell.bias_constraint),
            "dropout": cell.dropout, "recurrent_dropout": cell.recurrent_dropout,
            "seed": cell.seed})
        return config


class ConvLSTM1D(ConvLSTM):
    """ConvLSTM over sequences of 1-D signals: ``(batch, time, steps, channels)``."""

    rank = 1


class ConvLSTM2D(ConvLSTM):
    """ConvLSTM over sequences of images: ``(batch, time, rows, cols, channels)``."""

    rank = 2


class ConvLSTM3D(ConvLSTM):
    """ConvLSTM over sequences of volumes: ``(batch, time, d, h, w, channels)``."""

    rank = 3


__all__ = ["ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D"]
