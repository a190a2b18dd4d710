"""``keras.optimizers.Ftrl``: Follow The Regularized Leader (Keras 3's rule)."""
import numpy as np

from tapeflow.keras.optimizers.base_optimizer import NumpyRule, Optimizer, _array, _rebind


class Ftrl(NumpyRule, Optimizer):
    """FTRL-proximal with L1, L2 and L2-shrinkage regularization.

    Args:
      learning_rate: float or schedule (default 0.001).
      learning_rate_power: <= 0 (default -0.5).
      initial_accumulator_value: >= 0 (default 0.1).
      l1_regularization_strength, l2_regularization_strength,
        l2_shrinkage_regularization_strength: >= 0 (default 0).
      beta: added to the L2 term as ``beta / (2 * lr)``.
      **kwargs: the base ``Optimizer`` arguments.

    Raises:
      ValueError: for a negative strength or accumulator, or a positive power.
    """

    def __init__(self, learning_rate=0.001, learning_rate_power=-0.5,
                 initial_accumulator_value=0.1, l1_regularization_strength=0.0,
                 l2_regularization_strength=0.0, l2_shrinkage_regularization_strength=0.0,
                 beta=0.0, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        if initial_accumulator_value < 0.0:
            raise ValueError("`initial_accumulator_value` needs to be positive or zero. "
                             f"Received: initial_accumulator_value={initial_accumulator_value}.")
        if learning_rate_power > 0.0:
            raise ValueError("`learning_rate_power` needs to be negative or zero. Received: "
                             f"learning_rate_power={learning_rate_power}.")
        for arg, value in (("l1_regularization_strength", l1_regularization_strength),
                           ("l2_regularization_strength", l2_regularization_strength),
                           ("l2_shrinkage_regularization_strength",
                            l2_shrinkage_regularization_strength)):
            if value < 0.0:
                raise ValueError(f"`{arg}` needs to be positive or zero. Received: "
                                 f"{arg}={value}.")
        self.learning_rate_power = learning_rate_power
        self.initial_accumulator_value = initial_accumulator_value
        self.l1_regularization_strength = l1_regularization_strength
        self.l2_regularization_strength = l2_regularization_strength
        self.l2_shrinkage_regularization_strength = l2_shrinkage_regularization_strength
        self.beta = beta

    def build(self, var_list):
        """Creates ``accumulator`` (initial_accumulator_value) and ``linear`` slots."""
        if self.built:
            return
        super().build(var_list)
        self._accumulators, self._linears = [], []
        for v in var_list:
            self._accumulators.append(self.add_variable_from_reference(
                v, "accumulator", initializer=self.initial_accumulator_value))
            self._linears.append(self.add_variable_from_reference(v, "linear"))

    def _update_np(self, g, var, lr):
        a = _array(var)
        t = a.dtype.type
        i = self._var_index[id(var)]
        accum = _array(self._accumulators[i])
        linear = _array(self._linears[i])
        power = t(-self.learning_rate_power)
        lr = t(lr)
        l2 = t(self.l2_regularization_strength) + t(self.beta) / (t(2.0) * lr)
        grad = g + t(2 * self.l2_shrinkage_regularization_strength) * a
        new_accum = accum + g * g
        linear += grad - (np.power(new_accum, power) - np.power(accum, power)) / lr * a
        quadratic = np.power(new_accum, power) / lr + t(2) * l2
        l1 = t(self.l1_regularization_strength)
        clipped = np.clip(linear, -l1, l1)
        accum[...] = new_accum
        _rebind(var, ((clipped - linear) / quadratic).astype(a.dtype, copy=False))

    def get_config(self):
        config = super().get_config()
        config.update({
            "learning_rate_power": self.learning_rate_power,
            "initial_accumulator_value": self.initial_accumulator_value,
            "l1_regularization_strength": self.l1_regularization_strength,
            "l2_regularization_strength": self.l2_regularization_strength,
            "l2_shrinkage_regularization_strength": self.l2_shrinkage_regularization_strength,
            "beta": self.beta})
        return config
