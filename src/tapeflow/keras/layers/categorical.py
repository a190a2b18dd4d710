"""Categorical preprocessing: CategoryEncoding, Hashing, HashedCrossing, Discretization.

Hashes are TensorFlow's (FarmHash ``Fingerprint64``; crosses chained with
``FingerprintCat64``), so bins agree with Keras bit for bit. ``Discretization.adapt``
summarizes the data as Keras does (sorted samples spaced ``epsilon`` apart, merged and
compressed by interpolating cumulative weights), so learned boundaries agree too.
"""
import numpy as np

from tapeflow.framework.tensor import Tensor
from tapeflow.keras.layers.index_lookup import _array, encode_categorical
from tapeflow.keras.layers.layer import Layer
from tapeflow.ops import farmhash


def _encoded_shape(input_shape, output_mode, depth):
    input_shape = tuple(input_shape)
    if output_mode == "int":
        return input_shape
    if len(input_shape) == 0:
        return (depth,)
    if output_mode == "one_hot":
        if input_shape[-1] == 1 and len(input_shape) > 1:
            return input_shape[:-1] + (depth,)
        return input_shape + (depth,)
    return input_shape[:-1] + (depth,)


class CategoryEncoding(Layer):
    """Encodes integer category ids (< ``num_tokens``) as one-hot, multi-hot or count
    vectors (float32 by default).

    Args:
      num_tokens: the number of categories.
      output_mode: ``"multi_hot"`` (default; ``"binary"`` is an alias), ``"one_hot"`` or
        ``"count"`` (``count_weights`` may weight each id in ``call``).

    Raises:
      ValueError: for a missing or non-positive ``num_tokens`` or an unknown mode.
    """

    def __init__(self, num_tokens=None, output_mode="multi_hot", sparse=False, **kwargs):
        super().__init__(**kwargs)
        if output_mode == "binary":
            output_mode = "multi_hot"
        if output_mode not in ("count", "one_hot", "multi_hot"):
            raise ValueError(f"Unknown arg for output_mode: {output_mode}")
        if num_tokens is None:
            raise ValueError("num_tokens must be set to use this layer. If the number of "
                             "tokens is not known beforehand, use the IntegerLookup layer "
                             "instead.")
        if num_tokens < 1:
            raise ValueError(f"`num_tokens` must be >= 1. Received: num_tokens={num_tokens}.")
        if sparse:
            raise NotImplementedError("tapeflow's CategoryEncoding has no sparse output.")
        self.num_tokens = num_tokens
        self.output_mode = output_mode
        self.sparse = sparse
        self.built = True

    def _convert(self, x):
        return x   # strings and ints pass as they are; nothing to build

    def call(self, inputs, count_weights=None):
        if count_weights is not None and self.output_mode != "count":
            raise ValueError("`count_weights` is not used when `output_mode` is not "
                             f"`'count'`. Received `count_weights={count_weights}`.")
        idx = np.asarray(_array(inputs)).astype(np.int64)
        if idx.size and (idx.min() < 0 or idx.max() >= self.num_tokens):
            from tapeflow.framework.errors import InvalidArgumentError
            raise InvalidArgumentError(
                None, "CategoryEncoding", f"Input values must be in the range 0 <= values < "
                f"num_tokens with num_tokens={self.num_tokens}")
        w = None if count_weights is None else np.asarray(_array(count_weights))
        return Tensor(encode_categorical(idx, self.output_mode, self.num_tokens,
                                         self._np_dtype, w))

    def compute_output_shape(self, input_shape):
        if len(input_shape) == 1 and self.output_mode == "one_hot":
            return tuple(input_shape) + (self.num_tokens,)
        return _encoded_shape(input_shape, self.output_mode, self.num_tokens)

    def compute_output_spec(self, inputs, count_weights=None):
        """Returns the output KerasTensor (the layer's dtype, ``num_tokens`` wide)."""
        from tapeflow.keras.keras_tensor import KerasTensor
        return KerasTensor(self.compute_output_shape(inputs.shape), dtype=self.compute_dtype)

    def get_config(self):
        config = super().get_config()
        config.update({"num_tokens": self.num_tokens, "output_mode": self.output_mode})
        return config


def _hash_keys(values):
    """Returns the bytes a value hashes as: strings themselves, numbers as decimal text
    (floats truncated to int64 first, as Keras)."""
    v = np.asarray(values)
    if v.dtype == object:
        return [x if isinstance(x, bytes) else str(x).encode() for x in v.reshape(-1).tolist()]
    if v.dtype.kind == "f":
        v = v.astype(np.int64)
    return [str(int(x)).encode() for x in v.reshape(-1).tolist()]


class Hashing(Layer):
    """Hashes strings or integers into ``num_bins`` bins with FarmHash (as TensorFlow's
    ``to_hash_bucket_fast``).

    Args:
      num_bins: the number of bins (with ``mask_value``, bin 0 is reserved for it).
      mask_value: an optional value mapped to bin 0.
      salt: not supported (Keras then uses the keyed SipHash).
      output_mode: ``"int"`` (int64 bins), ``"one_hot"``, ``"multi_hot"`` or ``"count"``.
    """

    def __init__(self, num_bins, mask_value=None, salt=None, output_mode="int", sparse=False,
                 **kwargs):
        if kwargs.get("dtype") is None:
            kwargs["dtype"] = "int64" if output_mode == "int" else "float32"
        super().__init__(**kwargs)
        if num_bins is None or num_bins <= 0:
            raise ValueError(f"The `num_bins` for `Hashing` cannot be `None` or non-positive "
                             f"values. Received: num_bins={num_bins}.")
        if output_mode == "int" and self._policy.name not in ("int32", "int64"):
            raise ValueError(f'When `output_mode="int"`, `dtype` should be an integer type, '
                             f"'int32' or 'in64'. Received: dtype={kwargs['dtype']}")
        modes = ("int", "one_hot", "multi_hot", "count")
        if output_mode not in modes:
            raise ValueError(f"Invalid value for argument `output_mode`. Expected one of "
                             f"{modes}. Received: output_mode={output_mode}")
        if sparse and output_mode == "int":
            raise ValueError('`sparse` may only be true if `output_mode` is `"one_hot"`, '
                             f'`"multi_hot"`, or `"count"`. Received: sparse={sparse} and '
                             f"output_mode={output_mode}")
        if salt is not None:
            raise NotImplementedError("tapeflow's Hashing does not implement the salted "
                                      "(SipHash) hash; use salt=None.")
        self.num_bins = num_bins
        self.mask_value = mask_value
        self.strong_hash = False
        self.output_mode = output_mode
        self.sparse = sparse
        self.salt = None
        self.built = True

    def _convert(self, x):
        return x   # strings and ints pass as they are; nothing to build

    def _bins(self, v):
        n = self.num_bins
        keys = _hash_keys(v)
        mask = None
        if self.mask_value is not None and n > 1:
            n -= 1
            target = self.mask_value
            if v.dtype == object and isinstance(target, str):
                target = target.encode()
            mask = (v == target).reshape(-1)
        bins = np.fromiter((farmhash.fingerprint64(k) % n for k in keys), dtype=np.int64,
                           count=len(keys))
        if mask is not None:
            bins = np.where(mask, 0, bins + 1)
        return bins.reshape(v.shape)

    def call(self, inputs):
        v = _array(inputs)
        if self.output_mode == "one_hot" and v.ndim and v.shape[-1] == 1:
            v = v[..., 0]
        bins = self._bins(v)
        if self.output_mode == "int":
            return Tensor(bins.astype(self._np_dtype))
        return Tensor(encode_categorical(bins, self.output_mode, self.num_bins,
                                         self._np_dtype))

    def compute_output_shape(self, input_shape):
        if self.output_mode == "int":
            return tuple(input_shape)
        if len(input_shape) == 0:
            return (self.num_bins,)
        return tuple(input_shape[:-1]) + (self.num_bins,)

    def compute_output_spec(self, inputs):
        """Returns the output KerasTensor (the layer's dtype)."""
        from tapeflow.keras.keras_tensor import KerasTensor
        return KerasTensor(self.compute_output_shape(inputs.shape), dtype=self.compute_dtype)

    def get_config(self):
        config = super().get_config()
        config.update({"num_bins": self.num_bins, "salt": self.salt,
                       "mask_value": self.mask_value, "output_mode": self.output_mode,
                       "sparse": self.sparse})
        return config


class HashedCrossing(Layer):
    """Crosses two or more categorical features (strings or integers, each of shape ``()``,
    ``(batch,)`` or ``(batch, 1)``) into ``num_bins`` hashed bins, as TensorFlow's
    ``sparse.cross_hashed``.

    Args:
      num_bins: the number of bins.
      output_mode: ``"int"`` (int64 bins) or ``"one_hot"``.
    """

    def __init__(self, num_bins, output_mode="int", sparse=False, name=None, dtype=None,
                 **kwargs):
        if output_mode == "int" and dtype is None:
            dtype = "int64"
        super().__init__(name=name, dtype=dtype, **kwargs)
        if output_mode not in ("int", "one_hot"):
            raise ValueError(f"Unknown value for `output_mode`. Allowed values are: "
                             f"('int', 'one_hot'). Received: output_mode={output_mode}")
        if sparse:
            raise NotImplementedError("tapeflow's HashedCrossing has no sparse output.")
        self.num_bins = num_bins
        self.output_mode = output_mode
        self.sparse = sparse
        self.built = True

    def _convert(self, x):
        return x   # strings and ints pass as they are; nothing to build

    def call(self, inputs):
        if not isinstance(inputs, (list, tuple)):
            raise ValueError(f"`HashedCrossing` should be called on a list or tuple of "
                             f"inputs. Received: inputs={inputs}")
        if len(inputs) < 2:
            raise ValueError(f"`HashedCrossing` should be called on at least two inputs. "
                             f"Received: inputs={inputs}")
        arrays = [_array(x) for x in inputs]
        shape = arrays[0].shape
        if len(shape) > 2 or (len(shape) == 2 and shape[-1] != 1):
            raise ValueError("All `HashedCrossing` inputs should have shape `()`, "
                             f"`(batch_size)` or `(batch_size, 1)`. Received: inputs={inputs}")
        if not all(a.shape == shape for a in arrays[1:]):
            raise ValueError(f"All `HashedCrossing` inputs should have equal shape. Received: "
                             f"inputs={inputs}")
        cols = [a.reshape(-1).tolist() for a in arrays]
        keys = [[v if isinstance(v, bytes) else int(v) for v in c] for c in cols]
        bins = np.array([farmhash.cross_hash(row, self.num_bins) for row in zip(*keys)],
                        dtype=np.int64).reshape(shape)
        if self.output_mode == "int":
            return Tensor(bins.astype(self._np_dtype))
        return Tensor(encode_categorical(bins, "one_hot", self.num_bins, self._np_dtype))

    def compute_output_shape(self, input_shape):
        first = tuple(input_shape[0])
        if self.output_mode == "int":
            return first
        if first and first[-1] != 1:
            return first + (self.num_bins,)
        return first[:-1] + (self.num_bins,)

    def compute_output_spec(self, inputs):
        """Returns the output KerasTensor (the layer's dtype)."""
        from tapeflow.keras.keras_tensor import KerasTensor
        return KerasTensor(self.compute_output_shape([x.shape for x in inputs]),
                           dtype=self.compute_dtype)

    def get_config(self):
        return {"num_bins": self.num_bins, "output_mode": self.output_mode,
                "sparse": self.sparse, "name": self.name, "dtype": self._policy.name}


# -- Discretization's quantile summary (Keras's algorithm) -----------------------------------

def _summarize(values, epsilon):
    """Returns a ``(2, k)`` summary: every ``step``-th sorted value and its weight."""
    values = np.sort(np.reshape(values, [-1]))
    step = max(values.size * epsilon, 1)
    picked = values[int(step - 1)::int(step)]
    return np.stack([picked, np.ones_like(picked) * step])


def _compress(summary, epsilon):
    """Returns ``summary`` resampled at cumulative-weight fractions ``epsilon`` apart."""
    if summary.shape[1] * epsilon < 1:
        return summary
    fractions = epsilon + np.arange(0.0, 1.0, epsilon)
    cum = summary[1].cumsum()
    cum_frac = cum / cum[-1]
    bins = np.interp(fractions, cum_frac, summary[0])
    new_cum = np.interp(fractions, cum_frac, cum)
    weights = new_cum - np.concatenate((np.array([0]), new_cum[:-1]))
    return np.stack((bins, weights)).astype("float32")


def _merge(a, b, epsilon):
    merged = np.concatenate((a, b), axis=1)
    return _compress(np.take(merged, np.argsort(merged[0]), axis=1), epsilon)


class Discretization(Layer):
    """Buckets numbers by ``bin_boundaries`` (``[b0, b1, ...]``: bin 0 is ``x < b0``, bin
    ``i`` is ``b[i-1] <= x < b[i]``), or by ``num_bins`` quantiles learned with ``adapt``.

    Args:
      bin_boundaries: sorted boundaries, or None to ``adapt``.
      num_bins: the number of bins to learn.
      epsilon: the quantile summary's error tolerance (default 0.01).
      output_mode: ``"int"`` (int32 bins), ``"one_hot"``, ``"multi_hot"`` or ``"count"``.
    """

    def __init__(self, bin_boundaries=None, num_bins=None, epsilon=0.01, output_mode="int",
                 sparse=False, dtype=None, name=None):
        super().__init__(name=name, dtype=dtype)
        if sparse and output_mode == "int":
            raise ValueError("`sparse=True` may only be used if `output_mode` is `'one_hot'`, "
                             f"`'multi_hot'`, or `'count'`. Received: sparse={sparse} and "
                             f"output_mode={output_mode}")
        if sparse:
            raise NotImplementedError("tapeflow's Discretization has no sparse output.")
        modes = ("int", "one_hot", "multi_hot", "count")
        if output_mode not in modes:
            raise ValueError(f"Unknown value for `output_mode`. Allowed values are: {modes}. "
                             f"Received: output_mode={output_mode}")
        if num_bins is not None and num_bins < 0:
            raise ValueError(f"`num_bins` must be greater than or equal to 0. Received: "
                             f"`num_bins={num_bins}`")
        if num_bins is not None and bin_boundaries is not None:
            raise ValueError(f"Both `num_bins` and `bin_boundaries` should not be set. "
                             f"Received: `num_bins={num_bins}` and "
                             f"`bin_boundaries={bin_boundaries}`")
        if num_bins is None and bin_boundaries is None:
            raise ValueError("You need to set either `num_bins` or `bin_boundaries`.")
        self.bin_boundaries = bin_boundaries
        self.num_bins = num_bins
        self.epsilon = epsilon
        self.output_mode = output_mode
        self.sparse = sparse
        self.__dict__["summary"] = None if bin_boundaries else np.array([[], []],
                                                                        dtype="float32")
        self.built = True

    @property
    def output_dtype(self):
        """Returns ``"int32"`` in ``"int"`` mode, else the compute dtype."""
        return self.compute_dtype if self.output_mode != "int" else "int32"

    def adapt(self, data, steps=None):
        """Learns ``num_bins`` quantile boundaries from an array, Dataset or batches.

        Raises:
          ValueError: if the layer was built with ``bin_boundaries``.
        """
        if self.num_bins is None:
            raise ValueError("Cannot adapt a Discretization layer that has been initialized "
                             "with `bin_boundaries`, use `num_bins` instead.")
        self.__dict__["summary"] = np.array([[], []], dtype="float32")
        batches = [data] if isinstance(data, (np.ndarray, Tensor)) else data
        for i, batch in enumerate(batches):
            if steps is not None and i >= steps:
                break
            values = np.array(_array(batch)).astype("float32")
            self.__dict__["summary"] = _merge(_summarize(values, self.epsilon), self.summary,
                                              self.epsilon)
        self.bin_boundaries = _compress(self.summary, 1.0 / self.num_bins)[0, :-1].tolist()

    def _convert(self, x):
        return x   # strings and ints pass as they are; nothing to build

    def call(self, inputs):
        if self.bin_boundaries is None:
            raise ValueError("You need to either pass the `bin_boundaries` argument at "
                             "construction time or call `adapt(dataset)` before you can start "
                             "using the `Discretization` layer.")
        v = np.asarray(_array(inputs))
        idx = np.digitize(v, np.asarray(self.bin_boundaries, dtype=v.dtype if v.dtype.kind
                                        == "f" else np.float64))
        depth = len(self.bin_boundaries) + 1
        if self.output_mode == "int":
            return Tensor(idx.astype(np.int32))
        return Tensor(encode_categorical(idx, self.output_mode, depth, self._np_dtype))

    def compute_output_shape(self, input_shape):
        if self.output_mode == "int":
            return tuple(input_shape)
        depth = len(self.bin_boundaries) + 1 if self.bin_boundaries is not None \
            else self.num_bins
        if self.output_mode == "one_hot":
            if input_shape and input_shape[-1] == 1 and len(input_shape) > 1:
                return tuple(input_shape[:-1]) + (depth,)
            return tuple(input_shape) + (depth,)
        if input_shape and len(input_shape) >= 2:
            return (input_shape[0],) + tuple(input_shape[2:]) + (depth,)
        return (depth,)

    def compute_output_spec(self, inputs):
        """Returns the output KerasTensor (int32 in ``"int"`` mode)."""
        from tapeflow.keras.keras_tensor import KerasTensor
        return KerasTensor(self.compute_output_shape(inputs.shape), dtype=self.output_dtype)

    def get_config(self):
        return {"bin_boundaries": self.bin_boundaries, "num_bins": self.num_bins,
                "epsilon": self.epsilon, "output_mode": self.output_mode,
                "sparse": self.sparse, "name": self.name, "dtype": self._policy.name}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if config.get("bin_boundaries") is not None and config.get("num_bins") is not None:
            boundaries = config.pop("bin_boundaries")
            layer = cls(**config)
            layer.bin_boundaries = boundaries
            return layer
        return cls(**config)


__all__ = ["CategoryEncoding", "Hashing", "HashedCrossing", "Discretization"]
