"""``keras.optimizers.Lion``: sign of an interpolated momentum (Keras 3's rule)."""
import numpy as np

from tapeflow.keras.optimizers.base_optimizer import NumpyRule, Optimizer, _array, _rebind


class Lion(NumpyRule, Optimizer):
    """Lion: ``w -= lr * sign(b1 * m + (1 - b1) * g)``; then ``m = b2 * m + (1 - b2) * g``.

    Args:
      learning_rate: float or schedule (default 0.001).
      beta_1: interpolation factor of the update (0.9), in (0, 1].
      beta_2: decay of the momentum (0.99).
      **kwargs: the base ``Optimizer`` arguments.
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.99, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        if beta_1 <= 0 or beta_1 > 1:
            raise ValueError("Argument `beta_1` must be in the [0, 1] range. Otherwise, the "
                             f"optimizer degenerates to SignSGD. Received: beta_1={beta_1}.")

    def build(self, var_list):
        """Creates ``momentum`` slots."""
        if self.built:
            return
        super().build(var_list)
        self._momentums = [self.add_variable_from_reference(v, "momentum") for v in var_list]

    def _update_np(self, g, var, lr):
        a = _array(var)
        slot = self._slot(self._momentums, var)
        m = _array(slot)
        new = m * self.beta_1
        new += g * (1 - self.beta_1)
        np.sign(new, out=new)
        new *= lr
        np.subtract(a, new, out=new)
        m = m * self.beta_2             # a fresh slot array, never written in place
        m += g * (1 - self.beta_2)
        _rebind(slot, m)
        _rebind(var, new)

    def get_config(self):
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2})
        return config
