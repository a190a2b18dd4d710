"""Recurrent layers: the ``RNN`` wrapper that runs a cell over time, and ``SimpleRNN``,
``LSTM`` and ``GRU``.

The time loop is a Python loop over steps; each step is whole-batch work through
tapeflow ops, so a ``GradientTape`` differentiates the unrolled computation. The
input projections of all steps are one matmul before the loop (see ``rnn_cells``).
"""
import numpy as np

from tapeflow.framework.tensor import Tensor
from tapeflow.keras.layers.input_spec import InputSpec
from tapeflow.keras.layers.layer import Layer
from tapeflow.keras.layers.rnn_cells import GRUCell, LSTMCell, SimpleRNNCell
from tapeflow.keras import activations
from tapeflow.ops import array_ops as A
from tapeflow.ops import math_ops as M
from tapeflow.ops import rnn_ops

# The built-in LSTM's time loop as one fused op (``ops.rnn_ops``); False runs the
# step-by-step loop of tapeflow ops (the reference the fused op is tested against).
FUSED = True


def _state_sizes(cell):
    size = cell.state_size
    return list(size) if isinstance(size, (list, tuple)) else [size]


def _output_size(cell):
    size = getattr(cell, "output_size", None)
    return _state_sizes(cell)[0] if size is None else size


def _mask_array(mask):
    if mask is None:
        return None
    if isinstance(mask, (list, tuple)):
        mask = mask[0]
        if mask is None:
            return None
    v = mask.array if type(mask) is Tensor else np.asarray(mask)
    return v.astype(bool)


class RNN(Layer):
    """Runs a recurrent cell over the time axis of ``(batch, time, features)`` inputs.

    Args:
      cell: a cell (``SimpleRNNCell``, ``LSTMCell``, ``GRUCell``, or any layer with
        ``call(inputs, states)`` returning ``(output, new_states)`` and a ``state_size``).
      return_sequences: return the output of every step ``(batch, time, units)``
        instead of the last one ``(batch, units)``.
      return_state: also return the final states (``[output] + states``).
      go_backwards: process the sequence in reverse (the returned sequence is then
        in reverse order too).
      stateful: keep the final states of a batch as the initial states of the next.
      unroll: accepted for compatibility (the loop is always a Python loop).
      zero_output_for_mask: output zeros at masked steps instead of repeating the
        previous output.
    """

    def __init__(self, cell, return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, unroll=False, zero_output_for_mask=False, **kwargs):
        if isinstance(cell, (list, tuple)):
            raise ValueError("Stacked cells (a list of cells) are not supported; stack RNN "
                             f"layers instead. Received: cell={cell}")
        if not hasattr(cell, "call") or not hasattr(cell, "state_size"):
            raise ValueError("Argument `cell` should have a `call` method and a `state_size` "
                             f"attribute. Received: cell={cell}")
        super().__init__(**kwargs)
        self.cell = cell
        self.return_sequences = return_sequences
        self.return_state = return_state
        self.go_backwards = go_backwards
        self.stateful = stateful
        self.unroll = unroll
        self.zero_output_for_mask = zero_output_for_mask
        self.supports_masking = True
        self.input_spec = None
        self.__dict__["states"] = None
        size = cell.state_size
        if not isinstance(size, (list, tuple, int)):
            raise ValueError("state_size must be an integer, or a list/tuple of integers "
                             "(one for each state tensor).")

    def build(self, sequences_shape, initial_state_shape=None):
        if isinstance(sequences_shape, list) and sequences_shape and \
                isinstance(sequences_shape[0], (list, tuple)):
            sequences_shape = sequences_shape[0]
        if not self.cell.built:
            step_shape = (sequences_shape[0],) + tuple(sequences_shape[2:])
            self.cell._build_with(step_shape)
        if self.stateful:
            if sequences_shape[0] is None:
                raise ValueError("When using `stateful=True` in a RNN, the batch size must be "
                                 f"static. Found dynamic batch size: "
                                 f"sequence.shape={tuple(sequences_shape)}")
            self.__dict__["states"] = self.get_initial_state(sequences_shape[0])
        self.built = True

    # -- states ------------------------------------------------------------------------
    def get_initial_state(self, batch_size):
        """Returns zero initial states, one ``(batch_size, size)`` Tensor per state."""
        dt = np.dtype(self.compute_dtype)
        return [Tensor(np.zeros((batch_size, s), dtype=dt)) for s in _state_sizes(self.cell)]

    def reset_states(self):
        """Zeroes the kept states of a stateful layer."""
        if self.states is not None:
            self.__dict__["states"] = [Tensor(np.zeros_like(s.array)) for s in self.states]

    reset_state = reset_states

    def _initial_states(self, initial_state, batch):
        if initial_state is not None:
            states = list(initial_state) if isinstance(initial_state, (list, tuple)) \
                else [initial_state]
            n = len(_state_sizes(self.cell))
            if len(states) != n:
                raise ValueError(f"Layer {self.name} expects {n} state(s), but it received "
                                 f"{len(states)} initial state(s). Received: "
                                 f"initial_state={initial_state}")
            return [self._convert(s) for s in states]
        if self.stateful and self.states is not None:
            return list(self.states)
        return self.get_initial_state(batch)

    # -- the time loop --------------------------------------------------------------------
    def call(self, sequences, initial_state=None, mask=None, training=False):
        x = sequences
        batch, steps = x.array.shape[0], x.array.shape[1]
        states = self._initial_states(initial_state, batch)
        mask = _mask_array(mask)
        cell = self.cell
        fused = self._fusable(cell, training)
        if fused:
            y, states = self._run_fused(cell, x, states, mask, training, batch, steps)
        else:
            if self.go_backwards:
                x = A.reverse(x, [1])
                if mask is not None:
                    mask = mask[:, ::-1]
            if hasattr(cell, "_step"):
                outputs, states = self._run_builtin(cell, x, states, mask, training)
            else:
                outputs, states = self._run_generic(cell, x, states, mask, training)
        if self.stateful:
            self.__dict__["states"] = [Tensor(s.array) for s in states]
        if not steps:
            output = Tensor(np.zeros((batch, 0, _output_size(cell)), dtype=x.array.dtype)) \
                if self.return_sequences else states[0]
        elif self.return_sequences:
            output = A.transpose(y, (1, 0, 2)) if fused else A.stack(outputs, axis=1)
        else:
            output = y[steps - 1] if fused else outputs[-1]
        if self.return_state:
            return (output, *states)
        return output

    @staticmethod
    def _fusable(cell, training):
        """True for a ``SimpleRNNCell`` (tanh), ``LSTMCell`` or (``reset_after``) ``GRUCell``
        the fused ops compute exactly: tanh/sigmoid, no recurrent dropout in training (input
        dropout is applied before the projection)."""
        kind = type(cell)
        if not FUSED or kind not in (SimpleRNNCell, LSTMCell, GRUCell) or \
                cell.activation is not activations.tanh or \
                (training and 0 < cell.recurrent_dropout < 1):
            return False
        if kind is SimpleRNNCell:
            return True
        return ((kind is LSTMCell or (kind is GRUCell and cell.reset_after))
                and cell.recurrent_activation is activations.sigmoid)

    def _run_fused(self, cell, x, states, mask, training, b, t):
        """The whole loop as one op: projections of all steps in one GEMM, then
        ``rnn_ops.lstm_sequence`` / ``gru_sequence`` / ``simple_rnn_sequence``.

        Returns ``(y time-major, states)``."""
        x = self._input_dropout(cell, x, training)
        gru = type(cell) is GRUCell
        kernel, rec, bias = cell.kernel, cell.recurrent_kernel, cell.bias
        bias_rec = None
        if gru and bias is not None:
            bias, bias_rec = A.unstack(bias, 2, axis=0)
        # Projections of all steps in one GEMM on the batch-major input (no copy of x);
        # the kernel reads the (batch, time, gates) result through a time-major view,
        # last step first for go_backwards.
        proj = M.matmul(A.reshape(x, (b * t, -1)), kernel)
        if bias is not None:
            proj = M.add(proj, bias)
        proj = A.transpose(A.reshape(proj, (b, t, -1)), (1, 0, 2))
        if mask is not None:
            mask = (mask[:, ::-1] if self.go_backwards else mask).T
        if type(cell) is SimpleRNNCell:
            y, h = rnn_ops.simple_rnn_sequence(proj, states[0], rec, mask,
                                               self.zero_output_for_mask,
                                               reverse=self.go_backwards)
            return y, [h]
        if gru:
            if bias_rec is None:
                bias_rec = Tensor(np.zeros(3 * cell.units, dtype=np.dtype(self.compute_dtype)))
            y, h = rnn_ops.gru_sequence(proj, states[0], rec, bias_rec, mask,
                                        self.zero_output_for_mask, reverse=self.go_backwards)
            return y, [h]
        y, h, c = rnn_ops.lstm_sequence(proj, states[0], states[1], rec, mask,
                                        self.zero_output_for_mask, reverse=self.go_backwards)
        return y, [h, c]

    @staticmethod
    def _input_dropout(cell, x, training):
        """``x`` times one input dropout mask per sequence (the same for every step)."""
        if training and 0 < cell.dropout < 1:
            dp = cell._make_mask((x.array.shape[0], x.array.shape[2]), cell.dropout,
                                 x.array.dtype)
            x = M.multiply(x, A.expand_dims(dp, 1))
        return x

    def _run_builtin(self, cell, x, states, mask, training):
        rec_mask = None
        x = self._input_dropout(cell, x, training)
        if training and 0 < cell.recurrent_dropout < 1:
            rec_mask = cell._make_mask(states[0].array.shape, cell.recurrent_dropout,
                                       states[0].array.dtype)
        cell._prepare()
        try:
            steps = A.unstack(cell._project(x), axis=0) if x.array.shape[1] else []
            return self._loop(lambda t, p, s: cell._step(p, s, rec_mask), steps, states, mask)
        finally:
            cell.__dict__["_w"] = None  # drop references to this call's tensors

    def _run_generic(self, cell, x, states, mask, training):
        steps = A.unstack(x, axis=1) if x.array.shape[1] else []

        def step(t, x_t, s):
            # As in Keras, the cell always receives its states as a list.
            out, new = cell(x_t, list(s), training=training)
            return out, (list(new) if isinstance(new, (list, tuple)) else [new])
        try:
            return self._loop(step, steps, states, mask)
        finally:
            for reset in ("reset_dropout_mask", "reset_recurrent_dropout_mask"):
                if hasattr(cell, reset):
                    getattr(cell, reset)()

    def _loop(self, step, inputs, states, mask):
        """Runs ``step`` over time; masked steps keep the states (and the previous output)."""
        outputs = []
        prev = None
        for t, x_t in enumerate(inputs):
            out, new = step(t, x_t, states)
            if mask is not None:
                m = Tensor(mask[:, t:t + 1])
                new = [M.where_(m, n, s) for n, s in zip(new, states)]
                if prev is None or self.zero_output_for_mask:
                    prev = Tensor(np.zeros_like(out.array))
                out = M.where_(m, out, prev)
                prev = out
            states = new
            outputs.append(out)
        return outputs, states

    # -- shapes and masks ---------------------------------------------------------------------
    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        batch, steps = sequences_shape[0], sequences_shape[1]
        units = _output_size(self.cell)
        out = (batch, steps, units) if self.return_sequences else (batch, units)
        if self.return_state:
            return (out, *[(batch, s) for s in _state_sizes(self.cell)])
        return out

    def compute_mask(self, inputs, mask=None):
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        out_mask = mask if self.return_sequences else None
        if self.return_state:
            return [out_mask] + [None] * len(_state_sizes(self.cell))
        return out_mask

    def get_config(self):
        config = super().get_config()
        config.update({
            "return_sequences": self.return_sequences, "return_state": self.return_state,
            "go_backwards": self.go_backwards, "stateful": self.stateful,
            "unroll": self.unroll, "zero_output_for_mask": self.zero_output_for_mask})
        from tapeflow.keras.saving.serialization import serialize_keras_object
        config["cell"] = serialize_keras_object(self.cell)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        from tapeflow.keras.saving.serialization import deserialize_keras_object
        cell = deserialize_keras_object(config.pop("cell"), custom_objects=custom_objects)
        return cls(cell, **config)


_CELL_ARGS = ("units", "activation", "use_bias", "kernel_initializer", "recurrent_initializer",
              "bias_initializer", "kernel_regularizer", "recurrent_regularizer",
              "bias_regularizer", "kernel_constraint", "recurrent_constraint",
              "bias_constraint", "dropout", "recurrent_dropout", "seed")


class _CellLayer(RNN):
    """An RNN layer that owns its cell: the cell's arguments are the layer's."""

    _cell_class = None
    _extra_cell_args = ()

    def __init__(self, units, return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, unroll=False, zero_output_for_mask=False, name=None,
                 dtype=None, trainable=True, activity_regularizer=None, **kwargs):
        cell_kwargs = {k: kwargs.pop(k) for k in _CELL_ARGS + self._extra_cell_args
                       if k in kwargs}
        use_cudnn = kwargs.pop("use_cudnn", "auto")
        if use_cudnn not in ("auto", True, False):
            raise ValueError("Invalid valid received for argument `use_cudnn`. Expected one of "
                             f"{{'auto', True, False}}. Received: use_cudnn={use_cudnn}")
        kwargs.pop("implementation", None)
        cell = self._cell_class(units, dtype=dtype, trainable=trainable,
                                name=self._cell_name, **cell_kwargs)
        super().__init__(cell, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful, unroll=unroll,
                         zero_output_for_mask=zero_output_for_mask, name=name, dtype=dtype,
                         trainable=trainable, activity_regularizer=activity_regularizer,
                         **kwargs)
        self.input_spec = InputSpec(ndim=3)

    def __getattr__(self, name):
        # The cell's arguments read through the layer: ``lstm.units``, ``lstm.kernel``...
        if name.startswith("__") or "cell" not in self.__dict__:
            raise AttributeError(name)
        cell = self.__dict__["cell"]
        if name in _CELL_ARGS + self._extra_cell_args or name in (
                "kernel", "recurrent_kernel", "bias"):
            return getattr(cell, name)
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def get_config(self):
        config = super().get_config()
        cell_config = config.pop("cell")["config"]
        config.pop("activity_regularizer", None)
        for k in self._config_keys:  # Keras 3's keys, in its order
            if k == "activity_regularizer":
                from tapeflow.keras import regularizers
                config[k] = regularizers.serialize(self.activity_regularizer)
            else:
                config[k] = cell_config[k]
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        return cls(**config)


class SimpleRNN(_CellLayer):
    """Fully connected RNN: ``h_t = activation(x_t @ kernel + h_{t-1} @ recurrent_kernel + b)``.

    Args:
      units: output size.
      activation: default ``"tanh"``.
      use_bias, kernel_initializer (``"glorot_uniform"``), recurrent_initializer
        (``"orthogonal"``), bias_initializer (``"zeros"``), *_regularizer,
        *_constraint, dropout, recurrent_dropout, seed: as ``SimpleRNNCell``.
      return_sequences, return_state, go_backwards, stateful, unroll: as ``RNN``.

    Returns (when called):
      ``(batch, units)``, or ``(batch, time, units)`` with ``return_sequences``;
      with ``return_state`` also the final state.
    """

    _cell_class = SimpleRNNCell
    _cell_name = "simple_rnn_cell"
    _config_keys = ("units", "activation", "use_bias", "kernel_initializer",
                    "recurrent_initializer", "bias_initializer", "kernel_regularizer",
                    "recurrent_regularizer", "bias_regularizer", "activity_regularizer",
                    "kernel_constraint", "recurrent_constraint", "bias_constraint", "dropout",
                    "recurrent_dropout")


class LSTM(_CellLayer):
    """Long Short-Term Memory layer (Hochreiter 1997); states ``[h, c]``.

    Args:
      units: output size.
      activation: default ``"tanh"``; recurrent_activation: default ``"sigmoid"``.
      unit_forget_bias: default True (forget-gate bias initialized to 1).
      use_cudnn: accepted and ignored.
      Other arguments as ``SimpleRNN``.

    Returns (when called):
      the output, and with ``return_state`` the final ``h`` and ``c``.
    """

    _cell_class = LSTMCell
    _cell_name = "lstm_cell"
    _extra_cell_args = ("recurrent_activation", "unit_forget_bias")
    _config_keys = ("units", "activation", "recurrent_activation", "use_bias",
                    "kernel_initializer", "recurrent_initializer", "bias_initializer",
                    "unit_forget_bias", "kernel_regularizer", "recurrent_regularizer",
                    "bias_regularizer", "activity_regularizer", "kernel_constraint",
                    "recurrent_constraint", "bias_constraint", "dropout", "recurrent_dropout",
                    "seed")


class GRU(_CellLayer):
    """Gated Recurrent Unit (Cho et al. 2014), Keras's ``reset_after=True`` variant by default.

    Args:
      units: output size.
      activation: default ``"tanh"``; recurrent_activation: default ``"sigmoid"``.
      reset_after: default True (bias of shape ``(2, 3 * units)``).
      use_cudnn: accepted and ignored.
      Other arguments as ``SimpleRNN``.

    Returns (when called):
      the output, and with ``return_state`` the final state.
    """

    _cell_class = GRUCell
    _cell_name = "gru_cell"
    _extra_cell_args = ("recurrent_activation", "reset_after")
    _config_keys = ("units", "activation", "recurrent_activation", "use_bias",
                    "kernel_initializer", "recurrent_initializer", "bias_initializer",
                    "kernel_regularizer", "recurrent_regularizer", "bias_regularizer",
                    "activity_regularizer", "kernel_constraint", "recurrent_constraint",
                    "bias_constraint", "dropout", "recurrent_dropout", "reset_after", "seed")


__all__ = ["RNN", "SimpleRNN", "LSTM", "GRU", "SimpleRNNCell", "LSTMCell", "GRUCell"]
