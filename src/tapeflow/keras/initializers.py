"""``keras.initializers``: callables ``init(shape, dtype=None)`` that return a starting Tensor.

A seeded initializer returns the same values on every call (Keras 3); an
unseeded one draws from the global generator that
``keras.utils.set_random_seed`` seeds.
"""
import math

import numpy as np

from tapeflow.framework import dtypes
from tapeflow.framework.tensor import Tensor

class _GlobalRNG:
    """The Generator methods unseeded initializers and layers use, drawn from NumPy's global
    random state, so ``np.random.seed`` (and ``keras.utils.set_random_seed``) repeat them."""

    @staticmethod
    def random(size=None):
        return np.random.random_sample(size)

    @staticmethod
    def uniform(low=0.0, high=1.0, size=None):
        return np.random.uniform(low, high, size)

    @staticmethod
    def normal(loc=0.0, scale=1.0, size=None):
        return np.random.normal(loc, scale, size)

    @staticmethod
    def standard_normal(size=None):
        return np.random.standard_normal(size)

    @staticmethod
    def integers(low, high=None, size=None):
        return np.random.randint(low, high, size)

    @staticmethod
    def permutation(x):
        return np.random.permutation(x)

    @staticmethod
    def beta(a, b, size=None):
        return np.random.beta(a, b, size)


_GLOBAL = {"rng": _GlobalRNG()}


def _np_dtype(dtype):
    from tapeflow.keras import backend
    return dtypes.as_dtype(backend.standardize_dtype(dtype)).as_numpy_dtype


def _shape(shape):
    return tuple(int(d) for d in shape)


class Initializer:
    """Base class: subclasses implement ``__call__(shape, dtype=None)`` and ``get_config``."""

    def __call__(self, shape, dtype=None):
        raise NotImplementedError(f"Initializer {self.__class__.__name__} does not implement "
                                  "__call__().")

    def get_config(self):
        """Returns the constructor arguments as a dict."""
        return {}

    @classmethod
    def from_config(cls, config):
        """Returns a new initializer from ``get_config()``'s output."""
        return cls(**config)

    def clone(self):
        """Returns a copy built from this initializer's config."""
        return self.__class__.from_config(self.get_config())


class RandomInitializer(Initializer):
    """Base of the random initializers: holds ``seed``."""

    def __init__(self, seed=None):
        if seed is not None and not isinstance(seed, int):
            raise ValueError("`seed` argument should be an instance of "
                             "`keras.random.SeedGenerator()` "
                             f"or an integer. Received: seed={seed}")
        self.seed = seed

    def _rng(self):
        return np.random.default_rng(self.seed) if self.seed is not None else _GLOBAL["rng"]

    def get_config(self):
        return {"seed": self.seed}


def _out(arr, dtype):
    return Tensor(np.asarray(arr, dtype=_np_dtype(dtype)))


class Constant(Initializer):
    """Fills with a constant ``value`` (a scalar or an array broadcast to the shape)."""

    def __init__(self, value=0.0):
        self.value = value

    def __call__(self, shape, dtype=None):
        return _out(np.broadcast_to(np.asarray(self.value), _shape(shape)), dtype)

    def get_config(self):
        v = self.value
        return {"value": v.tolist() if isinstance(v, np.ndarray) else v}


class Zeros(Initializer):
    """Fills with zeros."""

    def __call__(self, shape, dtype=None):
        return _out(np.zeros(_shape(shape)), dtype)


class Ones(Initializer):
    """Fills with ones."""

    def __call__(self, shape, dtype=None):
        return _out(np.ones(_shape(shape)), dtype)


class RandomNormal(RandomInitializer):
    """Normal samples with ``mean`` and ``stddev`` (default 0.05)."""

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean = mean
        self.stddev = stddev
        super().__init__(seed)

    def __call__(self, shape, dtype=None):
        return _out(self._rng().normal(self.mean, self.stddev, _shape(shape)), dtype)

    def get_config(self):
        return {"seed": self.seed, "mean": self.mean, "stddev": self.stddev}


class RandomUniform(RandomInitializer):
    """Uniform samples in ``[minval, maxval)`` (default ±0.05)."""

    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        self.minval = minval
        self.maxval = maxval
        super().__init__(seed)

    def __call__(self, shape, dtype=None):
        return _out(self._rng().uniform(self.minval, self.maxval, _shape(shape)), dtype)

    def get_config(self):
        return {"seed": self.seed, "minval": self.minval, "maxval": self.maxval}


def _truncated(rng, shape, stddev):
    """Normal samples with ``stddev``, redrawing those beyond two standard deviations."""
    out = rng.standard_normal(shape)
    bad = np.abs(out) > 2.0
    while bad.any():
        out[bad] = rng.standard_normal(int(bad.sum()))
        bad = np.abs(out) > 2.0
    return out * stddev


class TruncatedNormal(RandomInitializer):
    """Normal samples with ``mean``/``stddev``, redrawn beyond two standard deviations."""

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean = mean
        self.stddev = stddev
        super().__init__(seed)

    def __call__(self, shape, dtype=None):
        return _out(self.mean + _truncated(self._rng(), _shape(shape), self.stddev), dtype)

    def get_config(self):
        return {"seed": self.seed, "mean": self.mean, "stddev": self.stddev}


def compute_fans(shape):
    """Returns ``(fan_in, fan_out)`` of a weight shape (kernels: receptive field times channels)."""
    shape = _shape(shape)
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    if len(shape) == 2:
        return shape[0], shape[1]
    receptive = math.prod(shape[:-2])
    return shape[-2] * receptive, shape[-1] * receptive


class VarianceScaling(RandomInitializer):
    """Samples scaled to the weight's fan: variance ``scale / n`` with n per ``mode``.

    Args:
      scale: positive float.
      mode: ``"fan_in"``, ``"fan_out"`` or ``"fan_avg"``.
      distribution: ``"truncated_normal"``, ``"untruncated_normal"`` or ``"uniform"``.
      seed: an int for repeatable values.
      input_axes / output_axes: optional lists of axes whose sizes multiply to the fan-in
        and the fan-out (used when both are given; otherwise the fans of ``compute_fans``).
    """

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None,
                 input_axes=None, output_axes=None):
        if scale <= 0.0:
            raise ValueError(f"Argument `scale` must be positive float. Received: scale={scale}")
        if mode not in ("fan_in", "fan_out", "fan_avg"):
            raise ValueError("Invalid `mode` argument: expected one of {'fan_in', 'fan_out', "
                             f"'fan_avg'}}. Received: mode={mode}")
        distribution = distribution.lower()
        if distribution == "normal":
            distribution = "truncated_normal"
        if distribution not in ("uniform", "truncated_normal", "untruncated_normal"):
            raise ValueError("Invalid `distribution` argument: expected one of {'uniform', "
                             "'truncated_normal', 'untruncated_normal'}. Received: "
                             f"distribution={distribution}")
        self.scale = scale
        self.mode = mode
        self.distribution = distribution
        self.input_axes = input_axes
        self.output_axes = output_axes
        super().__init__(seed)

    def __call__(self, shape, dtype=None):
        shape = _shape(shape)
        if self.input_axes is not None and self.output_axes is not None:
            fan_in = math.prod(shape[a] for a in self.input_axes)
            fan_out = math.prod(shape[a] for a in self.output_axes)
        else:
            fan_in, fan_out = compute_fans(shape)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}[self.mode]
        scale = self.scale / max(1.0, n)
        rng = self._rng()
        if self.distribution == "truncated_normal":
            arr = _truncated(rng, shape, math.sqrt(scale) / 0.87962566103423978)
        elif self.distribution == "untruncated_normal":
            arr = rng.normal(0.0, math.sqrt(scale), shape)
        else:
            limit = math.sqrt(3.0 * scale)
            arr = rng.uniform(-limit, limit, shape)
        return _out(arr, dtype)

    def get_config(self):
        return {"seed": self.seed, "scale": self.scale, "mode": self.mode,
                "distribution": self.distribution, "input_axes": self.input_axes,
                "output_axes": self.output_axes}


def _fixed(name, scale, mode, distribution, doc):
    def __init__(self, seed=None, input_axes=None, output_axes=None):
        VarianceScaling.__init__(self, scale, mode, distribution, seed, input_axes, output_axes)

    def get_config(self):
        return {"seed": self.seed, "input_axes": self.input_axes, "output_axes": self.output_axes}

    def from_config(cls, config):
        return cls(**config)

    return type(name, (VarianceScaling,), {
        "__init__": __init__, "get_config": get_config,
        "from_config": classmethod(from_config), "__doc__": doc, "__module__": __name__})


GlorotUniform = _fixed("GlorotUniform", 1.0, "fan_avg", "uniform",
                       "Uniform in ±sqrt(6 / (fan_in + fan_out)); the default kernel initializer.")
GlorotNormal = _fixed("GlorotNormal", 1.0, "fan_avg", "truncated_normal",
                      "Truncated normal with stddev sqrt(2 / (fan_in + fan_out)).")
HeNormal = _fixed("HeNormal", 2.0, "fan_in", "truncated_normal",
                  "Truncated normal with stddev sqrt(2 / fan_in).")
HeUniform = _fixed("HeUniform", 2.0, "fan_in", "uniform", "Uniform in ±sqrt(6 / fan_in).")
LecunNormal = _fixed("LecunNormal", 1.0, "fan_in", "truncated_normal",
                     "Truncated normal with stddev sqrt(1 / fan_in).")
LecunUniform = _fixed("LecunUniform", 1.0, "fan_in", "uniform", "Uniform in ±sqrt(3 / fan_in).")


class Orthogonal(RandomInitializer):
    """A (semi-)orthogonal matrix times ``gain``, over the last two dimensions flattened."""

    def __init__(self, gain=1.0, seed=None):
        self.gain = gain
        super().__init__(seed)

    def __call__(self, shape, dtype=None):
        shape = _shape(shape)
        if len(shape) < 2:
            raise ValueError("The tensor to initialize must be at least two-dimensional. "
                             f"Received: shape={shape} of rank {len(shape)}.")
        rows = math.prod(shape[:-1])
        cols = shape[-1]
        a = self._rng().standard_normal((max(rows, cols), min(rows, cols)))
        q, r = np.linalg.qr(a)
        q = q * np.sign(np.diag(r))
        if rows < cols:
            q = q.T
        return _out(self.gain * q.reshape(shape), dtype)

    def get_config(self):
        return {"seed": self.seed, "gain": self.gain}


class Identity(Initializer):
    """The identity matrix times ``gain`` (2-D shapes only)."""

    def __init__(self, gain=1.0):
        self.gain = gain

    def __call__(self, shape, dtype=None):
        shape = _shape(shape)
        if len(shape) != 2:
            raise ValueError("Identity matrix initializer can only be used for 2D matrices. "
                             f"Received: shape={shape} of rank {len(shape)}.")
        return _out(self.gain * np.eye(*shape), dtype)

    def get_config(self):
        return {"gain": self.gain}


# Keras 3's lowercase aliases.
IdentityInitializer = Identity
OrthogonalInitializer = Orthogonal
constant = Constant
zeros = Zeros
ones = Ones
random_normal = RandomNormal
random_uniform = RandomUniform
truncated_normal = TruncatedNormal
variance_scaling = VarianceScaling
glorot_uniform = GlorotUniform
glorot_normal = GlorotNormal
he_normal = HeNormal
he_uniform = HeUniform
lecun_normal = LecunNormal
lecun_uniform = LecunUniform
orthogonal = Orthogonal
identity = Identity

_CLASSES = {c.__name__: c for c in (
    Constant, Zeros, Ones, RandomNormal, RandomUniform, TruncatedNormal, VarianceScaling,
    GlorotUniform, GlorotNormal, HeNormal, HeUniform, LecunNormal, LecunUniform, Orthogonal,
    Identity)}
_ALIASES = {"constant": Constant, "zeros": Zeros, "ones": Ones, "random_normal": RandomNormal,
            "random_uniform": RandomUniform, "truncated_normal": TruncatedNormal,
            "variance_scaling": VarianceScaling, "glorot_uniform": GlorotUniform,
            "glorot_normal": GlorotNormal, "he_normal": HeNormal, "he_uniform": HeUniform,
            "lecun_normal": LecunNormal, "lecun_uniform": LecunUniform,
            "orthogonal": Orthogonal, "identity": Identity, "uniform": RandomUniform,
            "normal": RandomNormal}


def serialize(initializer):
    """Returns the Keras config dict of an initializer."""
    from tapeflow.keras.saving.serialization import serialize_keras_object
    return serialize_keras_object(initializer)


def deserialize(config, custom_objects=None):
    """Returns the initializer described by a config dict."""
    from tapeflow.keras.saving.serialization import deserialize_keras_object
    return deserialize_keras_object(config, module_objects=dict(_CLASSES, **_ALIASES),
                                    custom_objects=custom_objects)


def get(identifier):
    """Returns an initializer from a name, a config dict, an instance or a callable.

    Raises:
      ValueError: for an unknown identifier.
    """
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        cls = _ALIASES.get(identifier) or _CLASSES.get(identifier)
        if cls is None:
            from tapeflow.keras.saving.serialization import get_registered_object
            cls = get_registered_object(identifier)
        if cls is None:
            raise ValueError(f"Could not interpret initializer identifier: {identifier}")
        return cls() if isinstance(cls, type) else cls
    if callable(identifier):
        if isinstance(identifier, type):
            return identifier()
        return identifier
    raise ValueError(f"Could not interpret initializer identifier: {identifier}")
