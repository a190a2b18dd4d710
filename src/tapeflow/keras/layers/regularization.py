"""Noise and regularization layers: GaussianNoise, GaussianDropout, AlphaDropout,
ActivityRegularization, SpatialDropout3D.

The noise layers change their input only when ``training`` is true; each draws from its
own generator when given a ``seed`` (else from the global Keras generator).
"""
from tapeflow.framework.variable import array_of
import math


from tapeflow.keras.layers.core import _layer_draw
from tapeflow.keras.layers.layer import Layer
from tapeflow.ops import math_ops as M


def _check_rate(rate):
    if not 0 <= rate <= 1:
        raise ValueError(f"Invalid value received for argument `rate`. Expected a float value "
                         f"between 0 and 1. Received: rate={rate}")


class GaussianNoise(Layer):
    """Adds zero-mean Gaussian noise of standard deviation ``stddev`` during training.

    Args:
      stddev: the noise's standard deviation.
      seed: optional int for repeatable noise.
    """

    def __init__(self, stddev, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not 0 <= stddev <= 1:
            raise ValueError(f"Invalid value received for argument `stddev`. Expected a float "
                             f"value between 0 and 1. Received: stddev={stddev}")
        self.stddev = stddev
        self.seed = seed
        self.supports_masking = True

    def call(self, inputs, training=False):
        if not training or self.stddev <= 0:
            return inputs
        v = array_of(inputs)
        shape, dtype, stddev = v.shape, v.dtype, self.stddev
        noise = _layer_draw(self, lambda rng: (rng.standard_normal(shape) * stddev).astype(dtype))
        return M.add(inputs, noise)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update({"stddev": self.stddev, "seed": self.seed})
        return config


class GaussianDropout(Layer):
    """Multiplies the input by Gaussian noise of mean 1 and variance ``rate / (1 - rate)``
    during training.

    Args:
      rate: the equivalent dropout rate, in [0, 1].
      seed: optional int for repeatable noise.
    """

    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(**kwargs)
        _check_rate(rate)
        self.rate = rate
        self.seed = seed
        self.supports_masking = True

    def call(self, inputs, training=False):
        if not training or self.rate <= 0:
            return inputs
        v = array_of(inputs)
        std = math.sqrt(self.rate / (1.0 - self.rate))
        shape, dtype = v.shape, v.dtype
        noise = _layer_draw(self, lambda rng: (1.0 + std * rng.standard_normal(shape)).astype(
            dtype))
        return M.multiply(inputs, noise)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update({"rate": self.rate, "seed": self.seed})
        return config


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


class AlphaDropout(Layer):
    """Dropout for SELU networks: dropped units are set to SELU's negative saturation value,
    then an affine correction keeps the input's mean and variance (training only).

    Args:
      rate: the fraction of units dropped.
      noise_shape: optional shape of the binary mask (None entries follow the input).
      seed: optional int for repeatable masks.
    """

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        _check_rate(rate)
        self.rate = rate
        self.noise_shape = noise_shape
        self.seed = seed
        self.supports_masking = True

    def call(self, inputs, training=False):
        if not training or self.rate <= 0:
            return inputs
        v = array_of(inputs)
        shape = v.shape
        if self.noise_shape is not None:
            shape = tuple(s if n is None else n for s, n in zip(shape, self.noise_shape))
        rate, dtype = self.rate, v.dtype
        alpha_p = -_SELU_ALPHA * _SELU_SCALE
        a = ((1 - rate) * (1 + rate * alpha_p ** 2)) ** -0.5
        b = -a * alpha_p * rate

        def draw(rng):   # a * (x * kept + alpha_p * (1 - kept)) + b
            kept = (rng.random(shape) >= rate).astype(dtype)
            return (a * kept).astype(dtype), (a * alpha_p * (1 - kept) + b).astype(dtype)
        scale, shift = _layer_draw(self, draw)
        return M.add(M.multiply(inputs, scale), shift)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update({"rate": self.rate, "seed": self.seed, "noise_shape": self.noise_shape})
        return config


class ActivityRegularization(Layer):
    """Passes its input through unchanged and adds ``l1 * sum(|x|) + l2 * sum(x**2)`` to the
    layer's losses.

    Args:
      l1, l2: the penalty factors (default 0).
    """

    def __init__(self, l1=0.0, l2=0.0, **kwargs):
        from tapeflow.keras import regularizers
        super().__init__(activity_regularizer=regularizers.L1L2(l1=l1, l2=l2), **kwargs)
        self.supports_masking = True
        self.l1 = l1
        self.l2 = l2

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.pop("activity_regularizer", None)
        config.update({"l1": self.l1, "l2": self.l2})
        return config


__all__ = ["GaussianNoise", "GaussianDropout", "AlphaDropout", "ActivityRegularization"]
