"""``keras.optimizers.LossScaleOptimizer``: dynamic loss scaling for ``mixed_float16`` training.

``compile`` wraps a mixed_float16 model's optimizer in one (Keras 3). ``scale_loss`` multiplies
the loss by ``dynamic_scale`` so small float16 gradients do not underflow; ``apply`` divides the
gradients by it and steps the inner optimizer when all are finite, doubling the scale after
``dynamic_growth_steps`` finite steps in a row; a non-finite gradient skips the step and halves it.
"""
import numpy as np

from tapeflow.framework.indexed_slices import IndexedSlices
from tapeflow.framework.tensor import Tensor
from tapeflow.framework.variable import array_of
from tapeflow.keras.optimizers.base_optimizer import Optimizer, _array, _rebind
from tapeflow.ops.math_ops import cast


def _finite(g):
    if g is None:
        return True
    if isinstance(g, IndexedSlices):
        g = g.values
    a = array_of(g) if type(g) is Tensor else np.asarray(g)
    return bool(np.isfinite(a).all())


class LossScaleOptimizer(Optimizer):
    """Wraps ``inner_optimizer`` with a dynamically adjusted loss scale.

    Args:
      inner_optimizer: the ``Optimizer`` that applies the unscaled gradients.
      initial_scale: the first loss scale (``2.0 ** 15``).
      dynamic_growth_steps: finite steps in a row after which the scale doubles (2000).
      name: the optimizer's name.
    """

    def __init__(self, inner_optimizer, initial_scale=2.0 ** 15, dynamic_growth_steps=2000,
                 **kwargs):
        if not kwargs.pop("dynamic", True):
            raise ValueError("LossScaleOptimizer no longer supports `dynamic=False`. "
                             "Instead, simply set `loss_scale_factor` directly on the "
                             "`inner_optimizer`.")
        super().__init__(learning_rate=0.0, **kwargs)
        if not isinstance(inner_optimizer, Optimizer):
            raise ValueError("Argument `inner_optimizer` must be an Optimizer instance. "
                             f"Received: inner_optimizer={inner_optimizer}")
        self.inner_optimizer = inner_optimizer
        self.initial_scale = initial_scale
        self.dynamic_growth_steps = dynamic_growth_steps

    def build(self, var_list):
        """Creates ``step_counter`` and ``dynamic_scale`` and builds the inner optimizer."""
        self.step_counter = self.add_variable((), initializer="zeros", dtype="int64",
                                              name="step_counter")
        self.dynamic_scale = self.add_variable((), initializer=self.initial_scale,
                                               dtype="float32", name="dynamic_scale")
        self.inner_optimizer.build(var_list)
        self._trainable_variables = list(var_list)
        self.built = True

    @property
    def variables(self):
        """Returns this optimizer's state variables followed by the inner optimizer's."""
        return self._variables[:] + self.inner_optimizer.variables

    @property
    def iterations(self):
        """Returns the inner optimizer's step counter."""
        return self.inner_optimizer.iterations

    @property
    def learning_rate(self):
        """Returns the inner optimizer's learning rate."""
        return self.inner_optimizer.learning_rate

    @learning_rate.setter
    def learning_rate(self, learning_rate):
        self.inner_optimizer.learning_rate = learning_rate

    def scale_loss(self, loss):
        """Returns ``loss`` multiplied by the current loss scale."""
        scale = float(_array(self.dynamic_scale)) if self.built else self.initial_scale
        with np.errstate(over="ignore"):   # a float16 overflow is caught by ``apply``
            if type(loss) is Tensor:
                return loss * cast(np.float32(scale), loss.dtype)
            return loss * scale

    def apply(self, grads, trainable_variables=None):
        """Unscales ``grads`` and applies them if all are finite; adjusts the scale.

        Returns:
          The inner optimizer's ``iterations`` variable.
        """
        grads = list(grads)
        if trainable_variables is None:
            trainable_variables = self._trainable_variables
        trainable_variables = list(trainable_variables)
        if not self.built:
            self.build(trainable_variables)
        scale = _array(self.dynamic_scale)
        if all(_finite(g) for g in grads):
            inv = 1.0 / float(scale)
            unscaled = [None if g is None else
                        (IndexedSlices(g.values * cast(np.float32(inv), g.values.dtype),
                                       g.indices, g.dense_shape)
                         if isinstance(g, IndexedSlices) else
                         g * cast(np.float32(inv), g.dtype)) for g in grads]
            self.inner_optimizer.apply(unscaled, trainable_variables)
            count = int(_array(self.step_counter))
            if count == self.dynamic_growth_steps - 1:
                _rebind(self.step_counter, np.zeros((), np.int64))
                _rebind(self.dynamic_scale, np.asarray(scale * 2.0, np.float32))
            else:
                _rebind(self.step_counter, np.asarray(count + 1, np.int64))
        else:
            _rebind(self.step_counter, np.zeros((), np.int64))
            _rebind(self.dynamic_scale, np.asarray(scale * 0.5, np.float32))
        return self.iterations

    def get_config(self):
        """Returns the constructor arguments, with the inner optimizer serialized."""
        from tapeflow.keras.optimizers import serialize
        config = super().get_config()
        del config["learning_rate"]
        config.update({"inner_optimizer": serialize(self.inner_optimizer),
                       "initial_scale": self.initial_scale,
                       "dynamic_growth_steps": self.dynamic_growth_steps})
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """Returns a LossScaleOptimizer rebuilt from ``get_config()``'s dict."""
        from tapeflow.keras.optimizers import deserialize
        config = dict(config)
        inner = deserialize(config.pop("inner_optimizer"), custom_objects)
        return cls(inner, **config)
