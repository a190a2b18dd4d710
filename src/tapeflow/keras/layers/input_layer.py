"""``keras.Input`` and ``InputLayer``: the entry points of a functional model."""
from tapeflow.keras import backend
from tapeflow.keras.layers.layer import Layer
from tapeflow.keras.keras_tensor import KerasHistory, KerasTensor
from tapeflow.keras.layers.node import Node


class InputLayer(Layer):
    """The layer behind ``keras.Input``: holds the symbolic input tensor.

    Args:
      shape: the shape without the batch dimension.
      batch_size: optional fixed batch size.
      dtype: the input dtype (default ``floatx()``).
      batch_shape: the full shape, instead of ``shape``/``batch_size``.
      name: the layer's (and tensor's) name (default ``input_layer``, ``input_layer_1``, ...).
    """

    def __init__(self, shape=None, batch_size=None, dtype=None, sparse=None, batch_shape=None,
                 input_tensor=None, optional=False, name=None, ragged=None, **kwargs):
        if ragged:   # Keras 3 writes "ragged": false in every InputLayer config
            raise ValueError("tapeflow has no ragged tensors: InputLayer(ragged=True) is not "
                             "supported.")
        if "input_shape" in kwargs:  # Keras 2's name for `shape`
            shape = kwargs.pop("input_shape")
        if "batch_input_shape" in kwargs:
            batch_shape = kwargs.pop("batch_input_shape")
        super().__init__(name=name, **kwargs)
        if shape is not None and batch_shape is not None:
            raise ValueError("You cannot pass both `shape` and `batch_shape` at the same time.")
        if batch_shape is None:
            if shape is None:
                raise ValueError("You must pass a `shape` argument.")
            if isinstance(shape, int):
                shape = (shape,)
            batch_shape = (batch_size,) + tuple(shape)
        self.batch_shape = tuple(None if d is None else int(d) for d in batch_shape)
        self._dtype = backend.standardize_dtype(dtype)
        self.sparse = bool(sparse)
        self.optional = optional
        self.built = True
        if input_tensor is not None:
            kt = input_tensor
        else:
            kt = KerasTensor(self.batch_shape, dtype=self._dtype, sparse=self.sparse,
                             name=self.name)
        kt._keras_history = KerasHistory(self, 0, 0)
        node = Node(self, (), {}, kt)
        kt._node = node
        self._inbound_nodes.append(node)
        self.__dict__["_input_tensor"] = kt

    def call(self, inputs):
        return inputs

    @property
    def output(self):
        """Returns the symbolic tensor this layer holds."""
        return self._input_tensor

    def get_config(self):
        return {"batch_shape": self.batch_shape, "dtype": self._dtype, "sparse": self.sparse,
                "name": self.name}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def Input(shape=None, batch_size=None, dtype=None, sparse=None, batch_shape=None, name=None,
          tensor=None, optional=False):
    """Returns a symbolic ``KerasTensor`` to start a functional model.

    >>> from tapeflow import keras
    >>> x = keras.Input(shape=(3,))
    >>> x.shape
    (None, 3)

    Returns:
      The KerasTensor held by a new ``InputLayer``.
    """
    layer = InputLayer(shape=shape, batch_size=batch_size, dtype=dtype, sparse=sparse,
                       batch_shape=batch_shape, name=name, input_tensor=tensor,
                       optional=optional)
    return layer.output
