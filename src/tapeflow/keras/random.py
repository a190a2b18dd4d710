"""``keras.random``: seeded random tensors and ``SeedGenerator``.

``seed`` may be an int (the same numbers on every call, as Keras's stateless ops), a
``SeedGenerator`` (new numbers each call, reproducible from its seed; its state is a variable,
so a layer holding one saves it with its weights) or None (NumPy's global stream, which
``keras.utils.set_random_seed`` seeds). The numbers come from NumPy's PCG64, so they differ
from TensorFlow's: distributions, shapes, dtypes and ranges are Keras's.
"""
import numpy as np

import tapeflow as tf
from tapeflow.framework.tensor import Tensor
from tapeflow.keras import backend
from tapeflow.keras.ops.promotion import to_tensor


class SeedGenerator:
    """A source of seeds: each ``next()`` returns the current state and advances it.

    Args:
      seed: the initial seed (an int; random when None).
      name: a name for its state variable.
    """

    _keras_seed_generator = True

    def __init__(self, seed=None, name=None, **kwargs):
        from tapeflow.keras.variables import Variable
        if seed is None:
            seed = int(np.random.randint(0, 2 ** 31 - 1))
        elif not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
            raise ValueError(f"Argument `seed` must be an integer. Received: seed={seed}")
        self._initial_seed = int(seed)
        self.name = name or backend.unique_object_name("seed_generator")
        self.state = Variable(np.asarray([int(seed), 0], dtype="int64"), shape=(2,),
                              dtype="int64", trainable=False, name="seed_generator_state")

    def next(self, ordered=True):
        """Returns the current seed state (a pair of ints) and advances the state."""
        value = np.asarray(self.state.numpy())
        self.state.assign(value + np.asarray([0, 1], dtype=value.dtype))
        return value

    def get_config(self):
        """Returns ``{"seed": initial seed}``."""
        return {"seed": self._initial_seed}

    @classmethod
    def from_config(cls, config):
        """Returns a SeedGenerator from ``get_config()``."""
        return cls(**config)


def _rng(seed):
    """Returns a NumPy Generator for a Keras ``seed`` argument."""
    if seed is None:
        return np.random.default_rng(np.random.randint(0, 2 ** 31 - 1))
    if isinstance(seed, SeedGenerator):
        s = seed.next()
        return np.random.default_rng([int(s[0]), int(s[1])])
    if isinstance(seed, Tensor) or hasattr(type(seed), "__tf_tensor__"):
        s = np.asarray(to_tensor(seed).numpy()).reshape(-1)
        return np.random.default_rng([int(v) for v in s])
    if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool):
        return np.random.default_rng([0, int(seed)])
    raise ValueError("Argument `seed` must be either an integer or an instance of "
                     f"`SeedGenerator`. Received: seed={seed} (of type {type(seed)})")


def _shape(shape):
    if isinstance(shape, Tensor):
        return tuple(int(v) for v in shape.numpy().reshape(-1))
    if isinstance(shape, (int, np.integer)):
        return (int(shape),)
    return tuple(int(v) for v in shape)


def _float(dtype):
    d = backend.standardize_dtype(dtype)
    if not d.startswith("float"):
        raise ValueError(f"`dtype` must be a floating point type. Received: dtype={dtype}")
    return d


def _scalar(v):
    return np.asarray(v.numpy() if isinstance(v, Tensor) else v, np.float64)


def normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Returns a tensor of normally distributed values."""
    d = _float(dtype)
    v = _rng(seed).normal(_scalar(mean), _scalar(stddev), _shape(shape))
    return Tensor(np.asarray(v, d))


def uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    """Returns a tensor of values uniform in [minval, maxval)."""
    d = backend.standardize_dtype(dtype)
    if not d.startswith("float"):
        raise ValueError("`keras.random.uniform` requires a floating point `dtype`. "
                         f"Received: dtype={dtype} ")
    v = _rng(seed).uniform(_scalar(minval), _scalar(maxval), _shape(shape))
    return Tensor(np.asarray(v, d))


def randint(shape, minval, maxval, dtype="int32", seed=None):
    """Returns a tensor of integers uniform in [minval, maxval)."""
    d = backend.standardize_dtype(dtype)
    v = _rng(seed).integers(int(_scalar(minval)), int(_scalar(maxval)), _shape(shape))
    return Tensor(np.asarray(v, d))


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Returns normal values redrawn until within two standard deviations of the mean."""
    d = _float(dtype)
    rng = _rng(seed)
    shape = _shape(shape)
    v = rng.standard_normal(shape)
    bad = np.abs(v) > 2
    while bad.any():
        v[bad] = rng.standard_normal(int(bad.sum()))
        bad = np.abs(v) > 2
    return Tensor(np.asarray(v * _scalar(stddev) + _scalar(mean), d))


def dropout(inputs, rate, noise_shape=None, seed=None):
    """Returns ``inputs`` with a ``rate`` fraction zeroed and the rest scaled by
    ``1 / (1 - rate)`` (differentiable in ``inputs``)."""
    x = to_tensor(inputs)
    if not x.dtype.is_floating:
        x = tf.cast(x, backend.floatx())
    shape = tuple(x.shape) if noise_shape is None else tuple(
        x.shape[i] if s is None else s for i, s in enumerate(noise_shape))
    keep = _rng(seed).uniform(size=shape) >= rate
    scale = np.where(keep, 1.0 / (1.0 - rate), 0.0).astype(x.dtype.as_numpy_dtype)
    return x * Tensor(np.broadcast_to(scale, tuple(x.shape)).copy())


def shuffle(x, axis=0, seed=None):
    """Returns ``x`` with its slices along ``axis`` in a random order (differentiable)."""
    x = to_tensor(x)
    perm = _rng(seed).permutation(x.shape[axis]).astype(np.int32)
    return tf.gather(x, perm, axis=axis)


def categorical(logits, num_samples, dtype="int32", seed=None):
    """Returns ``num_samples`` class indices per row of the 2-D ``logits``."""
    a = np.asarray(to_tensor(logits).numpy(), np.float64)
    if a.ndim != 2:
        raise ValueError("`logits` should be a 2-D tensor with shape [batch_size, "
                         f"num_classes]. Received: logits={a.shape}")
    p = np.exp(a - a.max(-1, keepdims=True))
    p /= p.sum(-1, keepdims=True)
    rng = _rng(seed)
    u = rng.uniform(size=(a.shape[0], int(num_samples), 1))
    idx = (u > np.cumsum(p, -1)[:, None, :]).sum(-1)
    return Tensor(np.minimum(idx, a.shape[1] - 1).astype(backend.standardize_dtype(dtype)))


def gamma(shape, alpha, dtype=None, seed=None):
    """Returns Gamma(alpha, 1) distributed values."""
    d = _float(dtype)
    return Tensor(np.asarray(_rng(seed).gamma(_scalar(alpha), 1.0, _shape(shape)), d))


def beta(shape, alpha, beta, dtype=None, seed=None):
    """Returns Beta(alpha, beta) distributed values."""
    d = _float(dtype)
    return Tensor(np.asarray(_rng(seed).beta(_scalar(alpha), _scalar(beta), _shape(shape)), d))


def binomial(shape, counts, probabilities, dtype=None, seed=None):
    """Returns Binomial(counts, probabilities) draws, as floats (Keras's default dtype)."""
    d = _float(dtype)
    v = _rng(seed).binomial(_scalar(counts).astype(np.int64), _scalar(probabilities),
                            _shape(shape))
    return Tensor(np.asarray(v, d))


__all__ = ["SeedGenerator", "normal", "uniform", "randint", "truncated_normal", "dropout",
           "shuffle", "categorical", "gamma", "beta", "binomial"]
