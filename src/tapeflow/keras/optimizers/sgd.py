"""``keras.optimizers.SGD``: gradient descent with optional (Nesterov) momentum."""
from tapeflow.keras.optimizers.base_optimizer import NumpyRule, Optimizer, _array, _rebind


class SGD(NumpyRule, Optimizer):
    """Stochastic gradient descent (Keras 3's rule).

    Without momentum: ``w -= lr * g``. With it: ``m = momentum * m - lr * g``, then
    ``w += m`` (or ``w += momentum * m - lr * g`` when ``nesterov``).

    Args:
      learning_rate: float or schedule (default 0.01).
      momentum: float in [0, 1].
      nesterov: use Nesterov momentum.
      **kwargs: the base ``Optimizer`` arguments (``clipnorm``, ``weight_decay`` ...).
    """

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False,
                 ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, weight_decay=weight_decay,
                         clipnorm=clipnorm, clipvalue=clipvalue,
                         global_clipnorm=global_clipnorm, use_ema=use_ema,
                         ema_momentum=ema_momentum,
                         ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, **kwargs)
        if not isinstance(momentum, float) or momentum < 0 or momentum > 1:
            raise ValueError("`momentum` must be a float between [0, 1].")
        self.momentum = momentum
        self.nesterov = nesterov

    def build(self, variables):
        """Creates one ``momentum`` slot per variable (none when momentum is 0)."""
        if self.built:
            return
        super().build(variables)
        self.momentums = []
        if self.momentum != 0:
            self.momentums = [self.add_variable_from_reference(v, "momentum")
                              for v in variables]

    def _update_np(self, g, var, lr):
        a = _array(var)
        if self.momentum != 0:
            mu = self.momentum
            slot = self._slot(self.momentums, var)
            step = g * lr
            m = _array(slot) * mu       # a fresh slot array, never written in place
            m -= step
            _rebind(slot, m)
            if self.nesterov:
                new = m * mu
                new -= step
                new += a
            else:
                new = a + m
        else:
            new = g * lr
            new = a - new
        _rebind(var, new)

    def get_config(self):
        config = super().get_config()
        config.update({"momentum": self.momentum, "nesterov": self.nesterov})
        return config
