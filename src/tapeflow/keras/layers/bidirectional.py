"""``keras.layers.Bidirectional``: runs a recurrent layer forwards and a copy backwards,
and merges their outputs."""
from tapeflow.keras.layers.layer import Layer
from tapeflow.ops import array_ops as A
from tapeflow.ops import math_ops as M

_MERGE_MODES = ("sum", "mul", "ave", "concat", None)


def _strip(name, prefix):
    return name[len(prefix):] if name.startswith(prefix) else name


def _recreate(layer, name, **overrides):
    config = layer.get_config()
    config.update(overrides)
    config["name"] = name
    return type(layer).from_config(config)


class Bidirectional(Layer):
    """Bidirectional wrapper for RNNs.

    The forward layer is a fresh copy of ``layer`` (named ``forward_<name>``); the
    backward layer is ``backward_layer`` or a copy with ``go_backwards`` flipped
    (``backward_<name>``). With ``return_sequences`` the backward outputs are
    reversed back into time order before merging.

    Args:
      layer: an ``RNN`` layer (``LSTM``, ``GRU``, ``SimpleRNN``, ``RNN``).
      merge_mode: ``"concat"`` (default), ``"sum"``, ``"mul"``, ``"ave"``, or None
        (return ``[forward, backward]``).
      weights: optional initial weights (forward then backward).
      backward_layer: optional layer for the backward direction.

    Raises:
      ValueError: for a non-layer argument, an unknown ``merge_mode``, or a backward
        layer whose settings do not match.
    """

    def __init__(self, layer, merge_mode="concat", weights=None, backward_layer=None,
                 **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError("Please initialize `Bidirectional` layer with a "
                             f"`keras.layers.Layer` instance. Received: {layer}")
        if backward_layer is not None and not isinstance(backward_layer, Layer):
            raise ValueError("`backward_layer` need to be a `keras.layers.Layer` instance. "
                             f"Received: {backward_layer}")
        if merge_mode not in _MERGE_MODES:
            raise ValueError(f"Invalid merge mode. Received: {merge_mode}. Merge mode should "
                             "be one of {'sum', 'mul', 'ave', 'concat', None}")
        super().__init__(**kwargs)
        self.forward_layer = _recreate(layer, "forward_" + _strip(layer.name, "forward_"))
        if backward_layer is None:
            self.backward_layer = _recreate(
                layer, "backward_" + _strip(layer.name, "backward_"),
                go_backwards=True)
        else:
            self.backward_layer = backward_layer
        self._verify()
        for sub in (self.forward_layer, self.backward_layer):
            # Keras: masked steps give zeros when the whole sequence is returned.
            if getattr(sub, "zero_output_for_mask", None) is not None:
                sub.zero_output_for_mask = sub.return_sequences
        self.merge_mode = merge_mode
        self.stateful = layer.stateful
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state
        self.supports_masking = True
        self.input_spec = layer.input_spec
        self.__dict__["_initial_weights"] = weights

    def _verify(self):
        fw, bw = self.forward_layer, self.backward_layer
        if fw.go_backwards == bw.go_backwards:
            raise ValueError("Forward layer and backward layer should have different "
                             "`go_backwards` value. Received: forward_layer.go_backwards "
                             f"{fw.go_backwards}, backward_layer.go_backwards="
                             f"{bw.go_backwards}")
        for attr in ("stateful", "return_sequences", "return_state"):
            a, b = getattr(fw, attr), getattr(bw, attr)
            if a != b:
                raise ValueError("Forward layer and backward layer are expected to have the "
                                 f'same value for attribute "{attr}", got "{a}" for forward '
                                 f'layer and "{b}" for backward layer')

    def build(self, sequences_shape, initial_state_shape=None):
        if not self.forward_layer.built:
            self.forward_layer._build_with(sequences_shape)
        if not self.backward_layer.built:
            self.backward_layer._build_with(sequences_shape)
        self.built = True

    def call(self, sequences, initial_state=None, mask=None, training=None):
        fw_kwargs = {"mask": mask, "training": training}
        bw_kwargs = dict(fw_kwargs)
        if initial_state is not None:
            half = len(initial_state) // 2
            fw_kwargs["initial_state"] = list(initial_state[:half])
            bw_kwargs["initial_state"] = list(initial_state[half:])
        y = self.forward_layer(sequences, **fw_kwargs)
        y_rev = self.backward_layer(sequences, **bw_kwargs)
        states = ()
        if self.return_state:
            states = tuple(y[1:]) + tuple(y_rev[1:])
            y, y_rev = y[0], y_rev[0]
        if self.return_sequences:
            y_rev = A.reverse(y_rev, [1])
        mode = self.merge_mode
        if mode == "concat":
            output = A.concat([y, y_rev], axis=-1)
        elif mode == "sum":
            output = M.add(y, y_rev)
        elif mode == "ave":
            output = M.divide(M.add(y, y_rev), y.array.dtype.type(2))
        elif mode == "mul":
            output = M.multiply(y, y_rev)
        else:
            output = (y, y_rev)
        if self.return_state:
            return (output if mode is None else (output,)) + states
        return output

    def reset_states(self):
        """Resets the states of both directions.

        Raises:
          AttributeError: if the layer is not stateful.
        """
        if not self.stateful:
            raise AttributeError("Layer must be stateful.")
        self.forward_layer.reset_states()
        self.backward_layer.reset_states()

    reset_state = reset_states

    @property
    def states(self):
        """Returns the kept states of both directions (stateful layers), else None."""
        fw, bw = self.forward_layer.states, self.backward_layer.states
        if fw and bw:
            return tuple(fw) + tuple(bw)
        return None

    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        shape = self.forward_layer.compute_output_shape(sequences_shape)
        states = []
        if self.return_state:
            shape, states = shape[0], list(shape[1:])
        shape = tuple(shape)
        if self.merge_mode == "concat":
            out = shape[:-1] + (shape[-1] * 2,)
        elif self.merge_mode is None:
            out = (shape, shape)
        else:
            out = shape
        if self.return_state:
            return (out if self.merge_mode is None else (out,)) + tuple(states) * 2
        return out

    def compute_mask(self, inputs, mask=None):
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        if self.return_sequences:
            out_mask = [mask, mask] if self.merge_mode is None else mask
        else:
            out_mask = [None, None] if self.merge_mode is None else None
        if self.return_state:
            n = 2 * len(self.forward_layer.cell.state_size) if isinstance(
                self.forward_layer.cell.state_size, (list, tuple)) else 2
            head = out_mask if isinstance(out_mask, list) else [out_mask]
            return head + [None] * n
        return out_mask

    def get_config(self):
        from tapeflow.keras.saving.serialization import serialize_keras_object
        config = super().get_config()
        config["merge_mode"] = self.merge_mode
        config["layer"] = serialize_keras_object(self.forward_layer)
        config["backward_layer"] = serialize_keras_object(self.backward_layer)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from tapeflow.keras.saving.serialization import deserialize_keras_object
        config = dict(config)
        config["layer"] = deserialize_keras_object(config["layer"],
                                                   custom_objects=custom_objects)
        backward = config.pop("backward_layer", None)
        if backward is not None:
            backward = deserialize_keras_object(backward, custom_objects=custom_objects)
        return cls(backward_layer=backward, **config)


__all__ = ["Bidirectional"]
