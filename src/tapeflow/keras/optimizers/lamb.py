"""``keras.optimizers.Lamb``: Adam moments with a layer-wise trust ratio (Keras 3's rule)."""
import numpy as np

from tapeflow.keras.optimizers.base_optimizer import NumpyRule, Optimizer, _array, _rebind


class Lamb(NumpyRule, Optimizer):
    """LAMB: ``w -= lr * r * u`` with ``u = m_hat / (sqrt(v_hat) + epsilon)`` and the trust
    ratio ``r = ||w|| / ||u||`` (1 where either norm is 0).

    Args:
      learning_rate: float or schedule (default 0.001).
      beta_1, beta_2: decays of the first and second moments (0.9, 0.999).
      epsilon: added to ``sqrt(v_hat)`` (1e-7).
      **kwargs: the base ``Optimizer`` arguments.
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, name=None,
                 **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon

    def build(self, var_list):
        """Creates ``momentum`` and ``velocity`` slots, variable by variable."""
        if self.built:
            return
        super().build(var_list)
        self._momentums, self._velocities = self._add_slots(var_list, "momentum", "velocity")

    def _update_np(self, g, var, lr):
        a = _array(var)
        t = a.dtype.type
        i = self._var_index[id(var)]
        step = t(int(_array(self.iterations)) + 1)
        m = _array(self._momentums[i])
        v = _array(self._velocities[i])
        m += (g - m) * t(1 - self.beta_1)
        v += (g * g - v) * t(1 - self.beta_2)
        m_hat = m / (t(1) - t(self.beta_1) ** step)
        update = m_hat / (np.sqrt(v / (t(1) - t(self.beta_2) ** step)) + t(self.epsilon))
        w_norm = np.sqrt(np.sum(a * a))
        u_norm = np.sqrt(np.sum(update * update))
        ratio = w_norm / u_norm if w_norm > 0 and u_norm > 0 else t(1)
        _rebind(var, (a - t(ratio) * t(lr) * update).astype(a.dtype, copy=False))

    def get_config(self):
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon})
        return config
