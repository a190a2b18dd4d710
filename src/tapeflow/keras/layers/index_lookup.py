"""``StringLookup`` and ``IntegerLookup``: vocabulary lookups (and their inverse).

The index layout is Keras's: in ``"int"`` mode the mask token (when set) takes index 0,
then come ``num_oov_indices`` out-of-vocabulary buckets, then the vocabulary; in the other
modes there is no mask index (masked inputs are dropped). With several OOV buckets,
strings go to bucket ``Fingerprint64(s) % n`` (FarmHash, as TensorFlow) and integers to
``x % n``. ``adapt`` orders tokens by descending count, ties by descending token.
Tokens are held as Python ``bytes`` or ``int`` in a dict, so a lookup is one dictionary
probe per element, assembled with whole-array NumPy operations.
"""
from tapeflow.framework.variable import array_of
import collections
import os

import numpy as np

from tapeflow.framework.errors import InvalidArgumentError
from tapeflow.framework.tensor import Tensor, convert_to_tensor
from tapeflow.keras.layers.layer import Layer

_MODES = ("int", "one_hot", "multi_hot", "count", "tf_idf")


def _to_bytes(t):
    return t.encode("utf-8") if isinstance(t, str) else bytes(t)


def _array(x):
    """Returns the input's values as a NumPy array (object array of bytes for strings)."""
    if type(x) is Tensor:
        v = array_of(x)
    elif isinstance(x, np.ndarray):
        v = x
    else:
        v = array_of(convert_to_tensor(x))
    v = np.asarray(v)
    if v.dtype.kind in "US":
        out = np.empty(v.shape, dtype=object)
        out.reshape(-1)[:] = [_to_bytes(s) for s in v.reshape(-1).tolist()]
        return out
    return v


def encode_categorical(indices, output_mode, depth, dtype, count_weights=None):
    """Returns ``indices`` (int array, entries outside [0, depth) dropped) encoded as Keras's
    ``"one_hot"``, ``"multi_hot"`` or ``"count"`` arrays of ``dtype`` (NumPy).

    ``one_hot`` adds an axis (after dropping a trailing axis of size 1); ``multi_hot`` and
    ``count`` replace the last axis (a scalar counts as a vector of one).
    """
    idx = np.asarray(indices)
    if idx.ndim == 0:
        idx = idx.reshape(1)
    valid = (idx >= 0) & (idx < depth)
    if output_mode == "one_hot":
        if idx.ndim > 1 and idx.shape[-1] == 1:
            idx, valid = idx[..., 0], valid[..., 0]
        out = np.zeros(idx.shape + (depth,), dtype=dtype)
        np.put_along_axis(out, np.where(valid, idx, 0)[..., None],
                          valid[..., None].astype(dtype), axis=-1)
        return out
    lead = idx.shape[:-1]
    flat = idx.reshape(-1, idx.shape[-1])
    fvalid = valid.reshape(flat.shape)
    out = np.zeros((flat.shape[0], depth), dtype=dtype)
    rows = np.repeat(np.arange(flat.shape[0]), flat.shape[1])[fvalid.reshape(-1)]
    cols = flat.reshape(-1)[fvalid.reshape(-1)]
    if output_mode == "multi_hot":
        out[rows, cols] = 1
    else:
        w = 1 if count_weights is None else np.asarray(count_weights).reshape(-1)[
            fvalid.reshape(-1)]
        np.add.at(out, (rows, cols), w)
    return out.reshape(lead + (depth,))


class IndexLookup(Layer):
    """The shared lookup machinery of ``StringLookup`` and ``IntegerLookup``."""

    _string = True

    def __init__(self, max_tokens, num_oov_indices, mask_token, oov_token, vocabulary_dtype,
                 vocabulary=None, idf_weights=None, invert=False, output_mode="int",
                 sparse=False, pad_to_max_tokens=False, oov_method="floormod", salt=None,
                 name=None, **kwargs):
        kwargs.pop("vocabulary_size", None)
        kwargs.pop("has_input_vocabulary", None)
        kwargs.pop("dtype", None)
        super().__init__(name=name, **kwargs)
        if max_tokens is not None and max_tokens <= 1:
            raise ValueError(f"If set, `max_tokens` must be greater than 1. Received: "
                             f"max_tokens={max_tokens}")
        if pad_to_max_tokens and max_tokens is None:
            raise ValueError(f"If pad_to_max_tokens is True, must set `max_tokens`. Received: "
                             f"max_tokens={max_tokens}")
        if num_oov_indices < 0:
            raise ValueError(f"`num_oov_indices` must be greater than or equal to 0. Received: "
                             f"num_oov_indices={num_oov_indices}")
        if output_mode == "tf-idf":
            output_mode = "tf_idf"
        if output_mode not in _MODES:
            raise ValueError(f"Invalid value for argument `output_mode`. Expected one of "
                             f"{_MODES}. Received: output_mode={output_mode}")
        if invert and output_mode != "int":
            raise ValueError(f"`output_mode` must be `'int'` when `invert` is true. Received: "
                             f"output_mode={output_mode}")
        if sparse:
            raise NotImplementedError("tapeflow's lookup layers have no sparse output; use "
                                      "sparse=False.")
        if idf_weights is not None and output_mode != "tf_idf":
            raise ValueError(f"`idf_weights` should only be set if `output_mode` is "
                             f"`'tf_idf'`. Received: idf_weights={idf_weights} and "
                             f"output_mode={output_mode}")
        if oov_method not in ("floormod", "farmhash"):
            raise ValueError(f"Invalid value for argument `oov_method`. Expected one of "
                             f"('floormod', 'farmhash'). Received: oov_method={oov_method}")
        if salt is not None:
            raise NotImplementedError("tapeflow's lookup layers do not implement the salted "
                                      "(SipHash) OOV hashing; use salt=None.")
        self.invert = invert
        self.max_tokens = max_tokens
        self.num_oov_indices = num_oov_indices
        self.mask_token = mask_token
        self.oov_token = oov_token
        self.output_mode = output_mode
        self.sparse = sparse
        self.pad_to_max_tokens = pad_to_max_tokens
        self.vocabulary_dtype = vocabulary_dtype
        self.oov_method = oov_method
        self.salt = salt
        self.input_vocabulary = vocabulary
        self.input_idf_weights = idf_weights
        d = self.__dict__   # long lists are kept out of Layer's weight tracking
        d["_tokens"] = None
        d["_index"] = {}
        d["_idf"] = None
        d["_frozen_vocab_size"] = None
        self._has_input_vocabulary = vocabulary is not None
        if output_mode == "tf_idf" and vocabulary is not None and idf_weights is None:
            raise ValueError("When specifying the `vocabulary` argument, in TF-IDF output "
                             "mode, the `idf_weights` argument must also be provided.")
        if vocabulary is not None:
            self.set_vocabulary(vocabulary, idf_weights)
        self.built = True

    # -- tokens --------------------------------------------------------------------------
    def _key(self, t):
        """Returns token ``t`` as the table holds it (bytes or int)."""
        if self._string:
            return _to_bytes(t)
        return int(t)

    def _show(self, t):
        """Returns a learned token as ``get_vocabulary`` shows it."""
        if self._string:
            return np.str_(t.decode("utf-8", errors="replace"))
        return np.int64(t)

    def _oov_start_index(self):
        return 1 if self.mask_token is not None and self.output_mode == "int" else 0

    def _token_start_index(self):
        return self._oov_start_index() + self.num_oov_indices

    def _set_tokens(self, tokens, idf=None):
        d = self.__dict__
        start = self._token_start_index()
        d["_tokens"] = list(tokens)
        d["_index"] = {t: i + start for i, t in enumerate(tokens)}
        d["_idf"] = idf
        d["_frozen_vocab_size"] = self.vocabulary_size()

    def vocabulary_size(self):
        """Returns the vocabulary's size, mask and OOV indices included."""
        return len(self._tokens or ()) + self._token_start_index()

    def get_vocabulary(self, include_special_tokens=True):
        """Returns the vocabulary in index order (special tokens first unless excluded)."""
        specials = [self.mask_token] * self._oov_start_index() + \
            [self.oov_token] * self.num_oov_indices
        learned = [self._show(t) for t in (self._tokens or ())]
        return specials + learned if include_special_tokens else learned

    def set_vocabulary(self, vocabulary, idf_weights=None):
        """Sets the vocabulary (a list, array, Tensor or a file with one token a line) and,
        in ``"tf_idf"`` mode, the IDF weights.

        Raises:
          ValueError: for an empty vocabulary, repeated tokens, a mask or OOV token in the
            wrong place, more than ``max_tokens``, or misplaced/mis-sized IDF weights.
        """
        if self.output_mode == "tf_idf" and idf_weights is None:
            raise ValueError("`idf_weights` must be set if output_mode is 'tf_idf'.")
        if self.output_mode != "tf_idf" and idf_weights is not None:
            raise ValueError(f"`idf_weights` should only be set if output_mode is `'tf_idf'`. "
                             f"Received: output_mode={self.output_mode} and "
                             f"idf_weights={idf_weights}")
        if isinstance(vocabulary, (str, os.PathLike)):
            if not os.path.exists(vocabulary):
                raise ValueError(f"Vocabulary file {vocabulary} does not exist.")
            with open(vocabulary, encoding="utf-8") as f:
                lines = f.read().splitlines()
            vocabulary = lines if self._string else [int(v) for v in lines]
        vocab = _array(vocabulary).reshape(-1).tolist()
        if not vocab:
            raise ValueError(f"Cannot set an empty vocabulary. Received: "
                             f"vocabulary={vocabulary}")
        keys = [self._key(t) for t in vocab]
        start = self._token_start_index()
        mask = None if self.mask_token is None else self._key(self.mask_token)
        oov = None if self.oov_token is None else self._key(self.oov_token)
        specials = [mask] * self._oov_start_index() + [oov] * self.num_oov_indices
        found = keys[:start] == specials
        tokens = keys[start:] if found else keys
        repeated = [self._show(t) for t, c in collections.Counter(tokens).items() if c > 1]
        if repeated:
            raise ValueError(f"The passed vocabulary has at least one repeated term. Please "
                             f"uniquify your dataset. The repeated terms are: {repeated}")
        shown = [self.mask_token] * self._oov_start_index() + \
            [self.oov_token] * self.num_oov_indices
        if mask is not None and mask in tokens:
            raise ValueError(
                "Found reserved mask token at unexpected location in `vocabulary`. Note that "
                "passed `vocabulary` does not need to include the OOV and mask tokens. Either "
                "remove all mask and OOV tokens, or include them only at the start of the "
                f"vocabulary in precisely this order: {shown}. Received: mask_token="
                f"{self.mask_token} at vocabulary index {[len(keys) - 1 - keys[::-1].index(mask)]}")
        if oov is not None and self.invert and oov in tokens:
            raise ValueError(
                "Found reserved OOV token at unexpected location in `vocabulary`. Note that "
                "passed `vocabulary` does not need to include the OOV and mask tokens. Either "
                "remove all mask and OOV tokens, or include them only at the start of the "
                f"vocabulary in precisely this order: {shown}. Received: oov_token="
                f"{self.oov_token} at vocabulary index {[len(keys) - 1 - keys[::-1].index(oov)]}")
        size = start + len(tokens)
        if self.max_tokens is not None and size > self.max_tokens:
            raise ValueError(f"Attempted to set a vocabulary larger than the maximum vocab size. "
                             f"Received vocabulary size is {size}; `max_tokens` is "
                             f"{self.max_tokens}.")
        idf = None
        if self.output_mode == "tf_idf":
            w = np.asarray(_array(idf_weights), dtype=np.float64).reshape(-1)
            if len(w) != len(vocab):
                raise ValueError(f"`idf_weights` must be the same length as vocabulary. "
                                 f"len(idf_weights) is {len(w)}; len(vocabulary) is "
                                 f"{len(vocab)}")
            if not found:
                w = np.concatenate([np.full(start, np.average(w)), w])
            idf = self._pad_idf(w.astype(np.float32))
        self._set_tokens(tokens, idf)

    def _pad_idf(self, w):
        if self.pad_to_max_tokens and self.max_tokens is not None:
            w = np.concatenate([w, np.zeros(self.max_tokens - len(w), np.float32)])
        return w

    @property
    def idf_weights(self):
        """Returns the IDF weights (``"tf_idf"`` mode) as a float32 Tensor."""
        return None if self._idf is None else Tensor(self._idf)

    # -- adapt ---------------------------------------------------------------------------
    def adapt(self, data, steps=None):
        """Learns the vocabulary (and IDF weights) from ``data``: an array, list, Tensor,
        Dataset or iterable of batches.

        Raises:
          ValueError: if the layer was given a fixed vocabulary.
        """
        if self._has_input_vocabulary:
            raise ValueError(f"Cannot adapt layer '{self.name}' after setting a static "
                             "vocabulary via `vocabulary` argument or `set_vocabulary()` "
                             "method.")
        counts = collections.Counter()
        doc_counts = collections.Counter()
        n_docs = 0
        if isinstance(data, (list, tuple, np.ndarray, Tensor)):
            batches = [data]
        else:
            batches = data
        for i, batch in enumerate(batches):
            if steps is not None and i >= steps:
                break
            v = _array(batch)
            if v.ndim == 0:
                v = v.reshape(1, 1)
            elif v.ndim == 1:
                v = v.reshape(-1, 1) if batches is not data else v.reshape(1, -1)
            rows = v.reshape(v.shape[0], -1).tolist()
            for r in rows:
                keys = [self._key(t) for t in r]
                counts.update(keys)
                if self.output_mode == "tf_idf":
                    doc_counts.update(set(keys))
            n_docs += len(rows)
        for special in (self.mask_token, self.oov_token):
            if special is not None:
                counts.pop(self._key(special), None)
        ordered = sorted(counts.items(), key=lambda tc: (tc[1], tc[0]), reverse=True)
        if self.max_tokens:
            ordered = ordered[:self.max_tokens - self._token_start_index()]
        tokens = [t for t, _ in ordered]
        idf = None
        if self.output_mode == "tf_idf":
            dc = np.array([doc_counts[t] for t in tokens], dtype=np.float64)
            w = np.log(1.0 + n_docs / (1.0 + dc)).astype(np.float32)
            mean = w.mean() if w.size else np.float32(0)
            idf = self._pad_idf(np.concatenate(
                [np.full(self._token_start_index(), mean, np.float32), w]))
        self._set_tokens(tokens, idf)

    # -- call ----------------------------------------------------------------------------
    def _convert(self, x):
        return x

    def _depth(self):
        if self.pad_to_max_tokens:
            return self.max_tokens
        if self._frozen_vocab_size is None:
            raise RuntimeError(
                f"When using `output_mode={self.output_mode}` and `pad_to_max_tokens=False`, "
                "you must set the layer's vocabulary before calling it. Either pass a "
                "`vocabulary` argument to the layer, or call `adapt` with some sample data.")
        return self._frozen_vocab_size

    def call(self, inputs):
        v = _array(inputs)
        if self.invert:
            return Tensor(self._invert(v))
        idx = self._lookup(v)
        if self.output_mode == "int":
            return Tensor(idx)
        depth = self._depth()
        if self.output_mode == "tf_idf":
            out = encode_categorical(idx, "count", depth, np.float32)
            return Tensor((out * self._idf[:depth]).astype(np.float32))
        return Tensor(encode_categorical(idx, self.output_mode, depth, np.int64))

    def _lookup(self, v):
        flat = v.reshape(-1).tolist()
        keys = [self._key(t) for t in flat] if not self._string or (
            flat and type(flat[0]) is not bytes) else flat
        idx = np.fromiter(map(self._index.get, keys, [-1] * len(keys)), dtype=np.int64,
                          count=len(keys)).reshape(v.shape)
        oov = idx == -1
        if self.mask_token is not None:
            masked = np.array([k == self._key(self.mask_token) for k in keys],
                              dtype=bool).reshape(v.shape)
            oov &= ~masked
            idx[masked] = 0 if self.output_mode == "int" else np.iinfo(np.int64).max
        if oov.any():
            if self.num_oov_indices == 0:
                bad = [self._show(k) for k, o in zip(keys, oov.reshape(-1)) if o]
                raise InvalidArgumentError(
                    None, "StringLookup" if self._string else "IntegerLookup",
                    f"When `num_oov_indices=0` all inputs should be in vocabulary, found OOV "
                    f"values {bad}, consider setting `num_oov_indices=1`.")
            start = self._oov_start_index()
            if self.num_oov_indices == 1:
                idx[oov] = start
            else:
                idx[oov] = self._oov_buckets(np.asarray(keys, dtype=object).reshape(v.shape)[
                    oov].tolist()) + start
        return idx

    def _oov_buckets(self, keys):
        from tapeflow.ops.farmhash import fingerprint64
        n = self.num_oov_indices
        if not self._string and self.oov_method == "floormod":
            return np.asarray(keys, dtype=np.int64) % n
        data = keys if self._string else [str(k).encode() for k in keys]
        return np.array([fingerprint64(k) % n for k in data], dtype=np.int64)

    def _invert(self, v):
        idx = np.asarray(v, dtype=np.int64)
        tokens = self._tokens or []
        start = self._token_start_index()
        table = np.empty(start + len(tokens), dtype=object)
        table[:] = [self.oov_token] * start + [self._show(t) for t in tokens]
        if self.mask_token is not None:
            table[0] = self.mask_token
        inside = (idx >= 0) & (idx < len(table))
        out = np.empty(idx.shape, dtype=object)
        out[...] = self.oov_token
        out[inside] = table[idx[inside]]
        if self._string:
            flat = out.reshape(-1)
            flat[:] = [_to_bytes(s) for s in flat.tolist()]
            return out
        return out.astype(np.int64)

    # -- shapes, saving, config ------------------------------------------------------------
    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if self.output_mode == "int":
            return input_shape
        depth = self.max_tokens if self.pad_to_max_tokens else self._frozen_vocab_size
        if self.output_mode == "one_hot":
            if len(input_shape) > 1 and input_shape[-1] == 1:
                return input_shape[:-1] + (depth,)
            return input_shape + (depth,)
        return input_shape[:-1] + (depth,)

    def compute_output_spec(self, inputs):
        """Returns the output KerasTensor: int64 indices in ``"int"`` mode (the vocabulary's
        dtype when inverted), float32 otherwise, as Keras's symbolic call says."""
        from tapeflow.keras.keras_tensor import KerasTensor
        if self.invert:
            dtype = "string" if self._string else self.vocabulary_dtype
        else:
            dtype = "int64" if self.output_mode == "int" else "float32"
        return KerasTensor(self.compute_output_shape(inputs.shape), dtype=dtype)

    def get_build_config(self):
        return {}

    def build_from_config(self, config):
        self.built = True

    def save_assets(self, dir_path):
        """Writes the vocabulary (special tokens included) to ``dir_path/vocabulary.txt``."""
        if self.input_vocabulary is not None:
            return
        path = os.path.join(dir_path, "vocabulary.txt")
        tmp = path + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write("\n".join(str(w) for w in self.get_vocabulary()))
        os.replace(tmp, path)

    def load_assets(self, dir_path):
        """Reads the vocabulary written by ``save_assets``."""
        if self.input_vocabulary is not None:
            return
        with open(os.path.join(dir_path, "vocabulary.txt"), encoding="utf-8") as f:
            lines = f.read().splitlines()
        while lines and lines[-1] == "":
            lines.pop()
        values = lines if self._string else [int(v) for v in lines]
        self.set_vocabulary(values, idf_weights=self._idf)

    def save_own_variables(self, store):
        """Stores the IDF weights (``"tf_idf"`` mode)."""
        if self.output_mode == "tf_idf" and self._idf is not None:
            store["idf_weights"] = np.array(self._idf)

    def load_own_variables(self, store):
        """Restores the IDF weights stored by ``save_own_variables``."""
        if self.output_mode == "tf_idf" and "idf_weights" in store:
            self.__dict__["_idf"] = np.asarray(store["idf_weights"], dtype=np.float32)

    def get_config(self):
        config = super().get_config()
        vocab = self.input_vocabulary
        if isinstance(vocab, (np.ndarray, Tensor)):
            vocab = _array(vocab).tolist()
        idf = self.input_idf_weights
        if isinstance(idf, (np.ndarray, Tensor)):
            idf = np.asarray(_array(idf)).tolist()
        config.update({
            "invert": self.invert, "max_tokens": self.max_tokens,
            "num_oov_indices": self.num_oov_indices, "oov_token": self.oov_token,
            "mask_token": self.mask_token, "output_mode": self.output_mode,
            "sparse": self.sparse, "pad_to_max_tokens": self.pad_to_max_tokens,
            "vocabulary_dtype": self.vocabulary_dtype, "idf_weights": idf,
            "vocabulary": vocab, "vocabulary_size": self._frozen_vocab_size,
            "oov_method": self.oov_method, "salt": self.salt})
        return config


class StringLookup(IndexLookup):
    """Maps strings to integer indices (or one/multi-hot, count or TF-IDF vectors) through a
    vocabulary; ``invert=True`` maps indices back to strings.

    Args:
      max_tokens: maximum vocabulary size, special tokens included (None: unlimited).
      num_oov_indices: OOV buckets (default 1; 0 makes OOV inputs an error).
      mask_token: optional token mapped to index 0 (``"int"`` mode) or dropped.
      oov_token: the token ``invert`` returns for OOV indices (default ``"[UNK]"``).
      vocabulary: optional list/array/file of tokens.
      idf_weights: ``"tf_idf"`` mode with a vocabulary: the IDF weights.
      invert: map indices to tokens.
      output_mode: ``"int"``, ``"one_hot"``, ``"multi_hot"``, ``"count"`` or ``"tf_idf"``.
      pad_to_max_tokens: vector modes: make vectors ``max_tokens`` wide.
    """

    _string = True

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token="[UNK]",
                 vocabulary=None, idf_weights=None, invert=False, output_mode="int",
                 pad_to_max_tokens=False, sparse=False, encoding="utf-8", name=None, **kwargs):
        kwargs.pop("vocabulary_dtype", None)
        self.encoding = encoding
        super().__init__(max_tokens=max_tokens, num_oov_indices=num_oov_indices,
                         mask_token=mask_token, oov_token=oov_token, vocabulary_dtype="string",
                         vocabulary=vocabulary, idf_weights=idf_weights, invert=invert,
                         output_mode=output_mode, sparse=sparse,
                         pad_to_max_tokens=pad_to_max_tokens, name=name, **kwargs)

    def get_config(self):
        config = super().get_config()
        del config["vocabulary_dtype"]
        config["encoding"] = self.encoding
        return config


class IntegerLookup(IndexLookup):
    """Maps integers to indices (or vectors) through a vocabulary; ``invert=True`` maps
    indices back. Arguments as ``StringLookup``; ``oov_token`` defaults to -1 and
    ``vocabulary_dtype`` to ``"int64"``; ``oov_method`` (``"floormod"`` or ``"farmhash"``)
    picks the bucket of an OOV integer when there are several."""

    _string = False

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token=-1,
                 output_mode="int", pad_to_max_tokens=False, sparse=False, vocabulary=None,
                 vocabulary_dtype="int64", idf_weights=None, invert=False, name=None,
                 **kwargs):
        if vocabulary_dtype not in ("int32", "int64"):
            raise ValueError(f"Argument `vocabulary_dtype` must be 'int32' or 'int64'. "
                             f"Received: vocabulary_dtype={vocabulary_dtype}")
        if max_tokens is not None and max_tokens <= 0:
            raise ValueError(f"If `max_tokens` is set for `IntegerLookup`, it must be greater "
                             f"than 1. Received: max_tokens={max_tokens}")
        super().__init__(max_tokens=max_tokens, num_oov_indices=num_oov_indices,
                         mask_token=mask_token, oov_token=oov_token,
                         vocabulary_dtype=vocabulary_dtype, vocabulary=vocabulary,
                         idf_weights=idf_weights, invert=invert, output_mode=output_mode,
                         sparse=sparse, pad_to_max_tokens=pad_to_max_tokens, name=name,
                         **kwargs)


__all__ = ["StringLookup", "IntegerLookup"]
