"""``keras.optimizers.schedules``: learning rates that change with the step (Keras 3).

A schedule is called with the optimizer's ``iterations`` and returns a float32
scalar Tensor; the arithmetic is done in float32, as Keras does.
"""
import math

import numpy as np

from tapeflow.framework.tensor import Tensor
from tapeflow.framework.variable import array_of

_f32 = np.float32


def _step(step):
    """The step as a float32 NumPy scalar (from an int, Tensor or Variable)."""
    if isinstance(step, Tensor) or getattr(step, "_is_variable", False):
        step = array_of(step)
    return _f32(np.asarray(step))


def _check_steps(decay_steps):
    if decay_steps <= 0:
        raise ValueError(f"Argument `decay_steps` must be > 0. Received: "
                         f"decay_steps={decay_steps}")


class LearningRateSchedule:
    """Base class: ``schedule(step)`` returns the learning rate at ``step``."""

    def __call__(self, step):
        raise NotImplementedError(f"Learning rate schedule '{type(self).__name__}' must "
                                  "override `__call__(self, step)`.")

    def get_config(self):
        """Returns the schedule's constructor arguments."""
        raise NotImplementedError(f"Learning rate schedule '{type(self).__name__}' must "
                                  "override `get_config()` in order to be serializable.")

    @classmethod
    def from_config(cls, config):
        """Returns a schedule built from ``get_config()``'s dict."""
        return cls(**config)


class ExponentialDecay(LearningRateSchedule):
    """``initial_learning_rate * decay_rate ** (step / decay_steps)`` (floored if ``staircase``).

    Returns (when called): the float32 learning rate at ``step``.
    """

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False,
                 name="ExponentialDecay"):
        _check_steps(decay_steps)
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = name

    def __call__(self, step):
        with np.errstate(all="ignore"):
            p = _step(step) / _f32(self.decay_steps)
            if self.staircase:
                p = np.floor(p)
            return Tensor(_f32(_f32(self.initial_learning_rate) *
                               np.power(_f32(self.decay_rate), p)))

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "decay_rate": self.decay_rate,
                "staircase": self.staircase, "name": self.name}


class PiecewiseConstantDecay(LearningRateSchedule):
    """``values[i]`` for ``boundaries[i-1] < step <= boundaries[i]``.

    Returns (when called): the float32 learning rate at ``step``.
    """

    def __init__(self, boundaries, values, name="PiecewiseConstant"):
        if len(boundaries) != len(values) - 1:
            raise ValueError(
                "The length of boundaries should be 1 less than the length of values. "
                f"Received: boundaries={boundaries} of length {len(boundaries)}, and "
                f"values={values} of length {len(values)}.")
        self.boundaries = boundaries
        self.values = values
        self.name = name

    def __call__(self, step):
        s = _step(step)
        i = int(np.searchsorted(np.asarray(self.boundaries, dtype=np.float64), s, side="left"))
        return Tensor(_f32(self.values[i]))

    def get_config(self):
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


class InverseTimeDecay(LearningRateSchedule):
    """``initial_learning_rate / (1 + decay_rate * step / decay_steps)``.

    Returns (when called): the float32 learning rate at ``step``.
    """

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False,
                 name="InverseTimeDecay"):
        _check_steps(decay_steps)
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = name

    def __call__(self, step):
        p = _step(step) / _f32(self.decay_steps)
        if self.staircase:
            p = np.floor(p)
        denom = _f32(1) + _f32(self.decay_rate) * p
        return Tensor(_f32(_f32(self.initial_learning_rate) / denom))

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "decay_rate": self.decay_rate,
                "staircase": self.staircase, "name": self.name}


class PolynomialDecay(LearningRateSchedule):
    """Polynomial decay from ``initial_learning_rate`` to ``end_learning_rate``.

    Returns (when called): the float32 learning rate at ``step``.
    """

    def __init__(self, initial_learning_rate, decay_steps, end_learning_rate=0.0001,
                 power=1.0, cycle=False, name="PolynomialDecay"):
        _check_steps(decay_steps)
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.end_learning_rate = end_learning_rate
        self.power = power
        self.cycle = cycle
        self.name = name

    def __call__(self, step):
        s = _step(step)
        steps = _f32(self.decay_steps)
        if self.cycle:
            steps = steps * (_f32(1) if s == 0 else np.ceil(s / steps))
        else:
            s = np.minimum(s, steps)
        p = s / steps
        init, end = _f32(self.initial_learning_rate), _f32(self.end_learning_rate)
        return Tensor(_f32((init - end) * np.power(_f32(1) - p, _f32(self.power)) + end))

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "end_learning_rate": self.end_learning_rate,
                "power": self.power, "cycle": self.cycle, "name": self.name}


class CosineDecay(LearningRateSchedule):
    """Optional linear warmup, then cosine decay to ``alpha * initial`` over ``decay_steps``.

    Returns (when called): the float32 learning rate at ``step``.
    """

    def __init__(self, initial_learning_rate, decay_steps, alpha=0.0, name="CosineDecay",
                 warmup_target=None, warmup_steps=0):
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.alpha = alpha
        self.name = name
        self.warmup_target = warmup_target
        self.warmup_steps = warmup_steps

    def _decay(self, step, decay_from):
        frac = step / _f32(self.decay_steps)
        cosine = _f32(0.5) * (_f32(1) + np.cos(_f32(math.pi) * frac))
        decayed = _f32(1 - self.alpha) * cosine + _f32(self.alpha)
        return _f32(decay_from * decayed)

    def __call__(self, step):
        s = _step(step)
        init = _f32(self.initial_learning_rate)
        if self.warmup_target is None:
            return Tensor(self._decay(np.minimum(s, _f32(self.decay_steps)), init))
        target = _f32(self.warmup_target)
        warm = _f32(self.warmup_steps)
        s = np.minimum(s, _f32(self.decay_steps) + warm)
        if s < warm:
            return Tensor(_f32((target - init) * (s / warm) + init))
        return Tensor(self._decay(s - warm, target))

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "alpha": self.alpha, "name": self.name,
                "warmup_target": self.warmup_target, "warmup_steps": self.warmup_steps}


class CosineDecayRestarts(LearningRateSchedule):
    """Cosine decay with warm restarts (SGDR); period ``t_mul`` times longer each restart.

    Returns (when called): the float32 learning rate at ``step``.
    """

    def __init__(self, initial_learning_rate, first_decay_steps, t_mul=2.0, m_mul=1.0,
                 alpha=0.0, name="SGDRDecay"):
        _check_steps(first_decay_steps)
        self.initial_learning_rate = initial_learning_rate
        self.first_decay_steps = first_decay_steps
        self._t_mul = t_mul
        self._m_mul = m_mul
        self.alpha = alpha
        self.name = name

    def __call__(self, step):
        frac = _step(step) / _f32(self.first_decay_steps)
        t_mul = _f32(self._t_mul)
        with np.errstate(all="ignore"):
            if self._t_mul == 1.0:
                i_restart = np.floor(frac)
                frac = frac - i_restart
            else:
                i_restart = np.floor(np.log(_f32(1) - frac * (_f32(1) - t_mul)) / np.log(t_mul))
                sum_r = (_f32(1) - t_mul ** i_restart) / (_f32(1) - t_mul)
                frac = (frac - sum_r) / t_mul ** i_restart
            m_fac = _f32(self._m_mul) ** i_restart
            cosine = _f32(0.5) * m_fac * (_f32(1) + np.cos(_f32(math.pi) * frac))
            decayed = _f32(1 - self.alpha) * cosine + _f32(self.alpha)
        return Tensor(_f32(_f32(self.initial_learning_rate) * decayed))

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "first_decay_steps": self.first_decay_steps, "t_mul": self._t_mul,
                "m_mul": self._m_mul, "alpha": self.alpha, "name": self.name}


_ALL = {c.__name__: c for c in (ExponentialDecay, PiecewiseConstantDecay, PolynomialDecay,
                                InverseTimeDecay, CosineDecay, CosineDecayRestarts)}



def serialize(learning_rate_schedule):
    """Returns the schedule as a Keras config dict (``module``, ``class_name``, ``config``)."""
    return {"module": "keras.optimizers.schedules",
            "class_name": type(learning_rate_schedule).__name__,
            "config": learning_rate_schedule.get_config(), "registered_name": None}


def deserialize(config, custom_objects=None):
    """Returns the schedule described by a ``serialize`` dict (checked by the saving
    allow-list before anything is called).

    Raises:
      ValueError: for an unknown class name.
    """
    from tapeflow.keras.saving.serialization import deserialize_keras_object
    name = config.get("class_name") if isinstance(config, dict) else None
    cls = (custom_objects or {}).get(name) or _ALL.get(name) if isinstance(name, str) else None
    if cls is None:
        raise ValueError(f"Could not interpret learning rate schedule: {config}")
    return deserialize_keras_object(config, custom_objects=custom_objects,
                                    module_objects={name: cls})
