"""``keras.optimizers.Adam``, ``AdamW``, ``Adamax`` and ``Nadam`` (Keras 3's rules)."""
import numpy as np

from tapeflow.keras.optimizers.base_optimizer import NumpyRule, Optimizer, _array, _rebind

_f32 = np.float32


class _AdamBase(NumpyRule, Optimizer):
    def __init__(self, learning_rate, beta_1, beta_2, epsilon, name, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self._scratch = {}
        self._consts = {}

    def _update_all(self, grads, variables, lr):
        self._consts = {}          # per-step scalars, computed once per dtype
        super()._update_all(grads, variables, lr)

    def _const(self, dtype, lr):
        c = self._consts.get(dtype)
        if c is None:
            c = self._consts[dtype] = self._step_constants(dtype.type, lr)
        return c

    def _step_count(self):
        """The 1-based step number as float32 (``iterations + 1``)."""
        return _f32(int(_array(self.iterations)) + 1)

    def _tmp(self, i, a):
        tmp = self._scratch.get(i)
        if tmp is None or tmp.shape != a.shape or tmp.dtype != a.dtype:
            tmp = self._scratch[i] = np.empty_like(a)
        return tmp

    def _moments(self, i, g, tmp):
        """m += (g - m) * (1 - beta_1); v += (g**2 - v) * (1 - beta_2); returns (m, v).

        The slots get fresh arrays: a Tensor read from a slot earlier keeps its value.
        """
        m = _array(self._momentums[i])
        v = _array(self._velocities[i])
        np.subtract(g, m, out=tmp)
        tmp *= 1 - self.beta_1
        m = m + tmp
        _rebind(self._momentums[i], m)
        np.multiply(g, g, out=tmp)
        tmp -= v
        tmp *= 1 - self.beta_2
        v = v + tmp
        _rebind(self._velocities[i], v)
        return m, v

    def get_config(self):
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon})
        return config


class Adam(_AdamBase):
    """Adam: ``w -= alpha * m / (sqrt(v) + epsilon)``, ``alpha = lr * sqrt(1 - b2^t) / (1 - b1^t)``.

    Args:
      learning_rate: float or schedule (default 0.001).
      beta_1: decay of the first moment (0.9).
      beta_2: decay of the second moment (0.999).
      epsilon: small constant added to ``sqrt(v)`` (1e-7).
      amsgrad: use the running maximum of ``v``.
      **kwargs: the base ``Optimizer`` arguments.
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-07,
                 amsgrad=False, name=None, **kwargs):
        super().__init__(learning_rate, beta_1, beta_2, epsilon, name, **kwargs)
        self.amsgrad = amsgrad

    def build(self, var_list):
        """Creates ``momentum`` and ``velocity`` slots (and ``velocity_hat`` for amsgrad)."""
        if self.built:
            return
        super().build(var_list)
        self._momentums, self._velocities = self._add_slots(var_list, "momentum", "velocity")
        self._velocity_hats = [self.add_variable_from_reference(v, "velocity_hat")
                               for v in var_list] if self.amsgrad else []

    def _update_np(self, g, var, lr):
        a = _array(var)
        i = self._var_index[id(var)]
        alpha = self._const(a.dtype, lr)
        tmp = self._tmp(i, a)
        m, v = self._moments(i, g, tmp)
        if self.amsgrad:
            v = np.maximum(_array(self._velocity_hats[i]), v)
            _rebind(self._velocity_hats[i], v)
        np.sqrt(v, out=tmp)
        tmp += self.epsilon
        new = m * alpha
        new /= tmp
        np.subtract(a, new, out=new)
        _rebind(var, new)

    def _step_constants(self, t, lr):
        """``alpha = lr * sqrt(1 - beta_2^step) / (1 - beta_1^step)`` in the variable's dtype."""
        step = t(self._step_count())
        return t(lr) * np.sqrt(t(1) - t(self.beta_2) ** step) / (t(1) - t(self.beta_1) ** step)

    def get_config(self):
        config = super().get_config()
        config["amsgrad"] = self.amsgrad
        return config


class AdamW(Adam):
    """Adam with decoupled weight decay (``weight_decay`` default 0.004).

    Args: as ``Adam``, plus ``weight_decay``.
    """

    def __init__(self, learning_rate=0.001, weight_decay=0.004, beta_1=0.9, beta_2=0.999,
                 epsilon=1e-07, amsgrad=False, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, beta_1=beta_1, beta_2=beta_2,
                         epsilon=epsilon, amsgrad=amsgrad, name=name,
                         weight_decay=weight_decay, **kwargs)
        if self.weight_decay is None:
            raise ValueError("Argument `weight_decay` must be a float. Received: "
                             "weight_decay=None")


class Adamax(_AdamBase):
    """Adamax: Adam with the infinity norm, ``w -= lr * m / ((1 - b1^t) * (u + epsilon))``.

    Args:
      learning_rate: float or schedule (default 0.001).
      beta_1, beta_2, epsilon: as Keras (0.9, 0.999, 1e-7).
      **kwargs: the base ``Optimizer`` arguments.
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-07,
                 name=None, **kwargs):
        super().__init__(learning_rate, beta_1, beta_2, epsilon, name, **kwargs)

    def build(self, var_list):
        """Creates ``m`` and ``norm`` slots."""
        if self.built:
            return
        super().build(var_list)
        self._m, self._u = self._add_slots(var_list, "momentum", "norm")

    def _step_constants(self, t, lr):
        """``beta_1^step`` in the variable's dtype."""
        return t(self.beta_1) ** t(self._step_count())

    def _update_np(self, g, var, lr):
        a = _array(var)
        i = self._var_index[id(var)]
        b1p = self._const(a.dtype, lr)
        m = _array(self._m[i])
        u = _array(self._u[i])
        tmp = self._tmp(i, a)
        np.subtract(g, m, out=tmp)
        tmp *= 1 - self.beta_1
        m = m + tmp                     # fresh slot arrays, never written in place
        _rebind(self._m[i], m)
        u = u * self.beta_2
        np.maximum(u, np.abs(g, out=tmp), out=u)
        _rebind(self._u[i], u)
        np.add(u, self.epsilon, out=tmp)
        tmp *= 1 - b1p
        new = m * lr
        new /= tmp
        np.subtract(a, new, out=new)
        _rebind(var, new)


class Nadam(_AdamBase):
    """Nadam: Adam with Nesterov momentum and the momentum schedule ``b1 * (1 - 0.5 * 0.96^t)``.

    Args:
      learning_rate: float or schedule (default 0.001).
      beta_1, beta_2, epsilon: as Keras (0.9, 0.999, 1e-7).
      **kwargs: the base ``Optimizer`` arguments.
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-07,
                 name=None, **kwargs):
        super().__init__(learning_rate, beta_1, beta_2, epsilon, name, **kwargs)

    def build(self, var_list):
        """Creates ``momentum`` and ``velocity`` slots and the ``u_product`` scalar."""
        if self.built:
            return
        super().build(var_list)
        self._momentums, self._velocities = self._add_slots(var_list, "momentum", "velocity")
        # Keras creates this one after the slots, with the default name "variable".
        self._u_product = self.add_variable((), initializer="ones",
                                            dtype=_array(var_list[0]).dtype if var_list
                                            else "float32", name="variable")

    def _step_constants(self, t, lr):
        """``(u_t, u_{t+1}, u_product_t, u_product_{t+1}, beta_2^step)`` in the dtype ``t``."""
        step = t(self._step_count())
        b1 = t(self.beta_1)
        u_t = b1 * (t(1) - t(0.5) * t(0.96) ** step)
        u_t_1 = b1 * (t(1) - t(0.5) * t(0.96) ** (step + t(1)))
        u_prod = t(_array(self._u_product))
        return u_t, u_t_1, u_prod, u_prod * u_t_1, t(self.beta_2) ** step

    def _update_all(self, grads, variables, lr):
        up = _array(self._u_product)
        t = up.dtype.type
        _rebind(self._u_product, np.asarray(
            up * t(self.beta_1) * (t(1) - t(0.5) * t(0.96) ** t(self._step_count())), up.dtype))
        super()._update_all(grads, variables, lr)

    def _update_np(self, g, var, lr):
        a = _array(var)
        i = self._var_index[id(var)]
        t = a.dtype.type
        u_t, u_t_1, u_prod, u_prod_1, b2p = self._const(a.dtype, lr)
        tmp = self._tmp(i, a)
        m, v = self._moments(i, g, tmp)
        new = m * (u_t_1 / (t(1) - u_prod_1))
        np.multiply(g, (t(1) - u_t) / (t(1) - u_prod), out=tmp)
        new += tmp
        new *= lr
        np.divide(v, t(1) - b2p, out=tmp)
        np.sqrt(tmp, out=tmp)
        tmp += self.epsilon
        new /= tmp
        np.subtract(a, new, out=new)
        _rebind(var, new)
