"""``keras.optimizers.RMSprop``: divide the gradient by a running RMS of its magnitude."""
import numpy as np

from tapeflow.keras.optimizers.base_optimizer import NumpyRule, Optimizer, _array, _rebind


class RMSprop(NumpyRule, Optimizer):
    """RMSprop (Keras 3's rule, epsilon inside the square root).

    ``v = rho * v + (1 - rho) * g**2``; ``w -= lr * g / sqrt(v + epsilon)``
    (``centered`` subtracts the squared running mean of ``g`` from ``v``;
    ``momentum`` accumulates the increments).

    Args:
      learning_rate: float or schedule (default 0.001).
      rho: discount of the running average (0.9).
      momentum: momentum of the increments (0.0).
      epsilon: small constant (1e-7).
      centered: normalise by the estimated variance instead of the second moment.
      **kwargs: the base ``Optimizer`` arguments.
    """

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-07,
                 centered=False, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, weight_decay=weight_decay,
                         clipnorm=clipnorm, clipvalue=clipvalue,
                         global_clipnorm=global_clipnorm, use_ema=use_ema,
                         ema_momentum=ema_momentum,
                         ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, name=name,
                         **kwargs)
        self.rho = rho
        self.momentum = momentum
        self.epsilon = epsilon
        self.centered = centered

    def build(self, var_list):
        """Creates ``velocity`` slots (and ``momentum``/``average_gradient`` if used)."""
        if self.built:
            return
        super().build(var_list)
        self._velocities = [self.add_variable_from_reference(v, "velocity") for v in var_list]
        self._momentums = [self.add_variable_from_reference(v, "momentum")
                           for v in var_list] if self.momentum > 0 else []
        self._average_gradients = [self.add_variable_from_reference(v, "average_gradient")
                                   for v in var_list] if self.centered else []
        self._scratch = {}

    def _update_np(self, g, var, lr):
        a = _array(var)
        i = self._var_index[id(var)]
        rho = self.rho
        v = _array(self._velocities[i])
        tmp = self._scratch.get(i)
        if tmp is None or tmp.shape != a.shape or tmp.dtype != a.dtype:
            tmp = self._scratch[i] = np.empty_like(a)
        # Slots get fresh arrays (a Tensor read from a slot earlier keeps its value).
        nv = np.multiply(g, g)
        nv *= 1 - rho
        np.multiply(v, rho, out=tmp)
        nv += tmp
        _rebind(self._velocities[i], nv)
        v = nv
        if self.centered:
            ag = np.multiply(g, 1 - rho)
            np.multiply(_array(self._average_gradients[i]), rho, out=tmp)
            ag += tmp
            _rebind(self._average_gradients[i], ag)
            np.square(ag, out=tmp)
            np.subtract(v, tmp, out=tmp)
            tmp += self.epsilon
        else:
            np.add(v, self.epsilon, out=tmp)
        np.sqrt(tmp, out=tmp)
        inc = g * lr
        inc /= tmp
        if self.momentum > 0:
            m = np.multiply(_array(self._momentums[i]), self.momentum)
            m += inc
            _rebind(self._momentums[i], m)
            np.subtract(a, m, out=inc)
        else:
            np.subtract(a, inc, out=inc)
        _rebind(var, inc)

    def get_config(self):
        config = super().get_config()
        config.update({"rho": self.rho, "momentum": self.momentum, "epsilon": self.epsilon,
                       "centered": self.centered})
        return config
