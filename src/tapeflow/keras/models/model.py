"""``keras.Model``: a Layer with training (from ``Trainer``), built three ways.

* functional: ``keras.Model(inputs, outputs)`` (returns a ``Functional``);
  a subclass called the same way (``CustomModel(inputs, outputs)``) becomes a
  functional model of that subclass;
* subclassed: override ``__init__`` (create layers) and ``call``;
* ``keras.Sequential`` (see ``sequential.py``).
"""
import numpy as np

from tapeflow.framework import dtypes
from tapeflow.framework.tensor import Tensor
from tapeflow.keras.layers.layer import Layer, _standard_shape
from tapeflow.keras.trainer import Trainer


def _functional_args(args, kwargs):
    if "inputs" in kwargs and "outputs" in kwargs:
        return True
    return len(args) == 2 or (len(args) == 1 and "outputs" in kwargs)


class Model(Trainer, Layer):
    """A trainable graph of layers (``keras.Model``).

    ``keras.Model(inputs, outputs, name=None)`` builds a functional model;
    subclasses define ``call``.

    Raises:
      ValueError: for a disconnected graph or non-symbolic inputs/outputs.
    """

    _graph = None   # the layer graph: a Functional's (and a built Sequential's) own

    def __new__(cls, *args, **kwargs):
        if _functional_args(args, kwargs) and cls is Model:
            from tapeflow.keras.models.functional import Functional
            return Layer.__new__(Functional, *args, **kwargs)
        return Layer.__new__(cls, *args, **kwargs)

    def __init__(self, *args, **kwargs):
        if _functional_args(args, kwargs):
            # A subclass called as ``CustomModel(inputs, outputs)``: as in Keras 3, Functional
            # is put into the subclass's bases, so the model is a Functional of that class.
            from tapeflow.keras.models.functional import Functional, inject_functional
            if not isinstance(self, Functional):
                inject_functional(type(self))
            Functional.__init__(self, *args, **kwargs)
            return
        if Trainer.__init__ is not object.__init__:
            Trainer.__init__(self)
        Layer.__init__(self, **kwargs)

    # -- structure --------------------------------------------------------------
    @property
    def layers(self):
        """Returns the model's layers (the sublayers it tracks, in assignment order)."""
        return self._layers

    @layers.setter
    def layers(self, value):
        raise AttributeError("`Model.layers` attribute is reserved and should not be used. "
                             "Please use another name.")

    def get_layer(self, name=None, index=None):
        """Returns a layer by ``name`` or by ``index`` in ``layers``.

        Raises:
          ValueError: if no such layer exists.
        """
        if index is not None and name is not None:
            raise ValueError("Provide only a layer name or a layer index. Received: "
                             f"index={index}, name={name}.")
        if index is not None:
            if len(self.layers) <= index:
                raise ValueError(f"Was asked to retrieve layer at index {index} but model only "
                                 f"has {len(self.layers)} layers.")
            return self.layers[index]
        if name is not None:
            for layer in self.layers:
                if layer.name == name:
                    return layer
            raise ValueError(f"No such layer: {name}. Existing layers are: "
                             f"{[layer.name for layer in self.layers]}.")
        raise ValueError("Provide either a layer name or layer index at `get_layer`.")

    # -- calling ------------------------------------------------------------------
    def call(self, inputs, training=None, mask=None):
        raise NotImplementedError(f"Model {self.__class__.__name__} does not have a `call()` "
                                  "method implemented.")

    def build(self, input_shape=None):
        """Builds a subclassed model by calling it once on zeros of ``input_shape``."""
        if self.built:
            self.built = True
            return
        if input_shape is None:
            raise ValueError("You must provide an `input_shape` argument.")
        shape = _standard_shape(input_shape)

        def zeros(s):
            return Tensor(np.zeros(tuple(1 if d is None else d for d in s),
                                   dtype=dtypes.as_dtype(self._dtype).as_numpy_dtype))
        if isinstance(shape, list):
            x = [zeros(s) for s in shape]
        elif isinstance(shape, dict):
            x = {k: zeros(s) for k, s in shape.items()}
        else:
            x = zeros(shape)
        self.__dict__["_build_shapes_dict"] = shape
        self.built = True
        self.call(x, training=False) if "training" in _params(self.call) else self.call(x)
        self._clear_losses()

    def export(self, filepath, format="tf_saved_model", verbose=None, input_signature=None,
               **kwargs):
        """Writes the model as a SavedModel with a ``serve`` endpoint (and the ``serve`` and
        ``serving_default`` signatures) that ``tf.saved_model.load`` (tapeflow's or
        TensorFlow's) and ``keras.layers.TFSMLayer`` can call; returns None."""
        from tapeflow.keras.saving.export import export_model
        export_model(self, filepath, format=format, verbose=verbose,
                     input_signature=input_signature, **kwargs)

    def _default_save_signature(self):
        """Returns the ``serving_default`` signature ``tf.saved_model.save`` gives a built
        model (TensorFlow's Keras 3 does the same), or None."""
        from tapeflow.keras.saving.export import default_save_signature
        return default_save_signature(self)

    def summary(self, line_length=None, positions=None, print_fn=None, expand_nested=False,
                show_trainable=False, layer_range=None):
        """Prints a table of the layers (name and type, output shape, parameter count) and the
        total, trainable and non-trainable parameter counts.

        Args:
          print_fn: called with the whole summary text instead of ``print``.
        """
        from tapeflow.keras.models.summary import print_summary
        print_summary(self, line_length=line_length, positions=positions, print_fn=print_fn,
                      expand_nested=expand_nested, show_trainable=show_trainable,
                      layer_range=layer_range)

    # -- config ---------------------------------------------------------------------
    def get_config(self):
        """Returns the model's config (a subclassed model: its constructor arguments)."""
        return Layer.get_config(self)

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """Returns a model built from ``get_config()``'s output."""
        if "layers" in config and "input_layers" in config:
            from tapeflow.keras.models.cloning import functional_from_config
            return functional_from_config(cls, config, custom_objects)
        return super().from_config(config)


def _params(fn):
    import inspect
    try:
        return inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return {}

