"""``tf.random.Generator``: an explicit random-number generator with its own state.

The state is a non-trainable int64 Variable in TensorFlow's Philox layout,
``[counter_lo, counter_hi, key]``; draws run NumPy's Philox from it and write
the advanced counter back.
Streams are reproducible (same seed, same values) but not TensorFlow's bit for
bit.
"""
import enum

from tapeflow.backend import xp as np  # the array namespace kernels use (DESIGN: backend)

from tapeflow.framework import dtypes
from tapeflow.framework.graph import func_graph as _func_graph
from tapeflow.framework.tensor import Tensor, convert_to_tensor
from tapeflow.ops import random_ops

RNG_ALG_PHILOX = 1
RNG_ALG_THREEFRY = 2
_STATE_SIZE = 3


class Algorithm(enum.Enum):
    """The random-number algorithms (``tf.random.Algorithm``)."""
    PHILOX = 1
    THREEFRY = 2
    AUTO_SELECT = 3


def _check_alg(alg):
    if alg is None or alg in ("philox", "auto_select", Algorithm.PHILOX, Algorithm.AUTO_SELECT,
                              RNG_ALG_PHILOX, 3):
        return RNG_ALG_PHILOX
    if alg in ("threefry", Algorithm.THREEFRY, RNG_ALG_THREEFRY):
        raise ValueError("The ThreeFry algorithm is not supported; use Philox "
                         "(alg=None, 'philox' or 'auto_select').")
    raise ValueError(f"Argument `alg` got unsupported value {alg}. Supported values are "
                     f"'philox', 'threefry' and 'auto_select'.")


def _seed_state(*seed_words):
    """Three uint64 state words derived from ``seed_words`` (a SeedSequence mix)."""
    words = [int(w) & random_ops._M64 for w in seed_words]
    return np.random.SeedSequence(words).generate_state(_STATE_SIZE, np.uint64)


def create_rng_state(seed, alg):
    """Returns the int64 state ``[3]`` that ``Generator.from_seed(seed, alg)`` starts from."""
    _check_alg(alg)
    return _seed_state(_seed_int(seed)).view(np.int64)


def _seed_int(seed):
    if isinstance(seed, Tensor) or hasattr(type(seed), "__tf_tensor__"):
        seed = convert_to_tensor(seed)._value
    a = np.asarray(seed)
    if a.dtype.kind in "OSU":   # TensorFlow casts the seed to int64 first
        from tapeflow.framework.errors import UnimplementedError
        raise UnimplementedError(None, "Cast", "Cast string to int64 is not supported "
                                 "[Op:Cast]")
    if a.ndim:
        out = 0
        for i, w in enumerate(a.ravel().tolist()):   # a few words, not data
            out |= (int(w) & random_ops._M64) << (64 * i)
        return out
    return int(a)


class Generator:
    """A random-number generator with explicit state (``tf.random.Generator``).

    Create one with ``Generator.from_seed(seed)`` or
    ``Generator.from_non_deterministic_state()``. Each draw advances the state;
    two generators from the same seed give the same sequence.

    >>> import tapeflow as tf
    >>> g = tf.random.Generator.from_seed(1); h = tf.random.Generator.from_seed(1)
    >>> bool(tf.reduce_all(g.normal([3]) == h.normal([3])))
    True
    """

    def __init__(self, copy_from=None, state=None, alg=None):
        if copy_from is not None:
            if state is not None or alg is not None:
                raise ValueError("When `copy_from` is not None, `state` and `alg` must be None")
            self._alg = copy_from._alg
            self._write(copy_from._words())
            return
        if state is None:
            raise ValueError("Generator() needs `copy_from` or `state` (with `alg`); use "
                             "Generator.from_seed or Generator.from_non_deterministic_state")
        self._alg = _check_alg(alg)
        self._set_state(state)

    def _set_state(self, state):
        if isinstance(state, Tensor) or hasattr(type(state), "__tf_tensor__"):
            state = convert_to_tensor(state)._value
        s = np.asarray(state)
        if s.shape != (_STATE_SIZE,):
            raise ValueError(f"The size of the state must be {_STATE_SIZE} for Philox; got "
                             f"shape {list(s.shape)}")
        self._write(s.astype(np.int64) if s.dtype != np.uint64 else s.view(np.int64))

    def _write(self, words):
        """Stores the state words (int64 ``[3]``, or uint64 viewed as int64) in the Variable."""
        words = np.asarray(words)
        if words.dtype == np.uint64:
            words = words.view(np.int64)
        var = getattr(self, "_state_var", None)
        if var is None:
            from tapeflow.framework.variable import Variable
            self._state_var = Variable(words.copy(), trainable=False, dtype=dtypes.int64)
        else:
            var.assign(words)

    def _words(self):
        """Returns the state as three uint64 words."""
        return np.asarray(self._state_var.numpy()).view(np.uint64)

    # -- construction ---------------------------------------------------------------------
    @classmethod
    def from_seed(cls, seed, alg=None):
        """Returns a Generator whose state is derived from the integer ``seed``."""
        return cls(state=_seed_state(_seed_int(seed)), alg=alg)

    @classmethod
    def from_non_deterministic_state(cls, alg=None):
        """Returns a Generator seeded from operating-system entropy."""
        state = np.random.SeedSequence().generate_state(_STATE_SIZE, np.uint64)
        return cls(state=state, alg=alg)

    @classmethod
    def from_state(cls, state, alg):
        """Returns a Generator starting from int64 ``state`` ``[counter_lo, counter_hi, key]``."""
        return cls(state=state, alg=alg)

    @classmethod
    def from_key_counter(cls, key, counter, alg):
        """Returns a Generator from a key (one int) and a counter (two ints)."""
        c = np.asarray(convert_to_tensor(counter)._value).astype(np.int64).view(np.uint64)
        k = np.asarray(convert_to_tensor(key)._value).astype(np.int64).view(np.uint64)
        return cls(state=np.concatenate([c.ravel(), k.ravel()]), alg=alg)

    def reset(self, state):
        """Sets the state to ``state`` (int64 ``[3]``)."""
        self._set_state(state)

    def reset_from_seed(self, seed):
        """Resets the state as ``from_seed(seed)`` would set it."""
        self._set_state(_seed_state(_seed_int(seed)))

    def reset_from_key_counter(self, key, counter):
        """Resets the state from a key and a counter."""
        self._write(Generator.from_key_counter(key, counter, self._alg)._words())

    # -- properties -----------------------------------------------------------------------
    @property
    def state(self):
        """Returns the state: a non-trainable int64 Variable ``[counter_lo, counter_hi, key]``."""
        return self._state_var

    @property
    def algorithm(self):
        """Returns the algorithm id (1, Philox)."""
        return self._alg

    @property
    def key(self):
        """Returns the key word of the state (an int64 scalar Tensor)."""
        return Tensor(self._words().view(np.int64)[-1])

    # -- drawing --------------------------------------------------------------------------
    @_func_graph.stateful
    def _run(self, fn, *args):
        """Runs ``fn(get_gen, *args)`` on a Philox at this state, then advances the state."""
        bitgen = self._bitgen()
        gen = np.random.Generator(bitgen)
        out = fn(lambda kind, npd: gen, *args)
        self._advance_to(bitgen)
        return out

    def _bitgen(self):
        s = self._words()
        return np.random.Philox(counter=np.array([s[0], s[1], 0, 0], np.uint64),
                                key=np.array([s[2], 0], np.uint64))

    def _advance_to(self, bitgen):
        c = bitgen.state["state"]["counter"]
        self._write(np.array([c[0], c[1], self._words()[2]], np.uint64))

    def skip(self, delta):
        """Advances the state as if ``delta`` blocks of random numbers had been drawn."""
        bitgen = self._bitgen()
        bitgen.advance(int(delta))
        self._advance_to(bitgen)

    def normal(self, shape, mean=0.0, stddev=1.0, dtype=dtypes.float32, name=None):
        """Returns N(mean, stddev²) values of ``shape``; advances the state."""
        return self._run(random_ops._normal, shape, mean, stddev, dtype)

    def truncated_normal(self, shape, mean=0.0, stddev=1.0, dtype=dtypes.float32, name=None):
        """Returns normal values re-drawn until within two stddevs; advances the state."""
        return self._run(random_ops._truncated, shape, mean, stddev, dtype)

    def uniform(self, shape, minval=0, maxval=None, dtype=dtypes.float32, name=None):
        """Returns uniform values in ``[minval, maxval)``; advances the state.

        For integer dtypes pass both ``minval`` and ``maxval``, or ``minval=None,
        maxval=None`` for the dtype's full range.

        Raises:
          ValueError: for an integer dtype with only one of ``minval``/``maxval``.
        """
        d = dtypes.as_dtype(dtype)
        if d._np.kind in "iu" and (minval is None) != (maxval is None):
            raise ValueError(f"For integer dtype {d!r}, minval and maxval must be both `None` "
                             f"or both non-`None`; got minval={minval} and maxval={maxval}")
        return self._run(random_ops._uniform, shape, minval, maxval, dtype,
                         "StatefulUniform", True)

    def uniform_full_int(self, shape, dtype=dtypes.uint64, name=None):
        """Returns integers spanning the full range of ``dtype``; advances the state."""
        d = dtypes.as_dtype(dtype)
        if d.name not in ("int32", "int64", "uint32", "uint64"):
            from tapeflow.framework.errors import InvalidArgumentError
            op = "StatelessRandomUniformFullIntV2"
            raise InvalidArgumentError(
                None, op, f"Value for attr 'dtype' of {random_ops._tf_name(d)} is not in the "
                f"list of allowed values: int32, int64, uint32, uint64 [Op:{op}]")
        shape = random_ops._parse_shape(shape, "StatefulUniformFullInt")
        return self._run(lambda get_gen: Tensor(random_ops._full_range(
            get_gen("StatefulUniformFullInt", d._np), shape, d._np)))

    def binomial(self, shape, counts, probs, dtype=dtypes.int32, name=None):
        """Returns Binomial(counts, probs) samples of ``shape``; advances the state."""
        d = dtypes.as_dtype(dtype)
        shape = random_ops._parse_shape(shape, "StatefulRandomBinomial")
        # as TensorFlow: fractional counts round down, negative ones draw 0, probs clip
        n = np.maximum(np.floor(np.asarray(convert_to_tensor(counts)._value, np.float64)),
                       0).astype(np.int64)
        p = np.clip(np.asarray(convert_to_tensor(probs)._value, np.float64), 0, 1)
        return self._run(lambda get_gen: Tensor(get_gen("StatefulRandomBinomial", d._np)
                                                .binomial(n, p, size=shape).astype(d._np)))

    def make_seeds(self, count=1):
        """Returns an int64 Tensor ``[2, count]`` of seeds for stateless ops; advances the state."""
        return self.uniform_full_int([2, count], dtype=dtypes.int64)

    def split(self, count=1):
        """Returns ``count`` new Generators with independent streams; advances this one."""
        seeds = self.make_seeds(count)._value
        return [Generator(state=_seed_state(int(seeds[0, i]), int(seeds[1, i])), alg=self._alg)
                for i in range(count)]

    def __repr__(self):
        return f"<tf.random.Generator alg={self._alg} state={self._state_var.numpy().tolist()}>"


_global_generator = None


def get_global_generator():
    """Returns the global Generator, creating it from non-deterministic state on first use."""
    global _global_generator
    if _global_generator is None:
        _global_generator = Generator.from_non_deterministic_state()
    return _global_generator


def set_global_generator(generator):
    """Replaces the global Generator with ``generator``."""
    global _global_generator
    _global_generator = generator


__all__ = ["Generator", "Algorithm", "get_global_generator", "set_global_generator",
           "create_rng_state"]
