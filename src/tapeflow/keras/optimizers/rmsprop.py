"""``keras.optimizers.RMSprop``: divide the gradient by a running RMS of its magnitude."""
import numpy as np

from tapeflow.keras.optimizers.base_optimizer import (BLOCK, NumpyRule, Optimizer, _array,
                                                      _owned, _rebind)


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
        i = self._var_index[id(var)]
        if not self.centered and self.momentum <= 0 and self._update_in_place(g, var, lr, i):
            return
        a = _array(var)
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

    def _update_in_place(self, g, var, lr, i):
        """The plain rule written into the variable's and the velocity's own arrays, block
        by block, when nothing can observe them (``_owned``); returns False otherwise.
        The same operations as the allocating rule, element by element: the same numbers."""
        if not all(type(x) in (float, int) for x in (self.rho, self.epsilon, lr)):
            return False      # (NumPy scalars would change the arithmetic's dtype)
        vel = self._velocities[i]
        a = _owned(var)
        if a is None or type(g) is not np.ndarray or g.shape != a.shape or \
                g.dtype != a.dtype:
            return False
        v = _owned(vel)
        if v is None or v.dtype != a.dtype:
            return False
        n = a.size
        tmp = self._scratch.get("block")
        if tmp is None or tmp.dtype != a.dtype:
            tmp = self._scratch["block"] = np.empty((2, BLOCK), a.dtype)
        gf, vf, af = g.reshape(-1), v.reshape(-1), a.reshape(-1)
        rho, one_rho, eps = self.rho, 1 - self.rho, self.epsilon
        mul, add, sqrt, div, sub = np.multiply, np.add, np.sqrt, np.divide, np.subtract
        for s in range(0, n, BLOCK):
            e = min(s + BLOCK, n)
            gg, vv, aa = gf[s:e], vf[s:e], af[s:e]
            t1, t2 = tmp[0, :e - s], tmp[1, :e - s]
            mul(gg, gg, out=t1)          # v = (1 - rho) * g * g + rho * v
            mul(t1, one_rho, out=t1)
            mul(vv, rho, out=vv)
            add(t1, vv, out=vv)
            add(vv, eps, out=t2)         # w -= g * lr / sqrt(v + eps)
            sqrt(t2, out=t2)
            mul(gg, lr, out=t1)
            div(t1, t2, out=t1)
            sub(aa, t1, out=aa)
        return True

    def get_config(self):
        config = super().get_config()
        config.update({"rho": self.rho, "momentum": self.momentum, "epsilon": self.epsilon,
                       "centered": self.centered})
        return config
