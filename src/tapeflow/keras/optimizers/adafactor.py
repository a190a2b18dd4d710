"""``keras.optimizers.Adafactor``: factored second moments (Keras 3's rule)."""
import numpy as np

from tapeflow.framework import dtypes
from tapeflow.keras.optimizers.base_optimizer import NumpyRule, Optimizer, _array, _rebind


def _rms(x):
    return np.sqrt(np.mean(np.square(x)))


class Adafactor(NumpyRule, Optimizer):
    """Adafactor: for a matrix (or higher-rank) variable, the second moment is kept as a row
    vector ``r`` and a column vector ``c`` (their outer product, normalized, stands for it);
    vectors keep a full ``velocity``. Updates are clipped by RMS to ``clip_threshold`` and
    scaled by ``max(epsilon_2, rms(w))``.

    Args:
      learning_rate: float or schedule (default 0.001); with ``relative_step`` (default True)
        capped at ``1 / sqrt(step)``.
      beta_2_decay: the decay exponent of the second moment (default -0.8).
      epsilon_1: added to squared gradients (1e-30); epsilon_2: floor of the scale (1e-3).
      clip_threshold: the update's RMS clip (1.0).
      **kwargs: the base ``Optimizer`` arguments.
    """

    def __init__(self, learning_rate=0.001, beta_2_decay=-0.8, epsilon_1=1e-30, epsilon_2=1e-3,
                 clip_threshold=1.0, relative_step=True, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.beta_2_decay = beta_2_decay
        self.epsilon_1 = epsilon_1
        self.epsilon_2 = epsilon_2
        self.clip_threshold = clip_threshold
        self.relative_step = relative_step

    def build(self, var_list):
        """Creates, per variable, its row and column moments (scalars for vectors) and a
        ``velocity`` slot, in Keras's order and names."""
        if self.built:
            return
        super().build(var_list)
        self._r, self._c, self._v = [], [], []
        for var in var_list:
            shape = tuple(_array(var).shape)
            dtype = dtypes.as_dtype(_array(var).dtype)
            name = var.name.split(":")[0].split("/")[-1]
            if len(shape) < 2:
                self._r.append(self.add_variable((), dtype=dtype, name=name))
                self._c.append(self.add_variable((), dtype=dtype, name=name))
            else:
                self._r.append(self.add_variable(shape[:-1], dtype=dtype, name=name))
                self._c.append(self.add_variable(shape[:-2] + shape[-1:], dtype=dtype,
                                                 name=name))
            self._v.append(self.add_variable_from_reference(var, "velocity"))

    def _update_np(self, g, var, lr):
        a = _array(var)
        t = a.dtype.type
        i = self._var_index[id(var)]
        step = t(int(_array(self.iterations)) + 1)
        lr = t(lr)
        if not callable(self._learning_rate) and self.relative_step:
            lr = min(lr, t(1) / np.sqrt(step))
        rho = min(lr, t(1) / np.sqrt(step))
        alpha = max(t(self.epsilon_2), _rms(a)) * rho
        sq = g * g + t(self.epsilon_1)
        beta = t(1) - np.power(step, t(self.beta_2_decay))
        v = _array(self._v[i])
        if a.ndim >= 2:
            r = _array(self._r[i])
            c = _array(self._c[i])
            r[...] = beta * r + (t(1) - beta) * sq.mean(axis=-1)
            c[...] = beta * c + (t(1) - beta) * sq.mean(axis=-2)
            v[...] = (r / r.mean(axis=-1, keepdims=True))[..., None] * c[..., None, :]
        else:
            v[...] = beta * v + (t(1) - beta) * sq
        u = g / np.sqrt(v)
        u = u / max(t(1), _rms(u) / t(self.clip_threshold))
        _rebind(var, (a - alpha * u).astype(a.dtype, copy=False))

    def get_config(self):
        config = super().get_config()
        config.update({"beta_2_decay": self.beta_2_decay, "epsilon_1": self.epsilon_1,
                       "epsilon_2": self.epsilon_2, "clip_threshold": self.clip_threshold,
                       "relative_step": self.relative_step})
        return config
