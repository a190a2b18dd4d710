"""``keras.optimizers.Adagrad`` and ``Adadelta`` (Keras 3's rules)."""
import numpy as np

from tapeflow.keras.optimizers.base_optimizer import NumpyRule, Optimizer, _array, _rebind


class Adagrad(NumpyRule, Optimizer):
    """Adagrad: ``acc += g**2``; ``w -= lr * g / sqrt(acc + epsilon)``.

    Args:
      learning_rate: float or schedule (default 0.001).
      initial_accumulator_value: starting value of the accumulators (0.1).
      epsilon: small constant (1e-7).
      **kwargs: the base ``Optimizer`` arguments.
    """

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-07,
                 name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.initial_accumulator_value = initial_accumulator_value
        self.epsilon = epsilon

    def build(self, var_list):
        """Creates ``accumulator`` slots filled with ``initial_accumulator_value``."""
        if self.built:
            return
        super().build(var_list)
        self._accumulators = [
            self.add_variable_from_reference(v, "accumulator",
                                             initializer=self.initial_accumulator_value)
            for v in var_list]

    def _update_np(self, g, var, lr):
        a = _array(var)
        slot = self._slot(self._accumulators, var)
        acc = g * g
        acc += _array(slot)             # a fresh array: the old one may be held by a Tensor
        _rebind(slot, acc)
        denom = acc + self.epsilon
        np.sqrt(denom, out=denom)
        new = g * lr
        new /= denom
        np.subtract(a, new, out=new)
        _rebind(var, new)

    def get_config(self):
        config = super().get_config()
        config.update({"initial_accumulator_value": self.initial_accumulator_value,
                       "epsilon": self.epsilon})
        return config


class Adadelta(NumpyRule, Optimizer):
    """Adadelta: ``delta = -sqrt(E[dx^2] + eps) * g / sqrt(E[g^2] + eps)``; ``w += lr * delta``.

    Args:
      learning_rate: float or schedule (default 0.001).
      rho: decay rate (0.95).
      epsilon: small constant (1e-7).
      **kwargs: the base ``Optimizer`` arguments.
    """

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-07, name=None,
                 **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.rho = rho
        self.epsilon = epsilon

    def build(self, var_list):
        """Creates ``accumulated_grad`` and ``accumulated_delta_var`` slots."""
        if self.built:
            return
        super().build(var_list)
        self._accumulated_grads, self._accumulated_delta_vars = self._add_slots(
            var_list, "accumulated_grad", "accumulated_delta_var")

    def _update_np(self, g, var, lr):
        a = _array(var)
        i = self._var_index[id(var)]
        rho, eps = self.rho, self.epsilon
        ag = _array(self._accumulated_grads[i])
        adv = _array(self._accumulated_delta_vars[i])
        ag = ag * rho                   # fresh slot arrays, never written in place
        ag += (1 - rho) * (g * g)
        _rebind(self._accumulated_grads[i], ag)
        delta = np.sqrt(adv + eps)
        delta *= g
        delta /= np.sqrt(ag + eps)
        np.negative(delta, out=delta)
        adv = adv * rho
        adv += (1 - rho) * (delta * delta)
        _rebind(self._accumulated_delta_vars[i], adv)
        delta *= lr
        delta += a
        _rebind(var, delta)

    def get_config(self):
        config = super().get_config()
        config.update({"rho": self.rho, "epsilon": self.epsilon})
        return config
