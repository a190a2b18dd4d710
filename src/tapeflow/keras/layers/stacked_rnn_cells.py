"""``StackedRNNCells``: several recurrent cells run as one, each feeding the next.

``keras.layers.RNN(StackedRNNCells([...]))`` (or ``RNN([cell, cell])``) runs a deep
recurrent network step by step. As in Keras 3, ``state_size`` is the list of the cells'
state sizes (nested: ``[[4, 4], 3]`` for an LSTM cell then a GRU cell), the output is
the last cell's, and the returned states keep one entry per cell.
"""
from tapeflow.keras.layers.layer import Layer


def _sizes(cell):
    size = cell.state_size
    return list(size) if isinstance(size, (list, tuple)) else [size]


class StackedRNNCells(Layer):
    """Wraps a list of RNN cells so that they behave as a single cell.

    Args:
      cells: list of cells (layers with ``call(inputs, states)`` and ``state_size``).

    Returns (call): ``(output, new_states)`` with ``new_states`` one list per cell.
    """

    def __init__(self, cells, **kwargs):
        super().__init__(**kwargs)
        for cell in cells:
            if "call" not in dir(cell):
                raise ValueError("All cells must have a `call` method. "
                                 f"Received cell without a `call` method: {cell}")
            if "state_size" not in dir(cell):
                raise ValueError("All cells must have a `state_size` attribute. "
                                 f"Received cell without a `state_size`: {cell}")
        self.cells = list(cells)

    @property
    def state_size(self):
        """Returns the list of the cells' state sizes."""
        return [c.state_size for c in self.cells]

    @property
    def output_size(self):
        """Returns the last cell's output size."""
        last = self.cells[-1]
        size = getattr(last, "output_size", None)
        return size if size is not None else _sizes(last)[0]

    # RNN runs on a flat list of states; these map between it and the per-cell lists.
    def _flat_state_sizes(self):
        return [s for c in self.cells for s in _sizes(c)]

    def _nest_states(self, flat):
        """Returns ``flat`` states as one list per cell."""
        out, i = [], 0
        for c in self.cells:
            n = len(_sizes(c))
            out.append(list(flat[i:i + n]))
            i += n
        return out

    @staticmethod
    def _flatten_states(states):
        flat = []
        for s in states:
            if isinstance(s, (list, tuple)):
                flat.extend(StackedRNNCells._flatten_states(s))
            else:
                flat.append(s)
        return flat

    def get_initial_state(self, batch_size=None):
        """Returns zero states, one list per cell."""
        states = []
        for c in self.cells:
            if hasattr(c, "get_initial_state"):
                s = c.get_initial_state(batch_size=batch_size)
                states.append(list(s) if isinstance(s, (list, tuple)) else [s])
            else:
                import numpy as np
                from tapeflow.framework.tensor import Tensor
                states.append([Tensor(np.zeros((batch_size, d), dtype=self.compute_dtype))
                               for d in _sizes(c)])
        return states

    def build(self, input_shape):
        shape = tuple(input_shape)
        for cell in self.cells:
            if not cell.built:
                cell._build_with(shape)
            size = getattr(cell, "output_size", None)
            size = size if size is not None else _sizes(cell)[0]
            shape = tuple(shape[:-1]) + (size,)
        self.built = True

    def call(self, inputs, states, training=False):
        flat = self._flatten_states(states)
        nested = self._nest_states(flat)
        new_states = []
        x = inputs
        for cell, cell_states in zip(self.cells, nested):
            x, new = cell(x, cell_states, training=training)
            new_states.append(list(new) if isinstance(new, (list, tuple)) else [new])
        return x, new_states

    def get_config(self):
        from tapeflow.keras.saving.serialization import serialize_keras_object
        config = super().get_config()
        config["cells"] = [serialize_keras_object(c) for c in self.cells]
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from tapeflow.keras.saving.serialization import deserialize_keras_object
        config = dict(config)
        cells = [deserialize_keras_object(c, custom_objects=custom_objects)
                 for c in config.pop("cells")]
        return cls(cells, **config)
