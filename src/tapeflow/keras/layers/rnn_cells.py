"""Recurrent cells: ``SimpleRNNCell``, ``LSTMCell`` and ``GRUCell`` (Keras 3 maths and weights).

A cell computes one time step: ``cell(inputs, states) -> (output, new_states)``.
The ``RNN`` layer (``rnn.py``) drives a cell over a sequence through two fast
hooks every cell here defines: ``_prepare()`` reads the weights once per
sequence and ``_project(x)`` computes the input projection of *all* time steps
with one matmul (time-major); ``_step(proj_t, states, rec_mask)`` then does only the recurrent
matmul and the gate arithmetic of one step, for the whole batch.
"""
import numpy as np

from tapeflow.framework.tensor import Tensor
from tapeflow.keras import activations, constraints, initializers, regularizers
from tapeflow.keras.layers.core import _dropout_rng
from tapeflow.keras.layers.layer import Layer
from tapeflow.ops import array_ops as A
from tapeflow.ops import math_ops as M

_ser_init = initializers.serialize
_ser_reg = regularizers.serialize
_ser_con = constraints.serialize


def _check_units(units):
    if not isinstance(units, (int, np.integer)) or isinstance(units, bool) or units <= 0:
        raise ValueError("Received an invalid value for argument `units`, expected a positive "
                         f"integer, got {units}.")
    return int(units)


def _check_rate(name, rate):
    if not 0.0 <= float(rate) <= 1.0:
        raise ValueError(f"Invalid value received for argument `{name}`. Expected a float "
                         f"value between 0 and 1. Received: {name}={rate}")
    return min(1.0, max(0.0, float(rate)))


def _project(x, kernel, bias):
    """Returns ``x @ kernel (+ bias)`` time-major: (time, batch, k) for x of (batch, time, f).

    One matmul for all steps. Time-major keeps each step's slice contiguous, which makes
    the per-step elementwise ops about twice as fast as on strided batch-major slices.
    """
    b, t, f = x.array.shape
    y = M.matmul(A.reshape(A.transpose(x, (1, 0, 2)), (t * b, f)), kernel)
    if bias is not None:
        y = M.add(y, bias)
    return A.reshape(y, (t, b, y.array.shape[-1]))


class _RNNCellBase(Layer):
    """Shared arguments, dropout masks, weight creation and config of the built-in cells."""

    _gates = 1  # kernel columns per unit

    def __init__(self, units, activation="tanh", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, seed=None,
                 **kwargs):
        kwargs.pop("implementation", None)  # Keras's choice of kernel split: same maths
        super().__init__(**kwargs)
        self.units = _check_units(units)
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.recurrent_constraint = constraints.get(recurrent_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.dropout = _check_rate("dropout", dropout)
        self.recurrent_dropout = _check_rate("recurrent_dropout", recurrent_dropout)
        self.seed = seed
        self.__dict__["_dropout_mask"] = None
        self.__dict__["_rec_dropout_mask"] = None

    @property
    def state_size(self):
        """Returns the size of the state (``units``)."""
        return self.units

    @property
    def output_size(self):
        """Returns the size of one step's output (``units``)."""
        return self.units

    def _bias_shape(self):
        return (self._gates * self.units,)

    def _bias_init(self):
        return self.bias_initializer

    def build(self, input_shape):
        input_dim = input_shape[-1]
        n = self._gates * self.units
        self.kernel = self.add_weight(
            shape=(input_dim, n), initializer=self.kernel_initializer, name="kernel",
            regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight(
            shape=(self.units, n), initializer=self.recurrent_initializer,
            name="recurrent_kernel", regularizer=self.recurrent_regularizer,
            constraint=self.recurrent_constraint)
        if self.use_bias:
            self.bias = self.add_weight(
                shape=self._bias_shape(), initializer=self._bias_init(), name="bias",
                regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        else:
            self.bias = None
        self.built = True

    # -- dropout masks: one per sequence (the same for every time step), as in Keras -----
    def _make_mask(self, shape, rate, dtype):
        keep = _dropout_rng(self).random(shape) >= rate
        return Tensor(keep.astype(dtype) / dtype.type(1.0 - rate))

    def get_dropout_mask(self, step_input):
        """Returns the input dropout mask (created on first use until ``reset_dropout_mask``)."""
        if self._dropout_mask is None and 0 < self.dropout < 1:
            v = step_input.array
            self.__dict__["_dropout_mask"] = self._make_mask(v.shape, self.dropout, v.dtype)
        return self._dropout_mask

    def get_recurrent_dropout_mask(self, step_state):
        """Returns the recurrent-state dropout mask (created on first use)."""
        if self._rec_dropout_mask is None and 0 < self.recurrent_dropout < 1:
            v = step_state.array
            self.__dict__["_rec_dropout_mask"] = self._make_mask(
                v.shape, self.recurrent_dropout, v.dtype)
        return self._rec_dropout_mask

    def reset_dropout_mask(self):
        """Forgets the input dropout mask, so the next sequence draws a new one."""
        self.__dict__["_dropout_mask"] = None

    def reset_recurrent_dropout_mask(self):
        """Forgets the recurrent dropout mask."""
        self.__dict__["_rec_dropout_mask"] = None

    def get_initial_state(self, batch_size=None):
        """Returns zero states: a list of ``(batch_size, size)`` Tensors."""
        sizes = self.state_size if isinstance(self.state_size, list) else [self.state_size]
        dt = np.dtype(self.compute_dtype)
        return [Tensor(np.zeros((batch_size, s), dtype=dt)) for s in sizes]

    # -- one step, through the same hooks the RNN layer uses -----------------------------
    def call(self, inputs, states, training=False):
        """Computes one time step.

        Args:
          inputs: a ``(batch, features)`` Tensor.
          states: the previous state (a Tensor or a list of Tensors).
          training: whether dropout applies.

        Returns:
          ``(output, new_states)``; ``new_states`` is a list for ``LSTMCell`` and a
          Tensor for the other cells when ``states`` is a Tensor.
        """
        single = not isinstance(states, (list, tuple))
        states = [states] if single else list(states)
        states = [s if type(s) is Tensor else self._convert(s) for s in states]
        rec_mask = None
        if training and 0 < self.dropout < 1:
            inputs = M.multiply(inputs, self.get_dropout_mask(inputs))
        if training and 0 < self.recurrent_dropout < 1:
            rec_mask = self.get_recurrent_dropout_mask(states[0])
        self._prepare()
        proj = self._project(A.expand_dims(inputs, 1))
        out, new = self._step(A.squeeze(proj, 0), states, rec_mask)
        return out, (new[0] if single and len(new) == 1 else new)

    def _prepare(self):
        """Reads the weights once per sequence (slicing kept out of the time loop)."""
        self.__dict__["_w"] = (self.kernel, self.recurrent_kernel, self.bias)

    def _project(self, x):
        kernel, _, bias = self._w
        return _project(x, kernel, bias)

    def get_config(self):
        config = super().get_config()
        config.update({
            "units": self.units, "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": _ser_init(self.kernel_initializer),
            "recurrent_initializer": _ser_init(self.recurrent_initializer),
            "bias_initializer": _ser_init(self.bias_initializer),
            "kernel_regularizer": _ser_reg(self.kernel_regularizer),
            "recurrent_regularizer": _ser_reg(self.recurrent_regularizer),
            "bias_regularizer": _ser_reg(self.bias_regularizer),
            "kernel_constraint": _ser_con(self.kernel_constraint),
            "recurrent_constraint": _ser_con(self.recurrent_constraint),
            "bias_constraint": _ser_con(self.bias_constraint),
            "dropout": self.dropout, "recurrent_dropout": self.recurrent_dropout,
            "seed": self.seed})
        return config


class SimpleRNNCell(_RNNCellBase):
    """Cell of ``SimpleRNN``: ``h = activation(x @ kernel + h_prev @ recurrent_kernel + bias)``.

    Args:
      units: size of the output and the state (positive int).
      activation: default ``"tanh"``.
      use_bias: whether to add ``bias``.
      kernel_initializer / recurrent_initializer / bias_initializer: default
        ``"glorot_uniform"`` / ``"orthogonal"`` / ``"zeros"``.
      dropout / recurrent_dropout: fraction of the inputs / states dropped in training.
      seed: seed of the dropout masks.
    """

    def _step(self, proj_t, states, rec_mask):
        h = states[0]
        if rec_mask is not None:
            h = M.multiply(h, rec_mask)
        y = M.add(proj_t, M.matmul(h, self._w[1]))
        if self.activation is not activations.linear:
            y = self.activation(y)
        return y, [y]


class LSTMCell(_RNNCellBase):
    """Cell of ``LSTM``; gates in Keras's order ``i, f, c, o`` along the kernels' columns.

    ``c = f * c_prev + i * activation(z_c)``, ``h = o * activation(c)`` with
    ``i, f, o = recurrent_activation(z_i, z_f, z_o)``.

    Args:
      units: size of the output and of both states ``[h, c]``.
      activation: default ``"tanh"``; recurrent_activation: default ``"sigmoid"``.
      unit_forget_bias: adds 1 to the forget gate's bias at initialization
        (the bias is then ``[zeros, ones, zeros, zeros]``-initialized per block).
      Other arguments as ``SimpleRNNCell``.
    """

    _gates = 4

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", unit_forget_bias=True, **kwargs):
        super().__init__(units, activation=activation, use_bias=use_bias,
                         kernel_initializer=kernel_initializer,
                         recurrent_initializer=recurrent_initializer,
                         bias_initializer=bias_initializer, **kwargs)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.unit_forget_bias = unit_forget_bias

    @property
    def state_size(self):
        """Returns ``[units, units]`` (the sizes of ``h`` and ``c``)."""
        return [self.units, self.units]

    def _bias_init(self):
        if not self.unit_forget_bias:
            return self.bias_initializer
        init, u = self.bias_initializer, self.units

        def bias_initializer(shape, dtype=None):
            parts = [np.asarray(init((u,), dtype=dtype)), np.ones((u,)),
                     np.asarray(init((2 * u,), dtype=dtype))]
            return np.concatenate(parts).astype(np.dtype(dtype or "float32"))
        return bias_initializer

    def _step(self, proj_t, states, rec_mask):
        h, c = states
        if rec_mask is not None:
            h = M.multiply(h, rec_mask)
        z = M.add(proj_t, M.matmul(h, self._w[1]))
        zi, zf, zc, zo = A.split(z, 4, axis=1)
        ra = self.recurrent_activation
        act = self.activation
        c = M.add(M.multiply(ra(zf), c), M.multiply(ra(zi), act(zc)))
        h = M.multiply(ra(zo), act(c))
        return h, [h, c]

    def get_config(self):
        config = super().get_config()
        config["recurrent_activation"] = activations.serialize(self.recurrent_activation)
        config["unit_forget_bias"] = self.unit_forget_bias
        return config


class GRUCell(_RNNCellBase):
    """Cell of ``GRU``; gates in Keras's order ``z, r, h`` along the kernels' columns.

    ``h = z * h_prev + (1 - z) * activation(x_h + r * (h_prev @ U_h + b_h))`` with
    ``reset_after=True`` (the default; ``bias`` then has shape ``(2, 3 * units)``:
    input bias, recurrent bias), or ``activation(x_h + (r * h_prev) @ U_h)`` without.

    Args:
      units: size of the output and the state.
      activation: default ``"tanh"``; recurrent_activation: default ``"sigmoid"``.
      reset_after: whether the reset gate applies after the recurrent matmul.
      Other arguments as ``SimpleRNNCell``.
    """

    _gates = 3

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", reset_after=True, **kwargs):
        super().__init__(units, activation=activation, use_bias=use_bias,
                         kernel_initializer=kernel_initializer,
                         recurrent_initializer=recurrent_initializer,
                         bias_initializer=bias_initializer, **kwargs)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.reset_after = reset_after

    def _bias_shape(self):
        return (2, 3 * self.units) if self.reset_after else (3 * self.units,)

    def _prepare(self):
        u = self.units
        bias_in = bias_rec = None
        if self.bias is not None:
            if self.reset_after:
                bias_in, bias_rec = A.unstack(self.bias, 2, axis=0)
            else:
                bias_in = self.bias
        rk = self.recurrent_kernel
        if self.reset_after:
            rk_zr, rk_h = rk, None
        else:
            rk_zr, rk_h = A.split(rk, [2 * u, u], axis=1)
        self.__dict__["_w"] = (self.kernel, rk_zr, bias_in, bias_rec, rk_h)

    def _project(self, x):
        return _project(x, self._w[0], self._w[2])

    def _step(self, proj_t, states, rec_mask):
        h_prev = states[0]
        h = h_prev if rec_mask is None else M.multiply(h_prev, rec_mask)
        _, rk_zr, _, bias_rec, rk_h = self._w
        xz, xr, xh = A.split(proj_t, 3, axis=1)
        ra = self.recurrent_activation
        rec = M.matmul(h, rk_zr)
        if self.reset_after:
            if bias_rec is not None:
                rec = M.add(rec, bias_rec)
            rz, rr, rh = A.split(rec, 3, axis=1)
            z = ra(M.add(xz, rz))
            r = ra(M.add(xr, rr))
            hh = M.add(xh, M.multiply(r, rh))
        else:
            rz, rr = A.split(rec, 2, axis=1)
            z = ra(M.add(xz, rz))
            r = ra(M.add(xr, rr))
            hh = M.add(xh, M.matmul(M.multiply(r, h), rk_h))
        hh = self.activation(hh)
        # h = z * h_prev + (1 - z) * hh, written as hh + z * (h_prev - hh): one op fewer.
        # As in Keras, the mix uses the state before recurrent dropout.
        out = M.add(hh, M.multiply(z, M.subtract(h_prev, hh)))
        return out, [out]

    def get_config(self):
        config = super().get_config()
        config["recurrent_activation"] = activations.serialize(self.recurrent_activation)
        config["reset_after"] = self.reset_after
        return config


__all__ = ["SimpleRNNCell", "LSTMCell", "GRUCell"]
