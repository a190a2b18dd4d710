"""Random ops (``tf.random``) with TensorFlow's global/op seed semantics.

Values come from NumPy's ``Generator(Philox)``: the *distributions* and the
*seed semantics* are TensorFlow's, but the numbers are not TensorFlow's bit for
bit (the same seed gives different values in TensorFlow and here).

Seed semantics (``tf.random.set_seed``):

* no global seed, no op seed: values differ on every call and every run;
* a global seed, no op seed: the program is repeatable, and calling
  ``set_seed(s)`` again restarts the same sequence;
* an op seed (with or without a global seed; without one, the default global
  seed 87654321 is used): each op kind with that op seed has its own stream, so
  repeated calls give different values, and ``set_seed`` restarts the streams.

Random ops are not differentiable; where ``mean``/``stddev``/``minval``/``maxval``
are Tensors, the scaling is done with ops, so gradients flow to them.
"""
import zlib

from tapeflow.backend import xp as np  # the array namespace kernels use (DESIGN: backend)

from tapeflow.framework import dtypes
from tapeflow.framework.errors import InvalidArgumentError, NotFoundError
from tapeflow.framework.op_def import index_array
from tapeflow.framework.graph import func_graph as _func_graph
from tapeflow.framework.tensor import Tensor, convert_to_tensor
from tapeflow.framework.tensor_shape import TensorShape

DEFAULT_GRAPH_SEED = 87654321
_MAXINT32 = 2 ** 31 - 1
_M64 = 2 ** 64 - 1

_global_seed = None
_global_stream = None      # the one stream used by ops without an op seed, once seeded
_op_seed_rng = None        # for get_seed(None) under a global seed
_kernels = {}              # (kind, dtype, global seed, op seed) -> np.random.Generator
_unseeded = np.random.Generator(np.random.Philox())


def _make_gen(*words):
    entropy = [w & _M64 if isinstance(w, int) else zlib.crc32(str(w).encode()) for w in words]
    return np.random.Generator(np.random.Philox(np.random.SeedSequence(entropy)))


def set_seed(seed):
    """Sets the global random seed.

    With a global seed, ops without an op seed give a repeatable sequence, and
    calling ``set_seed`` with the same value again restarts it. ``None`` clears it.

    >>> import tapeflow as tf
    >>> tf.random.set_seed(5); a = tf.random.uniform([1])
    >>> tf.random.set_seed(5); bool(tf.random.uniform([1]) == a)
    True
    >>> tf.random.set_seed(None)
    """
    global _global_seed, _global_stream, _op_seed_rng
    import random as _pyrandom
    _kernels.clear()
    if seed is None:
        _global_seed = _global_stream = _op_seed_rng = None
        return
    if isinstance(seed, Tensor):
        seed = seed._value
    _global_seed = int(seed)
    _global_stream = _make_gen(_global_seed, "global")
    _op_seed_rng = _pyrandom.Random(_global_seed)


def get_seed(op_seed):
    """Returns the ``(global_seed, op_seed)`` pair an op would use (TensorFlow's rules).

    Returns:
      ``(None, None)`` when neither seed is set; ``(DEFAULT_GRAPH_SEED, op_seed)``
      with only an op seed; otherwise the global seed with the op seed (or, when it
      is None, the next seed from a stream determined by the global seed).
    """
    if isinstance(op_seed, (str, bytes)):   # TensorFlow fails it with a TypeError too
        raise TypeError(f"An op seed must be an integer; received seed={op_seed!r}")
    if _global_seed is not None:
        if op_seed is None:
            op_seed = _op_seed_rng.randint(0, _MAXINT32)
        return _global_seed, int(op_seed)
    if op_seed is not None:
        return DEFAULT_GRAPH_SEED, int(op_seed)
    return None, None


def _stream(kind, npd, seed):
    """Returns the NumPy Generator an op of ``kind`` with op seed ``seed`` draws from."""
    if seed is None:
        return _unseeded if _global_stream is None else _global_stream
    if isinstance(seed, Tensor):
        seed = seed._value
    if isinstance(seed, (str, bytes)):   # TensorFlow fails it with a TypeError too
        raise TypeError(f"An op seed must be an integer; received seed={seed!r}")
    g = DEFAULT_GRAPH_SEED if _global_seed is None else _global_seed
    key = (kind, npd, g, int(seed))
    gen = _kernels.get(key)
    if gen is None:
        gen = _kernels[key] = _make_gen(g, int(seed), f"{kind}/{npd}")
    return gen


def _stateful_array(kind, shape, npd, seed, draw):
    """Draws ``draw(gen, shape, npd)`` from the stream of op ``kind`` (used by dropout)."""
    return draw(_stream(kind, np.dtype(npd), seed), tuple(shape), np.dtype(npd))


def _stateful(seed):
    return lambda kind, npd: _stream(kind, npd, seed)


# -- argument checks ---------------------------------------------------------------------

def _parse_shape(shape, op):
    if isinstance(shape, Tensor) or hasattr(type(shape), "__tf_tensor__"):
        shape = convert_to_tensor(shape)._value.tolist()
    elif isinstance(shape, TensorShape):
        shape = shape.as_list()
    elif isinstance(shape, np.ndarray):
        shape = shape.tolist()
    if isinstance(shape, (int, np.integer)):
        shape = [shape]
    if isinstance(shape, (list, tuple)) and None not in shape:   # TensorFlow's Tshape rule
        arr = index_array(shape, op, "T")
        if arr.ndim > 1:
            raise InvalidArgumentError(None, op, f"shape must be a vector of {{int32,int64}}, "
                                       f"got shape [{','.join(map(str, arr.shape))}] [Op:{op}]")
    elif isinstance(shape, str):
        index_array(shape, op, "T")
    dims = []
    for d in shape:
        if d is None:
            raise ValueError(f"Cannot create a random tensor with an unknown dimension in "
                             f"shape {list(shape)}")
        d = int(d)
        if d < 0:
            raise InvalidArgumentError(None, op, f"Dimension {d} must be >= 0 [Op:{op}]")
        dims.append(d)
    return tuple(dims)


def _float_dtype(dtype, op, value=0.0):
    dtype = dtypes.as_dtype(dtype)
    if dtype._np.kind in "iub":   # TensorFlow converts the mean (0.0) to the dtype first
        raise TypeError(f"Cannot convert {value!r} to EagerTensor of dtype {dtype.name}")
    if dtype._np.kind != "f":
        raise InvalidArgumentError(
            None, op, f"Value for attr 'dtype' of {dtype.name} is not in the list of allowed "
            f"values: half, bfloat16, float, double [Op:{op}]")
    return dtype


def _is_tensor(v):
    return isinstance(v, Tensor) or hasattr(type(v), "__tf_tensor__")


def _draw_float(gen, method, shape, npd):
    if npd == np.float32 or npd == np.float64:
        return getattr(gen, method)(shape, dtype=npd)
    return getattr(gen, method)(shape, dtype=np.float32).astype(npd)


def _affine(rnd, scale, shift, dtype):
    """Returns ``rnd * scale + shift`` in ``dtype``: NumPy for numbers, ops for Tensors."""
    npd = dtype._np
    if _is_tensor(scale) or _is_tensor(shift):
        from tapeflow.ops.math_ops import add, multiply
        return add(multiply(Tensor(rnd), convert_to_tensor(scale, dtype)),
                   convert_to_tensor(shift, dtype))
    if type(scale) in _NUMBERS and type(shift) in _NUMBERS and scale == 1 and shift == 0:
        return Tensor(rnd)
    s = np.asarray(scale, dtype=npd)
    b = np.asarray(shift, dtype=npd)
    return Tensor((rnd * s + b).astype(npd, copy=False))


_NUMBERS = (int, float)


def _truncated_array(gen, shape, npd):
    """Standard normals re-drawn until all lie within two standard deviations."""
    z = _draw_float(gen, "standard_normal", shape, npd)
    bad = np.abs(z) > 2
    while bad.any():
        z[bad] = _draw_float(gen, "standard_normal", (int(bad.sum()),), npd)
        bad = np.abs(z) > 2
    return z


# -- shared samplers (the stateful ops, the stateless ops and Generator use them) ----------

def _normal(get_gen, shape, mean, stddev, dtype, op="RandomStandardNormal"):
    dtype = _float_dtype(dtype, op)
    shape = _parse_shape(shape, op)
    rnd = _draw_float(get_gen(op, dtype._np), "standard_normal", shape, dtype._np)
    return _affine(rnd, stddev, mean, dtype)


def _truncated(get_gen, shape, mean, stddev, dtype, op="TruncatedNormal"):
    dtype = _float_dtype(dtype, op)
    shape = _parse_shape(shape, op)
    rnd = _truncated_array(get_gen(op, dtype._np), shape, dtype._np)
    return _affine(rnd, stddev, mean, dtype)


def _int_scalar(v, name):
    if _is_tensor(v):
        v = convert_to_tensor(v)._value
    if isinstance(v, float):   # TensorFlow converts minval/maxval to the integer dtype
        raise TypeError(f"Cannot convert {v!r} to EagerTensor of dtype int32")
    a = np.asarray(v)
    if a.ndim != 0:
        raise ValueError(f"{name} must be a scalar; got a tensor of shape {list(a.shape)}")
    return int(a)


def _full_range(gen, shape, npd):
    info = np.iinfo(npd)
    return gen.integers(info.min, info.max, size=shape, dtype=npd, endpoint=True)


def _uniform(get_gen, shape, minval, maxval, dtype, op="RandomUniform", stateless=False):
    dtype = dtypes.as_dtype(dtype)
    npd = dtype._np
    ints = (np.int32, np.int64, np.uint32, np.uint64) if stateless else (np.int32, np.int64)
    if npd.kind == "f":
        shape = _parse_shape(shape, op)
        if maxval is None:
            maxval = 1
        rnd = _draw_float(get_gen(op, npd), "random", shape, npd)
        if _is_tensor(minval) or _is_tensor(maxval):
            from tapeflow.ops.math_ops import subtract
            span = subtract(convert_to_tensor(maxval, dtype), convert_to_tensor(minval, dtype))
            return _affine(rnd, span, minval, dtype)
        if type(minval) in _NUMBERS and type(maxval) in _NUMBERS and minval == 0 and \
                maxval == 1:
            return Tensor(rnd)
        lo = np.asarray(minval, dtype=npd)
        return _affine(rnd, np.asarray(maxval, dtype=npd) - lo, lo, dtype)
    if npd.type not in ints:
        raise ValueError(f"Argument `dtype` got invalid value {dtype!r}. Accepted dtypes are "
                         f"float16, float32, float64, int32, int64"
                         f"{', uint32, uint64' if stateless else ''}.")
    op = op + "Int"
    if stateless:
        if (minval is None) != (maxval is None):
            raise ValueError(f"For integer `dtype` argument {dtype!r}, argument `minval` and "
                             f"`maxval` must be both None or not None. Got `minval`={minval} "
                             f"and `maxval`={maxval}.")
        if minval is None:
            shape = _parse_shape(shape, op + "FullInt")
            return Tensor(_full_range(get_gen(op, npd), shape, npd))
        if npd.kind == "u":
            raise ValueError(f"Argument `dtype` got invalid value {dtype!r} when argument "
                             f"`minval` is not None. Please don't use unsigned integers in "
                             f"this case.")
    elif maxval is None:
        raise ValueError(f"Must specify maxval for integer dtype {dtype!r}")
    lo, hi = _int_scalar(minval, "minval"), _int_scalar(maxval, "maxval")
    shape = _parse_shape(shape, op)
    if lo >= hi:
        raise InvalidArgumentError(None, op, f"Need minval < maxval: {lo} >= {hi} [Op:{op}]")
    return Tensor(get_gen(op, npd).integers(lo, hi, size=shape, dtype=npd))


def _categorical(get_gen, logits, num_samples, dtype, op="Multinomial"):
    dtype = dtypes.int64 if dtype is None else dtypes.as_dtype(dtype)
    if dtype._np.kind == "f":   # TensorFlow's Python layer refuses it first
        raise ValueError(f"Argument `dtype` got invalid value <dtype: '{dtype.name}'>. "
                         f"Accepted dtypes are (tf.int32, tf.int64).")
    if dtype._np.type not in (np.int32, np.int64):
        raise InvalidArgumentError(
            None, op, f"Value for attr 'output_dtype' of {dtype.name} is not in the list of "
            f"allowed values: int32, int64 [Op:{op}]")
    x = convert_to_tensor(logits)._value
    if x.dtype.kind != "f":   # Multinomial has kernels for float types only
        d = convert_to_tensor(logits).dtype.name
        raise NotFoundError(None, op, f"Could not find device for node: {{{{node {op}}}}} = "
                            f"{op}[T=DT_{d.upper()}] [Op:{op}]")
    if x.ndim != 2:
        raise InvalidArgumentError(None, op, f"logits should be a matrix, got shape "
                                   f"{list(x.shape)} [Op:{op}]")
    n = _int_scalar(num_samples, "num_samples")
    if n < 0:
        raise InvalidArgumentError(None, op, f"num_samples should be nonnegative, got {n} "
                                   f"[Op:{op}]")
    b, k = x.shape
    if k == 0:
        raise InvalidArgumentError(None, op, f"num_classes should be positive, got {k} [Op:{op}]")
    gumbel = get_gen(op, dtype._np).gumbel(size=(b, n, k))
    with np.errstate(all="ignore"):
        scores = x.astype(np.float64)[:, None, :] + gumbel     # Gumbel-max trick
    return Tensor(np.argmax(scores, axis=-1).astype(dtype._np))


# -- stateful ops --------------------------------------------------------------------------

def normal(shape, mean=0.0, stddev=1.0, dtype=dtypes.float32, seed=None, name=None):
    """Returns a Tensor of ``shape`` with values drawn from N(mean, stddev²).

    Args:
      shape: 1-D list/tuple/Tensor of ints.
      mean, stddev: numbers or Tensors (broadcast against ``shape``).
      dtype: a float dtype.
      seed: an op seed (see ``set_seed``).

    Raises:
      InvalidArgumentError: for a negative dimension or a non-float dtype.
    """
    return _normal(_stateful(seed), shape, mean, stddev, dtype)


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=dtypes.float32, seed=None, name=None):
    """Returns normal values re-drawn until within two standard deviations of ``mean``."""
    return _truncated(_stateful(seed), shape, mean, stddev, dtype)


def uniform(shape, minval=0, maxval=None, dtype=dtypes.float32, seed=None, name=None):
    """Returns values drawn uniformly from ``[minval, maxval)``.

    Floats default to ``maxval=1``; integer dtypes (int32/int64) need ``maxval``.

    Raises:
      ValueError: for an integer dtype without ``maxval``, or an unsupported dtype.
      InvalidArgumentError: for integers with ``minval >= maxval``, or a negative dimension.
    """
    return _uniform(_stateful(seed), shape, minval, maxval, dtype)


def shuffle(value, seed=None, name=None):
    """Returns ``value`` randomly permuted along its first dimension."""
    t = convert_to_tensor(value)
    arr = t._value
    if arr.ndim == 0:
        return t
    perm = _stream("RandomShuffle", arr.dtype, seed).permutation(arr.shape[0])
    return Tensor(arr[perm])


def categorical(logits, num_samples, dtype=None, seed=None, name=None):
    """Returns ``[batch, num_samples]`` class indices drawn from ``softmax(logits)`` rows.

    Args:
      logits: a 2-D ``[batch, num_classes]`` Tensor of unnormalised log-probabilities.
      num_samples: the number of draws per row.
      dtype: int64 (default) or int32.
    """
    return _categorical(_stateful(seed), logits, num_samples, dtype)


def gamma(shape, alpha, beta=None, dtype=dtypes.float32, seed=None, name=None):
    """Returns Gamma(alpha, beta) samples of shape ``shape + broadcast(alpha, beta).shape``."""
    dtype = _float_dtype(dtype, "RandomGamma", alpha)
    shape = _parse_shape(shape, "RandomGamma")
    a = np.asarray(convert_to_tensor(alpha, dtype)._value, np.float64)
    b = np.ones((), np.float64) if beta is None else np.asarray(
        convert_to_tensor(beta, dtype)._value, np.float64)
    ab = np.broadcast_shapes(a.shape, b.shape)
    gen = _stream("RandomGamma", dtype._np, seed)
    a = np.broadcast_to(a, ab)
    with np.errstate(all="ignore"):
        out = gen.standard_gamma(np.where(a > 0, a, 1.0), size=shape + ab) / b
    if not (a > 0).all():   # as TensorFlow: alpha 0 gives the tiniest normal, alpha < 0 NaN
        out = np.where(a == 0, np.finfo(dtype._np).tiny, np.where(a < 0, np.nan, out))
    return Tensor(out.astype(dtype._np))


def _tf_name(d):
    """TensorFlow's name for dtype ``d`` in attr messages (float, double, half ...)."""
    return {"float32": "float", "float64": "double", "float16": "half"}.get(d.name, d.name)


def poisson(shape, lam, dtype=dtypes.float32, seed=None, name=None):
    """Returns Poisson(lam) samples of shape ``shape + lam.shape``."""
    dtype = dtypes.as_dtype(dtype)
    if dtype.name not in ("float16", "float32", "float64", "int32", "int64"):
        raise InvalidArgumentError(
            None, "RandomPoissonV2", f"Value for attr 'dtype' of {dtype.name} is not in the "
            f"list of allowed values: half, float, double, int32, int64 [Op:RandomPoissonV2]")
    shape = _parse_shape(shape, "RandomPoissonV2")
    lam = np.asarray(convert_to_tensor(lam)._value, np.float64)
    gen = _stream("RandomPoissonV2", dtype._np, seed)
    return Tensor(gen.poisson(lam, size=shape + lam.shape).astype(dtype._np))


# -- stateless ops -------------------------------------------------------------------------

def _stateless(seed, op):
    s = convert_to_tensor(seed)._value
    if s.dtype.kind not in "iu":
        raise InvalidArgumentError(
            None, op, f"Value for attr 'Tseed' of {dtypes.as_dtype(s.dtype).name} is not in the "
            f"list of allowed values: int32, int64 [Op:{op}]")
    if s.shape != (2,):
        raise InvalidArgumentError(None, op, f"seed must have shape [2], not {list(s.shape)} "
                                   f"[Op:{op}]")
    gen = np.random.Generator(np.random.Philox(
        key=(int(s[0]) & _M64) | ((int(s[1]) & _M64) << 64)))
    return lambda kind, npd: gen


def stateless_normal(shape, seed, mean=0.0, stddev=1.0, dtype=dtypes.float32, name=None,
                     alg="auto_select"):
    """Returns N(mean, stddev²) values determined by ``seed`` (a shape [2] int Tensor).

    The same ``seed`` always gives the same values.
    """
    return _normal(_stateless(seed, "StatelessRandomNormalV2"), shape, mean, stddev, dtype,
                   "StatelessRandomNormalV2")


def stateless_truncated_normal(shape, seed, mean=0.0, stddev=1.0, dtype=dtypes.float32,
                               name=None, alg="auto_select"):
    """Returns truncated normal values determined by ``seed``."""
    return _truncated(_stateless(seed, "StatelessTruncatedNormalV2"), shape, mean, stddev,
                      dtype, "StatelessTruncatedNormalV2")


def stateless_uniform(shape, seed, minval=0, maxval=None, dtype=dtypes.float32, name=None,
                      alg="auto_select"):
    """Returns uniform values in ``[minval, maxval)`` determined by ``seed``.

    For integer dtypes ``minval`` and ``maxval`` must both be given, or both be
    None for the dtype's full range.
    """
    return _uniform(_stateless(seed, "StatelessRandomUniformV2"), shape, minval, maxval, dtype,
                    "StatelessRandomUniformV2", stateless=True)


def stateless_categorical(logits, num_samples, seed, dtype=dtypes.int64, name=None):
    """Returns class indices drawn from ``softmax(logits)`` rows, determined by ``seed``."""
    return _categorical(_stateless(seed, "StatelessMultinomial"), logits, num_samples, dtype,
                        "StatelessMultinomial")


__all__ = [
    "set_seed", "get_seed", "normal", "truncated_normal", "uniform", "shuffle", "categorical",
    "gamma", "poisson", "stateless_normal", "stateless_truncated_normal", "stateless_uniform",
    "stateless_categorical",
]


# Inside a tf.function trace, each draw is one graph node that draws again on every call.
for _name in ("normal", "truncated_normal", "uniform", "shuffle", "categorical", "gamma",
              "poisson", "stateless_normal", "stateless_truncated_normal", "stateless_uniform",
              "stateless_categorical"):
    globals()[_name] = _func_graph.stateful(globals()[_name])
del _name


def get_random_state():
    """Returns a snapshot of the random ops' global streams (for ``set_random_state``); a
    Keras compiled step uses it to run a step twice with the same draws."""
    import copy
    return (_global_seed, copy.deepcopy(_global_stream), copy.deepcopy(_op_seed_rng),
            {k: copy.deepcopy(g) for k, g in _kernels.items()},
            _unseeded.bit_generator.state)


def set_random_state(state):
    """Restores a snapshot from ``get_random_state`` (the stream objects stay the same
    objects where they still exist)."""
    global _global_seed, _global_stream, _op_seed_rng
    seed, stream, op_rng, kernels, unseeded = state
    _global_seed, _op_seed_rng = seed, op_rng
    if stream is not None and _global_stream is not None:
        _global_stream.bit_generator.state = stream.bit_generator.state
    else:
        _global_stream = stream
    for k, g in kernels.items():
        if k in _kernels:
            _kernels[k].bit_generator.state = g.bit_generator.state
        else:
            _kernels[k] = g
    for k in [k for k in _kernels if k not in kernels]:
        del _kernels[k]
    _unseeded.bit_generator.state = unseeded
