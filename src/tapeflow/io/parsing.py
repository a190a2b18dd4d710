"""``tf.io.parse_example`` / ``parse_single_example`` and the feature configurations.

The serialized ``tf.train.Example`` bytes are decoded with our own wire decoder
(``tapeflow.io.example``). Results follow TensorFlow: a dense Tensor per
``FixedLenFeature``, a ``SparseTensor`` per ``VarLenFeature``; sparse keys come
first, then dense keys, each in sorted order.
"""
import collections

import numpy as np

from tapeflow.framework import dtypes
from tapeflow.framework.errors import InvalidArgumentError
from tapeflow.sparse_tensor import SparseTensor
from tapeflow.framework.tensor import Tensor, convert_to_tensor
from tapeflow.io.example_decode import DecodeError, decode_features

_KIND = {"float32": ("float_list", "float"), "int64": ("int64_list", "int64"),
         "string": ("bytes_list", "string")}
_WIRE_NAME = {"float_list": "float", "int64_list": "int64", "bytes_list": "string"}


class FixedLenFeature(collections.namedtuple(
        "FixedLenFeature", ["shape", "dtype", "default_value"])):
    """A feature of fixed ``shape`` parsed into a dense Tensor (``tf.io.FixedLenFeature``)."""

    def __new__(cls, shape, dtype, default_value=None):
        return super().__new__(cls, shape, dtype, default_value)


class FixedLenSequenceFeature(collections.namedtuple(
        "FixedLenSequenceFeature", ["shape", "dtype", "allow_missing", "default_value"])):
    """A variable number of items of fixed ``shape`` parsed into a dense ``[n, *shape]`` Tensor."""

    def __new__(cls, shape, dtype, allow_missing=False, default_value=None):
        return super().__new__(cls, shape, dtype, allow_missing, default_value)


class VarLenFeature(collections.namedtuple("VarLenFeature", ["dtype"])):
    """A variable-length feature parsed into a ``SparseTensor`` (``tf.io.VarLenFeature``)."""


def _check_dtype(dtype):
    d = dtypes.as_dtype(dtype)
    if d.name not in _KIND:
        raise InvalidArgumentError(None, "ParseExampleV2", f"Value for attr 'Tdense' of "
                                   f"{d.name} is not in the list of allowed values: float, "
                                   "int64, string")
    return d


def _decode(serialized):
    try:
        return decode_features(serialized)
    except DecodeError:
        raise InvalidArgumentError(None, "ParseExampleV2", "Could not parse example input, "
                                   f"value: '{serialized[:64]!r}'") from None


def _values(feature_map, key, dtype):
    """Returns the list of values of ``key`` (None if absent), checking its type."""
    if key not in feature_map:
        return None
    kind, values = feature_map[key]
    if kind is None:
        return []
    want, name = _KIND[dtype.name]
    if kind != want:
        raise InvalidArgumentError(None, "ParseExampleV2", f"Key: {key}.  Data types don't "
                                   f"match. Data type: {_WIRE_NAME[kind]} but expected type: "
                                   f"{name}")
    return values


def _array(values, dtype):
    if dtype.name == "string":
        out = np.empty(len(values), object)
        out[:] = values
        return out
    return np.asarray(values, dtype=dtype.as_numpy_dtype).reshape(-1)


def _concat(parts, dtype):
    if dtype.name == "string":
        return _array([v for p in parts for v in p], dtype)
    arrays = [np.asarray(p, dtype=dtype.as_numpy_dtype).reshape(-1) for p in parts]
    return np.concatenate(arrays) if arrays else np.zeros(0, dtype.as_numpy_dtype)


def _dense(values, key, spec, dtype):
    shape = [int(d) for d in spec.shape]
    if isinstance(spec, FixedLenSequenceFeature):
        item = int(np.prod(shape))
        if values is None:
            if not spec.allow_missing:
                raise InvalidArgumentError(None, "ParseExampleV2", f"Feature: {key} (data "
                                           f"type: {_KIND[dtype.name][1]}) is required but "
                                           "could not be found.")
            values = []
        if item == 0 or len(values) % item:
            raise InvalidArgumentError(None, "ParseExampleV2", f"Key: {key}.  Number of values "
                                       f"is not a multiple of the item size.")
        return _array(values, dtype).reshape([len(values) // item] + shape)
    if values is None:
        if spec.default_value is None:
            raise InvalidArgumentError(None, "ParseExampleV2", f"Feature: {key} (data type: "
                                       f"{_KIND[dtype.name][1]}) is required but could not be "
                                       "found.")
        d = np.asarray(np.asarray(convert_to_tensor(spec.default_value, dtype=dtype)))
        return np.broadcast_to(d, shape).copy()
    if len(values) != int(np.prod(shape)):
        raise InvalidArgumentError(None, "ParseExampleV2", f"Key: {key}.  Can't parse "
                                   f"serialized Example: Some {_KIND[dtype.name][0]} slice "
                                   "was not parsed.")
    return _array(values, dtype).reshape(shape)


def _batch(serialized):
    a = np.asarray(np.asarray(convert_to_tensor(serialized, dtype=dtypes.string)))
    return a


def parse_example(serialized, features, example_names=None, name=None):
    """Returns a dict: for each key of ``features`` a batched dense Tensor
    (``FixedLenFeature``) or SparseTensor (``VarLenFeature``) parsed from the
    vector of serialized Examples ``serialized``.

    Raises:
      InvalidArgumentError: for a missing required feature, a type mismatch or a
        wrong number of values.
    """
    return _parse(_batch(serialized), features)


def parse_single_example(serialized, features, example_names=None, name=None):
    """Returns a dict of Tensors/SparseTensors parsed from one serialized Example."""
    return _parse(_batch(serialized), features)


def _parse(arr, features):
    if not features:
        raise ValueError("Missing: features was empty.")
    single = arr.ndim == 0
    records = [arr.item()] if single else list(arr.reshape(-1))
    return _parse_maps([_decode(r) for r in records], features, single)


def _parse_maps(maps, features, single):
    """Returns the parsed dict for decoded feature maps (one per record)."""
    sparse_keys = sorted(k for k, v in features.items() if isinstance(v, VarLenFeature))
    dense_keys = sorted(k for k, v in features.items() if not isinstance(v, VarLenFeature))
    out = {}
    for key in sparse_keys:
        dtype = _check_dtype(features[key].dtype)
        parts = [_values(m, key, dtype) for m in maps]
        parts = [[] if p is None else p for p in parts]
        lens = np.asarray([len(p) for p in parts], np.int64)
        width = int(lens.max()) if len(lens) else 0
        cols = np.arange(int(lens.sum()), dtype=np.int64) - np.repeat(
            np.cumsum(lens) - lens, lens)
        rows = np.repeat(np.arange(len(parts), dtype=np.int64), lens)
        idx = cols[:, None] if single else np.stack([rows, cols], axis=1)
        shape = [width] if single else [len(maps), width]
        out[key] = SparseTensor(Tensor(idx.astype(np.int64).reshape(-1, 1 if single else 2)),
                                Tensor(_concat(parts, dtype)),
                                Tensor(np.asarray(shape, np.int64)))
    for key in dense_keys:
        spec = features[key]
        dtype = _check_dtype(spec.dtype)
        rows = [_dense(_values(m, key, dtype), key, spec, dtype) for m in maps]
        if isinstance(spec, FixedLenSequenceFeature) and not single:
            n = max((len(r) for r in rows), default=0)
            pad = (np.asarray(np.asarray(convert_to_tensor(spec.default_value, dtype=dtype)))
                   if spec.default_value is not None else (b"" if dtype.name == "string" else 0))
            rows = [np.concatenate([r, np.full((n - len(r),) + r.shape[1:], pad, r.dtype)])
                    for r in rows]
        a = rows[0] if single else np.stack(rows) if rows else np.zeros(
            (0,) + tuple(int(d) for d in spec.shape), dtype.as_numpy_dtype)
        out[key] = Tensor(a)
    return out


def _decode_sequence(serialized):
    from tapeflow.io.example_decode import decode_sequence_example
    try:
        return decode_sequence_example(serialized)
    except DecodeError:
        raise InvalidArgumentError(None, "ParseSequenceExampleV2", "Could not parse "
                                   "SequenceExample input") from None


def _steps(lists, key, dtype, spec):
    """Returns the per-step value lists of feature list ``key`` (checked), or None."""
    if key not in lists:
        return None
    want, name = _KIND[dtype.name]
    out = []
    for kind, values in lists[key]:
        if kind is not None and kind != want:
            raise InvalidArgumentError(None, "ParseSequenceExampleV2", f"Key: {key}, Index: "
                                       f"{len(out)}.  Data types don't match. Expected type: "
                                       f"{name}")
        out.append([] if kind is None else values)
    return out


def _sequence_dense(steps, key, spec, dtype):
    shape = [int(d) for d in spec.shape]
    item = int(np.prod(shape))
    if steps is None:
        if not getattr(spec, "allow_missing", False):
            raise InvalidArgumentError(None, "ParseSequenceExampleV2", f"Name: <unknown>, "
                                       f"Feature list '{key}' is required but could not be "
                                       "found.  Did you mean to include it in "
                                       "feature_list_dense_missing_assumed_empty or "
                                       "feature_list_dense_defaults?")
        steps = []
    for t, v in enumerate(steps):
        if len(v) != item:
            raise InvalidArgumentError(None, "ParseSequenceExampleV2", f"Name: <unknown>, Key: "
                                       f"{key}, Index: {t}.  Number of values != expected.  "
                                       f"values size: {len(v)} but output shape: {shape}")
    return _concat(steps, dtype).reshape([len(steps)] + shape)


def _sequence_sparse(per_example, dtype, single):
    idx, vals = [], []
    max_t = max((len(s) for s in per_example), default=0)
    max_n = 0
    for b, steps in enumerate(per_example):
        for t, v in enumerate(steps):
            max_n = max(max_n, len(v))
            for j in range(len(v)):
                idx.append([t, j] if single else [b, t, j])
            vals.append(v)
    rank = 2 if single else 3
    shape = [max_t, max_n] if single else [len(per_example), max_t, max_n]
    return SparseTensor(Tensor(np.asarray(idx, np.int64).reshape(-1, rank)),
                        Tensor(_concat(vals, dtype)), Tensor(np.asarray(shape, np.int64)))


def _parse_sequence(records, context_features, sequence_features, single):
    decoded = [_decode_sequence(r) for r in records]
    context = _parse_maps([c for c, _ in decoded], context_features or {}, single) \
        if context_features else {}
    seq, lengths = {}, {}
    specs = sequence_features or {}
    for key in sorted(k for k, v in specs.items() if isinstance(v, VarLenFeature)):
        dtype = _check_dtype(specs[key].dtype)
        per = [_steps(lists, key, dtype, specs[key]) or [] for _, lists in decoded]
        seq[key] = _sequence_sparse(per, dtype, single)
    for key in sorted(k for k, v in specs.items() if not isinstance(v, VarLenFeature)):
        spec = specs[key]
        dtype = _check_dtype(spec.dtype)
        arrays = [_sequence_dense(_steps(lists, key, dtype, spec), key, spec, dtype)
                  for _, lists in decoded]
        if single:
            seq[key] = Tensor(arrays[0])
        else:
            n = max((len(a) for a in arrays), default=0)
            pad = b"" if dtype.name == "string" else 0
            seq[key] = Tensor(np.stack([np.concatenate(
                [a, np.full((n - len(a),) + a.shape[1:], pad, a.dtype)]) for a in arrays]))
            lengths[key] = Tensor(np.asarray([len(a) for a in arrays], np.int64))
    return context, seq, lengths


def parse_single_sequence_example(serialized, context_features=None, sequence_features=None,
                                  example_name=None, name=None):
    """Returns ``(context, feature_lists)`` dicts parsed from one serialized
    SequenceExample: ``FixedLenSequenceFeature`` lists as dense ``[steps, *shape]`` Tensors,
    ``VarLenFeature`` lists as ``[steps, max_len]`` SparseTensors.

    Raises:
      InvalidArgumentError: for a missing required list, a type mismatch or a wrong size.
    """
    rec = np.asarray(np.asarray(convert_to_tensor(serialized, dtype=dtypes.string))).item()
    context, seq, _ = _parse_sequence([rec], context_features, sequence_features, True)
    return context, seq


def parse_sequence_example(serialized, context_features=None, sequence_features=None,
                           example_names=None, name=None):
    """Returns ``(context, feature_lists, lengths)`` for a vector of serialized
    SequenceExamples; dense lists are padded to the longest and ``lengths`` gives each
    example's number of steps."""
    recs = list(np.asarray(np.asarray(convert_to_tensor(serialized, dtype=dtypes.string)))
                .reshape(-1))
    return _parse_sequence(recs, context_features, sequence_features, False)
