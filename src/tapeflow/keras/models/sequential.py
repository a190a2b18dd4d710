"""``keras.Sequential``: a plain stack of layers, each with one input and one output.

As in Keras 3, a Sequential model is a ``Model`` that, once built (given a ``keras.Input``
or an input shape), holds a ``Functional`` model over its layers (``_functional``) and runs
through it; unbuilt, it calls its layers one by one.
"""
from tapeflow.keras.layers.input_layer import InputLayer
from tapeflow.keras.layers.layer import Layer, _standard_shape
from tapeflow.keras.keras_tensor import KerasTensor
from tapeflow.keras.models.model import Model


class Sequential(Model):
    """A linear stack of layers.

    >>> from tapeflow import keras
    >>> model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(2)])
    >>> model.output_shape
    (None, 2)

    With a leading ``keras.Input`` (or a first layer given ``input_shape=``)
    the model is built at once; otherwise on ``build(input_shape)`` or the
    first call. ``layers`` does not include the InputLayer.

    Args:
      layers: optional list of layers.
      trainable: whether the weights are trained.
      name: the model's name (default ``sequential``, ``sequential_1``, ...).
    """

    _functional = None   # the Functional over the layers, once built

    def __init__(self, layers=None, trainable=True, name=None):
        Model.__init__(self, trainable=trainable, name=name)
        self._seq_layers = []
        self.__dict__["_functional"] = None   # not a tracked sublayer: its layers are ours
        for layer in layers or []:
            self.add(layer, rebuild=False)
        self._maybe_rebuild()

    def add(self, layer, rebuild=True):
        """Appends a layer (or a ``keras.Input``) to the stack.

        Raises:
          ValueError: for a non-layer, or an input layer that is not first.
        """
        if isinstance(layer, KerasTensor) and layer._keras_history is not None:
            layer = layer._keras_history.operation
        if not isinstance(layer, Layer):
            raise ValueError("Only instances of `keras.Layer` can be added to a Sequential "
                             f"model. Received: {layer} (of type {type(layer)})")
        if any(layer.name == other.name and other is not layer for other in self._seq_layers):
            raise ValueError("All layers added to a Sequential model should have unique names. "
                             f"Name '{layer.name}' is already the name of a layer in this "
                             "model. Update the `name` argument to pass a unique name.")
        if isinstance(layer, InputLayer):
            if self._seq_layers and isinstance(self._seq_layers[0], InputLayer):
                raise ValueError(f"Sequential model '{self.name}' has already been configured "
                                 f"to use input shape {self._seq_layers[0].batch_shape}. You "
                                 f"cannot add a different Input layer to it.")
            if self._seq_layers:
                raise ValueError("An InputLayer can only be the first layer of a Sequential "
                                 "model.")
        elif not self._seq_layers and layer._input_shape_arg is not None:
            self._seq_layers.append(InputLayer(shape=layer._input_shape_arg))
        self._seq_layers.append(layer)
        if rebuild:
            self._maybe_rebuild()
        else:
            self.built = False

    def pop(self, rebuild=True):
        """Removes and returns the last layer.

        Raises:
          IndexError: if there are no layers.
        """
        layers = self.layers
        if not layers:
            raise IndexError("There are no layers in the model.")
        layer = self._seq_layers.pop()
        if rebuild:
            self._maybe_rebuild()
        return layer

    def _maybe_rebuild(self):
        self._drop_graph()
        self.built = False
        if self._seq_layers and isinstance(self._seq_layers[0], InputLayer) and \
                len(self._seq_layers) > 1:
            self.build(self._seq_layers[0].batch_shape)

    @property
    def _graph(self):
        """The graph of the built model's Functional (None while unbuilt)."""
        functional = self._functional
        return functional._graph if functional is not None else None

    def _drop_graph(self):
        graph = self._graph
        if graph is not None:
            for layer in graph.operations:
                if not isinstance(layer, InputLayer):
                    layer._inbound_nodes[:] = [n for n in layer._inbound_nodes
                                               if n not in graph.node_set]
        self.__dict__["_functional"] = None

    def build(self, input_shape=None):
        """Builds the model for inputs of ``input_shape`` (batch dimension included)."""
        from tapeflow.keras.models.functional import Functional
        if input_shape is None:
            if self._seq_layers and isinstance(self._seq_layers[0], InputLayer):
                input_shape = self._seq_layers[0].batch_shape
            else:
                raise ValueError("You must provide an `input_shape` argument.")
        if not isinstance(input_shape, (tuple, list)) or (
                input_shape and not (input_shape[0] is None or isinstance(input_shape[0], int))):
            return  # not a single input tensor: call the layers one by one instead
        input_shape = _standard_shape(input_shape)
        if not self._seq_layers:
            raise ValueError(f"Sequential model {self.name} cannot be built because it has no "
                             "layers. Call `model.add(layer)`.")
        if isinstance(self._seq_layers[0], InputLayer):
            if self._seq_layers[0].batch_shape != input_shape:
                raise ValueError(f"Sequential model '{self.name}' has already been configured "
                                 f"to use input shape {self._seq_layers[0].batch_shape}. You "
                                 f"cannot build it with input_shape {input_shape}")
        else:
            self._seq_layers.insert(0, InputLayer(batch_shape=input_shape,
                                                  dtype=self._seq_layers[0].compute_dtype))
        self._drop_graph()
        inputs = self._seq_layers[0].output
        x = inputs
        for layer in self._seq_layers[1:]:
            try:
                x = layer(x)
            except NotImplementedError:
                return  # a layer without shape inference: stay unbuilt, call layer by layer
        self.__dict__["_functional"] = Functional(inputs, x)
        self.__dict__["_build_shapes_dict"] = input_shape
        self.built = True

    def _build_with(self, shape):
        self.build(shape)

    def call(self, inputs, training=None, mask=None):
        functional = self._functional
        if functional is not None:
            return functional.call(inputs, training=training, mask=mask)
        x = inputs
        for layer in self.layers:
            x = layer(x)
        return x

    def _convert(self, x):
        return Layer._convert(self, x)

    @property
    def layers(self):
        """Returns the stacked layers, without the InputLayer."""
        layers = self._seq_layers
        if layers and isinstance(layers[0], InputLayer):
            return layers[1:]
        return layers[:]

    @layers.setter
    def layers(self, value):
        raise AttributeError("`Model.layers` attribute is reserved and should not be used. "
                             "Please use another name.")

    def _graph_or_raise(self, what):
        functional = self._functional
        if functional is None:   # AttributeError, as Keras 3 (hasattr() is False)
            raise AttributeError(f"Sequential model '{self.name}' has no defined {what} yet.")
        return functional._graph

    @property
    def input_shape(self):
        """Returns the input shape (batch dimension included)."""
        return self._graph_or_raise("input shape").inputs[0].shape

    @property
    def output_shape(self):
        """Returns the output shape (batch dimension included)."""
        return self._graph_or_raise("output shape").outputs[0].shape

    @property
    def inputs(self):
        """Returns the list of symbolic inputs."""
        return list(self._graph_or_raise("inputs").inputs)

    @property
    def outputs(self):
        """Returns the list of symbolic outputs."""
        return list(self._graph_or_raise("outputs").outputs)

    @property
    def input(self):
        """Returns the symbolic input."""
        return self._graph_or_raise("input").inputs_struct

    @property
    def output(self):
        """Returns the symbolic output."""
        return self._graph_or_raise("output").outputs_struct

    def get_config(self):
        """Returns ``{"name", "trainable", "dtype", "layers": [...], "build_input_shape"}``."""
        from tapeflow.keras.saving.serialization import serialize_keras_object
        config = Layer.get_config(self)
        config["layers"] = [serialize_keras_object(layer) for layer in self._seq_layers]
        if self._functional is not None:
            config["build_input_shape"] = self._seq_layers[0].batch_shape
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """Returns a Sequential model from ``get_config()``'s output."""
        from tapeflow.keras.saving.serialization import deserialize_keras_object
        layers = [deserialize_keras_object(c, custom_objects=custom_objects)
                  for c in config["layers"]]
        model = cls(name=config.get("name"), trainable=config.get("trainable", True))
        for layer in layers:
            model.add(layer, rebuild=False)
        model._maybe_rebuild()
        shape = config.get("build_input_shape")
        if not model.built and shape is not None:
            model.build(shape)
        return model
