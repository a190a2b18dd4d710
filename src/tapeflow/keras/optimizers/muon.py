"""``keras.optimizers.Muon`` and ``keras.optimizers.ScheduleFreeAdamW`` (Keras 3's rules)."""
import re

import numpy as np

from tapeflow.keras.optimizers.base_optimizer import NumpyRule, Optimizer, _array, _rebind


class Muon(NumpyRule, Optimizer):
    """Muon: momentum orthogonalized by a Newton-Schulz iteration for 2-D weights; AdamW for
    the others (biases, embeddings, and variables whose path matches ``exclude_layers``).

    2-D update: ``m = momentum * m + g``; ``u = NS5(g + momentum * m)`` (Nesterov) or
    ``NS5(m)``; ``w -= lr * u * sqrt(max(rows, cols)) * rms_rate``. Other variables: Adam
    with ``learning_rate * adam_lr_ratio``, betas ``adam_beta_1/2``. Decoupled weight decay:
    ``weight_decay`` on Muon variables, ``adam_weight_decay`` on AdamW ones.
    """

    def __init__(self, learning_rate=0.001, adam_beta_1=0.9, adam_beta_2=0.999,
                 adam_weight_decay=0.004, epsilon=1e-7, weight_decay=0.004, clipnorm=None,
                 clipvalue=None, global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, exclude_layers=None,
                 exclude_embeddings=True, muon_a=3.4445, muon_b=-4.7750, muon_c=2.0315,
                 adam_lr_ratio=1, momentum=0.95, ns_steps=5, nesterov=True, rms_rate=0.2,
                 **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, weight_decay=weight_decay,
                         clipnorm=clipnorm, clipvalue=clipvalue,
                         global_clipnorm=global_clipnorm, use_ema=use_ema,
                         ema_momentum=ema_momentum,
                         ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, **kwargs)
        self.adam_beta_1 = adam_beta_1
        self.adam_beta_2 = adam_beta_2
        self.epsilon = epsilon
        self.muon_a = muon_a
        self.muon_b = muon_b
        self.muon_c = muon_c
        self.adam_lr_ratio = adam_lr_ratio
        self.momentum = momentum
        self.ns_steps = ns_steps
        self.nesterov = nesterov
        self.exclude_embeddings = exclude_embeddings
        self.exclude_layers = exclude_layers or []
        self.adam_weight_decay = adam_weight_decay
        self.rms_rate = rms_rate

    def _path(self, variable):
        return getattr(variable, "path", None) or variable.name

    def _should_use_adamw(self, variable):
        """True for variables updated by AdamW: not 2-D, embeddings, or excluded by path."""
        if len(variable.shape) != 2:
            return True
        path = self._path(variable)
        if self.exclude_embeddings and "embedding" in path.lower():
            return True
        return any(re.search(k, path) for k in self.exclude_layers)

    def build(self, var_list):
        """Creates a ``momentum`` slot per variable, and a ``velocity`` slot for the AdamW
        ones (Keras's order)."""
        if self.built:
            return
        super().build(var_list)
        self.momentums, self.adam_velocities = [], []
        for v in var_list:
            self.momentums.append(self.add_variable_from_reference(v, "momentum"))
            self.adam_velocities.append(self.add_variable_from_reference(v, "velocity")
                                        if self._should_use_adamw(v) else None)

    def _update_np(self, g, var, lr):
        i = self._var_index[id(var)]
        m, v = self.momentums[i], self.adam_velocities[i]
        if v is not None:
            self._adamw(g, var, lr * self.adam_lr_ratio, m, v)
        else:
            self._muon(g, var, lr, m)

    def _muon(self, g, var, lr, slot):
        a = _array(var)
        t = a.dtype.type
        m = _array(slot) + (g + _array(slot) * t(self.momentum - 1))
        _rebind(slot, m)
        update = self.zeropower_via_newtonschulz5(g + t(self.momentum) * m if self.nesterov
                                                  else m, self.ns_steps)
        step = t(lr) * update
        if self.rms_rate is not None:
            step = step * t(np.sqrt(max(step.shape[0], step.shape[1]))) * t(self.rms_rate)
        _rebind(var, (a - step).astype(a.dtype, copy=False))

    def _adamw(self, g, var, lr, m_slot, v_slot):
        a = _array(var)
        t = a.dtype.type
        step = t(int(_array(self.iterations)) + 1)
        alpha = t(lr) * np.sqrt(t(1) - t(self.adam_beta_2) ** step) / \
            (t(1) - t(self.adam_beta_1) ** step)
        m = _array(m_slot) + (g - _array(m_slot)) * t(1 - self.adam_beta_1)
        v = _array(v_slot) + (g * g - _array(v_slot)) * t(1 - self.adam_beta_2)
        _rebind(m_slot, m)
        _rebind(v_slot, v)
        _rebind(var, (a - (m * alpha) / (np.sqrt(v) + t(self.epsilon))).astype(a.dtype,
                                                                              copy=False))

    def zeropower_via_newtonschulz5(self, x, steps):
        """Returns an approximate orthogonalization ``U S' V^T`` of ``x`` (last two axes) by
        ``steps`` quintic Newton-Schulz iterations (coefficients ``muon_a/b/c``)."""
        x = np.asarray(x)
        if x.ndim < 2:
            raise ValueError("Expected gradient or momentum to have at least 2 dimensions. "
                             f"Received: shape={x.shape}")
        t = x.dtype.type
        a, b, c = t(self.muon_a), t(self.muon_b), t(self.muon_c)
        tall = x.shape[-2] > x.shape[-1]
        if tall:
            x = np.swapaxes(x, -1, -2)
        x = x / (np.sqrt(np.sum(x * x, axis=(-2, -1), keepdims=True)) + t(1e-7))
        for _ in range(steps):
            ta = x @ np.swapaxes(x, -1, -2)
            tb = b * ta + c * ta @ ta
            x = a * x + tb @ x
        return np.swapaxes(x, -1, -2) if tall else x

    def _apply_weight_decay(self, variables, lr):
        for v in variables:
            if not self._use_weight_decay(v):
                continue
            wd = self.adam_weight_decay if self._should_use_adamw(v) else self.weight_decay
            if wd is None:
                continue
            a = _array(v)
            t = a.dtype.type
            _rebind(v, a - a * t(wd) * t(lr))

    def get_config(self):
        config = super().get_config()
        config.update({"adam_beta_1": self.adam_beta_1, "adam_beta_2": self.adam_beta_2,
                       "epsilon": self.epsilon, "exclude_layers": self.exclude_layers,
                       "muon_a": self.muon_a, "muon_b": self.muon_b, "muon_c": self.muon_c,
                       "adam_lr_ratio": self.adam_lr_ratio, "momentum": self.momentum,
                       "ns_steps": self.ns_steps, "nesterov": self.nesterov,
                       "exclude_embeddings": self.exclude_embeddings,
                       "adam_weight_decay": self.adam_weight_decay,
                       "rms_rate": self.rms_rate})
        return config


class ScheduleFreeAdamW(NumpyRule, Optimizer):
    """Schedule-free AdamW (Defazio et al., 2024): Adam steps on an auxiliary sequence
    ``z`` (the ``momentum`` slot, started at the weights), the weights kept at the
    interpolation ``y = (1 - beta_1) z + beta_1 x`` of ``z`` and its running average ``x``;
    optional linear learning-rate warmup over ``warmup_steps``."""

    def __init__(self, learning_rate=0.0025, beta_1=0.9, beta_2=0.999, epsilon=1e-8,
                 warmup_steps=0, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, weight_decay=weight_decay,
                         clipnorm=clipnorm, clipvalue=clipvalue,
                         global_clipnorm=global_clipnorm, use_ema=use_ema,
                         ema_momentum=ema_momentum,
                         ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.warmup_steps = warmup_steps

    def build(self, var_list):
        """Creates ``momentum`` (a copy of each weight) and ``velocity`` slots."""
        if self.built:
            return
        super().build(var_list)
        self._momentums, self._velocities = self._add_slots(var_list, "momentum", "velocity")
        for slot, v in zip(self._momentums, var_list):
            _rebind(slot, _array(v).copy())

    def _update_np(self, g, var, lr):
        a = _array(var)
        t = a.dtype.type
        i = self._var_index[id(var)]
        step = t(int(_array(self.iterations)) + 1)
        lr = t(lr)
        if self.warmup_steps > 0:
            lr = lr * min(step / t(self.warmup_steps), t(1.0))
        b1, b2 = t(self.beta_1), t(self.beta_2)
        z_old = _array(self._momentums[i])   # z before this step's Adam move
        v = _array(self._velocities[i]) + (g * g - _array(self._velocities[i])) * (t(1) - b2)
        denom = np.sqrt(v / (t(1) - b2 ** step)) + t(self.epsilon)
        z = z_old - (lr * g) / denom
        weight = t(1.0) / step
        # As Keras 3.15 with TensorFlow: its `momentum.value` is read after the update, so
        # the 'old' z is the new one.
        x_old = (a - (t(1) - b1) * z) / b1
        x_new = (t(1) - weight) * x_old + weight * z
        _rebind(self._velocities[i], v)
        _rebind(self._momentums[i], z)
        _rebind(var, ((t(1) - b1) * z + b1 * x_new).astype(a.dtype, copy=False))

    def get_config(self):
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon,
                       "warmup_steps": self.warmup_steps})
        return config
