"""``keras.layers.TextVectorization``: strings to token indices or bag-of-words vectors.

The pipeline is Keras's: standardize (lowercase, strip punctuation), split
(whitespace), optional n-grams, then a vocabulary lookup. ``adapt`` learns the
vocabulary: tokens by descending count, ties broken by descending token (as
Keras's ``np.lexsort((tokens, counts))[::-1]``); in ``"int"`` mode index 0 is
the padding token ``""`` and 1 is ``"[UNK]"``, in the other modes index 0 is
``"[UNK]"``. Strings are Python bytes, so the per-token work is dictionary
lookups; the outputs are assembled with whole-array NumPy indexing.
"""
import collections
import itertools
import os

import numpy as np

from tapeflow import strings as S
from tapeflow.framework.tensor import Tensor, convert_to_tensor
from tapeflow.keras.layers.layer import Layer

DEFAULT_STRIP_REGEX = r'[!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~\']'
_MODES = ("int", "multi_hot", "count", "tf_idf")
_OOV = b"[UNK]"


def _bytes_array(x):
    """Returns the input as an object array of bytes (non-strings, e.g. symbolic zeros, as b"")."""
    if isinstance(x, S.RaggedTensor):
        raise TypeError("TextVectorization expects a dense string tensor.")
    if type(x) is not Tensor:
        x = convert_to_tensor(np.asarray(x) if isinstance(x, (list, tuple)) else x)
    v = np.asarray(x.array)
    if v.dtype != object:
        if v.dtype.kind in "US":
            return np.asarray(convert_to_tensor(v).array)
        return np.full(v.shape, b"", dtype=object)
    flat = v.reshape(-1)
    if flat.size and type(flat[0]) is not bytes:
        out = np.empty(v.shape, dtype=object)
        out.reshape(-1)[:] = [s if type(s) is bytes else s.encode("utf-8") if isinstance(s, str)
                              else b"" for s in flat.tolist()]
        return out
    return v


def _rows(x):
    """Returns a list of token lists from a RaggedTensor, 2-d Tensor or nested lists."""
    if isinstance(x, S.RaggedTensor):
        return x.to_list()
    if type(x) is Tensor:
        x = x.array
    arr = np.asarray(x, dtype=object)
    if arr.ndim == 1:
        return [[t] for t in arr.tolist()]
    return arr.reshape(arr.shape[0], -1).tolist()


class TextVectorization(Layer):
    """Maps text to sequences of token indices, or to multi-hot / count / TF-IDF vectors.

    Args:
      max_tokens: the vocabulary's maximum size, special tokens included.
      standardize: ``"lower_and_strip_punctuation"`` (default), ``"lower"``,
        ``"strip_punctuation"``, None, or a callable on a string Tensor.
      split: ``"whitespace"`` (default), ``"character"``, None, or a callable
        returning a RaggedTensor (or 2-d Tensor) of tokens.
      ngrams: None, an int n (all 1..n-grams) or a tuple of widths.
      output_mode: ``"int"`` (int64 indices), ``"multi_hot"``, ``"count"``
        or ``"tf_idf"`` (float32 vectors of the vocabulary's size).
      output_sequence_length: ``"int"`` mode only: pad or cut to this length.
      pad_to_max_tokens: vector modes: make the vectors ``max_tokens`` wide.
      vocabulary: an optional list of tokens (or a path to a file, one a line).
      idf_weights: ``"tf_idf"`` mode with a given vocabulary: the IDF weights.
      ragged: ``"int"`` mode: return a RaggedTensor instead of padding.
    """

    def __init__(self, max_tokens=None, standardize="lower_and_strip_punctuation",
                 split="whitespace", ngrams=None, output_mode="int",
                 output_sequence_length=None, pad_to_max_tokens=False, vocabulary=None,
                 idf_weights=None, sparse=False, ragged=False, encoding="utf-8", name=None,
                 **kwargs):
        kwargs.pop("vocabulary_size", None)
        super().__init__(name=name, **kwargs)
        if output_mode not in _MODES:
            raise ValueError("Unknown value for `output_mode` argument of TextVectorization. "
                             "Allowed values are: ('int', 'one_hot', 'multi_hot', 'count', "
                             f"'tf_idf'). Received: output_mode={output_mode}")
        if max_tokens is not None and max_tokens <= 1:
            raise ValueError("If set, `max_tokens` must be greater than 1. Received: "
                             f"max_tokens={max_tokens}")
        if output_sequence_length is not None and output_mode != "int":
            raise ValueError(f"`output_sequence_length` must not be set if `output_mode` is not "
                             f"'int'. Received output_sequence_length={output_sequence_length}.")
        if ragged and output_mode != "int":
            raise ValueError(f"`ragged` must not be true if `output_mode` is `'int'`. "
                             f"Received: ragged={ragged} and output_mode={output_mode}")
        if isinstance(standardize, str) and standardize not in (
                "lower_and_strip_punctuation", "lower", "strip_punctuation"):
            raise ValueError(f"Invalid value for argument `standardize`. Received: "
                             f"standardize={standardize}")
        if isinstance(split, str) and split not in ("whitespace", "character"):
            raise ValueError(f"Invalid value for argument `split`. Received: split={split}")
        if pad_to_max_tokens and max_tokens is None and output_mode != "int":
            raise ValueError("If pad_to_max_tokens is True, must set `max_tokens`. "
                             f"Received: max_tokens={max_tokens}")
        if isinstance(ngrams, (int, np.integer)) and not isinstance(ngrams, bool):
            self._ngram_widths = tuple(range(1, int(ngrams) + 1))
        elif ngrams is None:
            self._ngram_widths = None
        else:
            self._ngram_widths = tuple(ngrams)
        self.max_tokens = max_tokens
        self._standardize = standardize
        self._split = split
        self._ngrams_arg = ngrams
        self._output_mode = output_mode
        self._output_sequence_length = output_sequence_length
        self.pad_to_max_tokens = pad_to_max_tokens
        self.sparse = sparse
        self._ragged = ragged
        self._encoding = encoding
        self._input_vocabulary = None
        self._input_idf_weights = None
        self._vocab = None      # list of bytes, special tokens included
        self._index = None      # dict bytes -> int
        self._idf = None        # float32 array or None
        if vocabulary is not None:
            self.set_vocabulary(vocabulary, idf_weights)
            self.__dict__["_input_vocabulary"] = [
                str(t) for t in self.get_vocabulary(include_special_tokens=False)]
            if idf_weights is not None:
                self.__dict__["_input_idf_weights"] = np.asarray(idf_weights).tolist()
        elif idf_weights is not None:
            raise ValueError("`idf_weights` should only be set if `vocabulary` is set.")

    # -- vocabulary ----------------------------------------------------------------------
    def _specials(self):
        return [b"", _OOV] if self._output_mode == "int" else [_OOV]

    def set_vocabulary(self, vocabulary, idf_weights=None):
        """Sets the vocabulary (and, for ``"tf_idf"``, the IDF weights) directly.

        Raises:
          ValueError: for repeated tokens, a vocabulary over ``max_tokens``, or
            IDF weights missing or of the wrong length in ``"tf_idf"`` mode.
        """
        if isinstance(vocabulary, str):
            with open(vocabulary, encoding="utf-8") as f:
                vocabulary = f.read().splitlines()
        if isinstance(vocabulary, Tensor):
            vocabulary = vocabulary.array.reshape(-1).tolist()
        tokens = [t.encode("utf-8") if isinstance(t, str) else bytes(t)
                  for t in np.asarray(vocabulary, dtype=object).reshape(-1).tolist()]
        specials = self._specials()
        if tokens[:len(specials)] == specials:
            tokens = tokens[len(specials):]
        repeated = [np.str_(t.decode("utf-8")) for t, c in collections.Counter(tokens).items()
                    if c > 1]
        if repeated:
            raise ValueError(f"The passed vocabulary has at least one repeated term. Please "
                             f"uniquify your dataset. The repeated terms are: {repeated}")
        if self._output_mode == "int" and b"" in tokens:
            where = [i for i, t in enumerate(tokens) if t == b""]
            raise ValueError("Found reserved mask token at unexpected location in `vocabulary`. "
                             "Note that passed `vocabulary` does not need to include the OOV and "
                             "mask tokens. Either remove all mask and OOV tokens, or include "
                             "them only at the start of the vocabulary in precisely this order: "
                             f"['', '[UNK]']. Received: mask_token= at vocabulary index {where}")
        vocab = specials + tokens
        if self.max_tokens is not None and len(vocab) > self.max_tokens:
            raise ValueError(f"Attempted to set a vocabulary larger than the maximum vocab size. "
                             f"Received vocabulary size is {len(vocab)}; `max_tokens` is "
                             f"{self.max_tokens}.")
        idf = None
        if self._output_mode == "tf_idf":
            if idf_weights is None:
                raise ValueError("When specifying the `vocabulary` argument, in TF-IDF output "
                                 "mode, the `idf_weights` argument must also be provided.")
            w = np.asarray(idf_weights, dtype=np.float32).reshape(-1)
            if len(w) == len(tokens):
                w = np.concatenate([np.full(len(specials), w.mean() if w.size else 0.0,
                                            np.float32), w])
            if len(w) != len(vocab):
                raise ValueError(f"`idf_weights` must be the same length as vocabulary. "
                                 f"len(idf_weights) is {len(w)}; len(vocabulary) is "
                                 f"{len(tokens)}")
            idf = w
        elif idf_weights is not None:
            raise ValueError(f"`idf_weights` should only be set if output_mode is 'tf_idf'. "
                             f"Received: output_mode={self._output_mode} and "
                             f"idf_weights={idf_weights}")
        self._set_vocab(vocab, idf)

    def _set_vocab(self, vocab, idf):
        # Written to __dict__: Layer.__setattr__ would scan these long lists for weights.
        d = self.__dict__
        d["_vocab"] = vocab
        d["_index"] = {t: i for i, t in enumerate(vocab)}
        if idf is not None and self.pad_to_max_tokens and self.max_tokens:
            idf = np.concatenate([idf, np.zeros(self.max_tokens - len(idf), np.float32)])
        d["_idf"] = idf

    def get_vocabulary(self, include_special_tokens=True):
        """Returns the vocabulary as a list, by index (special tokens first).

        As Keras's: the special tokens are ``str``, the others NumPy ``str_`` scalars.
        """
        specials = self._specials()
        vocab = self._vocab if self._vocab is not None else specials
        out = [t.decode("utf-8", errors="replace") for t in vocab[:len(specials)]]
        out += [np.str_(t.decode("utf-8", errors="replace")) for t in vocab[len(specials):]]
        return out if include_special_tokens else out[len(specials):]

    def vocabulary_size(self):
        """Returns the number of tokens in the vocabulary, special tokens included."""
        return len(self._vocab) if self._vocab is not None else len(self._specials())

    def adapt(self, data, batch_size=None, steps=None):
        """Learns the vocabulary (and IDF weights) from text.

        Args:
          data: a list or array of strings, a string Tensor, or a Dataset
            yielding string batches.
          steps: the most batches to read from a Dataset.
        """
        counts = collections.Counter()
        doc_counts = collections.Counter()
        n_docs = 0
        tfidf = self._output_mode == "tf_idf"
        for i, batch in enumerate(_adapt_batches(data, batch_size)):
            if steps is not None and i >= steps:
                break
            rows = self._tokenize(batch, adapt=True)[0]
            counts.update(itertools.chain.from_iterable(rows))
            if tfidf:
                n_docs += len(rows)
                for r in rows:
                    doc_counts.update(set(r))
        specials = self._specials()
        for s in specials:
            counts.pop(s, None)
        ordered = sorted(counts.items(), key=lambda tc: (tc[1], tc[0]), reverse=True)
        if self.max_tokens is not None:
            ordered = ordered[:max(self.max_tokens - len(specials), 0)]
        tokens = [t for t, _ in ordered]
        idf = None
        if tfidf:
            dc = np.array([doc_counts[t] for t in tokens], dtype=np.float64)
            w = np.log(1.0 + n_docs / (1.0 + dc)).astype(np.float32)
            mean = w.mean() if w.size else np.float32(0)
            idf = np.concatenate([np.full(len(specials), mean, np.float32), w])
        self._set_vocab(specials + tokens, idf)

    # -- the pipeline ----------------------------------------------------------------------
    def _standardized(self, x):
        std = self._standardize
        if std is None:
            return x
        if callable(std):
            return std(x)
        if std in ("lower", "lower_and_strip_punctuation"):
            x = S.lower(x)
        if std in ("strip_punctuation", "lower_and_strip_punctuation"):
            x = S.regex_replace(x, DEFAULT_STRIP_REGEX, "")
        return x

    def _tokenize(self, inputs, adapt=False):
        """Returns ``(rows of token bytes, squeeze)`` after standardize, split and ngrams.

        ``squeeze``: how many leading size-1 axes the output drops (scalar input, or a
        single sequence of tokens when ``split=None``).
        """
        arr = _bytes_array(inputs)
        ndim = arr.ndim
        squeeze = int(ndim == 0)
        if ndim == 0:
            arr = arr.reshape(1)
        x = self._standardized(Tensor(arr))
        if self._split is None:
            if ndim <= 1 and not adapt and not isinstance(x, S.RaggedTensor):
                # Already tokens: a vector is one sequence (a scalar, one token), as in Keras.
                rows = [_bytes_array(x).reshape(-1).tolist()]
                squeeze = 1 + (ndim == 0 and self._output_mode == "int" and
                               self._output_sequence_length is None and not self._ragged)
            else:
                rows = _rows(x)
        else:
            v = _bytes_array(x)
            if v.ndim > 1:
                if v.shape[-1] != 1:
                    raise ValueError(f"When using `TextVectorization` to tokenize strings, the "
                                     f"input rank must be 1 or the last shape dimension must "
                                     f"be 1. Received: inputs.shape={v.shape} with "
                                     f"rank={v.ndim}")
                v = v.reshape(v.shape[:-1])
            if callable(self._split):
                rows = _rows(self._split(Tensor(v)))
            elif self._split == "whitespace":
                rows = [s.split() for s in v.reshape(-1).tolist()]
            else:
                rows = [[c.encode("utf-8") for c in s.decode("utf-8", errors="replace")]
                        for s in v.reshape(-1).tolist()]
        if self._ngram_widths is not None:
            rows = [S._ngram_row(r, self._ngram_widths, b" ", False) for r in rows]
        return rows, squeeze

    def call(self, inputs):
        rows, squeeze = self._tokenize(inputs)
        index = self._index if self._index is not None else {b"": 0} \
            if self._output_mode == "int" else {}
        oov = 1 if self._output_mode == "int" else 0
        lengths = np.fromiter((r.__len__() for r in rows), dtype=np.int64, count=len(rows))
        tokens = list(itertools.chain.from_iterable(rows))
        flat = np.fromiter(map(index.get, tokens, itertools.repeat(oov)), dtype=np.int64,
                           count=len(tokens))
        n = len(rows)
        row_ids = np.repeat(np.arange(n), lengths)
        if self._output_mode == "int":
            if self._ragged:
                out = S.RaggedTensor.from_row_lengths(Tensor(flat), lengths)
                return out[0] if squeeze else out
            width = self._output_sequence_length
            if width is None:
                width = int(lengths.max()) if n else 0
            cols = np.arange(flat.size) - np.repeat(np.cumsum(lengths) - lengths, lengths)
            keep = cols < width
            out = np.zeros((n, width), dtype=np.int64)
            out[row_ids[keep], cols[keep]] = flat[keep]
            return Tensor(out[(0,) * squeeze] if squeeze else out)
        depth = self.max_tokens if self.pad_to_max_tokens else self.vocabulary_size()
        if self._vocab is None and not self.pad_to_max_tokens:
            raise RuntimeError(f"When using `output_mode={self._output_mode}` and "
                               f"`pad_to_max_tokens=False`, you must set the layer's vocabulary "
                               f"before calling it. Either pass a `vocabulary` argument to the "
                               f"layer, or call `adapt` with some sample data.")
        out = np.zeros((n, depth), dtype=np.float32)
        if self._output_mode == "multi_hot":
            out[row_ids, flat] = 1.0
        else:
            np.add.at(out, (row_ids, flat), 1.0)
            if self._output_mode == "tf_idf":
                out *= self._idf[:depth]
        return Tensor(out[0] if squeeze else out)

    def compute_output_shape(self, input_shape):
        batch = input_shape[0] if len(input_shape) else None
        if self._output_mode == "int":
            return (batch, self._output_sequence_length)
        if self.pad_to_max_tokens:
            return (batch, self.max_tokens)
        return (batch, self.vocabulary_size() if self._vocab is not None else None)

    def compute_output_spec(self, inputs):
        """Returns the output KerasTensor, without running ``call`` (as Keras 3 does, so a
        model reloads before its vocabulary does): int64 for ``output_mode="int"``,
        float32 otherwise; the width is unknown while no vocabulary is set."""
        from tapeflow.keras.keras_tensor import KerasTensor
        dtype = "int64" if self._output_mode == "int" else "float32"
        return KerasTensor(self.compute_output_shape(inputs.shape), dtype=dtype)

    # -- saving (Keras's hooks: the vocabulary is an asset, the IDF weights a variable) --------
    def save_assets(self, dir_path):
        """Writes the learned vocabulary to ``dir_path/vocabulary.txt`` (one token a line)."""
        if self._input_vocabulary:
            return
        with open(os.path.join(dir_path, "vocabulary.txt"), "w", encoding="utf-8") as f:
            f.write("\n".join(self.get_vocabulary()))

    def load_assets(self, dir_path):
        """Reads the vocabulary written by ``save_assets``."""
        if self._input_vocabulary:
            return
        with open(os.path.join(dir_path, "vocabulary.txt"), encoding="utf-8") as f:
            tokens = [t.encode("utf-8") for t in f.read().split("\n")]
        specials = self._specials()
        if tokens[:len(specials)] == specials:
            tokens = tokens[len(specials):]
        self._set_vocab(specials + tokens, self._idf)

    def save_own_variables(self, store):
        """Stores the IDF weights (``"tf_idf"`` mode) in the dict-like ``store``."""
        if self._output_mode == "tf_idf" and self._idf is not None:
            store["idf_weights"] = np.array(self._idf)

    def load_own_variables(self, store):
        """Restores the IDF weights stored by ``save_own_variables``."""
        if self._output_mode == "tf_idf" and "idf_weights" in store:
            self.__dict__["_idf"] = np.asarray(store["idf_weights"], dtype=np.float32)

    # -- config ------------------------------------------------------------------------------
    def get_config(self):
        config = super().get_config()
        from tapeflow.keras.saving.serialization import serialize_keras_object
        std, split = self._standardize, self._split
        config.update({
            "max_tokens": self.max_tokens,
            "standardize": std if std is None or isinstance(std, str)
            else serialize_keras_object(std),
            "split": split if split is None or isinstance(split, str)
            else serialize_keras_object(split),
            "ngrams": self._ngrams_arg, "output_mode": self._output_mode,
            "output_sequence_length": self._output_sequence_length,
            "pad_to_max_tokens": self.pad_to_max_tokens, "sparse": self.sparse,
            "ragged": self._ragged, "vocabulary": self._input_vocabulary,
            "idf_weights": self._input_idf_weights, "encoding": self._encoding,
            "vocabulary_size": self.vocabulary_size()})
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config.pop("vocabulary_size", None)
        from tapeflow.keras.saving.serialization import deserialize_keras_object
        for key in ("standardize", "split"):
            if isinstance(config.get(key), dict):
                config[key] = deserialize_keras_object(config[key])
        return cls(**config)


def _adapt_batches(data, batch_size):
    """Yields string batches from a list/array/Tensor or a Dataset."""
    if isinstance(data, (list, tuple, np.ndarray, Tensor, str, bytes)):
        arr = _bytes_array(data)
        if arr.ndim == 0:
            arr = arr.reshape(1)
        step = batch_size or 32
        for i in range(0, len(arr), step):
            yield arr[i:i + step]
        return
    for batch in data:
        if isinstance(batch, (tuple, list)) and batch and not isinstance(batch[0], (str, bytes)):
            raise ValueError("TextVectorization.adapt expects a dataset of strings only; map "
                             "away the labels first, e.g. `ds.map(lambda x, y: x)`.")
        yield batch


__all__ = ["TextVectorization"]
